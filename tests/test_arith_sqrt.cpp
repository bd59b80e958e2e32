// squareRoot (IEEE 754-2019 5.4.1) on every pattern of the 8-bit formats, binary16 and bfloat16,
// in every deterministic rounding mode, with and without DAZ / FTZ: bits and flags.
//
// Oracle: MPFR (tests/arith_mpfr_oracle.hpp): mpfr_sqrt at 256 bits toward zero with its ternary
// value, rounded by fpaudit::reference::round_mpfr.
#include "arith_test_support.hpp"

namespace {

using namespace arith_test;

void all_patterns(const FormatSpec& f, ConvertOptions base = {}) {
  arith_oracle::ArithOracle oracle(f);
  const fpaudit::OpInfo& op = arith_test::op_named("sqrt");
  for (fpaudit::Rounding r : kDeterministicModes) {
    Checker c(oracle, op, with_mode(base, r));
    for (std::uint64_t a = 0; a < (std::uint64_t{1} << f.width()); ++a) {
      const std::uint64_t v[1] = {a};
      c.check(v);
    }
    c.report();
  }
}

TEST(ArithSqrt, EightBitFormats) {
  for (const char* name :
       {"e4m3", "e5m2", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz", "e3m4", "float8_e4m3", "e8m0",
        "e4m3:fn:nosub", "e7m0:fn", "e3m2", "e2m3", "e2m1"})
    all_patterns(format_by_name(name));
}

TEST(ArithSqrt, EightBitDazFtz) {
  ConvertOptions o;
  o.subnormals.daz = o.subnormals.ftz = true;
  for (const char* name : {"e4m3", "e5m2", "e3m4"}) all_patterns(format_by_name(name), o);
}

TEST(ArithSqrt, Binary16AllPatterns) { all_patterns(format_by_name("f16")); }
TEST(ArithSqrt, Bfloat16AllPatterns) { all_patterns(format_by_name("bf16")); }

// sqrt(-0) = -0 (6.3), sqrt(-x) invalid (7.2 g), sqrt(+inf) = +inf, sqrt(4) = 2 exact
// (binary16: 0x4400 = 4, 0x4000 = 2, 0xBC00 = -1, 0x7E00 the default NaN).
TEST(ArithSqrt, SpecExamples) {
  const FormatSpec f = format_by_name("f16");
  const ConvertOptions o;
  EXPECT_EQ(fpaudit::sqrt(f, 0x8000, o), (Encoded{0x8000, {}}));
  EXPECT_EQ(fpaudit::sqrt(f, 0xBC00, o), (Encoded{0x7E00, fpaudit::Flags::invalid}));
  EXPECT_EQ(fpaudit::sqrt(f, 0x7C00, o), (Encoded{0x7C00, {}}));
  EXPECT_EQ(fpaudit::sqrt(f, 0x4400, o), (Encoded{0x4000, {}}));
  // sqrt(2) = 1.41421356...: binary16 1.4140625 (0x3DA8) below, 1.4150390625 above; nearest is
  // 0x3DA8 (1.41421356 - 1.4140625 = 0.00015 < 0.00083).
  EXPECT_EQ(fpaudit::sqrt(f, 0x4000, o), (Encoded{0x3DA8, fpaudit::Flags::inexact}));
}

}  // namespace
