// The fast path's single rounding routine. The rules it implements, with the clauses, are in
// docs/CONVERSION_RULES.md; tests/test_codec_vs_mpfr.cpp holds it bit-identical to the MPFR
// reference in src/reference/.
#include "fpaudit/codec/encode.hpp"

#include <algorithm>
#include <bit>

#include "fpaudit/rounding/stochastic.hpp"

namespace fpaudit {
namespace {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang builtin, for wide shifts

struct RoundContext {
  Rounding mode;
  bool negative;
  std::uint32_t random;  // r, the top sr_bits of the Philox word (stochastic rounding only)
  int random_bits;
  int mantissa_bits;
  int bias;
};

struct Rounded {
  std::uint64_t kept;  // |result| / 2^q
  bool inexact;
};

// Rounds |x| = sig * 2^lsb (plus sticky bits below) to a multiple of 2^q, q > lsb.
// The lower candidate is floor(|x| / 2^q) * 2^q, the upper one the next multiple.
Rounded round_to_quantum(std::uint64_t sig, bool sticky, int lsb, int q, const RoundContext& c) {
  const int drop = q - lsb;  // >= 2: the quantum is always coarser than sig's last bit
  std::uint64_t kept = 0, rem_hi = 0;
  bool half = false, below_half = sticky;
  u128 rem = 0;  // the discarded bits, as an integer below 2^drop
  if (drop < 64) {
    kept = sig >> drop;
    rem = sig & ((std::uint64_t{1} << drop) - 1);
    half = (sig >> (drop - 1)) & 1;
    below_half |= (sig & ((std::uint64_t{1} << (drop - 1)) - 1)) != 0;
  } else {
    rem = sig;
    half = drop == 64 && (sig >> 63) != 0;
    below_half |= drop == 64 ? (sig << 1) != 0 : sig != 0;
  }
  const bool inexact = half || below_half;
  // IEEE 754-2019 4.3.1 "even least significant digit", decided on the encoding: for p >= 2
  // that is the significand's last bit; for p = 1 (E8M0) it is the exponent field's last bit.
  const bool lower_odd = c.mantissa_bits == 0 ? (kept != 0 && ((q + c.bias) & 1) != 0)
                                              : (kept & 1) != 0;
  bool up = false;
  switch (c.mode) {
    case Rounding::rne: up = half && (below_half || lower_odd); break;
    case Rounding::rna: up = half; break;
    case Rounding::rtz: up = false; break;
    case Rounding::rup: up = inexact && !c.negative; break;
    case Rounding::rdown: up = inexact && c.negative; break;
    case Rounding::rno: up = inexact && !lower_odd; break;
    case Rounding::sr: {
      // floor(frac * 2^R): the top R bits of the discarded part. (A sticky tail below sig
      // cannot change it when sig holds at least R bits below the quantum, which every
      // decoded input and every fpaudit arithmetic result does.)
      const int r = c.random_bits;
      if (drop >= r) rem_hi = (drop - r >= 128) ? 0 : static_cast<std::uint64_t>(rem >> (drop - r));
      else rem_hi = static_cast<std::uint64_t>(rem << (r - drop));
      up = inexact && rem_hi + c.random >= (std::uint64_t{1} << r);
      break;
    }
  }
  return {kept + (up ? 1 : 0), inexact};
}

bool overflow_gives_infinity(Rounding mode, bool negative) {
  // IEEE 754-2019 7.4: nearest modes carry all overflows to infinity; directed modes to the
  // largest finite number on their side of zero. Round-to-odd never produces infinity.
  switch (mode) {
    case Rounding::rne:
    case Rounding::rna:
    case Rounding::sr: return true;
    case Rounding::rtz:
    case Rounding::rno: return false;
    case Rounding::rup: return !negative;
    case Rounding::rdown: return negative;
  }
  return true;
}

std::uint64_t signed_zero(const FormatSpec& f, bool negative) {
  // fnuz and unsigned formats have no -0 (their "-0" pattern is NaN or does not exist).
  return (negative && f.nan != NanEncoding::fnuz) ? f.sign_bit() : 0;
}

Encoded invalid_nan(const FormatSpec& f, bool negative, const ConvertOptions& opt) {
  return {nan_result_bits(f, ExactValue::quiet_nan(negative), opt), Flags(Flags::invalid)};
}

}  // namespace

std::uint64_t nan_result_bits(const FormatSpec& f, const ExactValue& v, const ConvertOptions& opt) {
  if (opt.nan.canonical) return *opt.nan.canonical & f.mask();
  const std::uint64_t sign = v.negative ? f.sign_bit() : 0;
  switch (f.nan) {
    case NanEncoding::ieee: {
      // 6.2.3: keep the sign and the top payload bits; set the quiet bit (6.2.1).
      const int m = f.mantissa_bits;
      const std::uint64_t quiet = std::uint64_t{1} << (m - 1);
      return sign | f.inf_bits() | quiet | (v.nan_payload >> (64 - m));
    }
    case NanEncoding::fn: return sign | f.magnitude_mask();
    case NanEncoding::fnuz: return f.sign_bit();
    case NanEncoding::none: return f.max_finite_bits();
  }
  return 0;
}

Encoded encode(const FormatSpec& f, const ExactValue& v, const ConvertOptions& opt,
               std::uint64_t index) {
  const bool neg = v.negative;
  const std::uint64_t sign = neg ? f.sign_bit() : 0;
  switch (v.cls) {
    case ValueClass::nan: {
      Flags fl;
      if (v.signaling || f.nan == NanEncoding::none) fl |= Flags::invalid;  // 7.2
      return {nan_result_bits(f, v, opt), fl};
    }
    case ValueClass::inf:
      if (!f.is_signed && neg) return invalid_nan(f, neg, opt);
      if (f.has_inf && opt.overflow == Overflow::ieee) return {sign | f.inf_bits(), {}};
      if (opt.overflow == Overflow::ieee && f.nan != NanEncoding::none)
        return invalid_nan(f, neg, opt);  // OFP8 non-saturating: inf -> NaN
      return {sign | f.max_finite_bits(), Flags(Flags::invalid)};
    case ValueClass::zero:
      if (!f.has_zero) return {0, Flags(Flags::underflow | Flags::inexact)};  // E8M0: 2^-127
      return {signed_zero(f, neg), {}};
    case ValueClass::finite: break;
  }
  if (!f.is_signed && neg) return invalid_nan(f, neg, opt);

  const int m = f.mantissa_bits;
  const int lz = std::countl_zero(v.sig);
  const std::uint64_t sig = v.sig << lz;
  const int e = v.exp + 63 - lz;  // |x| in [2^e, 2^(e+1))
  const int lsb = e - 63;
  const int emin = f.emin();
  const RoundContext ctx{opt.rounding, neg,
                         opt.rounding == Rounding::sr ? stochastic_bits(opt.seed, index, opt.sr_bits) : 0,
                         opt.sr_bits, m, f.bias};

  int q;
  Rounded r;
  if (e >= emin || f.has_subnormals) {
    q = std::max(e, emin) - m;  // the subnormal quantum below emin (3.4 c)
    r = round_to_quantum(sig, v.sticky, lsb, q, ctx);
    if (r.kept == (std::uint64_t{2} << m)) {  // carried into the next binade
      r.kept >>= 1;
      ++q;
    }
  } else if (f.has_zero) {
    // No subnormals: between 0 and 2^emin there is nothing; round with quantum 2^emin.
    q = emin;
    r = round_to_quantum(sig, v.sticky, lsb, q, ctx);
    if (r.kept != 0) {
      r.kept = std::uint64_t{1} << m;
      q = emin - m;
    }
  } else {
    // Below the lowest binade of a format without zero (E8M0 under 2^-127): nothing is
    // smaller, so the result is the smallest value in every mode.
    return {0, Flags(Flags::underflow | Flags::inexact)};
  }

  // Tininess (7.5): before rounding, |x| < 2^emin; after rounding, the value rounded to p bits
  // with unbounded exponent range is below 2^emin.
  bool tiny = e < emin;
  if (opt.tininess == Tininess::after_rounding && e == emin - 1) {
    const Rounded unbounded = round_to_quantum(sig, v.sticky, lsb, e - m, ctx);
    tiny = unbounded.kept < (std::uint64_t{2} << m);
  }

  Flags flags;
  if (r.inexact) flags |= Flags::inexact;
  if (r.kept == 0) {  // rounded to zero: always tiny and inexact
    flags |= Flags::underflow;
    return {signed_zero(f, neg), flags};
  }

  const bool normal = r.kept >= (std::uint64_t{1} << m);
  std::uint64_t magnitude = r.kept;  // subnormal: field 0, mantissa = kept
  if (normal) {
    const int exponent = q + m;
    if (exponent > f.emax()) {
      magnitude = ~std::uint64_t{0};  // overflows: beyond every finite encoding
    } else {
      magnitude = (static_cast<std::uint64_t>(exponent + f.bias) << m) | (r.kept & f.mantissa_mask());
    }
  }
  if (magnitude > f.max_finite_bits()) {
    flags |= Flags::overflow | Flags::inexact;
    const bool to_inf = opt.overflow == Overflow::ieee && overflow_gives_infinity(opt.rounding, neg);
    if (!to_inf || f.nan == NanEncoding::none) return {sign | f.max_finite_bits(), flags};
    if (f.has_inf) return {sign | f.inf_bits(), flags};
    return {nan_result_bits(f, ExactValue::quiet_nan(neg), opt), flags};  // OFP8 non-saturating
  }
  if (tiny && opt.subnormals.ftz) return {signed_zero(f, neg), Flags(Flags::underflow | Flags::inexact)};
  if (tiny && r.inexact) flags |= Flags::underflow;
  return {sign | magnitude, flags};
}

}  // namespace fpaudit
