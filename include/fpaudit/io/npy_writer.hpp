// The .npy writer (format version 1.0, numpy/lib/format.py): the counterpart of read_npy for
// arrays of little-endian elements. Written atomically (report/output_file.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fpaudit::io {

// The whole file: magic, version 1.0, the header dict {'descr': .., 'fortran_order': False,
// 'shape': (..), } padded with spaces to a multiple of 64 bytes (numpy's alignment) and ended by
// '\n', then `data`. descr is a numpy type string ("<f4", "<u2", "|u1"); data must hold
// product(shape) elements of that size (throws std::invalid_argument otherwise).
std::string npy_bytes(std::string_view descr, const std::vector<std::uint64_t>& shape,
                      std::string_view data);

// npy_bytes written to path through write_output_file (temp + rename).
void write_npy(const std::string& path, std::string_view descr,
               const std::vector<std::uint64_t>& shape, std::string_view data);

}  // namespace fpaudit::io
