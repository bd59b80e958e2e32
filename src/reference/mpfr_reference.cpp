// The MPFR reference for docs/CONVERSION_RULES.md. Section numbers in the comments ("rules 2")
// are that document's; IEEE clauses are IEEE 754-2019; OFP8 is OCP OFP8 v1.0; MX is OCP MX v1.0.
//
// Method, for a finite nonzero x rounded into a format with M trailing significand bits:
//   e = floor(log2 |x|)                                 (mpfr_get_exp(x) - 1, exact)
//   q = max(e, emin) - M                                (the quantum of x's binade, rules 2)
//   t = |x| * 2^-q                                      (mpfr_mul_2si, exact)
//   lo = floor(t), hi = lo + 1, f = t - lo in [0, 1)    (exact)
// and the mode table picks lo or hi by comparing f with 1/2 and by the parity of lo's ENCODING,
// which is computed from the value (field = exponent + bias, mantissa = value / 2^(e-M) - 2^M).
// The picked value n * 2^q is compared with the decoded largest finite value for overflow, and
// encoded by the same arithmetic. Nothing is rounded by MPFR itself: every step is exact and
// checked.
#include "fpaudit/reference/mpfr_reference.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "fpaudit/rounding/stochastic.hpp"

namespace fpaudit::reference {
namespace {

// mpfr_set_ui_2exp / mpfr_get_ui carry the formats' 64-bit integers (significands, fields).
static_assert(sizeof(unsigned long) == 8, "the MPFR reference assumes a 64-bit unsigned long");

// Working precision. Every format has at most 62 significant bits, so a candidate (at most 63
// bits with the carry) and every scaled copy of an input fit with a wide margin; inputs of
// higher precision get their own precision plus this margin.
constexpr mpfr_prec_t kWorkPrec = 256;

// An mpfr_t with a scope.
class Real {
 public:
  explicit Real(mpfr_prec_t prec = kWorkPrec) { mpfr_init2(v_, prec); }
  ~Real() { mpfr_clear(v_); }
  Real(const Real&) = delete;
  Real& operator=(const Real&) = delete;
  operator mpfr_ptr() { return v_; }           // NOLINT: used as an MPFR argument
  operator mpfr_srcptr() const { return v_; }  // NOLINT
  mpfr_ptr get() { return v_; }

 private:
  mpfr_t v_;
};

// MPFR's ternary value is 0 exactly when the result is the exact value.
void require_exact(int ternary, const char* step) {
  if (ternary != 0)
    throw std::logic_error(
        std::string("mpfr reference: an MPFR step that must be exact was not: ") + step);
}

void require(bool condition, const char* what) {
  if (!condition) throw std::logic_error(std::string("mpfr reference: broken invariant: ") + what);
}

// ---------------------------------------------------------------------------------------------
// Reading patterns (rules 1)

struct Fields {
  bool negative = false;
  std::uint64_t field = 0;     // biased exponent field
  std::uint64_t mantissa = 0;  // trailing significand
};

Fields split(const FormatSpec& f, std::uint64_t bits) {
  bits &= f.mask();
  const int M = f.mantissa_bits, E = f.exponent_bits;
  Fields x;
  x.negative = f.is_signed && ((bits >> (E + M)) & 1) != 0;
  x.field = (bits >> M) & ((std::uint64_t{1} << E) - 1);
  x.mantissa = bits & ((std::uint64_t{1} << M) - 1);
  return x;
}

enum class Kind { nan, inf, zero, subnormal, normal };

Kind classify(const FormatSpec& f, const Fields& x) {
  const std::uint64_t top_field = (std::uint64_t{1} << f.exponent_bits) - 1;
  const std::uint64_t all_ones_mantissa = (std::uint64_t{1} << f.mantissa_bits) - 1;
  switch (f.nan) {
    case NanEncoding::ieee:  // IEEE 3.4: top field; mantissa 0 is infinity, otherwise NaN
      if (x.field == top_field) return x.mantissa == 0 ? Kind::inf : Kind::nan;
      break;
    case NanEncoding::fn:  // OFP8 E4M3 S.1111.111; MX 5.4.1 E8M0 0xFF
      if (x.field == top_field && x.mantissa == all_ones_mantissa) return Kind::nan;
      break;
    case NanEncoding::fnuz:  // the negative-zero pattern is the NaN (LLVM D141863)
      if (x.negative && x.field == 0 && x.mantissa == 0) return Kind::nan;
      break;
    case NanEncoding::none:  // MX 5.3.2/5.3.3: every pattern is a number
      break;
  }
  if (x.field == 0 && f.has_zero) {
    // Without subnormals, field 0 holds only +-0: its other patterns read as +-0 (rules 1).
    if (x.mantissa == 0 || !f.has_subnormals) return Kind::zero;
    return Kind::subnormal;
  }
  return Kind::normal;  // includes field 0 of a format without zero (E8M0 0x00 = 2^-127)
}

bool is_nan_pattern(const FormatSpec& f, std::uint64_t bits) {
  return classify(f, split(f, bits)) == Kind::nan;
}

// ---------------------------------------------------------------------------------------------
// Writing patterns

// A value's encoding fields, field = exponent + bias (possibly out of the format's range when
// `unbounded`), mantissa = the trailing significand.
struct Code {
  std::int64_t field = 0;
  std::uint64_t mantissa = 0;
};

// The encoding of a positive value v that lies on f's grid. Normal binade (IEEE 3.4 b):
// v = 2^E (1 + m/2^M), so field = E + bias and m = v * 2^(M-E) - 2^M. Below emin (3.4 c):
// field 0 and m = v * 2^(M - emin). With `unbounded`, as though the exponent range had no lower
// end (IEEE 7.5's "unbounded exponent range"): the normal form for every v.
Code code_of(const FormatSpec& f, mpfr_srcptr v, bool unbounded) {
  require(mpfr_regular_p(v) && mpfr_sgn(v) > 0, "code_of needs a positive value");
  const int M = f.mantissa_bits;
  const long E = mpfr_get_exp(v) - 1;  // v in [2^E, 2^(E+1))
  Real s(std::max<mpfr_prec_t>(mpfr_get_prec(v), 64));
  Code c;
  if (unbounded || E >= f.emin()) {
    require_exact(mpfr_mul_2si(s, v, M - E, MPFR_RNDN), "scale a normal value to its significand");
    require_exact(mpfr_sub_ui(s, s, 1ul << M, MPFR_RNDN), "remove the implicit bit");
    c.field = E + f.bias;
  } else {
    require_exact(mpfr_mul_2si(s, v, M - f.emin(), MPFR_RNDN), "scale a subnormal value");
    c.field = 0;
  }
  require(mpfr_integer_p(s) && mpfr_sgn(s.get()) >= 0 && mpfr_cmp_ui_2exp(s, 1, M) < 0,
          "a candidate is not on the format's grid");
  c.mantissa = mpfr_get_ui(s, MPFR_RNDN);
  return c;
}

std::uint64_t pattern_of(const FormatSpec& f, const Code& c) {
  require(c.field >= 0 && static_cast<std::uint64_t>(c.field) <= f.max_exponent_field(),
          "a finite result's exponent field is out of range");
  return (static_cast<std::uint64_t>(c.field) << f.mantissa_bits) | c.mantissa;
}

// The last bit of the encoding: IEEE 4.3.1's "even least significant digit" for p >= 2 (the
// significand's last bit); for p = 1 (E8M0) the exponent field's last bit (rules 2, the
// fpaudit choice for p = 1).
bool encoding_is_odd(const FormatSpec& f, const Code& c) {
  const std::uint64_t last = f.mantissa_bits > 0 ? c.mantissa : static_cast<std::uint64_t>(c.field);
  return (last & 1) != 0;
}

std::uint64_t sign_of(const FormatSpec& f, bool negative) { return negative ? f.sign_bit() : 0; }

std::uint64_t top_field_bits(const FormatSpec& f) {
  return ((std::uint64_t{1} << f.exponent_bits) - 1) << f.mantissa_bits;
}

// Largest finite value (rules 3). The pattern is a derived constant of FormatSpec; its value is
// decoded here by the reference's own field formula.
void max_finite_value(const FormatSpec& f, mpfr_ptr out) {
  reference_decode(f, f.max_finite_bits(), out);
}

// Zero of the requested sign where the format has -0 (rules 5): fnuz and unsigned formats give +0.
std::uint64_t zero_bits(const FormatSpec& f, bool negative) {
  return (negative && f.is_signed && f.nan != NanEncoding::fnuz) ? f.sign_bit() : 0;
}

// The bits of a NaN result (rules 5). `src` is the NaN operand being converted, or null for a
// NaN the conversion creates (overflow without infinity, invalid operations).
std::uint64_t nan_bits(const FormatSpec& to, bool negative, const NanOperand* src,
                       const ConvertOptions& opt) {
  if (opt.nan.canonical) return *opt.nan.canonical & to.mask();  // checked to be a NaN of `to`
  const int M = to.mantissa_bits;
  switch (to.nan) {
    case NanEncoding::ieee: {
      // IEEE 6.2.3: the payload's top bits, left-aligned and truncated to M bits; 6.2.1: quiet
      // bit = the top trailing-significand bit, set.
      std::uint64_t m = 0;
      if (src != nullptr && src->payload_bits > 0) {
        m = src->payload_bits >= M ? src->payload >> (src->payload_bits - M)
                                   : src->payload << (M - src->payload_bits);
      }
      m |= std::uint64_t{1} << (M - 1);
      return sign_of(to, negative) | top_field_bits(to) | m;
    }
    case NanEncoding::fn:  // OFP8: S.1111.111 (sign kept); MX 5.4.1 E8M0: 0xFF
      return sign_of(to, negative) | top_field_bits(to) | ((std::uint64_t{1} << M) - 1);
    case NanEncoding::fnuz:  // the one NaN, the -0 pattern
      return to.sign_bit();
    case NanEncoding::none:  // no NaN: +max finite (MX FP6/FP4; NVIDIA cvt ... e2m1x2)
      return to.max_finite_bits();
  }
  return 0;
}

Encoded invalid_nan(const FormatSpec& to, bool negative, const ConvertOptions& opt) {
  return {nan_bits(to, negative, nullptr, opt), Flags(Flags::invalid)};
}

// ---------------------------------------------------------------------------------------------
// The non-finite and zero operands (rules 5)

Encoded convert_nan(const FormatSpec& to, const NanOperand& src, const ConvertOptions& opt) {
  Flags flags;
  if (src.signaling) flags |= Flags::invalid;  // IEEE 7.2: signaling NaN operand
  // A target without NaN gets +max finite, flag invalid (rules 5; NVIDIA cvt to e2m1x2).
  if (to.nan == NanEncoding::none) return {to.max_finite_bits(), flags | Flags::invalid};
  return {nan_bits(to, src.negative, &src, opt), flags};
}

Encoded convert_infinity(const FormatSpec& to, bool negative, const ConvertOptions& opt) {
  // Unsigned targets: -inf has no image: invalid, NaN (rules 5).
  if (!to.is_signed && negative) return invalid_nan(to, negative, opt);
  const std::uint64_t max_finite = sign_of(to, negative) | to.max_finite_bits();
  if (to.has_inf) {
    if (opt.overflow == Overflow::ieee) return {sign_of(to, negative) | top_field_bits(to), {}};
    return {max_finite, Flags(Flags::invalid)};  // OFP8 saturating mode: +-inf -> +-max
  }
  // No infinity: NaN (OFP8 non-saturating), or max finite when saturating or without NaN.
  if (opt.overflow == Overflow::ieee && to.nan != NanEncoding::none)
    return invalid_nan(to, negative, opt);
  return {max_finite, Flags(Flags::invalid)};
}

Encoded convert_zero(const FormatSpec& to, bool negative) {
  // E8M0 has no zero: 2^-127 (0x00, as NVIDIA's __nv_cvt_float_to_e8m0), underflow | inexact.
  if (!to.has_zero) return {0, Flags(Flags::underflow | Flags::inexact)};
  return {zero_bits(to, negative), {}};
}

// ---------------------------------------------------------------------------------------------
// Rounding a finite nonzero value (rules 2-4)

// The mode table of rules 2 for a = |x| > 0 on the grid of multiples of 2^q: sets n to the
// chosen multiple's count (an integer: value = n * 2^q) and returns whether a was off the grid
// (inexact). The parity of lo's encoding is computed from lo's value (code_of, `unbounded` as
// given).
bool pick(const FormatSpec& f, mpfr_srcptr a, long q, bool negative, const ConvertOptions& opt,
          std::uint32_t r, bool unbounded, mpfr_ptr n) {
  const mpfr_prec_t prec = mpfr_get_prec(a) + 8;
  Real t(prec), lo(prec), frac(prec);
  require_exact(mpfr_mul_2si(t, a, -q, MPFR_RNDN), "t = |x| / 2^q");
  // floor(t) fits in t's precision; the two checks below confirm it: t - lo is exact and in [0, 1).
  mpfr_floor(lo, t);
  require_exact(mpfr_sub(frac, t, lo, MPFR_RNDN), "f = t - floor(t)");
  require(mpfr_sgn(frac.get()) >= 0 && mpfr_cmp_ui(frac, 1) < 0, "f in [0, 1)");

  const bool inexact = !mpfr_zero_p(frac);
  const int vs_half = mpfr_cmp_ui_2exp(frac, 1, -1);  // sign of f - 1/2: the midpoint test

  // lo's encoding parity. lo = 0 (formats without subnormals, rules 2) encodes as 0: even.
  bool lo_odd = false;
  if (!mpfr_zero_p(lo)) {
    Real lo_value(prec);
    require_exact(mpfr_mul_2si(lo_value, lo, q, MPFR_RNDN), "lo * 2^q");
    lo_odd = encoding_is_odd(f, code_of(f, lo_value, unbounded));
  }

  bool up = false;
  switch (opt.rounding) {
    case Rounding::rne:  // IEEE 4.3.1 roundTiesToEven
      up = vs_half > 0 || (vs_half == 0 && lo_odd);
      break;
    case Rounding::rna:  // IEEE 4.3.1 roundTiesToAway
      up = vs_half >= 0;
      break;
    case Rounding::rtz:  // IEEE 4.3.2 roundTowardZero
      up = false;
      break;
    case Rounding::rup:  // IEEE 4.3.2 roundTowardPositive
      up = inexact && !negative;
      break;
    case Rounding::rdown:  // IEEE 4.3.2 roundTowardNegative
      up = inexact && negative;
      break;
    case Rounding::rno:  // round to odd: the result's encoding is odd when inexact
      up = inexact && !lo_odd;
      break;
    case Rounding::sr: {  // up iff floor(f * 2^R) + r >= 2^R (rules 2)
      const int R = opt.sr_bits;
      Real k(prec);
      require_exact(mpfr_mul_2si(k, frac, R, MPFR_RNDN), "f * 2^R");
      mpfr_floor(k, k);  // an integer below 2^R <= 2^32, exact at k's precision
      require(mpfr_cmp_ui_2exp(k, 1, R) < 0, "floor(f * 2^R) < 2^R");
      const std::uint64_t floor_f = mpfr_get_ui(k, MPFR_RNDN);
      up = inexact && floor_f + r >= (std::uint64_t{1} << R);
      break;
    }
  }
  require_exact(mpfr_add_ui(n, lo, up ? 1 : 0, MPFR_RNDN), "n = lo or lo + 1");
  return inexact;
}

// IEEE 7.4 default overflow handling per rounding direction (rules 3).
bool infinity_is_due(Rounding mode, bool negative) {
  switch (mode) {
    case Rounding::rne:
    case Rounding::rna:
    case Rounding::sr:
      return true;  // nearest (and stochastic, as a nearest-like mode)
    case Rounding::rtz:
    case Rounding::rno:
      return false;  // toward zero: max finite
    case Rounding::rup:
      return !negative;  // +inf / -max
    case Rounding::rdown:
      return negative;  // +max / -inf
  }
  return true;
}

Encoded overflow_result(const FormatSpec& to, bool negative, const ConvertOptions& opt) {
  const Flags flags = Flags::overflow | Flags::inexact;  // IEEE 7.4
  const std::uint64_t max_finite = sign_of(to, negative) | to.max_finite_bits();
  // Saturating (OFP8 saturating mode, __NV_SATFINITE): max finite of x's sign in every mode.
  if (opt.overflow == Overflow::saturate) return {max_finite, flags};
  if (!infinity_is_due(opt.rounding, negative)) return {max_finite, flags};
  if (to.has_inf) return {sign_of(to, negative) | top_field_bits(to), flags};
  // Infinity due, none in the format: NaN (OFP8 non-saturating conversion); neither (FP6/FP4,
  // MX 6.3): max finite.
  if (to.nan != NanEncoding::none) return {nan_bits(to, negative, nullptr, opt), flags};
  return {max_finite, flags};
}

Encoded round_finite(const FormatSpec& to, mpfr_srcptr x, bool negative, const ConvertOptions& opt,
                     std::uint64_t index) {
  // Unsigned targets: a negative nonzero value is invalid (rules 5).
  if (!to.is_signed && negative) return invalid_nan(to, negative, opt);

  const mpfr_prec_t prec = std::max<mpfr_prec_t>(mpfr_get_prec(x) + 8, kWorkPrec);
  const int M = to.mantissa_bits;
  const long emin = to.emin();
  Real a(prec);
  require_exact(mpfr_abs(a, x, MPFR_RNDN), "|x|");
  const long e = mpfr_get_exp(a) - 1;  // |x| in [2^e, 2^(e+1))

  // The quantum (rules 2): x's binade's, clamped at the subnormal quantum.
  long q = 0;
  if (e >= emin || to.has_subnormals) {
    q = std::max(e, emin) - M;
  } else if (to.has_zero) {
    q = emin;  // no subnormals: the candidates are 0 and 2^emin (rules 2)
  } else {
    // No zero (E8M0) and |x| < 2^emin: nothing lies below, so 2^emin (0x00) in every mode,
    // underflow | inexact (rules 2).
    return {0, Flags(Flags::underflow | Flags::inexact)};
  }

  const std::uint32_t r =
      opt.rounding == Rounding::sr ? stochastic_bits(opt.seed, index, opt.sr_bits) : 0;
  Real n(prec), v(prec);
  const bool inexact = pick(to, a, q, negative, opt, r, /*unbounded=*/false, n);
  require_exact(mpfr_mul_2si(v, n, q, MPFR_RNDN), "result = n * 2^q");

  // Rounded to zero: tiny (its unbounded-range rounding is nonzero and below 2^emin) and
  // inexact, so underflow | inexact (IEEE 7.5).
  if (mpfr_zero_p(v)) return {zero_bits(to, negative), Flags(Flags::underflow | Flags::inexact)};

  // Overflow (rules 3, IEEE 7.4): the rounded value, with unbounded exponent, exceeds max finite.
  Real max_finite(64);
  max_finite_value(to, max_finite);
  if (mpfr_cmp(v, max_finite) > 0) return overflow_result(to, negative, opt);

  // Tininess (rules 4, IEEE 7.5).
  bool tiny = false;
  if (e >= emin) {
    tiny = false;  // |x| >= 2^emin, and both candidates are >= 2^e: never tiny
  } else if (opt.tininess == Tininess::before_rounding) {
    tiny = mpfr_cmp_ui_2exp(a, 1, emin) < 0;  // |x| < 2^emin
  } else {
    // After rounding: |x| rounded to p digits as though the exponent range were unbounded (the
    // grid of x's own binade, quantum 2^(e-M)), with the same mode and the same draw r.
    Real nu(prec), u(prec);
    pick(to, a, e - M, negative, opt, r, /*unbounded=*/true, nu);
    require_exact(mpfr_mul_2si(u, nu, e - M, MPFR_RNDN), "unbounded-range result");
    tiny = mpfr_cmp_ui_2exp(u, 1, emin) < 0;
  }
  // FTZ: a tiny result becomes zero of x's sign, underflow | inexact (rules 4).
  if (tiny && opt.subnormals.ftz)
    return {zero_bits(to, negative), Flags(Flags::underflow | Flags::inexact)};

  Flags flags;
  if (inexact) flags |= Flags::inexact;
  if (tiny && inexact) flags |= Flags::underflow;  // IEEE 7.5 default handling
  return {sign_of(to, negative) | pattern_of(to, code_of(to, v, /*unbounded=*/false)), flags};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public functions

NanOperand nan_operand(const FormatSpec& f, std::uint64_t bits) {
  const Fields x = split(f, bits);
  require(classify(f, x) == Kind::nan, "nan_operand of a pattern that is not NaN");
  NanOperand n;
  switch (f.nan) {
    case NanEncoding::ieee:  // 6.2.1: the quiet bit is the top trailing-significand bit
      n.negative = x.negative;
      n.payload = x.mantissa;
      n.payload_bits = f.mantissa_bits;
      n.signaling = ((x.mantissa >> (f.mantissa_bits - 1)) & 1) == 0;
      break;
    case NanEncoding::fn:  // one NaN per sign (unsigned E8M0: positive)
      n.negative = x.negative;
      break;
    case NanEncoding::fnuz:  // the sign bit is part of the one NaN code: no sign
    case NanEncoding::none:
      break;
  }
  return n;
}

void reference_decode(const FormatSpec& f, std::uint64_t bits, mpfr_t out) {
  if (mpfr_get_prec(out) < 64) mpfr_set_prec(out, 64);
  const Fields x = split(f, bits);
  const int M = f.mantissa_bits;
  switch (classify(f, x)) {
    case Kind::nan:
      mpfr_set_nan(out);
      return;
    case Kind::inf:
      mpfr_set_inf(out, x.negative ? -1 : 1);
      return;
    case Kind::zero:
      mpfr_set_zero(out, x.negative ? -1 : 1);
      return;
    case Kind::subnormal:  // IEEE 3.4 c: (m / 2^M) * 2^(1 - bias)
      require_exact(mpfr_set_ui_2exp(out, x.mantissa, 1 - f.bias - M, MPFR_RNDN), "subnormal");
      break;
    case Kind::normal:  // IEEE 3.4 b: (1 + m/2^M) * 2^(e - bias) = (2^M + m) * 2^(e - bias - M)
      require_exact(mpfr_set_ui_2exp(out, (std::uint64_t{1} << M) | x.mantissa,
                                     static_cast<long>(x.field) - f.bias - M, MPFR_RNDN),
                    "normal");
      break;
  }
  if (x.negative) mpfr_neg(out, out, MPFR_RNDN);
}

Encoded round_mpfr(const FormatSpec& to, mpfr_srcptr x, const ConvertOptions& opt,
                   std::uint64_t index, const NanOperand& nan) {
  if (opt.nan.canonical && !is_nan_pattern(to, *opt.nan.canonical))
    throw std::invalid_argument("mpfr reference: the canonical NaN is not a NaN of " + to.name);
  if (opt.rounding == Rounding::sr && (opt.sr_bits < 1 || opt.sr_bits > 32))
    throw std::invalid_argument("mpfr reference: sr_bits must be 1..32");
  if (mpfr_nan_p(x)) return convert_nan(to, nan, opt);
  const bool negative = mpfr_signbit(x) != 0;
  if (mpfr_inf_p(x)) return convert_infinity(to, negative, opt);
  if (mpfr_zero_p(x)) return convert_zero(to, negative);
  return round_finite(to, x, negative, opt, index);
}

Encoded reference_convert(const FormatSpec& from, std::uint64_t bits, const FormatSpec& to,
                          const ConvertOptions& opt, std::uint64_t index) {
  const Fields x = split(from, bits);
  const Kind kind = classify(from, x);
  Real v(64);
  if (kind == Kind::nan) {
    mpfr_set_nan(v);
    return round_mpfr(to, v, opt, index, nan_operand(from, bits));
  }
  if (kind == Kind::subnormal && opt.subnormals.daz)
    mpfr_set_zero(v, x.negative ? -1 : 1);  // DAZ: a subnormal input reads as signed zero (rules 4)
  else
    reference_decode(from, bits, v);
  return round_mpfr(to, v, opt, index);
}

Encoded reference_convert_double(double x, const FormatSpec& to, const ConvertOptions& opt,
                                 std::uint64_t index) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  Real v(53);
  if (std::isnan(x)) {
    NanOperand n;  // binary64: 52-bit trailing significand, quiet bit 51 (IEEE 6.2.1)
    n.negative = (bits >> 63) != 0;
    n.payload = bits & ((std::uint64_t{1} << 52) - 1);
    n.payload_bits = 52;
    n.signaling = ((bits >> 51) & 1) == 0;
    mpfr_set_nan(v);
    return round_mpfr(to, v, opt, index, n);
  }
  if (opt.subnormals.daz && std::fpclassify(x) == FP_SUBNORMAL)
    mpfr_set_zero(v, std::signbit(x) ? -1 : 1);
  else
    require_exact(mpfr_set_d(v, x, MPFR_RNDN), "binary64 input");
  return round_mpfr(to, v, opt, index);
}

Encoded reference_convert_float(float x, const FormatSpec& to, const ConvertOptions& opt,
                                std::uint64_t index) {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  Real v(24);
  if (std::isnan(x)) {
    NanOperand n;  // binary32: 23-bit trailing significand, quiet bit 22 (IEEE 6.2.1)
    n.negative = (bits >> 31) != 0;
    n.payload = bits & ((std::uint32_t{1} << 23) - 1);
    n.payload_bits = 23;
    n.signaling = ((bits >> 22) & 1) == 0;
    mpfr_set_nan(v);
    return round_mpfr(to, v, opt, index, n);
  }
  if (opt.subnormals.daz && std::fpclassify(x) == FP_SUBNORMAL)
    mpfr_set_zero(v, std::signbit(x) ? -1 : 1);
  else
    require_exact(mpfr_set_flt(v, x, MPFR_RNDN), "binary32 input");
  return round_mpfr(to, v, opt, index);
}

}  // namespace fpaudit::reference
