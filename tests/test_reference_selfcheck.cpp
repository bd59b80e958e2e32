// The MPFR reference (src/reference/mpfr_reference.cpp) against hand-computed literal cases.
//
// Oracle: every expected pattern and flag byte below was worked out by hand from
// docs/CONVERSION_RULES.md and the spec tables (IEEE 754-2019 3.4/4.3/7.4/7.5, OCP OFP8 v1.0,
// OCP MX v1.0), with the arithmetic in the comment next to it, and is written out literally.
// Nothing here consults the fast path (src/codec). The stochastic cases check the rule
// "up iff floor(f * 2^R) + r >= 2^R" against philox_word directly.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "fpaudit/format/registry.hpp"
#include "fpaudit/reference/mpfr_reference.hpp"
#include "fpaudit/rounding/stochastic.hpp"

namespace fpaudit {
namespace {

using reference::reference_convert;
using reference::reference_convert_double;
using reference::reference_convert_float;

constexpr std::uint8_t X = Flags::inexact;    // 1
constexpr std::uint8_t U = Flags::underflow;  // 2
constexpr std::uint8_t O = Flags::overflow;   // 4
constexpr std::uint8_t V = Flags::invalid;    // 16

ConvertOptions opts(Rounding r = Rounding::rne, Overflow o = Overflow::ieee) {
  ConvertOptions opt;
  opt.rounding = r;
  opt.overflow = o;
  return opt;
}

double from_bits(std::uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}
float from_bits32(std::uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

struct Case {
  const char* format;
  double x;
  Rounding mode;
  Overflow overflow;
  std::uint64_t bits;
  std::uint8_t flags;
  const char* why;
};

void check(const Case& c) {
  const Encoded got =
      reference_convert_double(c.x, format_by_name(c.format), opts(c.mode, c.overflow));
  EXPECT_EQ(got.bits, c.bits) << c.format << " " << c.x << ": " << c.why;
  EXPECT_EQ(got.flags.bits, c.flags) << c.format << " " << c.x << ": " << c.why;
}

constexpr Rounding RNE = Rounding::rne, RNA = Rounding::rna, RTZ = Rounding::rtz,
                   RUP = Rounding::rup, RDN = Rounding::rdown, RNO = Rounding::rno;
constexpr Overflow IEEE = Overflow::ieee, SAT = Overflow::saturate;

TEST(ReferenceSelfcheck, FlagByteIsTestFloats) {
  EXPECT_EQ(X, 1);
  EXPECT_EQ(U, 2);
  EXPECT_EQ(O, 4);
  EXPECT_EQ(Flags::infinite, 8);
  EXPECT_EQ(V, 16);
}

TEST(ReferenceSelfcheck, DecodeByFieldFormula) {
  struct D {
    const char* format;
    std::uint64_t bits;
    double value;
  };
  // clang-format off
  const D cases[] = {
      {"e4m3", 0x7E, 448.0},                // OFP8 Table 1: S.1111.110 = 1.75 * 2^8
      {"e4m3", 0x01, 0x1p-9},               // min subnormal 0.001 * 2^-6
      {"e4m3", 0x08, 0x1p-6},               // min normal
      {"e4m3", 0xFE, -448.0},
      {"e5m2", 0x7B, 57344.0},              // 1.75 * 2^15
      {"e5m2", 0x01, 0x1p-16},
      {"e4m3fnuz", 0x7F, 240.0},            // 1.875 * 2^(15-8)
      {"e4m3b11fnuz", 0x7F, 30.0},          // 1.875 * 2^(15-11)
      {"e5m2fnuz", 0x7F, 57344.0},          // 1.75 * 2^(31-16)
      {"float8_e4m3", 0x77, 240.0},         // IEEE-like: 1.875 * 2^(14-7)
      {"e3m4", 0x6F, 15.5},                 // 1.9375 * 2^(6-3)
      {"e2m3", 0x1F, 7.5},                  // MX Table 3: 1.875 * 2^(3-1)
      {"e3m2", 0x1F, 28.0},                 // 1.75 * 2^(7-3)
      {"e2m3", 0x01, 0.125},                // 0.001 * 2^0
      {"e2m1", 0x7, 6.0},                   // MX Table 4: 1.5 * 2^2
      {"e2m1", 0x1, 0.5},
      {"e2m1", 0xF, -6.0},
      {"e8m0", 0x00, 0x1p-127},             // MX 5.4.1: no zero
      {"e8m0", 0x7F, 1.0},
      {"e8m0", 0xFE, 0x1p127},
      {"binary16", 0x7BFF, 65504.0},
      {"binary16", 0x0001, 0x1p-24},
      {"binary16", 0x3C00, 1.0},
      {"bfloat16", 0x7F7F, 0x1.fep127},
      {"bfloat16", 0x0001, 0x1p-133},
      {"tf32", 0x3FBFF, 0x1.ffcp127},
      {"tf32", 0x00001, 0x1p-136},
      {"binary32", 0x00000001, 0x1p-149},
      {"binary64", 0x0000000000000001, 0x1p-1074},
      {"binary64", 0x7FEFFFFFFFFFFFFF, 1.7976931348623157e308},
  };
  // clang-format on
  mpfr_t v;
  mpfr_init2(v, 64);
  for (const D& c : cases) {
    reference::reference_decode(format_by_name(c.format), c.bits, v);
    EXPECT_EQ(mpfr_cmp_d(v, c.value), 0) << c.format << " 0x" << std::hex << c.bits;
  }
  // Specials: NaN patterns, infinities, signed zeros.
  reference::reference_decode(format_by_name("e4m3"), 0x7F, v);
  EXPECT_TRUE(mpfr_nan_p(v));
  reference::reference_decode(format_by_name("e4m3fnuz"), 0x80, v);
  EXPECT_TRUE(mpfr_nan_p(v));
  reference::reference_decode(format_by_name("e8m0"), 0xFF, v);
  EXPECT_TRUE(mpfr_nan_p(v));
  reference::reference_decode(format_by_name("e5m2"), 0xFC, v);
  EXPECT_TRUE(mpfr_inf_p(v) && mpfr_signbit(v));
  reference::reference_decode(format_by_name("e5m2"), 0x7D, v);
  EXPECT_TRUE(mpfr_nan_p(v));
  reference::reference_decode(format_by_name("binary16"), 0x8000, v);
  EXPECT_TRUE(mpfr_zero_p(v) && mpfr_signbit(v));
  reference::reference_decode(format_by_name("e2m1"), 0x8, v);
  EXPECT_TRUE(mpfr_zero_p(v) && mpfr_signbit(v));
  // Without subnormals, field 0 holds only +-0 (rules 1).
  reference::reference_decode(format_by_name("e4m3:fn:nosub"), 0x03, v);
  EXPECT_TRUE(mpfr_zero_p(v));
  mpfr_clear(v);
}

TEST(ReferenceSelfcheck, E4M3fn) {
  // max 448 = 0x7E (mantissa 110, even); 480 would be 0x7F, the NaN pattern (OFP8 Table 1).
  // clang-format off
  const Case cases[] = {
      {"e4m3", 448.0, RNE, IEEE, 0x7E, 0, "max finite, exact"},
      {"e4m3", 464.0, RNE, IEEE, 0x7E, X, "midpoint 448|480: tie to even 0x7E"},
      {"e4m3", 465.0, RNE, IEEE, 0x7F, O | X, "past the midpoint: overflow, no inf -> NaN"},
      {"e4m3", -465.0, RNE, IEEE, 0xFF, O | X, "negative overflow NaN keeps the sign"},
      {"e4m3", 465.0, RNE, SAT, 0x7E, O | X, "saturating: max finite"},
      {"e4m3", -1e10, RNE, SAT, 0xFE, O | X, "saturating: -max"},
      {"e4m3", 464.0, RNA, IEEE, 0x7F, O | X, "ties away: 480 overflows"},
      {"e4m3", 449.0, RTZ, IEEE, 0x7E, X, "toward zero stays at 448, no overflow"},
      {"e4m3", 1e10, RTZ, IEEE, 0x7E, O | X, "toward zero: max finite with overflow"},
      {"e4m3", 449.0, RUP, IEEE, 0x7F, O | X, "+inf due, none: NaN"},
      {"e4m3", -449.0, RUP, IEEE, 0xFE, X, "toward +: -448"},
      {"e4m3", 449.0, RDN, IEEE, 0x7E, X, "toward -: 448"},
      {"e4m3", -449.0, RDN, IEEE, 0xFF, O | X, "-inf due, none: NaN"},
      {"e4m3", 449.0, RNO, IEEE, 0x7E, O | X, "odd: lo 0x7E even -> 480 overflows -> max"},
      {"e4m3", 1.0625, RNE, IEEE, 0x38, X, "1 + 2^-4: tie, 0x38 even"},
      {"e4m3", 1.1875, RNE, IEEE, 0x3A, X, "1 + 3*2^-4: tie, lo 0x39 odd -> 0x3A"},
      {"e4m3", 1.0625, RNA, IEEE, 0x39, X, "ties away"},
      {"e4m3", 1.0625, RNO, IEEE, 0x39, X, "odd"},
      {"e4m3", 1.1875, RNO, IEEE, 0x39, X, "odd: lo already odd"},
      {"e4m3", -1.0625, RUP, IEEE, 0xB8, X, "toward +: -1"},
      {"e4m3", -1.0625, RDN, IEEE, 0xB9, X, "toward -: -1.125"},
      {"e4m3", 0x1p-9, RNE, IEEE, 0x01, 0, "min subnormal, exact: no underflow"},
      {"e4m3", 0x1p-10, RNE, IEEE, 0x00, U | X, "half the min subnormal: tie to 0"},
      {"e4m3", -0x1p-10, RNE, IEEE, 0x80, U | X, "signed zero"},
      {"e4m3", 0x1.0001p-10, RNE, IEEE, 0x01, U | X, "just past: min subnormal, tiny"},
      {"e4m3", 0x1p-30, RUP, IEEE, 0x01, U | X, "toward +: min subnormal"},
      {"e4m3", 0x1p-6, RNE, IEEE, 0x08, 0, "min normal"},
      // 15 * 2^-10: subnormal grid 7.5 * 2^-9, tie, 0x07 odd -> 0x08 = 2^-6. Unbounded range:
      // 15 * 2^-10 = 1.111b * 2^-7 is exact in 4 digits, < 2^-6: tiny, so underflow (7.5).
      {"e4m3", 15 * 0x1p-10, RNE, IEEE, 0x08, U | X, "rounds to min normal, still tiny"},
      // 31 * 2^-11: unbounded range, 15.5 * 2^-10 ties to 16 * 2^-10 (1.111b odd): not tiny.
      {"e4m3", 31 * 0x1p-11, RNE, IEEE, 0x08, X, "rounds to min normal, not tiny"},
      {"e4m3", 0.0, RNE, IEEE, 0x00, 0, "+0"},
      {"e4m3", -0.0, RNE, IEEE, 0x80, 0, "-0"},
      {"e4m3", INFINITY, RNE, IEEE, 0x7F, V, "inf -> NaN, invalid"},
      {"e4m3", -INFINITY, RNE, IEEE, 0xFF, V, "-inf -> -NaN, invalid"},
      {"e4m3", INFINITY, RNE, SAT, 0x7E, V, "saturating: inf -> max, invalid"},
      {"e4m3", -INFINITY, RNE, SAT, 0xFE, V, "saturating: -inf -> -max, invalid"},
      {"e4m3", NAN, RNE, IEEE, 0x7F, 0, "quiet NaN"},
      {"e4m3", -NAN, RNE, SAT, 0xFF, 0, "NaN keeps its sign, also saturating"},
      {"e4m3", from_bits(0x7FF0000000000001), RNE, IEEE, 0x7F, V, "signaling NaN: invalid"},
  };
  // clang-format on
  for (const Case& c : cases) check(c);
}

TEST(ReferenceSelfcheck, OtherFp8) {
  // clang-format off
  const Case cases[] = {
      // E5M2: max 57344 = 0x7B (mantissa 11, odd); 61440 is the midpoint to 65536.
      {"e5m2", 57344.0, RNE, IEEE, 0x7B, 0, "max"},
      {"e5m2", 61439.0, RNE, IEEE, 0x7B, X, "below the midpoint"},
      {"e5m2", 61440.0, RNE, IEEE, 0x7C, O | X, "tie, 0x7B odd -> 65536: inf"},
      {"e5m2", 61440.0, RNE, SAT, 0x7B, O | X, "saturating"},
      {"e5m2", 61440.0, RTZ, IEEE, 0x7B, X, "toward zero"},
      {"e5m2", 61440.0, RNO, IEEE, 0x7B, X, "odd: lo already odd, no overflow"},
      {"e5m2", 1e6, RTZ, IEEE, 0x7B, O | X, "toward zero overflow: max"},
      {"e5m2", 1e6, RUP, IEEE, 0x7C, O | X, "toward +: +inf"},
      {"e5m2", -1e6, RUP, IEEE, 0xFB, O | X, "toward +: -max"},
      {"e5m2", -1e6, RDN, IEEE, 0xFC, O | X, "toward -: -inf"},
      {"e5m2", 1e6, RDN, IEEE, 0x7B, O | X, "toward -: +max"},
      {"e5m2", INFINITY, RNE, IEEE, 0x7C, 0, "inf is exact"},
      {"e5m2", -INFINITY, RNE, SAT, 0xFB, V, "saturating: -inf -> -max, invalid"},
      {"e5m2", NAN, RNE, IEEE, 0x7E, 0, "binary64 quiet NaN: quiet bit, payload 0"},
      {"e5m2", from_bits(0xFFF8000000000000), RNE, IEEE, 0xFE, 0, "-NaN"},
      // 0x7FF4...: trailing significand 01 00..., quiet bit clear (signaling); top 2 bits 01,
      // quiet bit set -> 11.
      {"e5m2", from_bits(0x7FF4000000000000), RNE, IEEE, 0x7F, V, "sNaN payload kept, quieted"},
      {"e5m2", 0x1p-17, RNE, IEEE, 0x00, U | X, "half min subnormal: tie to 0"},
      {"e5m2", 3 * 0x1p-18, RNE, IEEE, 0x01, U | X, "0.75 min subnormal"},
      // FNUZ: no -0, NaN = 0x80, no inf.
      {"e4m3fnuz", 240.0, RNE, IEEE, 0x7F, 0, "max"},
      {"e4m3fnuz", 248.0, RNE, IEEE, 0x80, O | X, "tie, 0x7F odd -> 256 overflows: NaN"},
      {"e4m3fnuz", -248.0, RNE, IEEE, 0x80, O | X, "the one NaN has no sign"},
      {"e4m3fnuz", 248.0, RNE, SAT, 0x7F, O | X, "saturating"},
      {"e4m3fnuz", -248.0, RNE, SAT, 0xFF, O | X, "saturating: -240"},
      {"e4m3fnuz", -0.0, RNE, IEEE, 0x00, 0, "no -0: +0"},
      {"e4m3fnuz", -0x1p-11, RNE, IEEE, 0x00, U | X, "underflow to +0"},
      {"e4m3fnuz", -0x1p-10, RNE, IEEE, 0x81, 0, "-min subnormal 2^-10"},
      {"e4m3fnuz", INFINITY, RNE, IEEE, 0x80, V, "inf -> NaN"},
      {"e4m3fnuz", -INFINITY, RNE, SAT, 0xFF, V, "saturating: -max"},
      {"e4m3fnuz", -NAN, RNE, IEEE, 0x80, 0, "NaN"},
      {"e5m2fnuz", 57344.0, RNE, IEEE, 0x7F, 0, "max 1.75 * 2^15"},
      {"e5m2fnuz", 0x1p-17, RNE, IEEE, 0x01, 0, "min subnormal"},
      {"e4m3b11fnuz", 30.0, RNE, IEEE, 0x7F, 0, "max"},
      {"e4m3b11fnuz", 31.0, RNE, IEEE, 0x80, O | X, "tie -> 32: NaN"},
      // IEEE-like E4M3 (has inf): max 240 = 0x77.
      {"float8_e4m3", 248.0, RNE, IEEE, 0x78, O | X, "tie, 0x77 odd -> inf"},
      {"float8_e4m3", 247.0, RNE, IEEE, 0x77, X, "below"},
      {"e3m4", 15.75, RNE, IEEE, 0x70, O | X, "max 15.5 odd: tie -> inf"},
      {"e3m4", 0x1p-6, RNE, IEEE, 0x01, 0, "min subnormal 2^(1-3-4)"},
  };
  // clang-format on
  for (const Case& c : cases) check(c);
}

TEST(ReferenceSelfcheck, Binary16) {
  // clang-format off
  const Case cases[] = {
      {"binary16", 65504.0, RNE, IEEE, 0x7BFF, 0, "max"},
      {"binary16", 65519.0, RNE, IEEE, 0x7BFF, X, "below the midpoint 65520"},
      {"binary16", 65520.0, RNE, IEEE, 0x7C00, O | X, "tie, 0x7BFF odd -> 65536: inf"},
      {"binary16", 65520.0, RNE, SAT, 0x7BFF, O | X, "saturating"},
      {"binary16", 65505.0, RNO, IEEE, 0x7BFF, X, "odd: lo odd, no overflow"},
      {"binary16", 65505.0, RUP, IEEE, 0x7C00, O | X, "toward +: inf"},
      {"binary16", 0x1p-24, RNE, IEEE, 0x0001, 0, "min subnormal"},
      {"binary16", 0x1p-25, RNE, IEEE, 0x0000, U | X, "tie to 0"},
      {"binary16", 0x1.00001p-25, RNE, IEEE, 0x0001, U | X, "past the tie"},
      // 2^-14 - 2^-25: the subnormal grid ties between 0x03FF (odd) and 0x0400 -> 0x0400, but
      // with unbounded range it is 1.1111111111b * 2^-15, exact, below 2^-14: tiny (7.5).
      {"binary16", 0x1p-14 - 0x1p-25, RNE, IEEE, 0x0400, U | X, "rounds to min normal, tiny"},
      // 2^-14 - 2^-26: unbounded range ties between 2^-14 - 2^-25 (odd) and 2^-14: not tiny.
      {"binary16", 0x1p-14 - 0x1p-26, RNE, IEEE, 0x0400, X, "rounds to min normal, not tiny"},
      {"binary16", 0x1p-14 - 0x1p-26, RTZ, IEEE, 0x03FF, U | X, "toward zero: subnormal"},
      {"binary16", -0.0, RNE, IEEE, 0x8000, 0, "-0"},
      {"binary16", -3.0, RNE, IEEE, 0xC200, 0, "-1.5 * 2^1"},
      {"binary16", 1.0 + 0x1p-11, RNE, IEEE, 0x3C00, X, "tie to even"},
      {"binary16", 1.0 + 3 * 0x1p-11, RNE, IEEE, 0x3C02, X, "tie, lo odd -> up"},
      {"binary16", NAN, RNE, IEEE, 0x7E00, 0, "quiet NaN"},
      {"binary16", from_bits(0x7FF0000000000001), RNE, IEEE, 0x7E00, V, "sNaN, payload cut"},
      {"binary16", from_bits(0xFFF0040000000000), RNE, IEEE, 0xFE01, V, "payload bit 42 kept"},
  };
  // clang-format on
  for (const Case& c : cases) check(c);
}

TEST(ReferenceSelfcheck, Bfloat16AndTf32) {
  // clang-format off
  const Case cases[] = {
      // 1 + 2^-8 + 2^-30 is past the bf16 midpoint 1 + 2^-8: 0x3F81. Through binary32 first it
      // would become 1 + 2^-8 (2^-30 < half an f32 ulp) and then tie to even 0x3F80.
      {"bfloat16", 1.0 + 0x1p-8 + 0x1p-30, RNE, IEEE, 0x3F81, X, "no double rounding"},
      {"bfloat16", 1.0 + 0x1p-8, RNE, IEEE, 0x3F80, X, "tie to even"},
      {"bfloat16", 1.0 + 3 * 0x1p-8, RNE, IEEE, 0x3F82, X, "tie, lo odd -> up"},
      {"bfloat16", 0x1.fep127, RNE, IEEE, 0x7F7F, 0, "max"},
      {"bfloat16", 0x1.ffp127, RNE, IEEE, 0x7F80, O | X, "tie, 0x7F7F odd -> 2^128: inf"},
      {"bfloat16", 0x1p-133, RNE, IEEE, 0x0001, 0, "min subnormal"},
      {"bfloat16", -0x1p-134, RNE, IEEE, 0x8000, U | X, "tie to -0"},
      {"tf32", 1.0, RNE, IEEE, 0x1FC00, 0, "1.0: field 127"},
      {"tf32", 1.0 + 0x1p-11, RNE, IEEE, 0x1FC00, X, "tie to even"},
      {"tf32", 1.0 + 3 * 0x1p-11, RNE, IEEE, 0x1FC02, X, "tie, lo odd -> up"},
      {"tf32", -2.0, RNE, IEEE, 0x60000, 0, "sign bit 18, field 128"},
      {"tf32", INFINITY, RNE, IEEE, 0x3FC00, 0, "inf"},
      {"binary32", 1.0 + 0x1p-24, RNE, IEEE, 0x3F800000, X, "tie to even"},
      {"binary32", 1.0 + 0x1p-24 + 0x1p-50, RNE, IEEE, 0x3F800001, X, "past the tie"},
      {"binary32", 0x1p-150, RNE, IEEE, 0x00000000, U | X, "tie to 0"},
      {"binary32", 0x1.8p-150, RNE, IEEE, 0x00000001, U | X, "0.75 min subnormal"},
      {"binary32", 1e300, RNE, IEEE, 0x7F800000, O | X, "overflow"},
      {"binary64", 0x1p-1074, RNE, IEEE, 0x0000000000000001, 0, "identity"},
  };
  // clang-format on
  for (const Case& c : cases) check(c);
}

TEST(ReferenceSelfcheck, E8M0) {
  // Unsigned, no zero, p = 1: ties go to the even exponent field (rules 2).
  // clang-format off
  const Case cases[] = {
      {"e8m0", 1.0, RNE, IEEE, 0x7F, 0, "2^0"},
      {"e8m0", 3.0, RNE, IEEE, 0x80, X, "tie 2|4: field 128 even -> 2.0"},
      {"e8m0", 0.75, RNE, IEEE, 0x7E, X, "tie 0.5|1: field 126 even -> 0.5"},
      {"e8m0", 6.0, RNE, IEEE, 0x82, X, "tie 4|8: field 129 odd -> 8"},
      {"e8m0", 3.0, RNA, IEEE, 0x81, X, "ties away: 4"},
      {"e8m0", 3.0, RNO, IEEE, 0x81, X, "odd"},
      {"e8m0", 3.0, RTZ, IEEE, 0x80, X, "toward zero"},
      {"e8m0", 2.5, RUP, IEEE, 0x81, X, "toward +"},
      {"e8m0", 0x1p127, RNE, IEEE, 0xFE, 0, "max"},
      {"e8m0", 0x1.8p127, RNE, IEEE, 0xFE, X, "tie, field 254 even"},
      {"e8m0", 0x1p128, RNE, IEEE, 0xFF, O | X, "overflow: no inf -> NaN"},
      {"e8m0", 0x1p128, RNE, SAT, 0xFE, O | X, "saturating"},
      {"e8m0", 0x1p128, RTZ, IEEE, 0xFE, O | X, "toward zero: max"},
      {"e8m0", 0x1p-127, RNE, IEEE, 0x00, 0, "min, exact"},
      {"e8m0", 0x1.8p-127, RNE, IEEE, 0x00, X, "tie, field 0 even; not tiny"},
      {"e8m0", 0x1p-128, RNE, IEEE, 0x00, U | X, "below 2^-127: 0x00"},
      {"e8m0", 1e-300, RUP, IEEE, 0x00, U | X, "every mode"},
      {"e8m0", 1e-300, RDN, IEEE, 0x00, U | X, "every mode"},
      {"e8m0", 0.0, RNE, IEEE, 0x00, U | X, "no zero: 2^-127"},
      {"e8m0", -0.0, RNE, IEEE, 0x00, U | X, "-0 too"},
      {"e8m0", -1.0, RNE, IEEE, 0xFF, V, "unsigned: negative is invalid"},
      {"e8m0", -1.0, RNE, SAT, 0xFF, V, "also saturating"},
      {"e8m0", -INFINITY, RNE, SAT, 0xFF, V, "-inf invalid"},
      {"e8m0", INFINITY, RNE, IEEE, 0xFF, V, "inf -> NaN"},
      {"e8m0", INFINITY, RNE, SAT, 0xFE, V, "saturating: max"},
      {"e8m0", -NAN, RNE, IEEE, 0xFF, 0, "NaN"},
  };
  // clang-format on
  for (const Case& c : cases) check(c);
}

TEST(ReferenceSelfcheck, Fp6Fp4) {
  // MX v1.0 Tables 3-4. No inf, no NaN: overflow and NaN give max finite.
  // clang-format off
  const Case cases[] = {
      {"e2m1", 6.0, RNE, IEEE, 0x7, 0, "max"},
      {"e2m1", 7.0, RNE, IEEE, 0x7, O | X, "tie 6|8: 6 = 1.1b odd -> 8 overflows -> max"},
      {"e2m1", 6.9, RNE, IEEE, 0x7, X, "below the midpoint"},
      {"e2m1", -7.0, RNE, IEEE, 0xF, O | X, "-max"},
      {"e2m1", 5.0, RNE, IEEE, 0x6, X, "tie 4|6: 4 even"},
      {"e2m1", 0.25, RNE, IEEE, 0x0, U | X, "tie 0|0.5 -> 0"},
      // 0.75 ties 0.5 (0x1, odd) | 1 -> 1.0; unbounded range 0.75 = 1.1b * 2^-1 exact: tiny.
      {"e2m1", 0.75, RNE, IEEE, 0x2, U | X, "min normal, tiny"},
      {"e2m1", -0.0, RNE, IEEE, 0x8, 0, "-0"},
      {"e2m1", NAN, RNE, IEEE, 0x7, V, "NaN -> +max, invalid"},
      {"e2m1", -NAN, RNE, IEEE, 0x7, V, "-NaN -> +max, invalid"},
      {"e2m1", INFINITY, RNE, IEEE, 0x7, V, "inf -> max, invalid"},
      {"e2m1", -INFINITY, RNE, IEEE, 0xF, V, "-inf -> -max, invalid"},
      {"e2m1", 100.0, RUP, IEEE, 0x7, O | X, "no inf: max"},
      {"e2m3", 7.5, RNE, IEEE, 0x1F, 0, "max"},
      {"e2m3", 7.75, RNE, IEEE, 0x1F, O | X, "tie, 0x1F odd -> 8 overflows -> max"},
      {"e2m3", 0.0625, RNE, IEEE, 0x00, U | X, "half min subnormal"},
      {"e3m2", 28.0, RNE, IEEE, 0x1F, 0, "max"},
      {"e3m2", 30.0, RNE, IEEE, 0x1F, O | X, "tie -> 32 overflows -> max"},
      {"e3m2", -0x1p-4, RNE, IEEE, 0x21, 0, "-min subnormal 2^-4"},
  };
  // clang-format on
  for (const Case& c : cases) check(c);
}

TEST(ReferenceSelfcheck, SubnormalPoliciesAndTininess) {
  const FormatSpec e4m3 = format_by_name("e4m3");
  const FormatSpec f16 = format_by_name("binary16");
  ConvertOptions ftz = opts();
  ftz.subnormals.ftz = true;
  EXPECT_EQ(reference_convert_double(0x1p-9, e4m3, ftz), (Encoded{0x00, Flags(U | X)}));
  EXPECT_EQ(reference_convert_double(-0x1p-9, e4m3, ftz), (Encoded{0x80, Flags(U | X)}));
  EXPECT_EQ(reference_convert_double(15 * 0x1p-10, e4m3, ftz), (Encoded{0x00, Flags(U | X)}))
      << "tiny after rounding: flushed even though it rounds to min normal";
  EXPECT_EQ(reference_convert_double(31 * 0x1p-11, e4m3, ftz), (Encoded{0x08, Flags(X)}));
  EXPECT_EQ(reference_convert_double(0x1p-6, e4m3, ftz), (Encoded{0x08, Flags()}));
  ConvertOptions before = opts();
  before.tininess = Tininess::before_rounding;
  EXPECT_EQ(reference_convert_double(31 * 0x1p-11, e4m3, before), (Encoded{0x08, Flags(U | X)}));
  EXPECT_EQ(reference_convert_double(0x1p-14 - 0x1p-26, f16, before),
            (Encoded{0x0400, Flags(U | X)}));
  EXPECT_EQ(reference_convert_double(0x1p-24, f16, before), (Encoded{0x0001, Flags()}))
      << "exact: tiny but not inexact";
  // DAZ reads a subnormal input as signed zero, no flag; the e4m3 pattern 0x01 is 2^-9, which
  // binary16 holds exactly (field 6: 0x1800).
  ConvertOptions daz = opts();
  daz.subnormals.daz = true;
  EXPECT_EQ(reference_convert(e4m3, 0x01, f16, opts()), (Encoded{0x1800, Flags()}));
  EXPECT_EQ(reference_convert(e4m3, 0x01, f16, daz), (Encoded{0x0000, Flags()}));
  EXPECT_EQ(reference_convert(e4m3, 0x81, f16, daz), (Encoded{0x8000, Flags()}));
  EXPECT_EQ(reference_convert(e4m3, 0x08, f16, daz), (Encoded{0x2400, Flags()}));  // 2^-6
  EXPECT_EQ(reference_convert_double(0x1p-1074, f16, daz), (Encoded{0x0000, Flags()}));
  EXPECT_EQ(reference_convert_double(0x1p-1074, f16, opts()), (Encoded{0x0000, Flags(U | X)}));
  EXPECT_EQ(reference_convert_float(-0x1p-149f, e4m3, daz), (Encoded{0x80, Flags()}));
  // No subnormals (custom e4m3:fn:nosub, emin = -6): between 0 and 2^-6 the candidates are 0 and
  // 2^-6; ties go to 0 (even), round-to-odd gives 2^-6.
  const FormatSpec nosub = format_by_name("e4m3:fn:nosub");
  EXPECT_EQ(reference_convert_double(0x1p-7, nosub, opts()), (Encoded{0x00, Flags(U | X)}));
  EXPECT_EQ(reference_convert_double(0x1.1p-7, nosub, opts()), (Encoded{0x08, Flags(U | X)}));
  EXPECT_EQ(reference_convert_double(0x1p-20, nosub, opts(RNO)), (Encoded{0x08, Flags(U | X)}));
  EXPECT_EQ(reference_convert_double(-0x1p-20, nosub, opts(RDN)), (Encoded{0x88, Flags(U | X)}));
  EXPECT_EQ(reference_convert(nosub, 0x05, f16, opts()), (Encoded{0x0000, Flags()}))
      << "field 0 of a format without subnormals reads as zero";
}

TEST(ReferenceSelfcheck, NanPropagationBetweenFormats) {
  const FormatSpec f16 = format_by_name("binary16"), f32 = format_by_name("binary32");
  const FormatSpec e4m3 = format_by_name("e4m3"), e5m2 = format_by_name("e5m2");
  const FormatSpec fnuz = format_by_name("e4m3fnuz"), e8m0 = format_by_name("e8m0");
  // f16 sNaN 0x7D01: payload 01 0000 0001 -> left-aligned into 23 bits = 0x202000, quiet bit.
  EXPECT_EQ(reference_convert(f16, 0x7D01, f32, opts()), (Encoded{0x7FE02000, Flags(V)}));
  EXPECT_EQ(reference_convert(f16, 0xFE01, f32, opts()), (Encoded{0xFFC02000, Flags()}));
  // f32 -> f16: top 10 of 23 payload bits.
  EXPECT_EQ(reference_convert_float(from_bits32(0x7FA00000), f16, opts()),
            (Encoded{0x7F00, Flags(V)}));
  EXPECT_EQ(reference_convert_float(from_bits32(0x7F800001), f16, opts()),
            (Encoded{0x7E00, Flags(V)}));
  // Single-NaN sources carry no payload: the target's default quiet NaN with the sign.
  EXPECT_EQ(reference_convert(e4m3, 0xFF, f16, opts()), (Encoded{0xFE00, Flags()}));
  EXPECT_EQ(reference_convert(e4m3, 0x7F, e5m2, opts()), (Encoded{0x7E, Flags()}));
  EXPECT_EQ(reference_convert(e8m0, 0xFF, e4m3, opts()), (Encoded{0x7F, Flags()}));
  EXPECT_EQ(reference_convert(fnuz, 0x80, e4m3, opts()), (Encoded{0x7F, Flags()}))
      << "fnuz's NaN is the -0 pattern and carries no sign (reference's reading)";
  EXPECT_EQ(reference_convert(e5m2, 0xFD, fnuz, opts()), (Encoded{0x80, Flags(V)}));
  // Canonical NaN policy: every NaN result is exactly those bits.
  ConvertOptions canon = opts();
  canon.nan.canonical = 0xFF;
  EXPECT_EQ(reference_convert_double(NAN, e4m3, canon), (Encoded{0xFF, Flags()}));
  EXPECT_EQ(reference_convert_double(465.0, e4m3, canon), (Encoded{0xFF, Flags(O | X)}));
  EXPECT_EQ(reference_convert_double(INFINITY, e4m3, canon), (Encoded{0xFF, Flags(V)}));
  canon.nan.canonical = 0x7E;  // 448, not a NaN: a precondition violation
  EXPECT_THROW(reference_convert_double(NAN, e4m3, canon), std::invalid_argument);
}

TEST(ReferenceSelfcheck, ArbitraryPrecisionMpfrInput) {
  // round_mpfr takes any precision: 1 + 2^-8 + 2^-150 (151 bits) is past the bf16 midpoint.
  mpfr_t x;
  mpfr_init2(x, 200);
  mpfr_set_ui_2exp(x, 1, -150, MPFR_RNDN);
  mpfr_add_ui(x, x, 1, MPFR_RNDN);
  mpfr_t t;
  mpfr_init2(t, 200);
  mpfr_set_ui_2exp(t, 1, -8, MPFR_RNDN);
  mpfr_add(x, x, t, MPFR_RNDN);
  EXPECT_EQ(reference::round_mpfr(format_by_name("bfloat16"), x, opts()),
            (Encoded{0x3F81, Flags(X)}));
  mpfr_sub(x, x, t, MPFR_RNDN);  // 1 + 2^-150: rounds to 1, up under rup
  EXPECT_EQ(reference::round_mpfr(format_by_name("binary64"), x, opts(RUP)),
            (Encoded{0x3FF0000000000001, Flags(X)}));
  mpfr_clears(x, t, static_cast<mpfr_ptr>(nullptr));
}

TEST(ReferenceSelfcheck, StochasticRoundingProbabilities) {
  // e4m3 at 1.0: neighbours 1.0 (0x38) and 1.125 (0x39), ulp 2^-3.
  const FormatSpec e4m3 = format_by_name("e4m3");
  ConvertOptions sr = opts(Rounding::sr);
  sr.seed = 0x0123456789ABCDEFull;
  sr.sr_bits = 16;
  // f = 1/4: up iff floor(2^16 / 4) + r >= 2^16, i.e. r >= 49152, P = 1/4 exactly.
  int ups = 0;
  for (std::uint64_t i = 0; i < 4096; ++i) {
    const Encoded e = reference_convert_double(1.0 + 0x1p-5, e4m3, sr, i);
    const bool expect_up = stochastic_bits(sr.seed, i, 16) >= 49152;
    ASSERT_EQ(e, (Encoded{expect_up ? 0x39u : 0x38u, Flags(X)})) << i;
    ups += expect_up;
  }
  EXPECT_NEAR(ups / 4096.0, 0.25, 6 * std::sqrt(0.25 * 0.75 / 4096));
  // Exact values never move; f < 2^-R never rounds up; f = 1 - 2^-16 stays only when r = 0.
  for (std::uint64_t i = 0; i < 1024; ++i) {
    EXPECT_EQ(reference_convert_double(1.125, e4m3, sr, i), (Encoded{0x39, Flags()}));
    EXPECT_EQ(reference_convert_double(1.0 + 0x1p-3 * 0x1p-17, e4m3, sr, i),
              (Encoded{0x38, Flags(X)}));
    const bool r_zero = stochastic_bits(sr.seed, i, 16) == 0;
    EXPECT_EQ(reference_convert_double(1.0 + 0x1p-3 * (1 - 0x1p-16), e4m3, sr, i),
              (Encoded{r_zero ? 0x38u : 0x39u, Flags(X)}));
  }
  // Negative values round away from zero on "up": -1.03125 -> -1.125 (0xB9).
  sr.sr_bits = 2;  // f = 1/4 = 1/2^2: up iff 1 + r >= 4, i.e. r = 3
  for (std::uint64_t i = 0; i < 256; ++i) {
    const bool up = stochastic_bits(sr.seed, i, 2) == 3;
    EXPECT_EQ(reference_convert_double(-1.0 - 0x1p-5, e4m3, sr, i),
              (Encoded{up ? 0xB9u : 0xB8u, Flags(X)}));
  }
  // Stochastic overflow is nearest-like (rules 3): 464 = 448 + 1/2 ulp, up half the time -> NaN.
  sr.sr_bits = 16;
  for (std::uint64_t i = 0; i < 256; ++i) {
    const bool up = stochastic_bits(sr.seed, i, 16) >= 32768;
    EXPECT_EQ(reference_convert_double(464.0, e4m3, sr, i),
              (up ? Encoded{0x7F, Flags(O | X)} : Encoded{0x7E, Flags(X)}));
  }
}

}  // namespace
}  // namespace fpaudit
