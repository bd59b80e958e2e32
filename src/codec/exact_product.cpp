#include "fpaudit/codec/exact_product.hpp"

#include <bit>

namespace fpaudit {

ExactValue exact_product(const ExactValue& a, const ExactValue& b) {
  const bool neg = a.negative != b.negative;
  if (a.cls == ValueClass::nan) return a;
  if (b.cls == ValueClass::nan) return b;
  if (a.cls == ValueClass::inf || b.cls == ValueClass::inf) {
    if (a.cls == ValueClass::zero || b.cls == ValueClass::zero) return ExactValue::quiet_nan(false);
    return ExactValue::inf(neg);
  }
  if (a.cls == ValueClass::zero || b.cls == ValueClass::zero) return ExactValue::zero(neg);
  __extension__ typedef unsigned __int128 u128;
  const u128 p = static_cast<u128>(a.sig) * b.sig;
  const auto hi = static_cast<std::uint64_t>(p >> 64), lo = static_cast<std::uint64_t>(p);
  std::int32_t exp = a.exp + b.exp;
  if (hi == 0) return ExactValue::finite(neg, lo, exp, a.sticky || b.sticky);
  // Keep the top 64 bits; everything below becomes the sticky bit.
  const int shift = 64 - std::countl_zero(hi);  // 1..64: p >> shift has 64 bits
  const std::uint64_t kept = shift == 64 ? hi : (hi << (64 - shift)) | (lo >> shift);
  const bool sticky = (shift == 64 ? lo != 0 : (lo << (64 - shift)) != 0) || a.sticky || b.sticky;
  return ExactValue::finite(neg, kept, exp + shift, sticky);
}

}  // namespace fpaudit
