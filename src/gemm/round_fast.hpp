// The exact GEMM's hot-loop rounding: encode()'s own result for the one case that dominates a
// GEMM's outputs (a finite value whose rounded result is a normal number strictly below the top
// binade, in rne or rtz), computed inline; every other case is handed to encode() itself. So
// results are encode()'s by construction in the fallback and by the same rule in the fast case
// (docs/CONVERSION_RULES.md 2: candidates in the value's binade, ties to the even encoding);
// tests/test_gemm_exact.cpp holds the two equal on random values of every binade.
#pragma once

#include <bit>
#include <cstdint>

#include "fpaudit/codec/encode.hpp"

namespace fpaudit::gemm::detail {

class FastRounder {
 public:
  FastRounder(const FormatSpec& f, const ConvertOptions& opt)
      : f_(f), opt_(opt), m_(f.mantissa_bits), bias_(f.bias), emin_(f.emin()), emax_(f.emax()),
        sign_bit_(f.sign_bit()), mant_mask_(f.mantissa_mask()) {
    enabled_ = (opt.rounding == Rounding::rne || opt.rounding == Rounding::rtz) && m_ >= 1 &&
               m_ <= 61 && f.is_signed && (f.has_subnormals || f.has_zero);
    rne_ = opt.rounding == Rounding::rne;
  }

  // (-1)^negative x sig x 2^exp (+ sticky below), sig != 0.
  Encoded round(bool negative, std::uint64_t sig, int exp, bool sticky, std::uint64_t index) const {
    Normal r;
    if (round_normal(sig, exp, sticky, r)) {
      const std::uint64_t bits = (negative ? sign_bit_ : 0) |
                                 (static_cast<std::uint64_t>(r.e + bias_) << m_) |
                                 (r.kept & mant_mask_);
      return {bits, r.inexact ? Flags(Flags::inexact) : Flags()};
    }
    return encode(f_, ExactValue::finite(negative, sig, exp, sticky), opt_, index);
  }

  // The fast case's result as a value: kept x 2^(e - mantissa_bits), kept in
  // [2^mantissa_bits, 2^(mantissa_bits + 1)), a normal number of the format (e in [emin, emax]).
  struct Normal {
    std::uint64_t kept;
    int e;
    bool inexact;
  };
  // The fast case alone (rne and rtz round the magnitude, so the sign does not enter): false
  // when it does not apply (then round() hands the value to encode()).
  [[gnu::always_inline]] bool round_normal(std::uint64_t sig, int exp, bool sticky,
                                           Normal& out) const {
    return enabled_ && round_normal_with(m_, emin_, emax_, rne_, sig, exp, sticky, out);
  }

  // The fast case's rule with the format's constants as arguments: round_normal() passes its
  // members; a hot loop instantiated for one format passes constants, so that its shifts and
  // bounds are immediates (src/gemm/block_fma_fast.cpp). One rule either way. The caller has
  // checked what the constructor checks for `enabled`.
  [[gnu::always_inline]] static bool round_normal_with(int m, int emin, int emax, bool rne,
                                                       std::uint64_t sig, int exp, bool sticky,
                                                       Normal& out) {
    const int lz = std::countl_zero(sig);
    const int e = exp + 63 - lz;  // |x| in [2^e, 2^(e+1))
    if (static_cast<unsigned>(e - emin) >= static_cast<unsigned>(emax - emin)) return false;
    const std::uint64_t n = sig << lz;  // e outside [emin, emax) above: one unsigned compare
    std::uint64_t kept = n >> (63 - m);
    const std::uint64_t rem = n << (m + 1);  // the discarded bits, top-aligned
    out.inexact = rem != 0 || sticky;
    // Round up on more than half, or on half with the kept part odd; branch-free (the half bit
    // of data is a coin toss, a branch on it mispredicts every other time).
    kept += static_cast<std::uint64_t>(rne & ((rem >> 63) != 0) &
                                       (((rem << 1) != 0) | sticky | ((kept & 1) != 0)));
    out.e = e;
    if (kept >> (m + 1)) {  // carried into the next binade (still below emax + 1)
      kept >>= 1;
      ++out.e;
    }
    out.kept = kept;
    return true;
  }

  bool rne() const { return rne_; }
  int mantissa_bits() const { return m_; }
  int emin() const { return emin_; }
  int emax() const { return emax_; }

  bool enabled() const { return enabled_; }

 private:
  const FormatSpec& f_;
  const ConvertOptions& opt_;
  int m_, bias_, emin_, emax_;
  std::uint64_t sign_bit_, mant_mask_;
  bool enabled_ = false, rne_ = false;
};

}  // namespace fpaudit::gemm::detail
