// fusedMultiplyAdd (TestFloat's mulAdd, IEEE 754-2019 5.4.1): every triple of the 4-bit FP4 and
// the 6-bit FP6 formats; on 8-bit and 16-bit formats every triple of a boundary set, random
// triples, and triples built to cancel (c next to -a*b), in every deterministic rounding mode:
// bits and flags.
//
// Oracle: MPFR (tests/arith_mpfr_oracle.hpp): mpfr_fma at a precision holding the exact result
// (ternary checked 0), rounded by fpaudit::reference::round_mpfr; invalid for (0 x inf) + qNaN as
// TestFloat expects, written out in the oracle.
#include <array>

#include "arith_test_support.hpp"

namespace {

using namespace arith_test;

using Triple = std::array<std::uint64_t, 3>;

void check_triples(const FormatSpec& f, const std::vector<Triple>& triples,
                   const std::vector<Rounding>& modes, ConvertOptions base = {}) {
  arith_oracle::ArithOracle oracle(f);
  for (Rounding r : modes) {
    Checker c(oracle, arith_test::op_named("mulAdd"), with_mode(base, r));
    for (const Triple& t : triples) c.check(t);
    c.report();
  }
}

std::vector<Triple> all_triples(const FormatSpec& f) {
  const std::uint64_t n = std::uint64_t{1} << f.width();
  std::vector<Triple> v;
  for (std::uint64_t a = 0; a < n; ++a)
    for (std::uint64_t b = 0; b < n; ++b)
      for (std::uint64_t c = 0; c < n; ++c) v.push_back({a, b, c});
  return v;
}

// Boundary values crossed three ways, capped to `limit` values (spread over the sorted set).
std::vector<Triple> boundary_triples(const FormatSpec& f, std::size_t limit) {
  std::vector<std::uint64_t> all = boundary_values(f), v;
  for (std::size_t i = 0; i < limit && i < all.size(); ++i)
    v.push_back(all[i * all.size() / std::min(limit, all.size())]);
  std::vector<Triple> t;
  for (std::uint64_t a : v)
    for (std::uint64_t b : v)
      for (std::uint64_t c : v) t.push_back({a, b, c});
  return t;
}

// Random triples; a quarter have c within a few ulps of -(a*b) rounded (massive cancellation,
// exact zeros, results far below the operands).
std::vector<Triple> random_triples(const FormatSpec& f, std::size_t n, std::uint64_t seed) {
  OperandSource src(f, seed);
  std::vector<Triple> v;
  const ConvertOptions rne;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t a = src.any(0), b = src.any(a);
    std::uint64_t c = src.any(a);
    if (i % 4 == 0) {
      const std::uint64_t p = fpaudit::mul(f, a, b, rne).bits;  // only picks the case
      const int step = static_cast<int>(src.rng()() % 5) - 2;
      c = (p ^ f.sign_bit()) + step;
      if (!f.is_signed) c = p + step;
      c &= f.mask();
    }
    v.push_back({a, b, c});
  }
  return v;
}

TEST(ArithFma, Fp4AllTriples) {
  check_triples(format_by_name("e2m1"), all_triples(format_by_name("e2m1")), kDeterministicModes);
}
TEST(ArithFma, Fp6E3M2AllTriples) {
  check_triples(format_by_name("e3m2"), all_triples(format_by_name("e3m2")), kDeterministicModes);
}
TEST(ArithFma, Fp6E2M3AllTriplesRne) {
  check_triples(format_by_name("e2m3"), all_triples(format_by_name("e2m3")),
                {Rounding::rne, Rounding::rdown});
}

// 8- and 16-bit formats: 30 boundary values crossed three ways, and random triples.
void sampled(const char* name, std::uint64_t seed) {
  const FormatSpec f = format_by_name(name);
  check_triples(f, boundary_triples(f, 30), kDeterministicModes);
  check_triples(f, random_triples(f, 60'000, seed), kDeterministicModes);
}

TEST(ArithFma, E4M3) { sampled("e4m3", 81); }
TEST(ArithFma, E5M2) { sampled("e5m2", 82); }
TEST(ArithFma, E4M3Fnuz) { sampled("e4m3fnuz", 83); }
TEST(ArithFma, E3M4) { sampled("e3m4", 84); }
TEST(ArithFma, E8M0) { sampled("e8m0", 85); }
TEST(ArithFma, E4M3FnNosub) { sampled("e4m3:fn:nosub", 86); }
TEST(ArithFma, Binary16) { sampled("f16", 161); }
TEST(ArithFma, Bfloat16) { sampled("bf16", 162); }

// Literal cases (binary16: 0x3C00 = 1, 0x7C00 = inf, 0x7E00 qNaN, 0x7D00 sNaN, 0x1400 = 2^-10,
// 0x0001 = 2^-24).
TEST(ArithFma, SpecExamples) {
  const FormatSpec f = format_by_name("f16");
  const ConvertOptions o;
  // TestFloat: (0 x inf) + qNaN raises invalid; the result is the quiet NaN operand.
  EXPECT_EQ(fpaudit::fma(f, 0x0000, 0x7C00, 0x7E05, o), (Encoded{0x7E05, Flags::invalid}));
  EXPECT_EQ(fpaudit::fma(f, 0x7C00, 0x0000, 0x3C00, o), (Encoded{0x7E00, Flags::invalid}));
  // inf x 1 + (-inf): magnitude subtraction of infinities (7.2 b).
  EXPECT_EQ(fpaudit::fma(f, 0x7C00, 0x3C00, 0xFC00, o), (Encoded{0x7E00, Flags::invalid}));
  // (1 + 2^-10)^2 - 1 = 2^-9 + 2^-20 = 2^-9 (1 + 2^-11) exactly: a tie between 0x1800 (2^-9)
  // and 0x1801 (2^-9 (1 + 2^-10)); ties-to-even gives 0x1800, inexact.
  EXPECT_EQ(fpaudit::fma(f, 0x3C01, 0x3C01, 0xBC00, o), (Encoded{0x1800, Flags::inexact}));
  // (1 + 2^-10)(1 - 2^-11) - 1 = 2^-11 - 2^-21 = 2^-12 (1 + 1022/1024) exactly: 0x0FFE, no flag.
  // Unfused, the product would round to 1 and the sum be 0: this tells fused from unfused.
  EXPECT_EQ(fpaudit::fma(f, 0x3C01, 0x3BFF, 0xBC00, o), (Encoded{0x0FFE, {}}));
  // Exact zero: 1 x 1 + (-1) = +0, and -0 when rounding down (6.3).
  EXPECT_EQ(fpaudit::fma(f, 0x3C00, 0x3C00, 0xBC00, o), (Encoded{0x0000, {}}));
  ConvertOptions down;
  down.rounding = Rounding::rdown;
  EXPECT_EQ(fpaudit::fma(f, 0x3C00, 0x3C00, 0xBC00, down), (Encoded{0x8000, {}}));
  // (-0) x 1 + (-0) = -0 in every mode; (+0) x 1 + (-0) = +0 (rdown: -0).
  EXPECT_EQ(fpaudit::fma(f, 0x8000, 0x3C00, 0x8000, o), (Encoded{0x8000, {}}));
  EXPECT_EQ(fpaudit::fma(f, 0x0000, 0x3C00, 0x8000, o), (Encoded{0x0000, {}}));
  EXPECT_EQ(fpaudit::fma(f, 0x0000, 0x3C00, 0x8000, down), (Encoded{0x8000, {}}));
  // A product far below the addend only moves the sticky bit: 1 + 2^-24 x 2^-24 rounds up
  // toward +inf to 1 + 2^-10 (0x3C01).
  ConvertOptions up;
  up.rounding = Rounding::rup;
  EXPECT_EQ(fpaudit::fma(f, 0x0001, 0x0001, 0x3C00, up), (Encoded{0x3C01, Flags::inexact}));
  EXPECT_EQ(fpaudit::fma(f, 0x0001, 0x0001, 0x3C00, o), (Encoded{0x3C00, Flags::inexact}));
}

}  // namespace
