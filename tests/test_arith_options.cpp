// The arithmetic under every option that is not a rounding direction: DAZ, FTZ, tininess before
// rounding, saturating overflow, a canonical NaN; stochastic rounding against the oracle with the
// same draw; and formats wider than 16 bits (binary32, binary64, custom) on random operands.
// Exhaustive on 8-bit formats for add, mul, div; sampled elsewhere.
//
// Oracle: MPFR (tests/arith_mpfr_oracle.hpp): the exact result rounded by
// fpaudit::reference::round_mpfr with the same ConvertOptions (and for sr the same index, hence
// the same Philox draw), DAZ applied by the oracle to the MPFR-decoded operands.
#include <bit>

#include "arith_test_support.hpp"

namespace {

__extension__ typedef unsigned __int128 u128_t;

using namespace arith_test;

const char* const kFormats[] = {"e5m2", "e4m3", "e4m3:fn:nosub"};
const char* const kOps[] = {"add", "mul", "div"};

void exhaustive_with(ConvertOptions opt, const std::vector<Rounding>& modes) {
  for (const char* f : kFormats)
    for (const char* op : kOps) exhaustive_pairs(format_by_name(f), op, modes, opt);
}

TEST(ArithOptions, Daz) {
  ConvertOptions o;
  o.subnormals.daz = true;
  exhaustive_with(o, {Rounding::rne, Rounding::rdown});
}

TEST(ArithOptions, Ftz) {
  ConvertOptions o;
  o.subnormals.ftz = true;
  exhaustive_with(o, kDeterministicModes);
}

TEST(ArithOptions, DazFtz) {
  ConvertOptions o;
  o.subnormals.daz = o.subnormals.ftz = true;
  exhaustive_with(o, {Rounding::rne, Rounding::rup});
}

TEST(ArithOptions, TininessBeforeRounding) {
  ConvertOptions o;
  o.tininess = fpaudit::Tininess::before_rounding;
  exhaustive_with(o, kDeterministicModes);
  o.subnormals.ftz = true;
  exhaustive_with(o, {Rounding::rne, Rounding::rtz});
}

TEST(ArithOptions, SaturatingOverflow) {
  ConvertOptions o;
  o.overflow = fpaudit::Overflow::saturate;
  exhaustive_with(o, kDeterministicModes);
  exhaustive_pairs(format_by_name("e2m1"), "add", kDeterministicModes, o);
}

TEST(ArithOptions, CanonicalNan) {
  ConvertOptions o;
  o.nan.canonical = 0xFF;  // a NaN of all three formats (e5m2: negative qNaN, all-ones payload)
  exhaustive_with(o, {Rounding::rne});
  exhaustive_pairs(format_by_name("e5m2"), "max", {Rounding::rne}, o);
}

// Stochastic rounding: element index = position in the stream, so the oracle draws the same r.
void sr_pairs(const FormatSpec& f, const char* op_name, int sr_bits, std::uint64_t seed,
              std::size_t random_count) {
  arith_oracle::ArithOracle oracle(f);
  ConvertOptions o;
  o.rounding = Rounding::sr;
  o.sr_bits = sr_bits;
  o.seed = seed;
  Checker c(oracle, arith_test::op_named(op_name), o);
  if (f.width() <= 8) {
    for (std::uint64_t a = 0; a < (1u << f.width()); ++a)
      for (std::uint64_t b = 0; b < (1u << f.width()); ++b) c.check2(a, b, (a << 8) | b);
  } else {
    OperandSource src(f, seed);
    for (std::size_t i = 0; i < random_count; ++i) {
      const std::uint64_t a = src.any(0);
      c.check2(a, src.any(a), i);
    }
  }
  c.report();
}

TEST(ArithStochastic, EightBitExhaustive) {
  for (const char* f : {"e4m3", "e5m2", "e3m4", "e8m0"})
    for (const char* op : kOps)
      for (int bits : {1, 3, 16, 32}) sr_pairs(format_by_name(f), op, bits, 1000 + bits, 0);
}

TEST(ArithStochastic, SixteenBitRandom) {
  for (const char* f : {"f16", "bf16"})
    for (const char* op : {"add", "sub", "mul", "div"})
      for (int bits : {2, 16, 32}) sr_pairs(format_by_name(f), op, bits, 77 + bits, 30'000);
}

TEST(ArithStochastic, SqrtAndFma) {
  for (const char* name : {"f16", "e5m2"}) {
    const FormatSpec f = format_by_name(name);
    arith_oracle::ArithOracle oracle(f);
    ConvertOptions o;
    o.rounding = Rounding::sr;
    o.sr_bits = 13;
    o.seed = 5;
    Checker s(oracle, arith_test::op_named("sqrt"), o),
        m(oracle, arith_test::op_named("mulAdd"), o);
    for (std::uint64_t a = 0; a < (std::uint64_t{1} << f.width()); ++a) {
      const std::uint64_t v[1] = {a};
      s.check(v, a);
    }
    OperandSource src(f, 9);
    for (std::uint64_t i = 0; i < 50'000; ++i) {
      const std::uint64_t a = src.any(0), b = src.any(a);
      const std::uint64_t t[3] = {a, b, src.any(a)};
      m.check(t, i);
    }
    s.report();
    m.report();
  }
}

// Wider formats: random operands in every deterministic mode and in sr.
void wide_random(const char* name, std::size_t n, std::uint64_t seed, int sr_bits) {
  const FormatSpec f = format_by_name(name);
  arith_oracle::ArithOracle oracle(f);
  std::vector<Rounding> modes = kDeterministicModes;
  modes.push_back(Rounding::sr);
  for (const char* op_name : {"add", "sub", "mul", "div", "mulAdd", "sqrt"}) {
    const fpaudit::OpInfo& op = arith_test::op_named(op_name);
    for (Rounding r : modes) {
      ConvertOptions o = with_mode({}, r);
      o.sr_bits = sr_bits;
      Checker c(oracle, op, o);
      OperandSource src(f, seed);
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t a = src.any(0), b = src.any(a);
        const std::uint64_t t[3] = {a, b, src.any(a)};
        c.check(std::span<const std::uint64_t>(t, static_cast<std::size_t>(op.arity)), i);
      }
      c.report();
    }
  }
}

TEST(ArithWide, Binary32) { wide_random("f32", 20'000, 32, 32); }
TEST(ArithWide, Binary64) { wide_random("f64", 3'000, 64, 11); }  // 64 - 53 = 11 bits for sr
TEST(ArithWide, CustomFormats) {
  wide_random("e6m9", 10'000, 69, 16);
  wide_random("e8m30:fn", 5'000, 830, 16);
  wide_random("e10m40:fnuz:nosub", 5'000, 1040, 16);
}

// binary64 division and square root whose exact result has a run of zeros (or ones) longer than
// the 64-bit quotient / root holds below binary64's last place: only the remainder test tells
// exact from inexact there. (The 8- and 16-bit tests cannot see that test: for formats that short
// the quotient and the root always show a nonzero bit within the 64 kept.)
TEST(ArithWide, Binary64HardDivSqrt) {
  const FormatSpec f = format_by_name("f64");
  arith_oracle::ArithOracle oracle(f);
  const std::uint64_t one = 0x3FF0000000000000;
  // 1 / (2 - 2^-52) = 2^-1 (1 + 2^-53 + 2^-106 + ...): just above the midpoint, so rne rounds
  // up to 2^-1 (1 + 2^-52); the 64-bit quotient alone looks like an exact tie.
  EXPECT_EQ(fpaudit::div(f, one, 0x3FFFFFFFFFFFFFFF, {}),
            (Encoded{0x3FE0000000000001, Flags::inexact}));
  // x = 1 + (2^27 - 1) 2^-52, r = 1 + (2^26 - 1) 2^-52: x - r^2 = (2^27 - 1) 2^-104, so
  // sqrt(x) = r + about 2^-78: inexact, rounded down to r except toward +inf.
  EXPECT_EQ(fpaudit::sqrt(f, 0x3FF0000007FFFFFF, {}),
            (Encoded{0x3FF0000003FFFFFF, Flags::inexact}));
  ConvertOptions up;
  up.rounding = Rounding::rup;
  EXPECT_EQ(fpaudit::sqrt(f, 0x3FF0000007FFFFFF, up),
            (Encoded{0x3FF0000004000000, Flags::inexact}));

  std::vector<Rounding> modes = kDeterministicModes;
  for (Rounding r : modes) {
    Checker d(oracle, arith_test::op_named("div"), with_mode({}, r));
    Checker s(oracle, arith_test::op_named("sqrt"), with_mode({}, r));
    std::mt19937_64 rng(64);
    // Divisors (2^j - 1) 2^e and (2^j + 1) 2^e: quotients with long periodic zero runs.
    const std::uint64_t mantissa_mask = (std::uint64_t{1} << 52) - 1;
    auto binary64 = [&](std::uint64_t exponent_field, std::uint64_t significand) {
      return (exponent_field << 52) | (significand & mantissa_mask);
    };
    for (int j = 30; j <= 52; ++j)
      for (int sign : {-1, 1})
        for (int t = 0; t < 40; ++t) {
          const std::uint64_t m = (std::uint64_t{1} << j) + static_cast<std::uint64_t>(sign);
          const std::uint64_t sig = m << std::countl_zero(m) >> 11;  // 53 bits, top bit 52
          const std::uint64_t y = binary64(1020 + rng() % 7, sig);
          const std::uint64_t x = t == 0 ? one : binary64(1023 + rng() % 5, rng());
          d.check2(x, y);
        }
    // Radicands next to a square: r = 1 + k 2^-52 with k = c 2^26 + e (c, e small), x the
    // binary64 numbers around r^2.
    for (std::int64_t c = 0; c < 64; ++c)
      for (std::int64_t e = -6; e <= 6; ++e) {
        const std::int64_t k = c * (std::int64_t{1} << 26) + e;
        if (k <= 0) continue;
        const u128_t r = (u128_t{1} << 52) + static_cast<std::uint64_t>(k);
        const u128_t sq = r * r;                                          // scaled by 2^-104
        const std::uint64_t base = static_cast<std::uint64_t>(sq >> 52);  // floor, scaled 2^-52
        for (std::int64_t step = -1; step <= 2; ++step) {
          const std::uint64_t mant = base + static_cast<std::uint64_t>(step);
          if ((mant >> 52) != 1) continue;
          const std::uint64_t x[1] = {(std::uint64_t{1023} << 52) |
                                      (mant & ((std::uint64_t{1} << 52) - 1))};
          s.check(x);
          const std::uint64_t x2[1] = {x[0] + (std::uint64_t{1} << 52)};  // 2x: the odd exponent
          s.check(x2);
        }
      }
    d.report();
    s.report();
  }
}

// binary64 with more random bits than the 64-bit carrier holds below its last place: refused
// when the exact result is not exact in 64 bits, served when it is.
TEST(ArithWide, StochasticLimitIsReported) {
  const FormatSpec f = format_by_name("f64");
  ConvertOptions o;
  o.rounding = Rounding::sr;
  o.sr_bits = 16;
  const std::uint64_t one = 0x3FF0000000000000, three_2m80 = 0x3AF8000000000000;  // 1, 3 x 2^-80
  EXPECT_THROW(fpaudit::add(f, one, three_2m80, o), std::invalid_argument);
  EXPECT_EQ(fpaudit::add(f, one, one, o), (Encoded{0x4000000000000000, {}}));  // exact: 2
  o.sr_bits = 11;
  EXPECT_NO_THROW(fpaudit::add(f, one, three_2m80, o));
}

}  // namespace
