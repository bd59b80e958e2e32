#include "mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <mutex>

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

// ---- the SIGBUS guard (see MappedFile::guarded) ----

// One guarded read in progress on this thread. Lives on the stack of guarded().
struct FaultScope {
  sigjmp_buf env;
  const std::byte* begin;  // the mapping being read
  const std::byte* end;
  FaultScope* outer;
};

// Constant-initialised and trivially destructible, so reading it in the handler is safe.
thread_local FaultScope* t_innermost = nullptr;
struct sigaction g_previous_sigbus {};

void on_sigbus(int sig, siginfo_t* info, void* context) {
  const auto* addr = static_cast<const std::byte*>(info->si_addr);
  FaultScope* scope = t_innermost;
  // si_code > 0: raised by the kernel for a fault (a SIGBUS sent with kill() has si_code <= 0).
  if (scope && info->si_code > 0 && addr >= scope->begin && addr < scope->end) {
    siglongjmp(scope->env, 1);
  }
  // Not one of our reads: do what would have happened without us.
  if (g_previous_sigbus.sa_flags & SA_SIGINFO) {
    if (g_previous_sigbus.sa_sigaction) {
      g_previous_sigbus.sa_sigaction(sig, info, context);
      return;
    }
  } else if (g_previous_sigbus.sa_handler != SIG_DFL && g_previous_sigbus.sa_handler != SIG_IGN) {
    g_previous_sigbus.sa_handler(sig);
    return;
  }
  // Default action: restore it; a fault re-executes the instruction and dies of it, a signal
  // sent with kill() is raised again.
  ::signal(SIGBUS, SIG_DFL);
  if (info->si_code <= 0) ::raise(sig);
}

void install_sigbus_guard() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    ::sigemptyset(&sa.sa_mask);
    // SA_NODEFER: SIGBUS is not blocked while the handler runs, so leaving it by siglongjmp
    // (which does not restore the signal mask: sigsetjmp(env, 0)) leaves it deliverable.
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    ::sigaction(SIGBUS, &sa, &g_previous_sigbus);
  });
}

struct CopyArgs {
  const std::byte* src;
  std::byte* dst;
  std::size_t n;
};

void copy_bytes(void* ctx) {
  const auto* a = static_cast<const CopyArgs*>(ctx);
  std::memcpy(a->dst, a->src, a->n);
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

void MappedFile::guarded(void (*fn)(void* ctx), void* ctx) const {
  if (!data_) {
    fn(ctx);
    return;
  }
  install_sigbus_guard();
  FaultScope scope;
  scope.begin = data_;
  scope.end = data_ + size_;
  scope.outer = t_innermost;
  if (sigsetjmp(scope.env, 0) != 0) {
    // Back from the handler: fn faulted inside this mapping. Nothing of fn's frames is left.
    t_innermost = scope.outer;
    struct stat st {};
    const std::string now = ::stat(path_.c_str(), &st) == 0 && st.st_ino == inode_
                                ? std::to_string(static_cast<std::uint64_t>(st.st_size)) + " bytes"
                                : "a size that could not be read";
    fail(path_, "file shrank while being read (" + std::to_string(size_) + " bytes at open, now " +
                    now + "); expected it unchanged");
  }
  t_innermost = &scope;
  fn(ctx);
  t_innermost = scope.outer;
}

void MappedFile::copy_out(std::uint64_t offset, std::uint64_t n, void* dst) const {
  if (n == 0) return;
  if (offset > size_ || n > size_ - offset) {
    fail(path_, "internal: read of bytes [" + std::to_string(offset) + ", " +
                    std::to_string(offset + n) + ") outside the file (size " +
                    std::to_string(size_) + ")");
  }
  CopyArgs a{data_ + offset, static_cast<std::byte*>(dst), static_cast<std::size_t>(n)};
  guarded(copy_bytes, &a);
}

}  // namespace fpaudit::io
