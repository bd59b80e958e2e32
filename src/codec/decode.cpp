#include "fpaudit/codec/decode.hpp"

#include <bit>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit {

ExactValue decode(const FormatSpec& f, std::uint64_t bits, bool daz) {
  bits &= f.mask();
  const bool neg = f.is_negative(bits);
  const int m_bits = f.mantissa_bits;
  const std::uint64_t mag = bits & f.magnitude_mask();
  const std::uint64_t field = mag >> m_bits;
  const std::uint64_t mant = mag & f.mantissa_mask();

  if (f.is_nan(bits)) {
    ExactValue v = ExactValue::quiet_nan(neg);
    if (f.nan == NanEncoding::ieee) {
      // Payload: the trailing significand, left-aligned; quiet bit = its top bit (6.2.1).
      v.nan_payload = mant << (64 - m_bits);
      v.signaling = (mant >> (m_bits - 1)) == 0;
    } else {
      v.negative = f.nan == NanEncoding::fn && neg;  // fnuz's NaN (the -0 pattern) has no sign
    }
    return v;
  }
  if (f.is_inf(bits)) return ExactValue::inf(neg);
  if (f.is_zero(bits)) return ExactValue::zero(neg);
  if (field == 0 && f.has_subnormals) {
    // Subnormal: 0.m x 2^emin (IEEE 754-2019 3.4 c). DAZ reads it as a signed zero.
    if (daz) return ExactValue::zero(neg);
    return ExactValue::finite(neg, mant, f.emin() - m_bits);
  }
  // Normal: 1.m x 2^(field - bias); for formats without zero field 0 is an ordinary binade.
  const std::uint64_t sig = (std::uint64_t{1} << m_bits) | mant;
  return ExactValue::finite(neg, sig, static_cast<std::int32_t>(field) - f.bias - m_bits);
}

namespace {
const FormatSpec& binary64() {
  static const FormatSpec f = format_by_name("binary64");
  return f;
}
const FormatSpec& binary32() {
  static const FormatSpec f = format_by_name("binary32");
  return f;
}
}  // namespace

double to_double(const FormatSpec& f, std::uint64_t bits) {
  const ConvertOptions exact{};  // rne, ieee overflow: exact whenever binary64 holds the value
  return std::bit_cast<double>(encode(binary64(), decode(f, bits), exact).bits);
}

ExactValue from_double(double x) { return decode(binary64(), std::bit_cast<std::uint64_t>(x)); }

ExactValue from_float(float x) { return decode(binary32(), std::bit_cast<std::uint32_t>(x)); }

}  // namespace fpaudit
