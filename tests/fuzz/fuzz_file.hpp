// Shared by the file-reader fuzz targets: the readers take a path (they stat, open and mmap
// it, which is part of what is under test), so each input is written to one scratch file per
// process and read back through the real reader, then every tensor is streamed with
// for_each_chunk as the audit does (that is where the data bytes, CRCs and deflate streams are
// read). InputError is the expected outcome for most inputs; anything else escaping is a bug.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "fpaudit/io/readers.hpp"

namespace fpaudit::fuzz {

// A file named with the given extension in $TMPDIR (default /tmp), one per process and
// extension, rewritten for each input and removed when the process exits.
inline std::string scratch_path(const char* extension) {
  struct Scratch {
    std::set<std::string> paths;
    ~Scratch() {
      for (const auto& p : paths) ::unlink(p.c_str());
    }
  };
  static Scratch scratch;
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/fpaudit_fuzz_" +
                     std::to_string(::getpid()) + extension;
  scratch.paths.insert(path);
  return path;
}

inline void write_scratch(const std::string& path, const std::uint8_t* data, std::size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

// Streams every element of every tensor (small chunks, so chunk boundaries are exercised),
// folding the bits so the reads cannot be optimised away.
inline std::uint64_t stream_all(const io::TensorFile& file) {
  std::uint64_t fold = 0;
  for (const io::TensorView& t : file.tensors) {
    if (!io::iterable(t.dtype)) continue;
    if (t.count > (1u << 22)) continue;  // valid but large: not what a fuzzer should spend on
    // Odd chunk sizes so that boundaries fall everywhere; large tensors in larger chunks
    // (each chunk costs a stat() of the file).
    io::for_each_chunk(t, t.count < 256 ? 7 : 1021, [&](const io::Chunk& c) {
      for (const std::uint64_t b : c.bits) fold = fold * 31 + b;
    });
    if (!t.compressed) {
      for (const std::byte b : t.bytes()) fold += std::to_integer<std::uint64_t>(b);
    }
  }
  return fold;
}

template <class Reader>
int fuzz_reader(const char* extension, Reader read, const std::uint8_t* data, std::size_t size) {
  const std::string path = scratch_path(extension);
  write_scratch(path, data, size);
  try {
    volatile std::uint64_t sink = stream_all(read(path));
    (void)sink;
  } catch (const io::InputError&) {
    // Expected for malformed input: a one-line message, checked below.
  }
  return 0;
}

}  // namespace fpaudit::fuzz
