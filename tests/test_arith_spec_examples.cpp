// Arithmetic cases worked out by hand from the specs, written as literal patterns.
//
// Oracle: the standards' text, read by hand: IEEE 754-2019 5.4.1, 6.2.3 (NaN propagation), 6.3
// (signs of zeros), 7.2-7.5 (invalid, divideByZero, overflow, underflow), OCP OFP8 v1.0 Table 1
// (E4M3 max 448 = 0x7E, NaN 0x7F; E5M2 inf 0x7C), OCP MX v1.0 Table 4 (FP4 max 6 = 0x7), MX 5.4.1
// (E8M0), and docs/CONVERSION_RULES.md / docs/ARITHMETIC.md for fpaudit's documented choices.
#include <gtest/gtest.h>

#include "arith_print.hpp"
#include "fpaudit/arith/arith.hpp"
#include "fpaudit/format/registry.hpp"

namespace {

using namespace fpaudit;  // calls below stay qualified (fpaudit::div, not <cstdlib>'s div)

ConvertOptions mode(Rounding r) {
  ConvertOptions o;
  o.rounding = r;
  return o;
}

constexpr Flags kInexact = Flags::inexact;
constexpr Flags kOverflow = Flags::overflow | Flags::inexact;    // 05
constexpr Flags kUnderflow = Flags::underflow | Flags::inexact;  // 03
constexpr Flags kInvalid = Flags::invalid;                       // 10
constexpr Flags kInfinite = Flags::infinite;                     // 08

TEST(ArithSpec, E4M3Overflow) {
  const FormatSpec f = format_by_name("e4m3");  // 0x7E = 448, 0x58 = 16, 0x60 = 32, 0x7F = NaN
  // 448 + 16 = 464: the midpoint between 448 and 480 (NaN-coded): ties-to-even keeps 448 (OFP8:
  // |x| <= 464 gives 448).
  EXPECT_EQ(fpaudit::add(f, 0x7E, 0x58, mode(Rounding::rne)), (Encoded{0x7E, kInexact}));
  // 448 + 32 = 480 overflows: NaN in rne (no infinity, non-saturating), 448 in rtz, and 448
  // with --overflow saturate.
  EXPECT_EQ(fpaudit::add(f, 0x7E, 0x60, mode(Rounding::rne)), (Encoded{0x7F, kOverflow}));
  EXPECT_EQ(fpaudit::add(f, 0x7E, 0x60, mode(Rounding::rtz)), (Encoded{0x7E, kOverflow}));
  ConvertOptions sat;
  sat.overflow = fpaudit::Overflow::saturate;
  EXPECT_EQ(fpaudit::add(f, 0xFE, 0xE0, sat), (Encoded{0xFE, kOverflow}));  // -448 - 32
  // 1/0: the exact result is +inf (divideByZero, 7.3), which E4M3 cannot hold: NaN with invalid
  // (as converting +inf gives), plus infinite.
  EXPECT_EQ(fpaudit::div(f, 0x38, 0x00, mode(Rounding::rne)),
            (Encoded{0x7F, Flags::invalid | Flags::infinite}));
}

TEST(ArithSpec, E5M2InvalidAndDivideByZero) {
  const FormatSpec f = format_by_name("e5m2");  // 0x3C = 1, 0x7C = inf, 0x7E qNaN, 0x7D sNaN
  const ConvertOptions o;
  EXPECT_EQ(fpaudit::div(f, 0x3C, 0x00, o), (Encoded{0x7C, kInfinite}));  // 1/+0 = +inf
  EXPECT_EQ(fpaudit::div(f, 0x3C, 0x80, o), (Encoded{0xFC, kInfinite}));  // 1/-0 = -inf
  EXPECT_EQ(fpaudit::div(f, 0x7C, 0x00, o), (Encoded{0x7C, {}}));         // inf/0: exact inf
  EXPECT_EQ(fpaudit::div(f, 0x00, 0x00, o), (Encoded{0x7E, kInvalid}));   // 0/0 (7.2 d)
  EXPECT_EQ(fpaudit::div(f, 0x7C, 0xFC, o), (Encoded{0x7E, kInvalid}));   // inf/inf (7.2 d)
  EXPECT_EQ(fpaudit::mul(f, 0x00, 0x7C, o), (Encoded{0x7E, kInvalid}));   // 0 x inf (7.2 a)
  EXPECT_EQ(fpaudit::add(f, 0x7C, 0xFC, o), (Encoded{0x7E, kInvalid}));   // inf - inf (7.2 b)
  EXPECT_EQ(fpaudit::sub(f, 0x7C, 0x7C, o), (Encoded{0x7E, kInvalid}));
  EXPECT_EQ(fpaudit::add(f, 0x7C, 0x7C, o), (Encoded{0x7C, {}}));
  // NaN operands (6.2.3): the first NaN, quieted (sNaN 0x7D -> 0x7F), invalid for a sNaN.
  EXPECT_EQ(fpaudit::add(f, 0x7D, 0x3C, o), (Encoded{0x7F, kInvalid}));
  EXPECT_EQ(fpaudit::add(f, 0x3C, 0xFE, o), (Encoded{0xFE, {}}));
  EXPECT_EQ(fpaudit::mul(f, 0xFE, 0x7D, o), (Encoded{0xFE, kInvalid}));  // first NaN wins
  EXPECT_EQ(fpaudit::sub(f, 0x3C, 0x7E, o), (Encoded{0x7E, {}}));        // NaN sign not flipped
}

TEST(ArithSpec, SignsOfZeros) {
  const FormatSpec f = format_by_name("e5m2");  // 0x3C = 1, 0x80 = -0
  for (Rounding r : {Rounding::rne, Rounding::rna, Rounding::rtz, Rounding::rup, Rounding::rno}) {
    EXPECT_EQ(fpaudit::sub(f, 0x3C, 0x3C, mode(r)), (Encoded{0x00, {}}));  // 6.3: x - x = +0
    EXPECT_EQ(fpaudit::add(f, 0x00, 0x80, mode(r)), (Encoded{0x00, {}}));  // +0 + -0 = +0
  }
  EXPECT_EQ(fpaudit::sub(f, 0x3C, 0x3C, mode(Rounding::rdown)), (Encoded{0x80, {}}));  // -0
  EXPECT_EQ(fpaudit::add(f, 0x00, 0x80, mode(Rounding::rdown)), (Encoded{0x80, {}}));
  EXPECT_EQ(fpaudit::add(f, 0x80, 0x80, mode(Rounding::rne)), (Encoded{0x80, {}}));  // x + x
  EXPECT_EQ(fpaudit::sub(f, 0x80, 0x00, mode(Rounding::rne)), (Encoded{0x80, {}}));  // -0 - +0
  EXPECT_EQ(fpaudit::mul(f, 0x80, 0x3C, mode(Rounding::rne)), (Encoded{0x80, {}}));  // -0 x 1
  EXPECT_EQ(fpaudit::div(f, 0x00, 0xBC, mode(Rounding::rne)), (Encoded{0x80, {}}));  // 0 / -1
  // A nonzero result that rounds to zero keeps its sign: -2^-16 x 0.5 = -2^-17, half the
  // smallest subnormal: ties-to-even gives -0, underflow | inexact.
  EXPECT_EQ(fpaudit::mul(f, 0x81, 0x38, mode(Rounding::rne)), (Encoded{0x80, kUnderflow}));
}

TEST(ArithSpec, TininessAndSubnormalPolicies) {
  const FormatSpec f = format_by_name("e5m2");
  // 1.25 (0x3D) x 1.5 x 2^-15 (0x03, subnormal) = 1.875 x 2^-15: on the subnormal grid (2^-16)
  // 3.75 -> 4, i.e. 2^-14 = 0x04 (the smallest normal). With unbounded exponent at p = 3 it is
  // the tie between 1.75 x 2^-15 and 2^-14, which ties-to-even sends to 2^-14: not tiny after
  // rounding (flags 01), tiny before rounding (flags 03) (IEEE 754-2019 7.5).
  ConvertOptions o;
  EXPECT_EQ(fpaudit::mul(f, 0x3D, 0x03, o), (Encoded{0x04, kInexact}));
  o.tininess = fpaudit::Tininess::before_rounding;
  EXPECT_EQ(fpaudit::mul(f, 0x3D, 0x03, o), (Encoded{0x04, kUnderflow}));
  o.subnormals.ftz = true;  // tiny before rounding: flushed
  EXPECT_EQ(fpaudit::mul(f, 0x3D, 0x03, o), (Encoded{0x00, kUnderflow}));
  o.tininess = fpaudit::Tininess::after_rounding;  // not tiny after rounding: kept
  EXPECT_EQ(fpaudit::mul(f, 0x3D, 0x03, o), (Encoded{0x04, kInexact}));
  // 2^-16 + 2^-16 = 2^-15, an exact subnormal: FTZ flushes it (underflow | inexact), DAZ reads
  // the operands as +0 (no flag).
  ConvertOptions ftz, daz;
  ftz.subnormals.ftz = true;
  daz.subnormals.daz = true;
  EXPECT_EQ(fpaudit::add(f, 0x01, 0x01, ConvertOptions{}), (Encoded{0x02, {}}));
  EXPECT_EQ(fpaudit::add(f, 0x01, 0x01, ftz), (Encoded{0x00, kUnderflow}));
  EXPECT_EQ(fpaudit::add(f, 0x01, 0x01, daz), (Encoded{0x00, {}}));
  EXPECT_EQ(fpaudit::add(f, 0x81, 0x01, daz), (Encoded{0x00, {}}));  // -0 + +0 = +0
}

TEST(ArithSpec, Binary16UnderflowDirections) {
  const FormatSpec f = format_by_name("f16");  // 0x0400 = 2^-14, 0x1000 = 2^-11
  // 2^-14 x 2^-11 = 2^-25: half the smallest subnormal 2^-24. rne: tie to 0; rup: 2^-24.
  EXPECT_EQ(fpaudit::mul(f, 0x0400, 0x1000, mode(Rounding::rne)), (Encoded{0x0000, kUnderflow}));
  EXPECT_EQ(fpaudit::mul(f, 0x0400, 0x1000, mode(Rounding::rup)), (Encoded{0x0001, kUnderflow}));
  EXPECT_EQ(fpaudit::mul(f, 0x0400, 0x1000, mode(Rounding::rna)), (Encoded{0x0001, kUnderflow}));
  EXPECT_EQ(fpaudit::mul(f, 0x8400, 0x1000, mode(Rounding::rdown)), (Encoded{0x8001, kUnderflow}));
  // 65504 + 16 = 65520: the midpoint between max (0x7BFF) and 2^16: ties-to-even goes up to
  // 2^16, which overflows (7.4): +inf. Toward zero (and to odd) it is 65504 with unbounded
  // exponent too: inexact, no overflow.
  EXPECT_EQ(fpaudit::add(f, 0x7BFF, 0x4C00, mode(Rounding::rne)), (Encoded{0x7C00, kOverflow}));
  EXPECT_EQ(fpaudit::add(f, 0x7BFF, 0x4C00, mode(Rounding::rtz)), (Encoded{0x7BFF, kInexact}));
  EXPECT_EQ(fpaudit::add(f, 0x7BFF, 0x4C00, mode(Rounding::rno)), (Encoded{0x7BFF, kInexact}));
  // 65504 + 65504 = 131008 = 2047 x 64 exceeds max in every mode: rtz and rno give max, rdown
  // gives max for a positive result, rup +inf.
  EXPECT_EQ(fpaudit::add(f, 0x7BFF, 0x7BFF, mode(Rounding::rtz)), (Encoded{0x7BFF, kOverflow}));
  EXPECT_EQ(fpaudit::add(f, 0x7BFF, 0x7BFF, mode(Rounding::rno)), (Encoded{0x7BFF, kOverflow}));
  EXPECT_EQ(fpaudit::add(f, 0x7BFF, 0x7BFF, mode(Rounding::rdown)), (Encoded{0x7BFF, kOverflow}));
  EXPECT_EQ(fpaudit::add(f, 0x7BFF, 0x7BFF, mode(Rounding::rup)), (Encoded{0x7C00, kOverflow}));
  EXPECT_EQ(fpaudit::add(f, 0xFBFF, 0xFBFF, mode(Rounding::rup)), (Encoded{0xFBFF, kOverflow}));
}

TEST(ArithSpec, FormatsWithoutZeroOrNan) {
  const FormatSpec e8m0 = format_by_name("e8m0");  // 0x7F = 1, 0x80 = 2, 0xFF = NaN
  const ConvertOptions o;
  EXPECT_EQ(fpaudit::mul(e8m0, 0x80, 0x80, o), (Encoded{0x81, {}}));  // 2 x 2 = 4
  // 2 - 2 = 0, which E8M0 cannot hold: 2^-127 (0x00), underflow | inexact (CONVERSION_RULES 5).
  EXPECT_EQ(fpaudit::sub(e8m0, 0x80, 0x80, o), (Encoded{0x00, kUnderflow}));
  EXPECT_EQ(fpaudit::sub(e8m0, 0x7F, 0x80, o), (Encoded{0xFF, kInvalid}));  // -1: unsigned
  // 1 + 2 = 3: the tie between 2 (field 128, even) and 4 (field 129): 2 (p = 1 rule).
  EXPECT_EQ(fpaudit::add(e8m0, 0x7F, 0x80, o), (Encoded{0x80, kInexact}));

  const FormatSpec fp4 = format_by_name("e2m1");  // 0x7 = 6, 0x2 = 1, no NaN, no inf
  EXPECT_EQ(fpaudit::add(fp4, 0x7, 0x7, o), (Encoded{0x7, kOverflow}));  // 12 -> max 6
  EXPECT_EQ(fpaudit::div(fp4, 0x0, 0x0, o), (Encoded{0x7, kInvalid}));   // no NaN: +max
  EXPECT_EQ(fpaudit::sqrt(fp4, 0xA, o), (Encoded{0x7, kInvalid}));       // sqrt(-1)
}

TEST(ArithSpec, FunctionTable) {
  // TestFloat's names and arities (functionInfos.c), plus 9.6's four.
  const auto ops = fpaudit::operations();
  ASSERT_EQ(ops.size(), 16u);
  for (const char* name : {"add", "sub", "mul", "div", "eq", "le", "lt", "eq_signaling", "le_quiet",
                           "lt_quiet", "min", "max", "minimumNumber", "maximumNumber"})
    EXPECT_EQ(fpaudit::find_operation(name)->arity, 2) << name;
  EXPECT_EQ(fpaudit::find_operation("sqrt")->arity, 1);
  EXPECT_EQ(fpaudit::find_operation("mulAdd")->arity, 3);
  EXPECT_TRUE(fpaudit::find_operation("mulAdd")->rounds);
  EXPECT_FALSE(fpaudit::find_operation("lt_quiet")->rounds);
  EXPECT_EQ(fpaudit::find_operation("lt_quiet")->result, fpaudit::OpResult::boolean);
  EXPECT_EQ(fpaudit::find_operation("fma"), nullptr);  // TestFloat spells it mulAdd
  const FormatSpec f = format_by_name("f16");
  const std::uint64_t v[3] = {0x3C00, 0x4000, 0x4200};  // 1, 2, 3
  EXPECT_EQ(fpaudit::find_operation("mulAdd")->apply(f, v, {}, 0), (Encoded{0x4500, {}}));  // 5
  EXPECT_EQ(fpaudit::find_operation("lt")->apply(f, v, {}, 0), (Encoded{1, {}}));
}

}  // namespace
