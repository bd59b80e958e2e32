// The MPFR reference: a second, independent implementation of docs/CONVERSION_RULES.md, written
// for readability rather than speed, that the integer fast path (src/codec/) is tested against.
//
// Independence: nothing here calls src/codec (no decode(), encode(), ExactValue). Values are
// MPFR numbers built from the field formulas of CONVERSION_RULES.md section 1; rounding is done
// by scaling with 2^-q, taking floor/ceil and comparing with the midpoint, all exactly. Only
// FormatSpec's derived constants (emin, max_finite_bits, masks) and the Philox word of
// rounding/stochastic.hpp (the draw r, which is part of the contract) are shared.
//
// Every MPFR step that must be exact is checked (its ternary value); an inexact step throws
// std::logic_error. MPFR's global state (exponent range, flags) is never changed.
#pragma once

#include <mpfr.h>

#include <cstdint>

#include "fpaudit/codec/encode.hpp"  // Encoded (a plain bits + flags pair); no codec code is used
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/flags.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::reference {

// What the rules need to know about a NaN operand: its sign and payload (IEEE 754-2019 6.2.3)
// and whether it signals (6.2.1). MPFR's NaN carries none of these, so they travel separately.
struct NanOperand {
  bool negative = false;
  std::uint64_t payload = 0;  // the source's trailing significand, right-aligned
  int payload_bits = 0;       // its width (0: a single-NaN source format, no payload)
  bool signaling = false;
};

// The NaN operand described by `bits` of format f (which must be a NaN pattern of f), read from
// the bits directly: ieee -> sign, trailing significand, quiet bit (6.2.1); fn -> sign only;
// fnuz -> no sign (its one NaN is the -0 pattern, so the sign bit is part of the code, not a
// sign; see the report in docs for this choice); unsigned -> positive.
NanOperand nan_operand(const FormatSpec& f, std::uint64_t bits);

// The exact value of pattern `bits` of format f (CONVERSION_RULES.md 1), from the field formula
// (-1)^s (1 + m/2^M) 2^(e - bias), subnormal (-1)^s (m/2^M) 2^(1 - bias). NaN patterns give
// MPFR's NaN, infinities +-inf, zeros signed zeros. out must be initialised; its precision is
// raised to 64 bits if lower (every format has at most 62 significant bits).
void reference_decode(const FormatSpec& f, std::uint64_t bits, mpfr_t out);

// Rounds the MPFR value x (any precision; finite, zero, infinite or NaN) into format `to` under
// opt. A NaN x is described by `nan` (sign, payload, signaling). opt.subnormals.daz is NOT
// applied here: DAZ is a property of reading inputs (see the reference_convert functions).
// `index` selects the stochastic-rounding draw r = stochastic_bits(opt.seed, index, opt.sr_bits).
Encoded round_mpfr(const FormatSpec& to, mpfr_srcptr x, const ConvertOptions& opt,
                   std::uint64_t index = 0, const NanOperand& nan = {});

// from -> to for one pattern: decode (with DAZ when opt.subnormals.daz), then round_mpfr.
Encoded reference_convert(const FormatSpec& from, std::uint64_t bits, const FormatSpec& to,
                          const ConvertOptions& opt, std::uint64_t index = 0);

// Host values, read exactly (mpfr_set_d / mpfr_set_flt at their own precision); DAZ reads a
// binary64 / binary32 subnormal as a signed zero. NaN sign and payload come from the bits.
Encoded reference_convert_double(double x, const FormatSpec& to, const ConvertOptions& opt,
                                 std::uint64_t index = 0);
Encoded reference_convert_float(float x, const FormatSpec& to, const ConvertOptions& opt,
                                std::uint64_t index = 0);

}  // namespace fpaudit::reference
