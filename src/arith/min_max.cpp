// minimum, maximum, minimumNumber, maximumNumber (IEEE 754-2019 9.6). The result is one of the
// operands, never rounded: -0 is less than +0, and the only flag is invalid for a signaling NaN
// operand (7.2 a, via 6.2).
#include "arith_internal.hpp"
#include "fpaudit/arith/arith.hpp"

namespace fpaudit {
namespace {

using namespace arith_detail;

// The pattern of an operand chosen as the result: its own bits, except that a value read as zero
// (a DAZ-read subnormal, or one of the unused field-0 patterns of a format without subnormals)
// gives the canonical signed zero.
Encoded chosen(const FormatSpec& f, std::uint64_t bits, const ExactValue& v,
               const ConvertOptions& opt) {
  if (v.cls == ValueClass::zero) return {encode(f, v, opt).bits, {}};
  return {bits & f.mask(), {}};
}

// true when a is below b in the order of 9.6: numeric order, with -0 below +0.
bool below(const ExactValue& a, const ExactValue& b) {
  const int c = compare(a, b);
  if (c != 0) return c < 0;
  return a.cls == ValueClass::zero && a.negative && !b.negative;
}

enum class Pick { smaller, larger };
enum class Nan { propagate, lose };  // minimum/maximum vs minimumNumber/maximumNumber

Encoded select(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
               Pick pick, Nan nan_rule) {
  const ExactValue x = read(f, a, opt), y = read(f, b, opt);
  const bool x_nan = x.cls == ValueClass::nan, y_nan = y.cls == ValueClass::nan;
  if (nan_rule == Nan::lose && x_nan != y_nan) {
    // 9.6 minimumNumber: "if exactly one operand is a NaN, the result is the other operand",
    // and a signaling NaN still signals invalid (6.2).
    Encoded r = x_nan ? chosen(f, b, y, opt) : chosen(f, a, x, opt);
    if (any_signaling({&x, &y})) r.flags |= Flags::invalid;
    return r;
  }
  if (auto nan = propagate_nan(f, {&x, &y}, opt)) return *nan;
  // Equal operands (same value and, for zeros, same sign) are interchangeable: return a.
  const bool take_b = pick == Pick::smaller ? below(y, x) : below(x, y);
  return take_b ? chosen(f, b, y, opt) : chosen(f, a, x, opt);
}

}  // namespace

Encoded minimum(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
  return select(f, a, b, opt, Pick::smaller, Nan::propagate);
}
Encoded maximum(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
  return select(f, a, b, opt, Pick::larger, Nan::propagate);
}
Encoded minimum_number(const FormatSpec& f, std::uint64_t a, std::uint64_t b,
                       const ConvertOptions& opt) {
  return select(f, a, b, opt, Pick::smaller, Nan::lose);
}
Encoded maximum_number(const FormatSpec& f, std::uint64_t a, std::uint64_t b,
                       const ConvertOptions& opt) {
  return select(f, a, b, opt, Pick::larger, Nan::lose);
}

}  // namespace fpaudit
