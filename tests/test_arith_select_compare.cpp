// Exhaustive minimum / maximum / minimumNumber / maximumNumber (IEEE 754-2019 9.6) and the six
// comparisons (5.11, TestFloat's eq, le, lt, eq_signaling, le_quiet, lt_quiet) on every operand
// pair of 8-bit (and smaller) formats, with and without DAZ: result bits and flags.
//
// Oracle: MPFR (tests/arith_mpfr_oracle.hpp): mpfr_equal_p / mpfr_lessequal_p / mpfr_less_p and
// mpfr_cmp on the operands decoded by the MPFR reference, the chosen operand re-encoded by
// fpaudit::reference::round_mpfr; NaN rules written out from docs/ARITHMETIC.md.
#include "arith_test_support.hpp"

namespace {

using namespace arith_test;

const std::vector<Rounding> kRne = {Rounding::rne};

ConvertOptions daz() {
  ConvertOptions o;
  o.subnormals.daz = true;
  return o;
}

// Formats with every NaN style: e5m2 (sNaN and qNaN with payloads), e4m3 (fn, signed NaN),
// e4m3fnuz (one unsigned NaN), e8m0 (unsigned), e3m2 (no NaN), e4m3:fn:nosub (field-0
// patterns that all read as zero).
const char* const kFormats[] = {"e5m2", "e4m3", "e4m3fnuz", "e8m0", "e3m2", "e4m3:fn:nosub"};

void all_formats(std::string_view op, ConvertOptions opt = {}) {
  for (const char* name : kFormats) exhaustive_pairs(format_by_name(name), op, kRne, opt);
}

TEST(ArithSelect8, Minimum) { all_formats("min"); }
TEST(ArithSelect8, Maximum) { all_formats("max"); }
TEST(ArithSelect8, MinimumNumber) { all_formats("minimumNumber"); }
TEST(ArithSelect8, MaximumNumber) { all_formats("maximumNumber"); }
TEST(ArithSelect8, MinMaxWithDaz) {
  for (const char* op : {"min", "max", "minimumNumber", "maximumNumber"}) all_formats(op, daz());
}

TEST(ArithCompare8, QuietAndSignaling) {
  for (const char* op : {"eq", "le", "lt", "eq_signaling", "le_quiet", "lt_quiet"}) {
    all_formats(op);
    all_formats(op, daz());
  }
}

// The ones the tables above must agree on, spelled out (IEEE 754-2019 5.11 and 9.6; e5m2:
// 0x3C = 1.0, 0x80 = -0, 0x7E = qNaN, 0x7D = sNaN, 0x01 = 2^-16 the smallest subnormal).
TEST(ArithCompare8, SpecExamples) {
  const FormatSpec f = format_by_name("e5m2");
  const ConvertOptions o;
  EXPECT_EQ(fpaudit::eq(f, 0x00, 0x80, o), (Encoded{1, {}}));  // +0 == -0
  EXPECT_EQ(fpaudit::lt(f, 0x80, 0x00, o), (Encoded{0, {}}));  // -0 < +0 is false
  EXPECT_EQ(fpaudit::eq(f, 0x7E, 0x7E, o), (Encoded{0, {}}));  // NaN != NaN, quiet
  EXPECT_EQ(fpaudit::eq(f, 0x7D, 0x3C, o), (Encoded{0, fpaudit::Flags::invalid}));  // sNaN
  EXPECT_EQ(fpaudit::lt(f, 0x7E, 0x3C, o), (Encoded{0, fpaudit::Flags::invalid}));  // signaling
  EXPECT_EQ(fpaudit::lt_quiet(f, 0x7E, 0x3C, o), (Encoded{0, {}}));
  EXPECT_EQ(fpaudit::le(f, 0x3C, 0x3C, o), (Encoded{1, {}}));
  EXPECT_EQ(fpaudit::minimum(f, 0x00, 0x80, o), (Encoded{0x80, {}}));  // 9.6: -0 < +0
  EXPECT_EQ(fpaudit::maximum(f, 0x80, 0x00, o), (Encoded{0x00, {}}));
  EXPECT_EQ(fpaudit::minimum(f, 0x7E, 0x3C, o), (Encoded{0x7E, {}}));         // NaN propagates
  EXPECT_EQ(fpaudit::minimum_number(f, 0x7E, 0x3C, o), (Encoded{0x3C, {}}));  // number wins
  EXPECT_EQ(fpaudit::minimum_number(f, 0x3C, 0x7D, o), (Encoded{0x3C, fpaudit::Flags::invalid}));
  EXPECT_EQ(fpaudit::maximum(f, 0x7D, 0x3C, o),
            (Encoded{0x7F, fpaudit::Flags::invalid}));  // quieted
  ConvertOptions d = o;
  d.subnormals.daz = true;
  EXPECT_EQ(fpaudit::eq(f, 0x01, 0x80, d), (Encoded{1, {}}));          // DAZ: 2^-16 reads as +0
  EXPECT_EQ(fpaudit::maximum(f, 0x81, 0x80, d), (Encoded{0x80, {}}));  // -2^-16 reads as -0
}

}  // namespace
