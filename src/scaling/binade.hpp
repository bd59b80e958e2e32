// Exact exponent and significand of a binary64 value or of a format's largest finite value:
// the integer pieces every scale rule compares (no floating log2 anywhere).
#pragma once

#include <bit>
#include <cstdint>

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::scaling::detail {

// |x| = (1 + frac / 2^63) * 2^exp, frac < 2^63: the significand left-aligned to 63 fraction bits.
struct Binade {
  int exp = 0;
  std::uint64_t frac = 0;
};

// x finite and nonzero (binary64 subnormals are normalised: exp goes down to -1074).
inline Binade binade_of(double x) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  const int field = static_cast<int>((bits >> 52) & 0x7FF);
  const std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1);
  if (field != 0) return {field - 1023, m << 11};
  const int lz = std::countl_zero(m);  // 12..63: the leading one sits at bit 63 - lz
  const std::uint64_t normalised = m << lz;
  return {-1074 + 63 - lz, normalised & ~(std::uint64_t{1} << 63)};
}

// The largest finite value of f: its binade is f.emax(), its trailing significand the
// mantissa field of max_finite_bits() (mantissa_bits <= 61, so the shift is in range).
inline Binade max_finite_binade(const FormatSpec& f) {
  const std::uint64_t mant = f.max_finite_bits() & f.mantissa_mask();
  return {f.emax(), f.mantissa_bits == 0 ? 0 : mant << (63 - f.mantissa_bits)};
}

}  // namespace fpaudit::scaling::detail
