// A read-only memory map of one input file, and the storage record a tensor view points at.
// Internal to src/io.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fpaudit/io/tensor.hpp"

namespace fpaudit::io {

// Readers hand back consumed pages (release) in steps of this many bytes.
inline constexpr std::uint64_t kReleaseStep = 1u << 20;

class MappedFile {
 public:
  // stat()s the path first so that a FIFO or device is refused before it is opened, then opens
  // it O_RDONLY, maps it PROT_READ / MAP_PRIVATE and closes the descriptor (the mapping keeps
  // the file). Throws InputError.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  const std::byte* data() const { return data_; }  // nullptr for an empty file

  // Throws InputError if the file at path() is still the mapped one (same device and inode)
  // and its size or modification time differ from those seen at open: a file truncated under
  // a mapping turns reads past its new end into SIGBUS.
  void check_unchanged() const;
  // Hands back the pages from the one holding `offset` up to (not including) the one holding
  // offset + length. Nothing is written through the mapping, so a page handed back is read
  // again from the page cache if touched: this bounds resident memory and changes nothing else.
  void release(std::uint64_t offset, std::uint64_t length) const;
  // Announces a sequential read of [offset, offset + length) (read-ahead hint).
  void advise_sequential(std::uint64_t offset, std::uint64_t length) const;

  // Reads of the mapping that survive the file shrinking under it. A page of a MAP_PRIVATE
  // mapping that lies past the file's new end raises SIGBUS when touched (mmap(2)); a stat()
  // before each read (check_unchanged) narrows that window but cannot close it. These run the
  // read under a fault guard instead: a SIGBUS at an address inside this mapping, on this
  // thread, during the read, becomes InputError ("file shrank ... while being read").
  //
  // How: the first guarded read installs, once per process, a SIGBUS handler (SA_SIGINFO |
  // SA_NODEFER | SA_ONSTACK) that siglongjmps to the innermost guard of the faulting thread
  // when the fault address lies in that guard's mapping; any other SIGBUS is handed to the
  // handler that was installed before (or, if that was the default, takes the default action:
  // the process dies exactly as it would have without the guard). The guard is thread-local,
  // so concurrent readers need no locking. A program that later replaces the SIGBUS handler
  // loses the guard (a truncated file then kills it, as before), nothing else.
  //
  // fn(ctx) must only read the mapping and write plain memory: a fault unwinds it with
  // siglongjmp, so it may not own objects with destructors nor throw.
  void guarded(void (*fn)(void* ctx), void* ctx) const;
  // memcpy of [offset, offset + n) into dst under the guard; the range must lie in size().
  void copy_out(std::uint64_t offset, std::uint64_t n, void* dst) const;

 private:
  MappedFile() = default;
  std::string path_;
  int fd_ = -1;  // open only while mapping
  std::uint64_t size_ = 0;
  std::int64_t mtime_sec_ = 0, mtime_nsec_ = 0;
  std::uint64_t device_ = 0, inode_ = 0;
  std::byte* data_ = nullptr;
};

namespace detail {

// What lies behind a view. For a .npz member, `member_*` describe the member's data in the
// archive (start in the file, sizes, CRC-32 from the central directory) so that a full pass can
// verify the CRC; a deflated member is inflated from member_offset.
struct Storage {
  std::shared_ptr<const MappedFile> file;
  bool zip_member = false;
  bool deflated = false;
  std::uint64_t member_offset = 0;
  std::uint64_t member_compressed_size = 0;
  std::uint64_t member_size = 0;
  std::uint32_t member_crc = 0;
};

}  // namespace detail
}  // namespace fpaudit::io
