// An exactly represented floating value from any source format (or an arithmetic result):
// the common currency between decoding and rounding. Finite values are sig x 2^exp with a
// 64-bit integer significand, so every format fpaudit handles (at most 62 significant bits)
// decodes into it without loss.
#pragma once

#include <cstdint>

namespace fpaudit {

enum class ValueClass : std::uint8_t { zero, finite, inf, nan };

struct ExactValue {
  ValueClass cls = ValueClass::zero;
  bool negative = false;
  // finite (nonzero): value = (-1)^negative * sig * 2^exp, sig != 0, not necessarily normalised.
  std::uint64_t sig = 0;
  std::int32_t exp = 0;
  // finite: true when nonzero bits lie below sig's last bit (an inexact arithmetic result
  // carried to rounding as a sticky bit). Decoded values are exact: sticky = false.
  bool sticky = false;
  // nan: the source's trailing significand, left-aligned (bit 63 is the quiet-bit position of
  // IEEE-style formats); 0 for formats whose NaN has no payload (fn, fnuz, E8M0).
  std::uint64_t nan_payload = 0;
  bool signaling = false;  // nan: an IEEE signaling NaN (quiet bit clear, 6.2.1)

  static ExactValue zero(bool neg) { return {ValueClass::zero, neg}; }
  static ExactValue inf(bool neg) { return {ValueClass::inf, neg}; }
  static ExactValue quiet_nan(bool neg) { return {ValueClass::nan, neg}; }
  static ExactValue finite(bool neg, std::uint64_t sig, std::int32_t exp, bool sticky = false) {
    return {ValueClass::finite, neg, sig, exp, sticky};
  }
};

}  // namespace fpaudit
