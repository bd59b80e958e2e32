// multiplication (IEEE 754-2019 5.4.1): the exact 124-bit product (codec/exact_product.hpp keeps
// its top 64 bits and a sticky bit), rounded once.
#include "arith_internal.hpp"
#include "fpaudit/arith/arith.hpp"
#include "fpaudit/codec/exact_product.hpp"

namespace fpaudit {

using namespace arith_detail;

Encoded mul(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index) {
  const ExactValue x = read(f, a, opt), y = read(f, b, opt);
  if (auto nan = propagate_nan(f, {&x, &y}, opt)) return *nan;
  const bool inf = x.cls == ValueClass::inf || y.cls == ValueClass::inf;
  const bool zero = x.cls == ValueClass::zero || y.cls == ValueClass::zero;
  if (inf && zero) return invalid_operation(f, opt);  // 7.2 a: 0 x inf
  // Signs: 6.3, the product's sign is the exclusive or of the operands' (zeros and infinities
  // included); exact_product does that.
  return round_result(f, exact_product(x, y), opt, index);
}

}  // namespace fpaudit
