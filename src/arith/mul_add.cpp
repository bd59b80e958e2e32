// fusedMultiplyAdd (IEEE 754-2019 5.4.1, TestFloat's mulAdd): the exact product (up to 124 bits,
// kept whole in 128) plus the addend, summed exactly in a 256-bit window (arith_internal.cpp),
// rounded once.
#include "arith_internal.hpp"
#include "fpaudit/arith/arith.hpp"

namespace fpaudit {

using namespace arith_detail;

Encoded fma(const FormatSpec& f, std::uint64_t a, std::uint64_t b, std::uint64_t c,
            const ConvertOptions& opt, std::uint64_t index) {
  const ExactValue x = read(f, a, opt), y = read(f, b, opt), z = read(f, c, opt);
  const bool x_inf = x.cls == ValueClass::inf, y_inf = y.cls == ValueClass::inf;
  const bool x_zero = x.cls == ValueClass::zero, y_zero = y.cls == ValueClass::zero;
  const bool zero_times_inf = (x_inf && y_zero) || (x_zero && y_inf);
  if (auto nan = propagate_nan(f, {&x, &y, &z}, opt)) {
    // 7.2 c leaves invalid for fma(0, inf, qNaN) to the implementation; TestFloat expects it.
    if (zero_times_inf) nan->flags |= Flags::invalid;
    return *nan;
  }
  if (zero_times_inf) return invalid_operation(f, opt);  // 7.2 c
  const bool p_neg = x.negative != y.negative;           // 6.3: the product's sign
  if (x_inf || y_inf) {
    if (z.cls == ValueClass::inf && z.negative != p_neg) return invalid_operation(f, opt);  // 7.2 b
    return round_result(f, ExactValue::inf(p_neg), opt, index);
  }
  if (z.cls == ValueClass::inf) return round_result(f, z, opt, index);
  if (x_zero || y_zero) {
    // An exact zero product: (+-0) + z. Zero plus zero follows 6.3 as for addition.
    if (z.cls != ValueClass::zero) return round_result(f, z, opt, index);
    return round_result(f, p_neg == z.negative ? z : exact_zero_sum(opt.rounding), opt, index);
  }
  const Term product{p_neg, static_cast<u128>(x.sig) * y.sig, x.exp + y.exp};  // exact
  if (z.cls == ValueClass::zero)  // x*y + 0 = x*y exactly (a nonzero product keeps its sign)
    return round_result(f, narrow(product.negative, product.sig, product.exp, false), opt, index);
  return round_result(f, exact_sum(product, {z.negative, z.sig, z.exp}, opt.rounding), opt, index);
}

}  // namespace fpaudit
