// Text helpers (include/fpaudit/codec/text.hpp): exact decimal parsing and printing, %g forms,
// hex patterns.
//
// Oracles, per test: literal strings worked out by hand (powers of two and their exact decimal
// expansions, spec constants); glibc's printf, whose %.*e / %.*g print the exact binary value
// correctly rounded to any number of digits (an independent implementation); glibc's strtod /
// strtof, which round decimal strings of any length correctly in the current rounding mode (an
// independent implementation of decimal -> binary); and round trips print -> parse.
#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit {
namespace {

const FormatSpec kF64 = format_by_name("binary64");
const FormatSpec kF32 = format_by_name("binary32");
const FormatSpec kF16 = format_by_name("binary16");
const FormatSpec kBF16 = format_by_name("bfloat16");
const FormatSpec kE4M3 = format_by_name("e4m3");
const FormatSpec kE2M3 = format_by_name("e2m3");

std::string exact(double x) { return format_exact(from_double(x)); }

// ---- parse_decimal: literal cases ----

TEST(TextParseDecimal, NormalisesDigitsAndExponent) {
  EXPECT_EQ(parse_decimal("0.1"), (Decimal{ValueClass::finite, false, "1", -1}));
  EXPECT_EQ(parse_decimal("-465"), (Decimal{ValueClass::finite, true, "465", 0}));
  EXPECT_EQ(parse_decimal("1e-7"), (Decimal{ValueClass::finite, false, "1", -7}));
  EXPECT_EQ(parse_decimal("+1200.500E+3"), (Decimal{ValueClass::finite, false, "12005", 2}));
  EXPECT_EQ(parse_decimal("000.00250"), (Decimal{ValueClass::finite, false, "25", -4}));
  EXPECT_EQ(parse_decimal(".5"), (Decimal{ValueClass::finite, false, "5", -1}));
  EXPECT_EQ(parse_decimal("5."), (Decimal{ValueClass::finite, false, "5", 0}));
  EXPECT_EQ(parse_decimal("-0.000e5"), (Decimal{ValueClass::zero, true, "", 0}));
  EXPECT_EQ(parse_decimal("0"), (Decimal{ValueClass::zero, false, "", 0}));
  EXPECT_EQ(parse_decimal("inf"), (Decimal{ValueClass::inf, false, "", 0}));
  EXPECT_EQ(parse_decimal("-Infinity"), (Decimal{ValueClass::inf, true, "", 0}));
  EXPECT_EQ(parse_decimal("NaN"), (Decimal{ValueClass::nan, false, "", 0}));
  EXPECT_EQ(parse_decimal("-nan"), (Decimal{ValueClass::nan, true, "", 0}));
}

TEST(TextParseDecimal, RejectsMalformedText) {
  for (const char* bad : {"", "-", ".", "e5", "1e", "1e+", "0x10", "1.2.3", " 1", "1 ", "abc",
                          "1,5", "--1", "infx", "1e5.5"}) {
    EXPECT_THROW(parse_decimal(bad), std::invalid_argument) << '"' << bad << '"';
  }
  try {
    parse_decimal("zz");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "expected a decimal number (e.g. 0.1, -465, 1e-7, inf, nan), got \"zz\"");
  }
  EXPECT_THROW(parse_decimal("1e9999999999999999"), std::invalid_argument);
  EXPECT_NO_THROW(parse_decimal("1e999999999999999"));  // 10^15: accepted, rounds to inf
}

// ---- to_decimal / to_string: exact expansions ----

TEST(TextExactDecimal, PowersOfTwoByHand) {
  // 2^-k = 5^k / 10^k.
  EXPECT_EQ(exact(0.5), "0.5");
  EXPECT_EQ(exact(std::ldexp(1.0, -9)), "0.001953125");              // E4M3 min subnormal
  EXPECT_EQ(exact(std::ldexp(1.0, -24)), "5.9604644775390625e-08");  // binary16 min subnormal
  EXPECT_EQ(exact(448.0), "448");
  EXPECT_EQ(exact(57344.0), "57344");
  EXPECT_EQ(exact(-0.0), "-0");
  EXPECT_EQ(exact(0.0), "0");
  EXPECT_EQ(exact(0.1), "0.1000000000000000055511151231257827021181583404541015625");
  EXPECT_EQ(exact(1e21), "1e+21");
  EXPECT_EQ(exact(1e20), "100000000000000000000");
  EXPECT_EQ(exact(std::ldexp(1.0, 70)), "1.180591620717411303424e+21");  // 22 digits: scientific
}

TEST(TextExactDecimal, SpecialValues) {
  EXPECT_EQ(format_exact(ExactValue::inf(false)), "inf");
  EXPECT_EQ(format_exact(ExactValue::inf(true)), "-inf");
  EXPECT_EQ(format_exact(ExactValue::quiet_nan(false)), "nan");
  EXPECT_EQ(format_exact(ExactValue::quiet_nan(true)), "-nan");
}

// The digits of glibc's %.*e with enough precision are the exact expansion (glibc prints the
// binary value exactly); compare significant digits and exponent.
void expect_matches_printf(double x) {
  char buf[1200];
  std::snprintf(buf, sizeof buf, "%.800e", x);
  std::string s = buf;
  const auto e = s.find('e');
  std::string mant = s.substr(0, e);
  const long exp10 = std::strtol(s.c_str() + e + 1, nullptr, 10);
  if (mant[0] == '-') mant.erase(0, 1);
  mant.erase(1, 1);  // the point
  mant.erase(mant.find_last_not_of('0') + 1);
  const Decimal d = to_decimal(from_double(x));
  ASSERT_EQ(d.cls, ValueClass::finite);
  EXPECT_EQ(d.digits, mant) << x;
  EXPECT_EQ(d.exponent + static_cast<long>(d.digits.size()) - 1, exp10) << x;
  EXPECT_EQ(d.negative, std::signbit(x));
}

TEST(TextExactDecimal, MatchesGlibcPrintfOnRandomDoubles) {
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    const double x = std::bit_cast<double>(rng());
    if (!std::isfinite(x) || x == 0) continue;
    expect_matches_printf(x);
  }
  expect_matches_printf(std::numeric_limits<double>::denorm_min());
  expect_matches_printf(std::numeric_limits<double>::max());
  expect_matches_printf(std::numeric_limits<double>::min());
}

// ---- round trips: print exactly, parse, get the same value with no sticky bits ----

void expect_round_trip(const FormatSpec& f, std::uint64_t bits) {
  const ExactValue v = decode(f, bits);
  if (v.cls == ValueClass::nan) return;
  const std::string text = format_exact(v);
  const Decimal d = parse_decimal(text);
  EXPECT_EQ(d, to_decimal(v)) << f.name << " " << bits;
  ConvertOptions opt;
  opt.rounding = Rounding::rtz;  // any mode: the value is exact
  const Encoded r = encode_decimal(f, d, opt);
  EXPECT_EQ(r.bits, bits) << f.name << " " << text;
  EXPECT_EQ(r.flags, Flags{}) << f.name << " " << text;
}

TEST(TextRoundTrip, ExhaustiveSmallFormats) {
  for (const char* name : {"e4m3", "e5m2", "e4m3fnuz", "e3m4", "e2m3", "e2m1", "e8m0"}) {
    const FormatSpec f = format_by_name(name);
    for (std::uint64_t b = 0; b <= f.mask(); ++b) {
      if (f.is_zero(b) && (b & f.magnitude_mask()) != 0) continue;  // no-subnormal aliases of 0
      expect_round_trip(f, b);
    }
  }
  for (std::uint64_t b = 0; b <= 0xFFFF; b += 7) expect_round_trip(kF16, b);
}

TEST(TextRoundTrip, RandomWideFormats) {
  std::mt19937_64 rng(7);
  const FormatSpec wide = format_by_name("e11m52:bias=1500");  // values far below binary64's
  const FormatSpec huge = format_by_name("e20m43");            // exponents up to 2^19
  for (int i = 0; i < 300; ++i) {
    expect_round_trip(kF64, rng());
    expect_round_trip(kF32, rng() & kF32.mask());
    expect_round_trip(wide, rng());
  }
  for (int i = 0; i < 5; ++i) expect_round_trip(huge, rng() & huge.mask());
}

// ---- decimal -> binary rounding against glibc strtod / strtof in every IEEE mode ----

std::string random_decimal(std::mt19937_64& rng) {
  std::string s = (rng() & 1) ? "-" : "";
  const int digits = 1 + static_cast<int>(rng() % 40);
  for (int i = 0; i < digits; ++i) s += static_cast<char>('0' + rng() % 10);
  if (rng() % 3 == 0) {  // a long tail that lands near a midpoint or exact value
    s += static_cast<char>('0' + rng() % 10);
    s += std::string(rng() % 30, (rng() & 1) ? '0' : '9');
    s += static_cast<char>('0' + rng() % 10);
  }
  const int point = static_cast<int>(rng() % (s.size() + 1));
  if (point > (s[0] == '-' ? 1 : 0)) s.insert(static_cast<std::size_t>(point), ".");
  const int e = static_cast<int>(rng() % 700) - 350;
  return s + "e" + std::to_string(e);
}

TEST(TextEncodeDecimal, MatchesGlibcStrtodInEveryIeeeMode) {
  struct Mode {
    int fe;
    Rounding r;
  };
  const Mode modes[] = {{FE_TONEAREST, Rounding::rne},
                        {FE_TOWARDZERO, Rounding::rtz},
                        {FE_UPWARD, Rounding::rup},
                        {FE_DOWNWARD, Rounding::rdown}};
  std::mt19937_64 rng(99);
  std::vector<std::string> inputs = {"0.1",
                                     "1e-7",
                                     "-465",
                                     "4.9406564584124654e-324",
                                     "2.4703282292062327e-324",
                                     "2.4703282292062328e-324",
                                     "1.7976931348623158e308",
                                     "1.7976931348623159e308",
                                     "3.4028235677973366e38",
                                     "1.4012984643e-45",
                                     "7.0064923216e-46"};
  for (int i = 0; i < 3000; ++i) inputs.push_back(random_decimal(rng));
  int inexact = 0;  // the oracle must see inexact inputs, where the modes differ
  for (const Mode& m : modes) {
    ConvertOptions opt;
    opt.rounding = m.r;
    for (const std::string& s : inputs) {
      std::fesetround(m.fe);
      const double d = std::strtod(s.c_str(), nullptr);
      const float f = std::strtof(s.c_str(), nullptr);
      std::fesetround(FE_TONEAREST);
      const Decimal dec = parse_decimal(s);
      EXPECT_EQ(encode_decimal(kF64, dec, opt).bits, std::bit_cast<std::uint64_t>(d))
          << s << " " << to_string(m.r);
      EXPECT_EQ(encode_decimal(kF32, dec, opt).bits, std::bit_cast<std::uint32_t>(f))
          << s << " " << to_string(m.r);
      if (m.r == Rounding::rup) {
        std::fesetround(FE_DOWNWARD);
        const double below = std::strtod(s.c_str(), nullptr);
        std::fesetround(FE_TONEAREST);
        inexact += below != d;
      }
    }
  }
  EXPECT_GT(inexact, 2500);
}

TEST(TextEncodeDecimal, LiteralCases) {
  const ConvertOptions rne;
  // 0.1 in bfloat16: 0x3DCD = 0.10009765625 (0.1 = 1.6 x 2^-4; 1.6 x 128 = 204.8 -> 205 = 0xCD).
  EXPECT_EQ(encode_decimal(kBF16, parse_decimal("0.1"), rne), (Encoded{0x3DCD, Flags::inexact}));
  // E4M3: 465 > 464 (midpoint of 448 and the NaN-coded 480) overflows to NaN (OFP8 v1.0).
  EXPECT_EQ(encode_decimal(kE4M3, parse_decimal("465"), rne),
            (Encoded{0x7F, Flags::overflow | Flags::inexact}));
  EXPECT_EQ(encode_decimal(kE4M3, parse_decimal("464"), rne), (Encoded{0x7E, Flags::inexact}));
  // The exact binary64 value of 0.1 is exact; one more digit 1 far below makes it inexact.
  const std::string exact01 = "0.1000000000000000055511151231257827021181583404541015625";
  EXPECT_EQ(encode_decimal(kF64, parse_decimal(exact01), rne), (Encoded{0x3FB999999999999A, {}}));
  ConvertOptions up;
  up.rounding = Rounding::rup;
  EXPECT_EQ(encode_decimal(kF64, parse_decimal(exact01 + "000000000000000000000000001"), up),
            (Encoded{0x3FB999999999999B, Flags::inexact}));
  EXPECT_EQ(encode_decimal(kF64, parse_decimal(exact01 + "000000000000000000000000001"), rne),
            (Encoded{0x3FB999999999999A, Flags::inexact}));
  // Far outside every range: still the right side of every rounding decision.
  EXPECT_EQ(encode_decimal(kF16, parse_decimal("1e99999999"), rne),
            (Encoded{0x7C00, Flags::overflow | Flags::inexact}));
  EXPECT_EQ(encode_decimal(kF16, parse_decimal("1e-99999999"), up),
            (Encoded{0x0001, Flags::underflow | Flags::inexact}));
  EXPECT_EQ(encode_decimal(kF16, parse_decimal("-1e-99999999"), rne),
            (Encoded{0x8000, Flags::underflow | Flags::inexact}));
  // E8M0 has no zero: 0 -> 0x00 = 2^-127, underflow | inexact (CONVERSION_RULES 5).
  EXPECT_EQ(encode_decimal(format_by_name("e8m0"), parse_decimal("0"), rne),
            (Encoded{0x00, Flags::underflow | Flags::inexact}));
  // NaN and infinity.
  EXPECT_EQ(encode_decimal(kF16, parse_decimal("-inf"), rne), (Encoded{0xFC00, {}}));
  EXPECT_EQ(encode_decimal(kF16, parse_decimal("nan"), rne), (Encoded{0x7E00, {}}));
}

TEST(TextEncodeDecimal, StochasticNeedsBitsBelowTheQuantum) {
  ConvertOptions sr;
  sr.rounding = Rounding::sr;
  // binary64: 64 - 53 = 11 bits of 0.1 lie below the quantum; 16 random bits would need 5 more.
  EXPECT_THROW(encode_decimal(kF64, parse_decimal("0.1"), sr), std::invalid_argument);
  sr.sr_bits = 11;
  EXPECT_NO_THROW(encode_decimal(kF64, parse_decimal("0.1"), sr));
  sr.sr_bits = 16;
  EXPECT_NO_THROW(encode_decimal(kF64, parse_decimal("0.5"), sr));  // exact: nothing to decide
  EXPECT_NO_THROW(encode_decimal(kE4M3, parse_decimal("0.1"), sr));
  // Stochastic rounding of an exactly held value equals rounding its ExactValue.
  for (std::uint64_t i = 0; i < 64; ++i) {
    sr.seed = 5;
    EXPECT_EQ(encode_decimal(kE4M3, parse_decimal("0.1"), sr, i),
              encode(kE4M3, to_exact_value(parse_decimal("0.1")), sr, i));
  }
}

// ---- format_general: glibc printf("%.*g") is the oracle ----

TEST(TextFormatGeneral, LiteralCases) {
  EXPECT_EQ(format_general(from_double(0.001953125), 6), "0.00195312");  // tie -> even
  EXPECT_EQ(format_general(from_double(2.5), 1), "2");
  EXPECT_EQ(format_general(from_double(3.5), 1), "4");
  EXPECT_EQ(format_general(from_double(9.9999996), 6), "10");
  EXPECT_EQ(format_general(from_double(1e-5), 6), "1e-05");
  EXPECT_EQ(format_general(from_double(123456789.0), 6), "1.23457e+08");
  EXPECT_EQ(format_general(from_double(100.0), 6), "100");
  EXPECT_EQ(format_general(from_double(-0.0), 6), "-0");
  EXPECT_EQ(format_general(parse_decimal("1e-400"), 6), "1e-400");
  EXPECT_EQ(format_general(parse_decimal("9.9999985e-400"), 7), "9.999998e-400");  // tie, even
  EXPECT_EQ(format_general(parse_decimal("9.9999995e-400"), 7), "1e-399");         // tie, odd: up
}

TEST(TextFormatGeneral, MatchesGlibcPrintf) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    const double x = (i % 2)
                         ? std::bit_cast<double>(rng())
                         : std::ldexp(static_cast<double>(rng() % 100000), int(rng() % 40) - 30);
    if (!std::isfinite(x)) continue;
    for (int p : {1, 3, 6, 17}) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*g", p, x);
      EXPECT_EQ(format_general(from_double(x), p), buf) << x << " p=" << p;
    }
  }
}

// ---- subtract and format_ratio ----

TEST(TextSubtract, ExactLiteralCases) {
  const Decimal r = subtract(to_decimal(from_double(0.10009765625)), parse_decimal("0.1"));
  EXPECT_EQ(to_string(r), "0.00009765625");
  EXPECT_EQ(to_string(subtract(parse_decimal("1"), parse_decimal("1"))), "0");
  EXPECT_EQ(to_string(subtract(parse_decimal("1e-30"), parse_decimal("1"))),
            "-0.999999999999999999999999999999");
  EXPECT_EQ(to_string(subtract(parse_decimal("0"), parse_decimal("2.5"))), "-2.5");
  EXPECT_EQ(to_string(subtract(parse_decimal("-2.5"), parse_decimal("0"))), "-2.5");
  bool exact = false;
  subtract(parse_decimal("1e600000"), parse_decimal("1e-600000"), &exact);
  EXPECT_FALSE(exact);
  const Decimal far = subtract(parse_decimal("1"), parse_decimal("1e-5000000"), &exact);
  EXPECT_FALSE(exact);
  EXPECT_EQ(format_general(far, 40), "1");  // 0.999...9 rounds up
  EXPECT_EQ(far.cls, ValueClass::finite);
  EXPECT_LT(far.digits.size(), 100u);  // cut, not expanded
  EXPECT_TRUE(far.digits.starts_with("99"));
}

TEST(TextFormatRatio, CorrectlyRounded) {
  EXPECT_EQ(format_ratio(parse_decimal("1"), parse_decimal("3"), 6), "0.333333");
  EXPECT_EQ(format_ratio(parse_decimal("2"), parse_decimal("3"), 6), "0.666667");
  EXPECT_EQ(format_ratio(parse_decimal("-0.00009765625"), parse_decimal("0.1"), 17),
            "-0.0009765625");
  EXPECT_EQ(format_ratio(parse_decimal("1e-300"), parse_decimal("7e300"), 3), "1.43e-601");
  EXPECT_EQ(format_ratio(parse_decimal("0"), parse_decimal("7"), 3), "0");
  // A quotient just above a tie rounds up; the exact tie rounds to even.
  EXPECT_EQ(format_ratio(parse_decimal("25000000000000000000001"), parse_decimal("1e22"), 1), "3");
  EXPECT_EQ(format_ratio(parse_decimal("25"), parse_decimal("10"), 1), "2");
}

// ---- hex ----

TEST(TextHex, FormatPadsToTheFormatWidth) {
  EXPECT_EQ(format_hex(kF16, 0x3C00), "3C00");
  EXPECT_EQ(format_hex(kE4M3, 0x7), "07");
  EXPECT_EQ(format_hex(kF64, 0x3FB999999999999A), "3FB999999999999A");
  EXPECT_EQ(format_hex(kE2M3, 0x3F), "3F");
  EXPECT_EQ(format_hex(format_by_name("tf32"), 0x3FC00), "3FC00");
}

TEST(TextHex, FlagsAsTestFloatsByte) {
  EXPECT_EQ(format_flags(Flags{}), "00");
  EXPECT_EQ(format_flags(Flags::overflow | Flags::inexact), "05");
  EXPECT_EQ(format_flags(Flags::invalid), "10");
  EXPECT_EQ(format_flags(Flags(0x1F)), "1F");
}

TEST(TextHex, ParseAcceptsOptional0xAndEitherCase) {
  EXPECT_EQ(parse_hex(kF16, "0x3C00"), 0x3C00u);
  EXPECT_EQ(parse_hex(kF16, "3c00"), 0x3C00u);
  EXPECT_EQ(parse_hex(kF16, "0X7e"), 0x7Eu);
  EXPECT_EQ(parse_hex(kE2M3, "3F"), 0x3Fu);
  EXPECT_EQ(parse_hex(kF64, "FFFFFFFFFFFFFFFF"), ~std::uint64_t{0});
}

TEST(TextHex, ParseRejectsWithTheFormatAndWidth) {
  auto message = [](const FormatSpec& f, const char* text) {
    try {
      parse_hex(f, text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(kF16, "zz"),
            "expected a hex pattern of at most 4 digits for binary16, got \"zz\"");
  EXPECT_EQ(message(kF16, "10000"),
            "expected a hex pattern of at most 4 digits for binary16, got \"10000\"");
  EXPECT_EQ(message(kF16, "0x"),
            "expected a hex pattern of at most 4 digits for binary16, got \"0x\"");
  EXPECT_EQ(message(kE2M3, "40"),
            "expected a hex pattern of at most 2 digits for float6_e2m3fn, got \"40\" (6 bits: at "
            "most 3F)");
  EXPECT_EQ(message(kE4M3, "-1"),
            "expected a hex pattern of at most 2 digits for float8_e4m3fn, got \"-1\"");
}

}  // namespace
}  // namespace fpaudit
