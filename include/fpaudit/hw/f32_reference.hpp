// A fast, exact binary32 -> narrow IEEE-style format conversion (binary16, bfloat16, E5M2, ...)
// for the exhaustive hardware checks, where fpaudit::convert_float (decode to ExactValue, then the
// general rounding routine: about 30 ns per element) would take minutes per path over 2^32 inputs.
//
// Plain integer code, the textbook shift-and-round on the bit pattern (SoftFloat's f32_to_f16 /
// roundPackToF16 specialised): the same rules as docs/CONVERSION_RULES.md sections 2-5 for the
// subset of targets and options it accepts (supports()); tests/test_hw_paths.cpp holds it
// bit-identical to fpaudit::convert_float on every binary32 within a few ulps of every binary16
// and bfloat16 value and midpoint, plus random patterns, under every option it supports.
// Results only: no flags.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::hw {

class F32Narrowing {
 public:
  // Targets: IEEE NaN encoding with infinities and subnormals, 1 <= M <= 22, E <= 8, bias
  // <= 127 (so every binary32 subnormal lands in the target's lowest binade or below).
  // Options: every rounding mode but sr; either overflow policy; DAZ, FTZ, both tininess rules;
  // propagated or canonical NaN.
  static bool supports(const FormatSpec& to, const ConvertOptions& opt) {
    return to.is_signed && to.nan == NanEncoding::ieee && to.has_inf && to.has_subnormals &&
           to.has_zero && to.mantissa_bits >= 1 && to.mantissa_bits <= 22 &&
           to.exponent_bits >= 2 && to.exponent_bits <= 8 && to.bias <= 127 && to.bias >= 1 &&
           opt.rounding != Rounding::sr;
  }

  // Throws std::invalid_argument when !supports(to, opt).
  F32Narrowing(const FormatSpec& to, const ConvertOptions& opt)
      : m_(to.mantissa_bits),
        bias_(to.bias),
        emin_(1 - to.bias),
        shift0_(23 - to.mantissa_bits),
        sign_shift_(31 - (to.exponent_bits + to.mantissa_bits)),
        inf_(static_cast<std::uint32_t>(to.inf_bits())),
        quiet_(std::uint32_t{1} << (to.mantissa_bits - 1)),
        mode_(opt.rounding),
        saturate_(opt.overflow == Overflow::saturate),
        daz_(opt.subnormals.daz),
        ftz_(opt.subnormals.ftz),
        before_rounding_(opt.tininess == Tininess::before_rounding),
        canonical_nan_(opt.nan.canonical ? std::optional<std::uint32_t>(
                                               static_cast<std::uint32_t>(*opt.nan.canonical &
                                                                          to.mask()))
                                         : std::nullopt) {
    if (!supports(to, opt))
      throw std::invalid_argument("F32Narrowing: unsupported target " + to.name + " or options");
  }

  std::uint32_t operator()(std::uint32_t x) const {
    const bool neg = (x >> 31) != 0;
    const std::uint32_t sign = (x >> 31) << (31 - sign_shift_);
    const std::uint32_t mag = x & 0x7FFFFFFFu;
    if (mag >= 0x7F800000u) {
      if (mag == 0x7F800000u) return sign | (saturate_ ? inf_ - 1 : inf_);  // 5: infinity
      // 6.2.3: sign kept, payload's top bits kept, quiet bit set (or the canonical NaN).
      if (canonical_nan_) return *canonical_nan_;
      return sign | inf_ | quiet_ | ((mag & 0x7FFFFFu) >> shift0_);
    }
    std::uint32_t field = mag >> 23, sig = mag & 0x7FFFFFu;
    if (field == 0) {
      if (sig == 0 || daz_) return sign;  // zero, or a subnormal read as zero (DAZ)
      field = 1;                          // subnormal: 0.sig x 2^-126, same quantum as field 1
    } else {
      sig |= 0x800000u;
    }
    // |x| = sig x 2^(field - 150). In the target, field - 127 + bias is the exponent field it
    // would have when normal; below 1 the quantum is the subnormal one (3.4 c).
    const int tfield = static_cast<int>(field) - 127 + bias_;
    int shift = shift0_ + (tfield < 1 ? 1 - tfield : 0);
    if (shift > 25) shift = 25;  // sig < 2^24: every dropped bit lies below the round bit
    const std::uint32_t base = tfield < 1 ? 0 : static_cast<std::uint32_t>(tfield - 1) << m_;
    // Encoding = base + kept: a carry out of the mantissa steps the exponent field up, and
    // from the subnormal range into the smallest normal, as the encodings are ordered.
    const std::uint32_t enc = base + round(sig, shift, neg);
    if (enc >= inf_) {  // 7.4 overflow, decided on the rounded value
      const bool to_inf = !saturate_ && overflow_to_inf(neg);
      return sign | (to_inf ? inf_ : inf_ - 1);
    }
    if (ftz_ && enc != 0 && tiny(sig, field, neg)) return sign;  // FTZ: tiny results -> +-0
    return sign | enc;
  }

 private:
  // sig / 2^shift rounded to an integer in the configured mode (1 <= shift <= 25, sig < 2^24),
  // by adding the rounding increment below the cut and shifting: no data-dependent branch.
  std::uint32_t round(std::uint32_t sig, int shift, bool neg) const {
    const std::uint32_t below = (std::uint32_t{1} << shift) - 1;  // the dropped bits' mask
    switch (mode_) {
      case Rounding::rne: return (sig + (below >> 1) + ((sig >> shift) & 1)) >> shift;
      case Rounding::rna: return (sig + (below >> 1) + 1) >> shift;
      case Rounding::rtz: return sig >> shift;
      case Rounding::rup: return (sig + (neg ? 0 : below)) >> shift;
      case Rounding::rdown: return (sig + (neg ? below : 0)) >> shift;
      case Rounding::rno: return (sig >> shift) | ((sig & below) != 0 ? 1u : 0u);
      case Rounding::sr: break;  // excluded by supports()
    }
    return 0;
  }

  bool overflow_to_inf(bool neg) const {
    switch (mode_) {
      case Rounding::rtz:
      case Rounding::rno: return false;
      case Rounding::rup: return !neg;
      case Rounding::rdown: return neg;
      default: return true;
    }
  }

  // 7.5 tininess of a nonzero finite |x| = sig x 2^(field - 150).
  bool tiny(std::uint32_t sig, std::uint32_t field, bool neg) const {
    const int top = std::bit_width(sig) - 1;                // sig in [2^top, 2^(top+1))
    const int binade = top + static_cast<int>(field) - 150;  // |x| in [2^binade, 2^(binade+1))
    if (binade >= emin_) return false;
    if (before_rounding_ || binade < emin_ - 1) return true;
    // After rounding: rounded to p = M + 1 bits with unbounded exponent range, does |x| reach
    // 2^emin? (top - M >= 1 here: binade emin - 1 of a target with bias <= 127 needs a
    // binary32 significand of at least 24 - (127 - bias) bits, M <= 22 of them kept.)
    const int drop = top - m_;
    if (drop <= 0) return true;  // exact at p bits: stays below 2^emin
    return round(sig, drop, neg) < (std::uint32_t{2} << m_);
  }

  int m_, bias_, emin_, shift0_, sign_shift_;
  std::uint32_t inf_, quiet_;
  Rounding mode_;
  bool saturate_, daz_, ftz_, before_rounding_;
  std::optional<std::uint32_t> canonical_nan_;
};

}  // namespace fpaudit::hw
