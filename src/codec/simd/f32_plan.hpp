// The constants one conversion binary32 -> target needs, derived once from the FormatSpec and
// the options (the "descriptor in registers" of the bulk kernels). The results of the special
// cases (NaN, infinity, overflow) and their flags are not re-derived from the rules here: they
// are taken from encode() itself, so the kernels cannot disagree with it on those lanes.
#pragma once

#include <cstdint>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::simd {

struct F32Plan {
  Rounding mode = Rounding::rne;
  bool out16 = false;  // storage: 2 bytes per element (else 1)

  // Binary32 x = sign | e (8 bits) | f (23 bits). e_eff = max(e, 1) is x's binade in binary32's
  // biased exponent (subnormals share binade 1), sig = x's significand as an integer, lsb at
  // 2^(e_eff - 150).
  std::uint32_t m = 0;           // target mantissa bits
  std::uint32_t d_norm = 0;      // 23 - m: bits dropped in the target's normal range
  std::uint32_t emin_b = 0;      // the target's emin as a binary32 biased exponent (>= 1)
  std::uint32_t sub_adj = 0;     // 0, or m for targets without subnormals (round to 2^emin there)
  std::uint32_t max_finite = 0;  // target encoding of the largest finite magnitude
  std::uint32_t sign_bit = 0;    // target sign bit
  std::uint32_t zero_sign_keep = 0;  // all ones unless the target has no -0 (fnuz)
  bool daz = false, ftz = false, tiny_after = false;
  // Tininess (IEEE 754-2019 7.5): x is tiny iff its binary32 magnitude bits are below
  // tiny_below[sign]. Before rounding that is 2^emin (tiny_hi); after rounding, the smallest
  // magnitude that rounds to 2^emin at p bits with unbounded exponent (below 2^emin by half a
  // p-bit ulp of binade emin - 1 for rne and rna, by a whole one for the direction of rup /
  // rdown, not at all for rtz and rno). Stochastic rounding depends on the draw: there lanes in
  // [tiny_lo, tiny_hi) (binade emin - 1) are re-rounded to p bits.
  std::uint32_t tiny_lo = 0, tiny_hi = 0, tiny_below[2] = {};
  // The plain normal range: magnitude bits in [fast_lo, fast_hi] round with one shift and
  // never overflow, underflow or meet a special value.
  std::uint32_t fast_lo = 0, fast_hi = 0, rebias = 0;
  // Stochastic rounding: the top sr_bits of the Philox word, kept in place (mask on 32 bits).
  std::uint32_t sr_mask = 0;
  std::uint64_t seed = 0;
  // Results and flags of the special lanes, per sign (index 0 positive, 1 negative), from encode().
  std::uint32_t nan_bits[2] = {}, nan_payload_mask = 0, inf_bits[2] = {}, ovf_bits[2] = {};
  std::uint32_t nan_quiet_flags = 0, nan_signaling_flags = 0, inf_flags[2] = {}, ovf_flags = 0;
};

// False when the conversion is outside what the kernels implement (see bulk_f32_supported).
bool make_f32_plan(const FormatSpec& to, const ConvertOptions& opt, F32Plan& plan);

}  // namespace fpaudit::simd
