// add, sub, mul, div on binary16 and bfloat16: every pair of a boundary-rich operand set
// (arith_test::boundary_values: specials, subnormal and normal boundaries, max and its
// neighbours, 1 and its neighbours, short significands whose sums and products land on
// midpoints, all-ones significands that carry into the next binade), and 200k random pairs per
// operation (uniform patterns, nearby exponents, short significands), each in every deterministic
// rounding mode: bits and flags.
//
// Oracle: MPFR (tests/arith_mpfr_oracle.hpp): the exact result (div: 256 bits toward zero plus
// the ternary value) rounded by fpaudit::reference::round_mpfr.
#include "arith_test_support.hpp"

namespace {

using namespace arith_test;

constexpr int kRandomPairs = 200'000;

void boundary_cross(const char* format, const char* op_name) {
  const FormatSpec f = format_by_name(format);
  arith_oracle::ArithOracle oracle(f);
  const std::vector<std::uint64_t> values = boundary_values(f);
  for (fpaudit::Rounding r : kDeterministicModes) {
    Checker c(oracle, arith_test::op_named(op_name), with_mode({}, r));
    for (std::uint64_t a : values)
      for (std::uint64_t b : values) c.check2(a, b);
    c.report();
  }
}

void random_pairs(const char* format, const char* op_name, std::uint64_t seed) {
  const FormatSpec f = format_by_name(format);
  arith_oracle::ArithOracle oracle(f);
  OperandSource src(f, seed);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs(kRandomPairs);
  for (auto& [a, b] : pairs) {
    a = src.any(0);
    b = src.any(a);
  }
  for (fpaudit::Rounding r : kDeterministicModes) {
    Checker c(oracle, arith_test::op_named(op_name), with_mode({}, r));
    for (const auto& [a, b] : pairs) c.check2(a, b);
    c.report();
  }
}

#define SIXTEEN_BIT(Name, fmt, seed)                                     \
  TEST(Arith16, Name##AddBoundary) { boundary_cross(fmt, "add"); }       \
  TEST(Arith16, Name##SubBoundary) { boundary_cross(fmt, "sub"); }       \
  TEST(Arith16, Name##MulBoundary) { boundary_cross(fmt, "mul"); }       \
  TEST(Arith16, Name##DivBoundary) { boundary_cross(fmt, "div"); }       \
  TEST(Arith16, Name##AddRandom) { random_pairs(fmt, "add", seed + 1); } \
  TEST(Arith16, Name##SubRandom) { random_pairs(fmt, "sub", seed + 2); } \
  TEST(Arith16, Name##MulRandom) { random_pairs(fmt, "mul", seed + 3); } \
  TEST(Arith16, Name##DivRandom) { random_pairs(fmt, "div", seed + 4); }

SIXTEEN_BIT(Binary16, "f16", 1600)
SIXTEEN_BIT(Bfloat16, "bf16", 1700)

TEST(Arith16, BoundarySetIsRich) {
  // The boundary set holds the values the header promises (binary16: 0x0001 smallest subnormal,
  // 0x03FF largest subnormal, 0x0400 smallest normal, 0x3C00 = 1, 0x7BFF = 65504, 0x7C00 = inf,
  // 0x7E00 qNaN, 0x7C01 sNaN).
  const std::vector<std::uint64_t> v = boundary_values(format_by_name("f16"));
  for (std::uint64_t x : {0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0x3BFF, 0x3C01, 0x7BFF,
                          0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x3E00})
    EXPECT_TRUE(std::find(v.begin(), v.end(), x) != v.end()) << std::hex << x;
  EXPECT_GT(v.size(), 150u);
}

}  // namespace
