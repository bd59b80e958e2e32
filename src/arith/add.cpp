// addition and subtraction (IEEE 754-2019 5.4.1): the exact sum, rounded once.
#include "arith_internal.hpp"
#include "fpaudit/arith/arith.hpp"

namespace fpaudit {
namespace {

using namespace arith_detail;

// a + b for a, b already read (b's sign flipped by sub). 6.3 zero signs; 7.2 invalid for
// inf - inf.
Encoded add_values(const FormatSpec& f, const ExactValue& a, const ExactValue& b,
                   const ConvertOptions& opt, std::uint64_t index) {
  if (a.cls == ValueClass::inf || b.cls == ValueClass::inf) {
    if (a.cls == ValueClass::inf && b.cls == ValueClass::inf && a.negative != b.negative)
      return invalid_operation(f, opt);  // 7.2 b: magnitude subtraction of infinities
    return round_result(f, a.cls == ValueClass::inf ? a : b, opt, index);
  }
  if (a.cls == ValueClass::zero && b.cls == ValueClass::zero) {
    // 6.3: x + x has x's sign (also for zeros); zeros of opposite signs sum to an exact zero.
    return round_result(f, a.negative == b.negative ? a : exact_zero_sum(opt.rounding), opt, index);
  }
  if (a.cls == ValueClass::zero) return round_result(f, b, opt, index);  // exact: x + 0 = x
  if (b.cls == ValueClass::zero) return round_result(f, a, opt, index);
  return round_result(
      f, exact_sum({a.negative, a.sig, a.exp}, {b.negative, b.sig, b.exp}, opt.rounding), opt,
      index);
}

}  // namespace

Encoded add(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index) {
  const ExactValue x = read(f, a, opt), y = read(f, b, opt);
  if (auto nan = propagate_nan(f, {&x, &y}, opt)) return *nan;
  return add_values(f, x, y, opt, index);
}

Encoded sub(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index) {
  const ExactValue x = read(f, a, opt);
  ExactValue y = read(f, b, opt);
  // A NaN operand propagates with its own sign (x86 SUBSS, SoftFloat f*_sub): negate after.
  if (auto nan = propagate_nan(f, {&x, &y}, opt)) return *nan;
  y.negative = !y.negative;  // a - b = a + (-b) (5.4.1), so x - x is an exact zero sum (6.3)
  return add_values(f, x, y, opt, index);
}

}  // namespace fpaudit
