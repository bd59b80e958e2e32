// squareRoot (IEEE 754-2019 5.4.1): a 64-bit integer square root of a 128-bit radicand, and the
// exact remainder test for the sticky bit.
#include <bit>

#include "arith_internal.hpp"
#include "fpaudit/arith/arith.hpp"

namespace fpaudit {
namespace {

using namespace arith_detail;

struct Root {
  std::uint64_t root;  // floor(sqrt(n))
  bool exact;          // root^2 == n
};

// Digit-by-digit (binary restoring) square root: after the loop root = floor(sqrt(n)) and
// rem = n - root^2 exactly (e.g. Warren, Hacker's Delight, 2nd ed., 11-1, Figure 11-4).
Root isqrt(u128 n) {
  u128 rem = n, root = 0;
  u128 bit = u128{1} << 126;
  while (bit > n) bit >>= 2;
  while (bit != 0) {
    if (rem >= root + bit) {
      rem -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return {static_cast<std::uint64_t>(root), rem == 0};
}

}  // namespace

Encoded sqrt(const FormatSpec& f, std::uint64_t a, const ConvertOptions& opt, std::uint64_t index) {
  const ExactValue x = read(f, a, opt);
  if (auto nan = propagate_nan(f, {&x}, opt)) return *nan;
  if (x.cls == ValueClass::zero) return round_result(f, x, opt, index);  // 6.3: sqrt(-0) = -0
  if (x.negative) return invalid_operation(f, opt);                      // 7.2 g
  if (x.cls == ValueClass::inf) return round_result(f, x, opt, index);

  // x = sig * 2^exp. Shift sig into a 128-bit radicand N with its top bit at 127 or 126 so that
  // the remaining exponent e = exp - shift is even: sqrt(x) = sqrt(N) * 2^(e/2) with
  // sqrt(N) in [2^63, 2^64), i.e. 64 root bits, two more than any target keeps. N - root^2 = 0
  // exactly when the root is exact, so (root, sticky = not exact) is the 64-bit truncation plus
  // an exact sticky bit, which encode() rounds correctly (arith_internal.cpp).
  int shift = 64 + std::countl_zero(x.sig);  // top bit at 127
  if (((x.exp - shift) & 1) != 0) --shift;   // top bit at 126, even exponent
  const Root r = isqrt(static_cast<u128>(x.sig) << shift);
  return round_result(f, ExactValue::finite(false, r.root, (x.exp - shift) / 2, !r.exact), opt,
                      index);
}

}  // namespace fpaudit
