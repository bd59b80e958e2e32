// Facts about encodings that `formats` and `info` print: neighbours, NaN ranges, the ulp.
// Derived from FormatSpec's classification alone (no table per format).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::cli {

// Positive encoding of the smallest normal value, 2^emin (E8M0: 0x00 = 2^-127).
std::uint64_t min_normal_bits(const FormatSpec& f);

// IEEE 754-2019 5.3.1 nextUp / nextDown over the format's values: nullopt for NaN, for
// nextUp(+inf) and nextDown(-inf), and past the ends of formats without infinities. Zeros are
// one value: nextUp(-0) is the smallest positive value, nextDown(+min) is +0. Formats without
// subnormals read their exponent-field-0 patterns as zero.
std::optional<std::uint64_t> next_up(const FormatSpec& f, std::uint64_t bits);
std::optional<std::uint64_t> next_down(const FormatSpec& f, std::uint64_t bits);

// Every NaN encoding, as inclusive ranges in increasing order.
struct BitRange {
  std::uint64_t first = 0, last = 0;
};
std::vector<BitRange> nan_ranges(const FormatSpec& f);
// "7C01-7FFF, FC01-FFFF", "7F, FF", "80", or "none".
std::string nan_ranges_text(const FormatSpec& f, const std::string& prefix = "");

// "normal", "subnormal", "zero", "infinity", "NaN (quiet)", "NaN (signaling)".
std::string class_name(const FormatSpec& f, std::uint64_t bits);

// The weight of the last significand bit of a finite encoding: 2^(max(field - bias, emin) - M)
// (exponent field 0 counts as emin).
int ulp_exponent(const FormatSpec& f, std::uint64_t bits);

}  // namespace fpaudit::cli
