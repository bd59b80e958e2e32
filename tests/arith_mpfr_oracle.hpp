// The MPFR oracle for fpaudit's arithmetic (include/fpaudit/arith/arith.hpp), shared by the
// tests/test_arith_*.cpp files.
//
// What it is: every operation evaluated by MPFR on the operands' exact values, then rounded by
// the conversion reference fpaudit::reference::round_mpfr (src/reference/, which never calls
// src/codec). Operands are read by reference_decode (the field formulas of CONVERSION_RULES.md
// section 1), never by the codec's decode(); the fast path's encode() is never called.
//  * add, sub, mul, fma: MPFR at a precision that holds the exact result of any two or three
//    operands of the format (the whole exponent span, twice for a product); every MPFR call's
//    ternary value is checked to be 0 (exact), so the value handed to round_mpfr IS the exact
//    result.
//  * div, sqrt: MPFR at 256 bits toward zero; when MPFR reports inexact (ternary != 0) the
//    truncation T is replaced by T + half an ulp of the 256-bit grid, a value strictly between T
//    and the next 256-bit number, like the true result, so every rounding decision at <= 62 bits
//    (and the top <= 32 bits of the discarded fraction for stochastic rounding) is the same.
//  * Which operations are invalid (inf - inf, 0 x inf, 0/0, inf/inf, sqrt(-x)), divide by zero,
//    and the sign of an exact zero sum (6.3) are taken from MPFR's own IEEE-754 semantics: its NaN
//    flag, its divide-by-zero flag, and its signed zeros under the matching MPFR rounding mode
//    (RNDD for rdown, RNDZ for rtz, RNDU for rup, RNDN otherwise).
//  * What MPFR does not model is written out here from docs/ARITHMETIC.md: NaN operands (MPFR's
//    NaN has no sign, payload or signaling bit): the first NaN operand propagates, quieted,
//    invalid when any operand is a signaling NaN; fma(0, inf, qNaN) also raises invalid
//    (TestFloat). An invalid operation's NaN is round_mpfr of a positive quiet NaN without payload.
//  * Comparisons use mpfr_equal_p / mpfr_lessequal_p / mpfr_less_p; minimum / maximum pick
//    with mpfr_cmp and the 9.6 rule -0 < +0, and re-encode the chosen operand with round_mpfr.
// What it is not: independent of FormatSpec's derived constants (emin, max_finite_bits), which
// tests/test_format_constants.cpp holds to the standards' tables, or of the Philox draw
// (stochastic_bits), which is part of the stochastic-rounding contract.
#pragma once

#include <mpfr.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fpaudit/codec/encode.hpp"  // Encoded: a plain bits + flags pair
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/reference/mpfr_reference.hpp"
#include "fpaudit/rounding/options.hpp"

namespace arith_oracle {

using fpaudit::ConvertOptions;
using fpaudit::Encoded;
using fpaudit::Flags;
using fpaudit::FormatSpec;
using fpaudit::Rounding;

class ArithOracle {
 public:
  explicit ArithOracle(const FormatSpec& f) : f_(f) {
    // The exponent span of the format's nonzero values: from the subnormal quantum (or the
    // smallest value) up to 2^(emax+1). A sum needs span + p bits, a product 2p, fma a product
    // plus an addend: 2 * span + 2p + margin covers all.
    const long top = f.emax() + 1, bottom = f.emin() - f.mantissa_bits - 1;
    exact_prec_ = 2 * (top - bottom) + 4 * f.precision() + 64;
    for (mpfr_ptr v : {x_, y_, z_}) mpfr_init2(v, 64);
    mpfr_init2(r_, exact_prec_);
    mpfr_init2(q_, kDivPrec + 1);
  }
  ~ArithOracle() {
    for (mpfr_ptr v : {x_, y_, z_, r_, q_}) mpfr_clear(v);
  }
  ArithOracle(const ArithOracle&) = delete;
  ArithOracle& operator=(const ArithOracle&) = delete;

  const FormatSpec& format() const { return f_; }

  // op: a name of fpaudit::operations() ("add", "mulAdd", "lt_quiet", ...).
  Encoded apply(std::string_view op, std::span<const std::uint64_t> v, const ConvertOptions& opt,
                std::uint64_t index = 0) {
    if (op == "add" || op == "sub" || op == "mul" || op == "div")
      return binary(op, v[0], v[1], opt, index);
    if (op == "sqrt") return square_root(v[0], opt, index);
    if (op == "mulAdd") return mul_add(v[0], v[1], v[2], opt, index);
    if (op == "min" || op == "max" || op == "minimumNumber" || op == "maximumNumber")
      return select(op, v[0], v[1], opt);
    return compare(op, v[0], v[1], opt);
  }

 private:
  static constexpr mpfr_prec_t kDivPrec = 256;

  static mpfr_rnd_t zero_sign_mode(Rounding r) {
    switch (r) {
      case Rounding::rdown: return MPFR_RNDD;
      case Rounding::rtz: return MPFR_RNDZ;
      case Rounding::rup: return MPFR_RNDU;
      default: return MPFR_RNDN;  // rne, rna; rno and sr (754 defines no zero sign for them: +0)
    }
  }

  bool is_nan_bits(std::uint64_t bits) const { return f_.is_nan(bits); }

  // The operand's value into v, DAZ applied (a subnormal reads as a signed zero).
  void read(std::uint64_t bits, mpfr_ptr v, const ConvertOptions& opt) const {
    fpaudit::reference::reference_decode(f_, bits, v);
    if (opt.subnormals.daz && f_.has_subnormals && mpfr_regular_p(v) &&
        mpfr_get_exp(v) - 1 < f_.emin())
      mpfr_set_zero(v, mpfr_signbit(v) ? -1 : 1);
  }

  bool signaling(std::uint64_t bits) const {
    return is_nan_bits(bits) && fpaudit::reference::nan_operand(f_, bits).signaling;
  }

  // When an operand is a NaN: *out = the first NaN operand, quieted, with invalid when any
  // operand signals, and true.
  bool nan_result(std::initializer_list<std::uint64_t> ops, const ConvertOptions& opt,
                  Encoded* out) const {
    bool any_snan = false;
    for (std::uint64_t b : ops) any_snan |= signaling(b);
    for (std::uint64_t b : ops) {
      if (!is_nan_bits(b)) continue;
      fpaudit::reference::NanOperand n = fpaudit::reference::nan_operand(f_, b);
      n.signaling = false;
      mpfr_t nan;
      mpfr_init2(nan, 8);
      mpfr_set_nan(nan);
      *out = fpaudit::reference::round_mpfr(f_, nan, opt, 0, n);
      mpfr_clear(nan);
      if (any_snan) out->flags |= Flags::invalid;
      return true;
    }
    return false;
  }

  Encoded invalid(const ConvertOptions& opt) const {
    mpfr_t nan;
    mpfr_init2(nan, 8);
    mpfr_set_nan(nan);
    Encoded e = fpaudit::reference::round_mpfr(f_, nan, opt, 0, {});
    mpfr_clear(nan);
    e.flags |= Flags::invalid;
    return e;
  }

  static void require_exact(int ternary, const char* what) {
    if (ternary != 0)
      throw std::logic_error(std::string("arith oracle: inexact MPFR step: ") + what);
  }

  // Rounds r_ (exact) or q_ (after div/sqrt), reading MPFR's flags for the special cases.
  Encoded finish(mpfr_srcptr v, const ConvertOptions& opt, std::uint64_t index) const {
    if (mpfr_nanflag_p()) return invalid(opt);
    Encoded e = fpaudit::reference::round_mpfr(f_, v, opt, index);
    if (mpfr_divby0_p()) e.flags |= Flags::infinite;
    return e;
  }

  Encoded binary(std::string_view op, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
                 std::uint64_t index) {
    Encoded e;
    if (nan_result({a, b}, opt, &e)) return e;
    read(a, x_, opt);
    read(b, y_, opt);
    const mpfr_rnd_t rnd = zero_sign_mode(opt.rounding);
    mpfr_clear_flags();
    if (op == "div") return divide(opt, index);
    if (op == "add") require_exact(mpfr_add(r_, x_, y_, rnd), "add");
    if (op == "sub") require_exact(mpfr_sub(r_, x_, y_, rnd), "sub");
    if (op == "mul") require_exact(mpfr_mul(r_, x_, y_, rnd), "mul");
    return finish(r_, opt, index);
  }

  // q_ = x/y or sqrt(x) toward zero at kDivPrec bits; inexact -> T + half an ulp (see top).
  void widen_if_inexact(int ternary) {
    if (ternary == 0 || !mpfr_regular_p(q_)) return;
    require_exact(mpfr_prec_round(q_, kDivPrec + 1, MPFR_RNDN), "widen");
    // q_ in [2^(E-1), 2^E): its kDivPrec-bit ulp is 2^(E - kDivPrec).
    const mpfr_exp_t half_ulp = mpfr_get_exp(q_) - kDivPrec - 1;
    mpfr_t h;
    mpfr_init2(h, 8);
    mpfr_set_si_2exp(h, mpfr_signbit(q_) ? -1 : 1, half_ulp, MPFR_RNDN);
    require_exact(mpfr_add(q_, q_, h, MPFR_RNDN), "T + half ulp");
    mpfr_clear(h);
  }

  Encoded divide(const ConvertOptions& opt, std::uint64_t index) {
    mpfr_set_prec(q_, kDivPrec);
    const int t = mpfr_div(q_, x_, y_, MPFR_RNDZ);
    widen_if_inexact(t);
    return finish(q_, opt, index);
  }

  Encoded square_root(std::uint64_t a, const ConvertOptions& opt, std::uint64_t index) {
    Encoded e;
    if (nan_result({a}, opt, &e)) return e;
    read(a, x_, opt);
    mpfr_clear_flags();
    mpfr_set_prec(q_, kDivPrec);
    const int t = mpfr_sqrt(q_, x_, MPFR_RNDZ);
    widen_if_inexact(t);
    return finish(q_, opt, index);
  }

  Encoded mul_add(std::uint64_t a, std::uint64_t b, std::uint64_t c, const ConvertOptions& opt,
                  std::uint64_t index) {
    read(a, x_, opt);
    read(b, y_, opt);
    // TestFloat: fma(0, inf, c) raises invalid even when c is a quiet NaN.
    const bool zero_inf =
        (mpfr_zero_p(x_) && mpfr_inf_p(y_)) || (mpfr_inf_p(x_) && mpfr_zero_p(y_));
    Encoded e;
    if (nan_result({a, b, c}, opt, &e)) {
      if (zero_inf) e.flags |= Flags::invalid;
      return e;
    }
    read(c, z_, opt);
    mpfr_clear_flags();
    require_exact(mpfr_fma(r_, x_, y_, z_, zero_sign_mode(opt.rounding)), "fma");
    return finish(r_, opt, index);
  }

  // The chosen operand's value, encoded exactly (no rounding, no FTZ, infinities kept).
  Encoded encode_exact(mpfr_srcptr v) const {
    ConvertOptions exact;
    Encoded e = fpaudit::reference::round_mpfr(f_, v, exact, 0);
    if (e.flags.bits != 0) throw std::logic_error("arith oracle: a chosen operand is not exact");
    return e;
  }

  Encoded select(std::string_view op, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
    const bool a_nan = is_nan_bits(a), b_nan = is_nan_bits(b);
    const bool number_wins = op == "minimumNumber" || op == "maximumNumber";
    const bool want_min = op == "min" || op == "minimumNumber";
    const bool snan = signaling(a) || signaling(b);
    Encoded e;
    if (number_wins && a_nan != b_nan) {  // 9.6: the number, invalid for a signaling NaN
      read(a_nan ? b : a, x_, opt);
      e = encode_exact(x_);
    } else if (nan_result({a, b}, opt, &e)) {
      return e;
    } else {
      read(a, x_, opt);
      read(b, y_, opt);
      int c = mpfr_cmp(x_, y_);
      if (c == 0 && mpfr_zero_p(x_)) c = (mpfr_signbit(x_) ? -1 : 0) - (mpfr_signbit(y_) ? -1 : 0);
      const bool take_b = want_min ? c > 0 : c < 0;
      e = encode_exact(take_b ? y_ : x_);
    }
    if (snan) e.flags |= Flags::invalid;
    return e;
  }

  Encoded compare(std::string_view op, std::uint64_t a, std::uint64_t b,
                  const ConvertOptions& opt) {
    const bool unordered = is_nan_bits(a) || is_nan_bits(b);
    // TestFloat's names: eq is quiet, le and lt signal on any NaN; *_signaling / *_quiet swap.
    const bool signals = op == "le" || op == "lt" || op == "eq_signaling";
    if (unordered) {
      const bool inv = signals || signaling(a) || signaling(b);
      return {0, inv ? Flags(Flags::invalid) : Flags()};
    }
    read(a, x_, opt);
    read(b, y_, opt);
    bool holds = false;
    if (op == "eq" || op == "eq_signaling")
      holds = mpfr_equal_p(x_, y_);
    else if (op == "le" || op == "le_quiet")
      holds = mpfr_lessequal_p(x_, y_);
    else if (op == "lt" || op == "lt_quiet")
      holds = mpfr_less_p(x_, y_);
    else
      throw std::invalid_argument("arith oracle: unknown operation " + std::string(op));
    return {holds ? 1u : 0u, {}};
  }

  FormatSpec f_;
  mpfr_prec_t exact_prec_;
  mpfr_t x_, y_, z_, r_, q_;
};

}  // namespace arith_oracle
