#include "mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common.hpp"

namespace fpaudit::io {
namespace {

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

[[noreturn]] void not_regular(const std::string& path, mode_t mode) {
  fail(path, std::string("is ") + file_type_name(mode) + "; expected a regular file");
}

std::uint64_t page_size() {
  static const auto size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path) {
  // stat before open: opening a FIFO blocks and opening some devices has side effects.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    fail(path, std::string("cannot open: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) not_regular(path, st.st_mode);

  std::shared_ptr<MappedFile> m(new MappedFile());
  m->path_ = path;
  // O_NONBLOCK: if the path was swapped for a FIFO since the stat, open must not hang.
  m->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (m->fd_ < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  if (::fstat(m->fd_, &st) != 0) fail(path, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) not_regular(path, st.st_mode);
  m->size_ = static_cast<std::uint64_t>(st.st_size);
  m->mtime_sec_ = st.st_mtim.tv_sec;
  m->mtime_nsec_ = st.st_mtim.tv_nsec;
  m->device_ = st.st_dev;
  m->inode_ = st.st_ino;
  if (m->size_ > 0) {
    void* p = ::mmap(nullptr, m->size_, PROT_READ, MAP_PRIVATE, m->fd_, 0);
    if (p == MAP_FAILED) fail(path, std::string("cannot map: ") + std::strerror(errno));
    m->data_ = static_cast<std::byte*>(p);
  }
  // The mapping keeps the file alive: the descriptor is not needed any more, and holding one
  // per file would run into the open-file limit when a directory of many files is audited.
  ::close(m->fd_);
  m->fd_ = -1;
  return m;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
  if (fd_ >= 0) ::close(fd_);
}

void MappedFile::check_unchanged() const {
  // By path: a different file there now (replaced by rename, or deleted) leaves the mapped one
  // intact, since the mapping holds its inode; only the mapped inode changing matters.
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0 || st.st_dev != device_ || st.st_ino != inode_) return;
  const auto now = static_cast<std::uint64_t>(st.st_size);
  if (now != size_) {
    fail(path_, "file changed size while being read (" + std::to_string(size_) +
                    " bytes at open, now " + std::to_string(now) + "); expected it unchanged");
  }
  if (st.st_mtim.tv_sec != mtime_sec_ || st.st_mtim.tv_nsec != mtime_nsec_) {
    fail(path_, "file was modified while being read; expected it unchanged");
  }
}

void MappedFile::release(std::uint64_t offset, std::uint64_t length) const {
  if (!data_ || length == 0) return;
  const std::uint64_t page = page_size();
  const std::uint64_t begin = offset / page * page;
  const std::uint64_t end = (offset + length) / page * page;
  if (end > begin) ::madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

void MappedFile::advise_sequential(std::uint64_t offset, std::uint64_t length) const {
  if (!data_ || length == 0) return;
  const std::uint64_t begin = offset / page_size() * page_size();
  ::madvise(data_ + begin, offset + length - begin, MADV_SEQUENTIAL);
}

}  // namespace fpaudit::io
