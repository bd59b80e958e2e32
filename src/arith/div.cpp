// division (IEEE 754-2019 5.4.1): 64 quotient bits by integer long division, and the exact
// remainder test for the sticky bit.
#include <bit>

#include "arith_internal.hpp"
#include "fpaudit/arith/arith.hpp"

namespace fpaudit {

using namespace arith_detail;

Encoded div(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index) {
  const ExactValue x = read(f, a, opt), y = read(f, b, opt);
  if (auto nan = propagate_nan(f, {&x, &y}, opt)) return *nan;
  const bool neg = x.negative != y.negative;  // 6.3
  const bool x_inf = x.cls == ValueClass::inf, y_inf = y.cls == ValueClass::inf;
  const bool x_zero = x.cls == ValueClass::zero, y_zero = y.cls == ValueClass::zero;
  if ((x_inf && y_inf) || (x_zero && y_zero)) return invalid_operation(f, opt);  // 7.2 d
  if (x_inf) return round_result(f, ExactValue::inf(neg), opt, index);
  if (y_zero)  // 7.3: divideByZero, the exact result is a correctly signed infinity
    return round_result(f, ExactValue::inf(neg), opt, index, Flags(Flags::infinite));
  if (x_zero || y_inf) return round_result(f, ExactValue::zero(neg), opt, index);

  // Both finite nonzero. Normalise the significands to [2^63, 2^64) and divide N = X * 2^s by
  // Y, s = 63 or 64 chosen so that the quotient Q lies in [2^63, 2^64): 64 correct bits, at
  // least two more than any target keeps (p <= 62). The remainder is zero exactly when the
  // quotient is exact, so sticky = (remainder != 0) makes (Q, sticky) the value's 64-bit
  // truncation plus an exact sticky bit, which encode() rounds correctly (arith_internal.cpp).
  const int lx = std::countl_zero(x.sig), ly = std::countl_zero(y.sig);
  const std::uint64_t X = x.sig << lx, Y = y.sig << ly;
  const int s = X >= Y ? 63 : 64;
  const u128 n = static_cast<u128>(X) << s;
  const auto q = static_cast<std::uint64_t>(n / Y);
  const bool sticky = n % Y != 0;
  const std::int32_t exp = (x.exp - lx) - (y.exp - ly) - s;
  return round_result(f, ExactValue::finite(neg, q, exp, sticky), opt, index);
}

}  // namespace fpaudit
