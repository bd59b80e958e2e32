// Every policy that decides a conversion's bits, as named enums in one options struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fpaudit {

// IEEE 754-2019 4.3 rounding-direction attributes, plus round-to-odd and stochastic rounding.
enum class Rounding : std::uint8_t {
  rne,    // roundTiesToEven (4.3.1)
  rna,    // roundTiesToAway (4.3.1)
  rtz,    // roundTowardZero (4.3.2)
  rup,    // roundTowardPositive (4.3.2)
  rdown,  // roundTowardNegative (4.3.2)
  rno,    // round to odd: truncate, then set the last bit if inexact (SoftFloat's
          // softfloat_round_odd); used to avoid double rounding when narrowing in two steps.
  sr,     // stochastic: with R random bits r, round away from zero iff
          //   floor(frac * 2^R) + r >= 2^R, frac = discarded part in ulps, in [0, 1).
          // So P(away) = floor(frac * 2^R) / 2^R exactly; exact values never move.
};

// Overflow: a finite result whose magnitude, rounded with unbounded exponent, exceeds the
// largest finite value.
enum class Overflow : std::uint8_t {
  ieee,      // IEEE 754-2019 7.4: rne/rna/sr give inf; rtz and rno give max finite; rup gives
             // +inf or -max; rdown gives -inf or +max. A format without infinity gets NaN where
             // inf is due (OFP8 v1.0 non-saturating mode); a format with neither (FP6, FP4)
             // gets max finite (MX v1.0 6.3: conversions to FP6/FP4 saturate).
  saturate,  // to max finite of the same sign, in every rounding mode (OFP8 saturating mode,
             // NVIDIA __NV_SATFINITE). Infinite inputs also become max finite (flag invalid);
             // NaN stays NaN.
};

// Subnormal handling, as hardware does it (x86 MXCSR.DAZ / MXCSR.FTZ).
struct Subnormals {
  bool daz = false;  // subnormal inputs are read as (signed) zero; no flag
  bool ftz = false;  // tiny nonzero results (per the tininess rule) become signed zero;
                     // flags underflow | inexact
};

// IEEE 754-2019 7.5: tininess detected after rounding (default, as x86 SSE and SoftFloat's
// 8086-SSE) or before rounding (ARM VFPv2).
enum class Tininess : std::uint8_t { after_rounding, before_rounding };

// What a NaN result looks like.
struct NanPolicy {
  // nullopt: propagate (6.2.3): keep the sign and the top trailing-significand bits, set the
  // quiet bit; a single-NaN format gets its NaN (with the sign where it has one).
  // A value: every NaN result is exactly these bits (must be a NaN of the target format).
  std::optional<std::uint64_t> canonical;
};

struct ConvertOptions {
  Rounding rounding = Rounding::rne;
  Overflow overflow = Overflow::ieee;
  Subnormals subnormals{};
  Tininess tininess = Tininess::after_rounding;
  NanPolicy nan{};
  int sr_bits = 16;        // random bits for Rounding::sr, 1..32
  std::uint64_t seed = 0;  // stochastic rounding seed (results depend on seed and element index)
};

std::string_view to_string(Rounding r);
std::string_view to_string(Overflow o);
std::string to_string(Subnormals s);  // "keep", "daz", "ftz", "daz+ftz"

// Parsers for the CLI spellings; throw std::invalid_argument listing the accepted values.
Rounding parse_rounding(std::string_view s);
Overflow parse_overflow(std::string_view s);
Subnormals parse_subnormals(std::string_view s);  // keep | daz | ftz | daz+ftz (or "both")

}  // namespace fpaudit
