#include "arith_internal.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <utility>

#include "fpaudit/codec/decode.hpp"

namespace fpaudit::arith_detail {
namespace {

int countl_zero128(u128 x) {
  const auto hi = static_cast<std::uint64_t>(x >> 64);
  return hi != 0 ? std::countl_zero(hi) : 64 + std::countl_zero(static_cast<std::uint64_t>(x));
}

// A 256-bit unsigned fixed-point window (two 128-bit halves): just what exact_sum needs.
struct U256 {
  u128 hi = 0, lo = 0;
};

U256 add256(U256 a, U256 b) {
  U256 r;
  r.lo = a.lo + b.lo;
  r.hi = a.hi + b.hi + (r.lo < a.lo ? 1 : 0);
  return r;
}

U256 sub256(U256 a, U256 b) {  // a >= b
  U256 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo ? 1 : 0);
  return r;
}

// x << k as a 256-bit value, 0 <= k <= 127.
U256 widen_shift(u128 x, int k) { return {k == 0 ? 0 : x >> (128 - k), x << k}; }

}  // namespace

ExactValue read(const FormatSpec& f, std::uint64_t bits, const ConvertOptions& opt) {
  return decode(f, bits, opt.subnormals.daz);
}

bool any_signaling(std::initializer_list<const ExactValue*> operands) {
  return std::any_of(operands.begin(), operands.end(),
                     [](const ExactValue* v) { return v->cls == ValueClass::nan && v->signaling; });
}

std::optional<Encoded> propagate_nan(const FormatSpec& f,
                                     std::initializer_list<const ExactValue*> operands,
                                     const ConvertOptions& opt) {
  for (const ExactValue* v : operands) {
    if (v->cls != ValueClass::nan) continue;
    ExactValue quiet = *v;
    quiet.signaling = false;  // 6.2.3: the result is quiet; invalid is raised below instead
    return Encoded{nan_result_bits(f, quiet, opt),
                   any_signaling(operands) ? Flags(Flags::invalid) : Flags()};
  }
  return std::nullopt;
}

Encoded invalid_operation(const FormatSpec& f, const ConvertOptions& opt) {
  Encoded r = encode(f, ExactValue::quiet_nan(false), opt);
  r.flags |= Flags::invalid;
  return r;
}

Encoded round_result(const FormatSpec& f, const ExactValue& v, const ConvertOptions& opt,
                     std::uint64_t index, Flags extra) {
  if (opt.rounding == Rounding::sr && v.cls == ValueClass::finite && v.sticky) {
    // encode() takes floor(frac * 2^R) from the bits of v.sig below the target's quantum; with
    // bits missing beyond v.sig that is only right when at least R of them are there.
    const int top = v.exp + 63 - std::countl_zero(v.sig);  // |v| in [2^top, 2^(top+1))
    const int lsb = top - 63;                              // encode() normalises sig to 64 bits
    const int emin = f.emin();
    int q = 0;  // the target's quantum exponent at v (as encode() computes it)
    bool fixed = false;
    if (top >= emin || f.has_subnormals)
      q = std::max(top, emin) - f.mantissa_bits;
    else if (f.has_zero)
      q = emin;
    else
      fixed = true;  // below E8M0's lowest binade: the result does not depend on the draw
    if (!fixed && q - lsb < opt.sr_bits)
      throw std::invalid_argument(
          "stochastic rounding into " + f.name + " needs " + std::to_string(opt.sr_bits) +
          " exact bits below the last place, but this result is carried to rounding in 64 bits "
          "with only " +
          std::to_string(q - lsb) + " there: use sr_bits <= " + std::to_string(q - lsb));
  }
  Encoded r = encode(f, v, opt, index);
  r.flags |= extra;
  return r;
}

ExactValue exact_zero_sum(Rounding mode) { return ExactValue::zero(mode == Rounding::rdown); }

ExactValue narrow(bool negative, u128 sig, std::int32_t exp, bool sticky) {
  const int top = 127 - countl_zero128(sig);
  if (top <= 63) return ExactValue::finite(negative, static_cast<std::uint64_t>(sig), exp, sticky);
  const int cut = top - 63;  // 1..64 bits go below the kept 64
  const auto kept = static_cast<std::uint64_t>(sig >> cut);
  const bool lost = (sig << (128 - cut)) != 0;
  return ExactValue::finite(negative, kept, exp + cut, sticky || lost);
}

// Why the sum is exact enough. Both significands are normalised to 128 bits (top bit 127) and
// ordered so that |a| >= |b|; a is placed at bits 127..254 of a 256-bit window whose unit u is
// 2^(a's exponent - 127), and b is shifted right by d, the difference of the top-bit exponents.
//  * d <= 127: b's lowest bit lands at or above bit 0, so the window holds a + b exactly.
//  * d > 127: b < 2^127 u while |a| >= 2^254 u. The bits of b below bit 0 (all of b when
//    d >= 255) are replaced by a sticky bit standing for "a fraction f strictly between 0 and
//    1 unit". For a sum that is (W + f); for a difference W - (B + f) = (W - B - 1) + (1 - f),
//    again an integer plus a fraction strictly between 0 and 1. So the window value S and the
//    sticky bit say exactly that the true result lies in the open interval (S, S + 1) u.
// narrow() then keeps the top 64 bits K of S and ORs the rest into the sticky bit: the true
// result lies in (K, K + 1) 2^v (or is K 2^v exactly). encode() rounds to at most 62 significant
// bits, so every rounding boundary (a multiple of half the target's quantum) lies at least one
// place above K's last bit: no boundary is strictly inside (K, K + 1) 2^v, and every mode other
// than stochastic rounding, the inexact flag and both tininess rules decide the same for every
// value in it (the guard/round/sticky argument: Muller et al., Handbook of Floating-Point
// Arithmetic, 2nd ed., 7.2; Goldberg 1991, "What every computer scientist should know...",
// Theorem 2 context). Stochastic rounding needs sr_bits exact bits below the quantum: checked in
// round_result.
ExactValue exact_sum(const Term& a_in, const Term& b_in, Rounding mode) {
  Term a = a_in, b = b_in;
  int la = countl_zero128(a.sig), lb = countl_zero128(b.sig);
  u128 A = a.sig << la, B = b.sig << lb;
  std::int32_t ea = a.exp - la, eb = b.exp - lb;  // value = A * 2^ea, A in [2^127, 2^128)
  if (eb > ea || (eb == ea && B > A)) {
    std::swap(a, b);
    std::swap(A, B);
    std::swap(ea, eb);
  }
  const std::int64_t d = static_cast<std::int64_t>(ea) - eb;
  const U256 wa = widen_shift(A, 127);
  U256 wb;
  bool sticky = false;
  if (d <= 127) {
    wb = widen_shift(B, static_cast<int>(127 - d));
  } else if (d - 127 < 128) {
    const int s = static_cast<int>(d - 127);
    wb.lo = B >> s;
    sticky = (B << (128 - s)) != 0;
  } else {
    sticky = true;  // B != 0 lies wholly below the window
  }
  U256 s;
  if (a.negative == b.negative) {
    s = add256(wa, wb);  // < 2^256: both are below 2^255
  } else {
    s = sub256(wa, wb);
    if (sticky) s = sub256(s, U256{0, 1});                    // W - (B + f) = (W - B - 1) + (1 - f)
    if (s.hi == 0 && s.lo == 0) return exact_zero_sum(mode);  // sticky is false here
  }
  const std::int32_t unit = ea - 127;
  if (s.hi == 0) return narrow(a.negative, s.lo, unit, sticky);
  // Top bit above 127: keep the top 128 bits (then narrow keeps 64 of them).
  const int cut = 128 - countl_zero128(s.hi);  // 1..128
  const u128 top128 = cut == 128 ? s.hi : (s.hi << (128 - cut)) | (s.lo >> cut);
  const bool lost = cut == 128 ? s.lo != 0 : (s.lo << (128 - cut)) != 0;
  return narrow(a.negative, top128, unit + cut, sticky || lost);
}

int compare(const ExactValue& a, const ExactValue& b) {
  // Magnitude order: zero < finite < inf; finite by binade, then by aligned significand.
  auto rank = [](const ExactValue& v) {
    return v.cls == ValueClass::zero ? 0 : v.cls == ValueClass::finite ? 1 : 2;
  };
  auto magnitude = [&](const ExactValue& x, const ExactValue& y) {
    if (rank(x) != rank(y)) return rank(x) < rank(y) ? -1 : 1;
    if (x.cls != ValueClass::finite) return 0;
    const int lx = std::countl_zero(x.sig), ly = std::countl_zero(y.sig);
    const std::int64_t tx = static_cast<std::int64_t>(x.exp) + 63 - lx;
    const std::int64_t ty = static_cast<std::int64_t>(y.exp) + 63 - ly;
    if (tx != ty) return tx < ty ? -1 : 1;
    const std::uint64_t nx = x.sig << lx, ny = y.sig << ly;
    return nx == ny ? 0 : nx < ny ? -1 : 1;
  };
  const bool za = a.cls == ValueClass::zero, zb = b.cls == ValueClass::zero;
  if (za && zb) return 0;
  const bool na = a.negative && !za, nb = b.negative && !zb;
  if (na != nb) return na ? -1 : 1;
  const int m = magnitude(a, b);
  return na ? -m : m;
}

}  // namespace fpaudit::arith_detail
