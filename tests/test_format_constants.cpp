// Oracle: numbers typed in from the standards' tables (IEEE 754-2019 Table 3.5; OCP OFP8 v1.0
// Tables 1-2; OCP MX v1.0 Tables 2-4 and 5.4.1; LLVM/ml_dtypes for the FNUZ and IEEE-like FP8
// variants), written out literally. They do not consult the implementation: the library derives
// every constant from the descriptor, and these tests check the derivation.
#include <array>
#include <gtest/gtest.h>

#include <cmath>

#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/rounding/stochastic.hpp"

using namespace fpaudit;

namespace {

struct SpecRow {
  const char* name;
  int width, ebits, mbits, bias;
  double max_finite;
  std::uint64_t max_bits;
  double min_normal, min_subnormal;  // min_subnormal 0 = none
  double epsilon;                    // 2^-M
  std::int64_t inf_bits;             // -1 = none
  std::uint64_t nan_bits;            // one NaN pattern (positive where signed)
};

// clang-format off
const SpecRow kRows[] = {
  // IEEE 754-2019 Table 3.5 (binary16/32/64); bfloat16 and tf32 share binary32's exponent.
  {"binary64", 64, 11, 52, 1023, 1.7976931348623157e308, 0x7FEFFFFFFFFFFFFF, 0x1p-1022, 0x1p-1074, 0x1p-52, 0x7FF0000000000000, 0x7FF8000000000000},
  {"binary32", 32, 8, 23, 127, 3.4028234663852886e38, 0x7F7FFFFF, 0x1p-126, 0x1p-149, 0x1p-23, 0x7F800000, 0x7FC00000},
  {"tf32", 19, 8, 10, 127, 0x1.ffcp127, 0x3FBFF, 0x1p-126, 0x1p-136, 0x1p-10, 0x3FC00, 0x3FE00},
  {"bfloat16", 16, 8, 7, 127, 0x1.fep127, 0x7F7F, 0x1p-126, 0x1p-133, 0x1p-7, 0x7F80, 0x7FC0},
  {"binary16", 16, 5, 10, 15, 65504.0, 0x7BFF, 0x1p-14, 0x1p-24, 0x1p-10, 0x7C00, 0x7E00},
  // OFP8 v1.0 Table 1: E5M2 max 57344 = S.11110.11, inf S.11111.00; E4M3 max 448 = S.1111.110,
  // NaN S.1111.111, min normal 2^-6, min subnormal 2^-9.
  {"float8_e5m2", 8, 5, 2, 15, 57344.0, 0x7B, 0x1p-14, 0x1p-16, 0.25, 0x7C, 0x7E},
  {"float8_e4m3fn", 8, 4, 3, 7, 448.0, 0x7E, 0x1p-6, 0x1p-9, 0.125, -1, 0x7F},
  // FNUZ (LLVM D141863): bias 8/16, NaN 0x80, max at 0x7F.
  {"float8_e4m3fnuz", 8, 4, 3, 8, 240.0, 0x7F, 0x1p-7, 0x1p-10, 0.125, -1, 0x80},
  {"float8_e5m2fnuz", 8, 5, 2, 16, 57344.0, 0x7F, 0x1p-15, 0x1p-17, 0.25, -1, 0x80},
  {"float8_e4m3b11fnuz", 8, 4, 3, 11, 30.0, 0x7F, 0x1p-10, 0x1p-13, 0.125, -1, 0x80},
  // IEEE-like E4M3 (LLVM Float8E4M3): max 240, inf 0x78.
  {"float8_e4m3", 8, 4, 3, 7, 240.0, 0x77, 0x1p-6, 0x1p-9, 0.125, 0x78, 0x7C},
  {"float8_e3m4", 8, 3, 4, 3, 15.5, 0x6F, 0.25, 0x1p-6, 0.0625, 0x70, 0x78},
  // MX v1.0 Table 3 (FP6): E2M3 max 7.5, min normal 1, min subnormal 0.125; E3M2 max 28,
  // min normal 0.25, min subnormal 0.0625. Table 4 (FP4 E2M1): max 6, min normal 1, min sub 0.5.
  {"float6_e2m3fn", 6, 2, 3, 1, 7.5, 0x1F, 1.0, 0.125, 0.125, -1, 0},
  {"float6_e3m2fn", 6, 3, 2, 3, 28.0, 0x1F, 0.25, 0.0625, 0.25, -1, 0},
  {"float4_e2m1fn", 4, 2, 1, 1, 6.0, 0x7, 1.0, 0.5, 0.5, -1, 0},
  // MX v1.0 5.4.1: E8M0 bias 127, 0x00 = 2^-127, 0xFE = 2^127, 0xFF = NaN, no zero, no sign.
  {"float8_e8m0fnu", 8, 8, 0, 127, 0x1p127, 0xFE, 0x1p-127, 0, 1.0, -1, 0xFF},
};
// clang-format on

}  // namespace

TEST(FormatConstants, EveryRegisteredFormatMatchesItsSpecTable) {
  ASSERT_EQ(std::size(kRows), registered_formats().size());
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.name);
    const FormatSpec f = format_by_name(row.name);
    EXPECT_EQ(f.width(), row.width);
    EXPECT_EQ(f.exponent_bits, row.ebits);
    EXPECT_EQ(f.mantissa_bits, row.mbits);
    EXPECT_EQ(f.bias, row.bias);
    EXPECT_EQ(f.max_finite_bits(), row.max_bits);
    EXPECT_EQ(to_double(f, f.max_finite_bits()), row.max_finite);
    if (f.is_signed) {
      EXPECT_EQ(to_double(f, f.max_finite_bits() | f.sign_bit()), -row.max_finite);
    }
    EXPECT_EQ(std::ldexp(1.0, f.emin()), row.min_normal);
    if (row.min_subnormal != 0) {
      EXPECT_EQ(to_double(f, 1), row.min_subnormal);
      EXPECT_TRUE(f.is_subnormal(1));
    } else if (f.has_zero) {
      EXPECT_EQ(to_double(f, f.min_positive_bits()), row.min_normal);
    }
    // epsilon: the distance from 1 to the next larger value (for E8M0, 2 - 1).
    const double one_next = to_double(f, (std::uint64_t(f.bias) << f.mantissa_bits) + 1);
    EXPECT_EQ(one_next - 1.0, row.epsilon);
    if (row.inf_bits >= 0) {
      EXPECT_TRUE(f.has_inf);
      EXPECT_EQ(f.inf_bits(), static_cast<std::uint64_t>(row.inf_bits));
      EXPECT_EQ(to_double(f, f.inf_bits()), INFINITY);
    } else {
      EXPECT_FALSE(f.has_inf);
    }
    if (f.nan != NanEncoding::none) {
      EXPECT_TRUE(f.is_nan(row.nan_bits));
      EXPECT_EQ(f.default_nan_bits(), row.nan_bits);
      EXPECT_TRUE(std::isnan(to_double(f, row.nan_bits)));
    }
  }
}

TEST(FormatConstants, NanAndZeroEncodingsPerStyle) {
  // OFP8: E4M3 NaN is only S.1111.111, both signs; everything else in the top binade is finite.
  const FormatSpec e4m3 = format_by_name("e4m3");
  EXPECT_TRUE(e4m3.is_nan(0x7F));
  EXPECT_TRUE(e4m3.is_nan(0xFF));
  EXPECT_FALSE(e4m3.is_nan(0x7E));
  EXPECT_EQ(to_double(e4m3, 0x78), 256.0);
  EXPECT_EQ(to_double(e4m3, 0x80), -0.0);
  EXPECT_TRUE(std::signbit(to_double(e4m3, 0x80)));
  // E5M2: three NaN mantissas per sign, inf at S.11111.00.
  const FormatSpec e5m2 = format_by_name("e5m2");
  for (std::uint64_t b : {0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF}) EXPECT_TRUE(e5m2.is_nan(b)) << b;
  EXPECT_TRUE(e5m2.is_signaling_nan(0x7D));
  EXPECT_FALSE(e5m2.is_signaling_nan(0x7E));
  // FNUZ: 0x80 is the only NaN, there is no -0.
  const FormatSpec fnuz = format_by_name("e4m3fnuz");
  EXPECT_TRUE(fnuz.is_nan(0x80));
  for (std::uint64_t b = 0; b < 256; ++b) EXPECT_EQ(fnuz.is_nan(b), b == 0x80) << b;
  // FP4 E2M1 values (MX v1.0 Table 4): 0, 0.5, 1, 1.5, 2, 3, 4, 6 and negatives.
  const FormatSpec fp4 = format_by_name("fp4");
  const double expect[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(to_double(fp4, i), expect[i]);
    EXPECT_EQ(to_double(fp4, 8 + i), -expect[i]);
  }
  // E8M0: 0x7F = 1.0, 0x00 = 2^-127, no zero.
  const FormatSpec e8m0 = format_by_name("e8m0");
  EXPECT_EQ(to_double(e8m0, 0x7F), 1.0);
  EXPECT_EQ(to_double(e8m0, 0x00), 0x1p-127);
  EXPECT_FALSE(e8m0.is_zero(0));
  EXPECT_FALSE(e8m0.is_signed);
}

TEST(FormatNames, AliasesResolveToTheRegisteredFormat) {
  EXPECT_EQ(format_by_name("f16").name, "binary16");
  EXPECT_EQ(format_by_name("HALF").name, "binary16");
  EXPECT_EQ(format_by_name("bf16").name, "bfloat16");
  EXPECT_EQ(format_by_name("e4m3").name, "float8_e4m3fn");
  EXPECT_EQ(format_by_name("e5m2").name, "float8_e5m2");
  EXPECT_EQ(format_by_name("fp4").name, "float4_e2m1fn");
  EXPECT_EQ(format_by_name("e8m0").name, "float8_e8m0fnu");
}

TEST(FormatNames, CustomStringsDescribeTheRightStructure) {
  const FormatSpec a = format_by_name("e6m9");
  EXPECT_EQ(a.exponent_bits, 6);
  EXPECT_EQ(a.mantissa_bits, 9);
  EXPECT_EQ(a.bias, 31);
  EXPECT_TRUE(a.has_inf);
  EXPECT_EQ(format_by_name("e4m3:fn"), format_by_name("float8_e4m3fn"));
  EXPECT_EQ(format_by_name("e5m2:fnuz"), format_by_name("float8_e5m2fnuz"));
  EXPECT_EQ(format_by_name("e4m3:fnuz"), format_by_name("float8_e4m3fnuz"));
  EXPECT_EQ(format_by_name("e4m3:fnuz:bias=11"), format_by_name("float8_e4m3b11fnuz"));
  EXPECT_EQ(format_by_name("ue8m0:fn:nosub:nozero"), format_by_name("float8_e8m0fnu"));
  const FormatSpec nosub = format_by_name("e3m2:fn:nosub");
  EXPECT_FALSE(nosub.has_subnormals);
  EXPECT_EQ(to_double(nosub, nosub.min_positive_bits()), 0.25);  // 2^(1-3)
  EXPECT_EQ(to_double(nosub, 0x01), 0.0);                          // unused pattern reads as zero
  EXPECT_EQ(format_by_name("e11m52"), format_by_name("binary64"));
}

TEST(FormatNames, MalformedStringsGiveOneLineErrors) {
  auto message = [](const char* s) {
    try {
      (void)format_by_name(s);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("e4m3:bogus"),
            "invalid format \"e4m3:bogus\": unknown option \"bogus\" (expected fn, fnuz, ieee, nonan, "
            "bias=N, nosub, nozero, unsigned)");
  EXPECT_EQ(message("e4m62"),
            "invalid format \"e4m62\": mantissa bits 62 out of range (expected 0..61: at most 62 "
            "significant bits)");
  EXPECT_EQ(message("e70m2"), "invalid format \"e70m2\": exponent bits 70 out of range (expected 1..20)");
  EXPECT_EQ(message("e4mx"), "invalid format \"e4mx\": expected an integer for mantissa bits, got \"x\"");
  EXPECT_EQ(message("e4m3:bias=q"), "invalid format \"e4m3:bias=q\": expected an integer for bias, got \"q\"");
  EXPECT_EQ(message("float9"),
            "invalid format \"float9\": not a registered format (see `fpaudit formats`) nor a custom "
            "e<E>m<M>[:options] string");
  EXPECT_EQ(message("e1m2"),
            "invalid format \"e1m2\": ieee NaN encoding needs at least 2 exponent bits and 1 mantissa bit");
  EXPECT_EQ(message("e8m0"), "no error");  // the registered E8M0
  EXPECT_NE(message("e8m0:ieee").find("ieee NaN encoding needs"), std::string::npos);
  EXPECT_NE(message("e3m2:fnuz:unsigned").find("fnuz needs a sign bit"), std::string::npos);
}

TEST(Stochastic, PhiloxKnownAnswer) {
  // Random123 tests/kat_vectors, the three "philox4x32 10" lines: counter, key, result.
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (std::array<std::uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (std::array<std::uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (std::array<std::uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Stochastic, ElementIndexUsesEveryWordOfABlock) {
  // Element i draws word i mod 4 of the block at counter floor(i / 4): seed 0 gives the zero
  // KAT's four words for elements 0..3.
  const std::uint32_t zero_block[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_EQ(philox_word(0, i), zero_block[i]);
  // The key is the seed (k0 low half, k1 high half); the counter's high word is index >> 34.
  const std::uint64_t seed = 0x299f31d0a4093822ull, index = (std::uint64_t{0x05a308d3} << 34) |
                                                            (std::uint64_t{0x243f6a88} << 2) | 1;
  EXPECT_EQ(philox_word(seed, index),
            philox4x32_10({0x243f6a88, 0x05a308d3, 0, 0}, {0xa4093822, 0x299f31d0})[1]);
  EXPECT_EQ(stochastic_bits(0, 1, 8), 0xe1u);
}
