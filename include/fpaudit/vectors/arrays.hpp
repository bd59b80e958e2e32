// Cases as .npy arrays (`fpaudit gen --format npy`, `fpaudit verify --inputs --outputs`): each
// element is a bit pattern in its format's storage container (codec/convert.hpp storage_bytes:
// 1, 2, 4 or 8 bytes, little-endian). binary16/32/64 are typed '<f2' '<f4' '<f8' so NumPy reads
// them as values; every other format as the unsigned integer of its container ('|u1', '<u2').
#pragma once

#include <cstdint>
#include <string>

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::vectors {

std::string npy_descr(const FormatSpec& f);

// Appends bits as storage_bytes(f) little-endian bytes.
void append_element(std::string& buffer, const FormatSpec& f, std::uint64_t bits);

}  // namespace fpaudit::vectors
