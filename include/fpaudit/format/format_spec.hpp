// One descriptor for any binary floating-point format, and every constant derived from it.
//
// Modelled on gfloat's FormatInfo: a handful of structural fields, everything else (max finite,
// NaN and infinity code points, epsilon, ...) is computed, never typed in per format. The
// constants are checked in tests against the numbers printed in IEEE 754-2019 Table 3.5, OCP
// OFP8 v1.0 Tables 1-2 and OCP MX v1.0 Tables 2-4 (written out literally there).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fpaudit {

// How NaN is encoded.
enum class NanEncoding : std::uint8_t {
  ieee,  // IEEE 754-2019 3.4: exponent field all ones with a nonzero trailing significand; quiet
         // bit = top trailing-significand bit (6.2.1). Implies infinities (all-ones exponent, zero
         // significand).
  fn,    // "finite": only the all-ones pattern (exponent and mantissa all ones) is NaN, one per
         // sign (OFP8 v1.0 E4M3: S.1111.111). No infinities. For unsigned formats (E8M0) the
         // single all-ones pattern (MX v1.0 5.4.1: 0xFF).
  fnuz,  // "finite, unsigned zero": the negative-zero pattern (sign set, rest zero) is the only
         // NaN; there is no -0 and no infinity (LLVM D141863, PyTorch c10 Float8_e4m3fnuz).
  none,  // no NaN at all (MX v1.0 FP6/FP4 element formats).
};

std::string_view to_string(NanEncoding e);

struct FormatSpec {
  std::string name;           // canonical name ("binary16", "float8_e4m3fn", or the custom string)
  bool is_signed = true;      // false: no sign bit (E8M0)
  int exponent_bits = 0;      // 1..20
  int mantissa_bits = 0;      // trailing significand bits, 0..61
  int bias = 0;
  bool has_inf = false;       // only with NanEncoding::ieee
  NanEncoding nan = NanEncoding::ieee;
  bool has_subnormals = true; // false: see "Formats without subnormals" below
  bool has_zero = true;       // false: E8M0 (no zero; exponent field 0 is 2^-bias)

  // Formats without subnormals: when the format has a zero, the exponent field 0 holds only
  // +-0 (its other patterns are unused and read as +-0, as DAZ hardware reads them), so the
  // smallest positive value is 2^(1-bias). When the format has no zero (E8M0), the exponent
  // field 0 is an ordinary binade: 2^(0-bias) x 1.m.

  // ---- derived constants (all computed, never stored per format) ----
  int width() const { return (is_signed ? 1 : 0) + exponent_bits + mantissa_bits; }
  int precision() const { return mantissa_bits + 1; }
  int hex_digits() const { return (width() + 3) / 4; }
  std::uint64_t mask() const {
    return width() == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << width()) - 1);
  }
  std::uint64_t sign_bit() const {
    return is_signed ? std::uint64_t{1} << (exponent_bits + mantissa_bits) : 0;
  }
  std::uint64_t magnitude_mask() const {
    // An unsigned format may use all 64 bits ("ue5m59"): shifting by 64 is undefined.
    const int bits = exponent_bits + mantissa_bits;
    return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  }
  std::uint64_t mantissa_mask() const { return (std::uint64_t{1} << mantissa_bits) - 1; }
  std::uint32_t max_exponent_field() const { return (1u << exponent_bits) - 1; }

  // Exponent of the smallest normal binade: values there are 1.m x 2^emin.
  int emin() const { return (has_subnormals || has_zero) ? 1 - bias : -bias; }
  // Positive encoding of the largest finite value.
  std::uint64_t max_finite_bits() const;
  // Exponent of the largest finite value's binade.
  int emax() const { return static_cast<int>(max_finite_bits() >> mantissa_bits) - bias; }
  // Positive encoding of the smallest positive value (the smallest subnormal, or the smallest
  // normal when there are none).
  std::uint64_t min_positive_bits() const;
  // Positive encoding of +inf (has_inf only).
  std::uint64_t inf_bits() const { return std::uint64_t{max_exponent_field()} << mantissa_bits; }
  // The quiet NaN this format produces by default (positive where the format has a sign).
  std::uint64_t default_nan_bits() const;

  // Classification of an encoding (bits are masked to width()).
  bool is_nan(std::uint64_t bits) const;
  bool is_inf(std::uint64_t bits) const;
  bool is_zero(std::uint64_t bits) const;
  bool is_subnormal(std::uint64_t bits) const;
  bool is_negative(std::uint64_t bits) const { return (bits & sign_bit()) != 0; }
  // IEEE formats only: quiet bit clear (6.2.1). Formats with a single NaN code have no sNaN.
  bool is_signaling_nan(std::uint64_t bits) const;

  // Throws std::invalid_argument naming the field and the allowed range.
  void validate() const;

  friend bool operator==(const FormatSpec& a, const FormatSpec& b) {
    return a.is_signed == b.is_signed && a.exponent_bits == b.exponent_bits &&
           a.mantissa_bits == b.mantissa_bits && a.bias == b.bias && a.has_inf == b.has_inf &&
           a.nan == b.nan && a.has_subnormals == b.has_subnormals && a.has_zero == b.has_zero;
  }
};

// The structural description as a custom-format string ("e4m3:fn", "e5m2", "ue8m0:fn:nozero:nosub").
std::string describe(const FormatSpec& f);

}  // namespace fpaudit
