// Conversions between formats: decode (with DAZ) then encode, one element or whole spans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "fpaudit/codec/encode.hpp"

namespace fpaudit {

// from -> to, one pattern. Flags include invalid for a signaling-NaN input (7.2).
Encoded convert(const FormatSpec& from, std::uint64_t bits, const FormatSpec& to,
                const ConvertOptions& opt, std::uint64_t index = 0);

Encoded convert_double(double x, const FormatSpec& to, const ConvertOptions& opt,
                       std::uint64_t index = 0);
Encoded convert_float(float x, const FormatSpec& to, const ConvertOptions& opt,
                      std::uint64_t index = 0);

// Bytes per stored element of a format: the smallest of 1, 2, 4, 8 that holds width() bits
// (sub-byte formats are stored one per byte, low bits, as ml_dtypes does).
std::size_t storage_bytes(const FormatSpec& f);

// Bulk conversion of n elements stored as storage_bytes() little-endian containers.
// Element i uses stochastic index first_index + i. Returns the OR of all flags.
Flags convert_span(const FormatSpec& from, const void* in, const FormatSpec& to, void* out,
                   std::size_t n, const ConvertOptions& opt, std::uint64_t first_index = 0);

}  // namespace fpaudit
