#include "fpaudit/format/format_spec.hpp"

#include <stdexcept>
#include <string>

namespace fpaudit {

std::string_view to_string(NanEncoding e) {
  switch (e) {
    case NanEncoding::ieee: return "ieee";
    case NanEncoding::fn: return "fn";
    case NanEncoding::fnuz: return "fnuz";
    case NanEncoding::none: return "none";
  }
  return "?";
}

std::uint64_t FormatSpec::max_finite_bits() const {
  switch (nan) {
    case NanEncoding::ieee:  // the all-ones exponent binade is reserved (IEEE 754-2019 3.4)
      return (std::uint64_t{max_exponent_field()} << mantissa_bits) - 1;
    case NanEncoding::fn:  // only the all-ones pattern is NaN (OFP8 v1.0 E4M3: max = S.1111.110)
      return magnitude_mask() - 1;
    case NanEncoding::fnuz:
    case NanEncoding::none:
      return magnitude_mask();
  }
  return 0;
}

std::uint64_t FormatSpec::min_positive_bits() const {
  if (has_subnormals && mantissa_bits > 0) return 1;
  if (has_zero) return std::uint64_t{1} << mantissa_bits;
  return 0;  // no zero: field 0 is the lowest binade (E8M0 0x00 = 2^-127)
}

std::uint64_t FormatSpec::default_nan_bits() const {
  switch (nan) {
    case NanEncoding::ieee:  // quiet bit set, rest of the payload zero (6.2.1)
      return inf_bits() | (std::uint64_t{1} << (mantissa_bits - 1));
    case NanEncoding::fn: return magnitude_mask();
    case NanEncoding::fnuz: return sign_bit();
    case NanEncoding::none: return max_finite_bits();  // no NaN: see nan_result_bits
  }
  return 0;
}

bool FormatSpec::is_nan(std::uint64_t bits) const {
  bits &= mask();
  const std::uint64_t mag = bits & magnitude_mask();
  switch (nan) {
    case NanEncoding::ieee: return mag > inf_bits();
    case NanEncoding::fn: return mag == magnitude_mask();
    case NanEncoding::fnuz: return bits == sign_bit();
    case NanEncoding::none: return false;
  }
  return false;
}

bool FormatSpec::is_inf(std::uint64_t bits) const {
  return has_inf && (bits & magnitude_mask()) == inf_bits();
}

bool FormatSpec::is_zero(std::uint64_t bits) const {
  if (!has_zero || is_nan(bits)) return false;
  const std::uint64_t mag = bits & magnitude_mask();
  if (has_subnormals) return mag == 0;
  return (mag >> mantissa_bits) == 0;  // no subnormals: field 0 reads as +-0
}

bool FormatSpec::is_subnormal(std::uint64_t bits) const {
  const std::uint64_t mag = bits & magnitude_mask();
  return has_subnormals && (mag >> mantissa_bits) == 0 && mag != 0;
}

bool FormatSpec::is_signaling_nan(std::uint64_t bits) const {
  if (nan != NanEncoding::ieee || !is_nan(bits)) return false;
  return ((bits >> (mantissa_bits - 1)) & 1) == 0;
}

void FormatSpec::validate() const {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument("format " + (name.empty() ? describe(*this) : name) + ": " + what);
  };
  if (exponent_bits < 1 || exponent_bits > 20)
    fail("exponent bits " + std::to_string(exponent_bits) + " out of range (expected 1..20)");
  if (mantissa_bits < 0 || mantissa_bits > 61)
    fail("mantissa bits " + std::to_string(mantissa_bits) +
         " out of range (expected 0..61: at most 62 significant bits)");
  if (width() > 64) fail("width " + std::to_string(width()) + " bits exceeds 64");
  if (bias < -(1 << 20) || bias > (1 << 20))
    fail("bias " + std::to_string(bias) + " out of range (expected -2^20..2^20)");
  if (has_inf != (nan == NanEncoding::ieee))
    fail("infinities exist exactly in the ieee NaN encoding (top binade reserved)");
  if (nan == NanEncoding::ieee && (mantissa_bits < 1 || exponent_bits < 2))
    fail("ieee NaN encoding needs at least 2 exponent bits and 1 mantissa bit");
  if (nan == NanEncoding::fnuz && !is_signed) fail("fnuz needs a sign bit (NaN is the -0 pattern)");
  if (!has_zero && has_subnormals) fail("a format without zero cannot have subnormals");
  if (!has_zero && is_signed) fail("a format without zero must be unsigned (as E8M0)");
  if (max_finite_bits() < min_positive_bits() || max_finite_bits() == 0)
    fail("no positive finite value is representable");
}

std::string describe(const FormatSpec& f) {
  std::string s = (f.is_signed ? "" : "u");
  s += "e" + std::to_string(f.exponent_bits) + "m" + std::to_string(f.mantissa_bits);
  switch (f.nan) {
    case NanEncoding::ieee: break;
    case NanEncoding::fn: s += ":fn"; break;
    case NanEncoding::fnuz: s += ":fnuz"; break;
    case NanEncoding::none: s += ":nonan"; break;
  }
  // The parser's default (registry.cpp): IEEE's 2^(E-1)-1, one more for fnuz (LLVM D141863).
  const int default_bias = (1 << (f.exponent_bits - 1)) - 1 + (f.nan == NanEncoding::fnuz ? 1 : 0);
  if (f.bias != default_bias) s += ":bias=" + std::to_string(f.bias);
  if (!f.has_subnormals) s += ":nosub";
  if (!f.has_zero) s += ":nozero";
  return s;
}

}  // namespace fpaudit
