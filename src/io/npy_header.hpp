// The .npy preamble and header (numpy/lib/format.py, "Format Version 1.0" to "3.0"), shared by
// the .npy reader and the .npz member reader. Internal to src/io.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/io/dtype.hpp"
#include "fpaudit/io/tensor.hpp"

namespace fpaudit::io {

// Bytes needed to read the header length: magic (6) + version (2) + length (2 in 1.0, 4 after).
inline constexpr std::size_t kNpyPreambleMax = 12;
// numpy itself refuses headers over 10000 bytes unless told otherwise; our dtypes need far
// less. A larger header is refused before it is read.
inline constexpr std::uint64_t kNpyMaxHeader = 1u << 20;

struct NpyPreamble {
  unsigned major = 1;
  std::uint64_t header_start = 0;   // 10 for 1.0, 12 for 2.0 and 3.0
  std::uint64_t header_length = 0;  // the dict text, padding and '\n' included
};

struct NpyLayout {
  DType dtype = DType::f32;
  ByteOrder order = ByteOrder::little;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
  std::uint64_t count = 1;
  std::uint64_t data_offset = 0;  // from the start of the .npy bytes
  std::uint64_t data_size = 0;    // count * item size
};

// `where` prefixes messages ("x.npy", or `x.npz: member "a.npy"`); `unit` names what
// total_size measures ("file" or "member"). head: the first min(total_size, 12) bytes.
NpyPreamble parse_npy_preamble(std::span<const std::byte> head, std::uint64_t total_size,
                               std::string_view where, std::string_view unit);

// header: the header_length bytes at header_start. Checks that the data after the header is
// exactly count * item size bytes of total_size.
NpyLayout parse_npy_header(const NpyPreamble& pre, std::string_view header,
                           std::uint64_t total_size, std::string_view where, std::string_view unit);

// A view of the array described by l (file, name, dtype, shape, sizes); the caller sets
// byte_offset, member and storage.
TensorView make_view(const std::string& path, std::string name, const NpyLayout& l);

}  // namespace fpaudit::io
