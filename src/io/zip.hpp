// Just enough of the zip format for .npz archives (PKWARE APPNOTE.TXT 6.3.x): the central
// directory (with ZIP64 records), local headers, stored and deflated members; and a bounded
// inflater over a deflated member in the mapping. Internal to src/io.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mapped_file.hpp"

namespace fpaudit::io {

struct ZipMember {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflated (the only two accepted)
  std::uint32_t crc = 0;     // CRC-32 of the uncompressed bytes, from the central directory
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;         // uncompressed
  std::uint64_t data_offset = 0;  // of the (compressed) bytes in the file
};

// The archive's members, in central-directory order; directory entries ("name/") are skipped.
// Throws InputError naming the path and the byte offset of the bad record.
std::vector<ZipMember> read_zip_directory(const MappedFile& f);

// Raw-deflate decoder of one member (APPNOTE 4.4.5 method 8), fed straight from the mapping;
// memory is zlib's 32 KiB window plus what the caller passes to read().
class Inflater {
 public:
  // `where` prefixes messages (`x.npz: member "a.npy"`).
  Inflater(const MappedFile& f, const ZipMember& m, std::string where);
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Fills `out` completely, or throws InputError (corrupt data, stream ends early).
  void read(std::span<std::byte> out);
  // Reads and discards n bytes through a small buffer.
  void skip(std::uint64_t n);
  // Call after reading all member.size bytes: throws unless the stream ends there; returns the
  // CRC-32 of everything read.
  std::uint32_t finish();

 private:
  void feed();
  const MappedFile& file_;
  ZipMember member_;
  std::string where_;
  z_stream zs_{};
  std::uint64_t consumed_ = 0;  // compressed bytes handed to zlib
  std::uint64_t released_ = 0;  // compressed bytes whose pages were handed back
  std::uint64_t produced_ = 0;
  std::uint32_t crc_ = 0;
  bool ended_ = false;
};

}  // namespace fpaudit::io
