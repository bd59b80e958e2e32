#include "f32_plan.hpp"

#include <algorithm>

#include "fpaudit/codec/encode.hpp"

namespace fpaudit::simd {

bool make_f32_plan(const FormatSpec& to, const ConvertOptions& opt, F32Plan& p) {
  // The algorithm's assumptions: a sign bit and a zero (no E8M0-style formats), p >= 2 (the
  // "even" digit is the significand's last bit, not the exponent's), every target binade inside
  // binary32's normal exponent range (bias <= 127), results of at most 16 bits.
  if (!to.is_signed || !to.has_zero || to.mantissa_bits < 1 || to.mantissa_bits > 14 ||
      to.width() > 16 || to.bias > 127 || to.emin() != 1 - to.bias)
    return false;
  if (opt.rounding == Rounding::sr && (opt.sr_bits < 1 || opt.sr_bits > 32)) return false;
  if (opt.nan.canonical && *opt.nan.canonical > to.mask()) return false;

  p.mode = opt.rounding;
  p.out16 = to.width() > 8;
  p.m = static_cast<std::uint32_t>(to.mantissa_bits);
  p.d_norm = 23 - p.m;
  p.emin_b = static_cast<std::uint32_t>(to.emin() + 127);
  p.sub_adj = to.has_subnormals ? 0 : p.m;
  p.max_finite = static_cast<std::uint32_t>(to.max_finite_bits());
  p.sign_bit = static_cast<std::uint32_t>(to.sign_bit());
  p.zero_sign_keep = to.nan == NanEncoding::fnuz ? 0u : ~0u;
  p.daz = opt.subnormals.daz;
  p.ftz = opt.subnormals.ftz;
  p.tiny_after = opt.tininess == Tininess::after_rounding;
  p.tiny_hi = p.emin_b << 23;  // binary32 bits of 2^emin
  // 2^(emin-1): a normal binary32 unless emin = -126, where it is the subnormal 2^-127.
  p.tiny_lo = p.emin_b > 1 ? (p.emin_b - 1) << 23 : 1u << 22;
  p.tiny_below[0] = p.tiny_below[1] = p.tiny_hi;
  if (p.tiny_after) {
    // Half a p-bit ulp of binade emin - 1, in binary32 ulps there: 2^(emin-p-1) / 2^(emin-24)
    // for a normal binade, / 2^-149 where binade emin - 1 = -127 is binary32's subnormal range.
    const std::uint32_t half = 1u << (p.emin_b > 1 ? 22 - p.m : 21 - p.m);
    const std::uint32_t nearest = p.tiny_hi - half;  // the midpoint: a tie goes up too
    const std::uint32_t directed =
        p.tiny_hi - 2 * half + 1;  // anything above the p-bit number below
    switch (opt.rounding) {
      case Rounding::rne:
      case Rounding::rna:
        p.tiny_below[0] = p.tiny_below[1] = nearest;
        break;
      case Rounding::rup:
        p.tiny_below[0] = directed;
        break;
      case Rounding::rdown:
        p.tiny_below[1] = directed;
        break;
      case Rounding::rtz:
      case Rounding::rno:
      case Rounding::sr:
        break;  // never rounds up to 2^emin / decided per draw in the kernel
    }
  }
  p.rebias = (p.emin_b - 1) << p.m;
  p.fast_lo = p.tiny_hi;
  // Binary32 bits of the max finite value; targets reaching beyond binary32's range (e8m7:fn,
  // emax 128) have no overflow from a finite binary32 at all.
  p.fast_hi = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(std::uint64_t{p.max_finite + p.rebias} << p.d_norm, 0x7f7fffffu));
  p.sr_mask = ~0u << (32 - opt.sr_bits);
  p.seed = opt.seed;

  for (int neg = 0; neg < 2; ++neg) {
    const Encoded nan = encode(to, ExactValue::quiet_nan(neg != 0), opt);
    const Encoded inf = encode(to, ExactValue::inf(neg != 0), opt);
    // Far beyond every finite value of every supported format: overflows in every mode.
    const Encoded ovf = encode(to, ExactValue::finite(neg != 0, 1, 100000), opt);
    p.nan_bits[neg] = static_cast<std::uint32_t>(nan.bits);
    p.inf_bits[neg] = static_cast<std::uint32_t>(inf.bits);
    p.inf_flags[neg] = inf.flags.bits;
    p.ovf_bits[neg] = static_cast<std::uint32_t>(ovf.bits);
    p.ovf_flags = ovf.flags.bits;
    p.nan_quiet_flags = nan.flags.bits;
  }
  ExactValue snan = ExactValue::quiet_nan(false);
  snan.signaling = true;
  p.nan_signaling_flags = encode(to, snan, opt).flags.bits;
  // IEEE targets propagate the top m payload bits (6.2.3) on top of the quiet NaN above.
  p.nan_payload_mask = (to.nan == NanEncoding::ieee && !opt.nan.canonical)
                           ? static_cast<std::uint32_t>(to.mantissa_mask())
                           : 0;
  return true;
}

}  // namespace fpaudit::simd
