// The block-FMA model's steps (include/fpaudit/gemm/block_fma.hpp, docs/TENSOR_CORES.md 1), one
// hand-computed case each. Oracle: the arithmetic is worked out in the comment beside each case
// from the step's definition (Khattak & Mikaitis, Generic_BFMA_TC.m / GEMM.m as restated in the
// research note tensor-core-models.md 1.3-1.5), and the expected result is a literal binary32 /
// binary16 pattern or value. Inputs are exact values of their formats (checked).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/gemm/tensor_core_presets.hpp"

namespace {

using namespace fpaudit;

std::vector<ExactValue> exact(const FormatSpec& f, const std::vector<double>& v) {
  std::vector<ExactValue> r;
  for (double x : v) {
    const Encoded e = convert_double(x, f, {});
    EXPECT_FALSE(e.flags.has(Flags::inexact)) << x << " is not a value of " << f.name;
    r.push_back(decode(f, e.bits));
  }
  return r;
}

// D = a . b + c under `spec`, as the bits of `out`.
std::uint64_t dot(const std::string& spec, const char* in, const std::vector<double>& a,
                  const std::vector<double>& b, double c = 0.0, const char* out = "binary32") {
  const gemm::AccumulationModel m = gemm::parse_model(spec);
  const FormatSpec fi = format_by_name(in), fo = format_by_name(out);
  const ExactValue cv =
      c == 0.0 ? ExactValue::zero(false) : exact(fo, {c}).front();  // C: a value of D's format
  return gemm::model_dot(m, exact(fi, a), exact(fi, b), fi, fi, cv, fo, {}).bits;
}

std::uint32_t f32(double x) {
  return static_cast<std::uint32_t>(convert_double(x, format_by_name("binary32"), {}).bits);
}

const std::string kGlobal = "fused:acc=binary32,rounding=rtz,min_exponent=-1024,";

TEST(BlockFma, B5AlignmentTruncatesStickyAndRne) {
  // Products 1 and 0.1875 (= 0b0.0011), E_max = 0, fraction_bits 3: grid 2^-3.
  // truncate: 0.1875 / 2^-3 = 1.5 -> 1: 1 + 0.125 = 1.125.
  EXPECT_EQ(dot(kGlobal + "terms=2,fraction_bits=3", "binary16", {1, 0.1875}, {1, 1}), f32(1.125));
  // rne: 1.5 -> 2: 1.25.
  EXPECT_EQ(dot(kGlobal + "terms=2,fraction_bits=3,alignment=rne", "binary16", {1, 0.1875}, {1, 1}),
            f32(1.25));
  // sticky: grid 2^-4; 0.15625 / 2^-4 = 2.5 -> 2 with a lost bit -> 0b11 = 3: 1 + 3/16.
  EXPECT_EQ(
      dot(kGlobal + "terms=2,fraction_bits=3,alignment=sticky", "binary16", {1, 0.15625}, {1, 1}),
      f32(1.1875));
}

TEST(BlockFma, B3SubnormalOperandsKeepTheFormatEmin) {
  // fp16 3 x 2^-24 (subnormal) x 1: exponent clamps at emin = -14, so E_max = -14 and with
  // fraction_bits 3 the grid is 2^-17: 3 x 2^-24 / 2^-17 < 1 -> 0 -> +0 (research 3.7).
  EXPECT_EQ(dot(kGlobal + "terms=1,fraction_bits=3", "binary16", {3 * std::ldexp(1.0, -24)}, {1}),
            0u);
  // The same value as a binary32 input (normal there, exponent -23): grid 2^-26, exact.
  EXPECT_EQ(dot(kGlobal + "terms=1,fraction_bits=3", "binary32", {3 * std::ldexp(1.0, -24)}, {1}),
            f32(3 * std::ldexp(1.0, -24)));
}

TEST(BlockFma, B5MinExponentBoundsTheAlignmentExponent) {
  // bf16 2^-20 x 1 alone: E_max = max(-20, min_exponent -10) = -10, grid 2^-13 -> 0 -> +0.
  EXPECT_EQ(dot("fused:acc=binary32,rounding=rtz,terms=1,fraction_bits=3,min_exponent=-10",
                "bfloat16", {std::ldexp(1.0, -20)}, {1}),
            0u);
  EXPECT_EQ(dot(kGlobal + "terms=1,fraction_bits=3", "bfloat16", {std::ldexp(1.0, -20)}, {1}),
            f32(std::ldexp(1.0, -20)));
}

TEST(BlockFma, B4AddendAlignedOrAddedLast) {
  // c = 1 and the product 1.5 x 2^-23, fraction_bits 23: aligned to c's exponent the product is
  // 1.5 units of 2^-23 -> 1 (truncated): 1 + 2^-23 (research 3.8).
  const std::vector<double> a{1.5 * std::ldexp(1.0, -23)}, b{1};
  EXPECT_EQ(dot(kGlobal + "terms=1,fraction_bits=23", "binary32", a, b, 1.0),
            f32(1 + std::ldexp(1.0, -23)));
  // c added last with one RNE rounding: T = 1.5 x 2^-23 exactly, 1 + 1.5 x 2^-23 -> 1 + 2^-22.
  EXPECT_EQ(
      dot(kGlobal + "terms=1,fraction_bits=23,c_entry=last,c_rounding=rne", "binary32", a, b, 1.0),
      f32(1 + std::ldexp(1.0, -22)));
  // H100 fp8 (neab -10): a lone c = 1 + 2^-20 is also cut to 13 fraction bits: 1 (research 1.4).
  EXPECT_EQ(dot("nvidia-h100-fp8-fp32", "float8_e4m3fn", {0}, {0}, 1 + std::ldexp(1.0, -20)),
            f32(1));
}

TEST(BlockFma, B6ExactZeroIsPositive) {
  // 1 x 1 + c = -1 cancels exactly: +0, in every rounding mode (research 3.6).
  for (const char* r : {"rtz", "rne", "rdown"})
    EXPECT_EQ(dot("nvidia-h100-fp16-fp32:rounding=" + std::string(r), "binary16", {1}, {1}, -1.0),
              0u)
        << r;
}

TEST(BlockFma, B8OverflowIsInfinityUnderTruncation) {
  // H100 fp16 -> fp16 (RNE) and a RZ variant: 256 x 256 = 65536 > 65504: +inf (0x7C00), not
  // the largest finite value, and not the finite out-of-range value of the MATLAB (research 3.4).
  EXPECT_EQ(dot("nvidia-h100-fp16-fp16", "binary16", {256}, {256}, 0, "binary16"), 0x7C00u);
  EXPECT_EQ(dot("nvidia-h100-fp16-fp16:rounding=rtz", "binary16", {1024}, {1024}, 0, "binary16"),
            0x7C00u);
  // An infinity made by one block stays infinite in the next (fpaudit; the MATLAB reads it back
  // as 2^128, research 3.5): terms 1, products 256 x 256 then -1 x 1.
  EXPECT_EQ(dot("nvidia-h100-fp16-fp16:terms=1", "binary16", {256, -1}, {256, 1}, 0, "binary16"),
            0x7C00u);
}

TEST(BlockFma, SpecialValuesAreDecidedBeforeAnyBlock) {
  const double inf = INFINITY;
  const FormatSpec f32f = format_by_name("binary32");
  EXPECT_TRUE(f32f.is_nan(dot("nvidia-a100-bf16-fp32", "bfloat16", {0, 1}, {inf, 1})));  // 0 x inf
  EXPECT_TRUE(
      f32f.is_nan(dot("nvidia-a100-bf16-fp32", "bfloat16", {inf, -inf}, {1, 1})));      // inf - inf
  EXPECT_EQ(dot("nvidia-a100-bf16-fp32", "bfloat16", {-inf, 1}, {1, 1}), 0xFF800000u);  // -inf
}

TEST(BlockFma, ChainRoundsEveryBlock) {
  // fraction_bits 25, RZ into binary32. Products 1, 2^-24, 2^-24, 0.
  // terms 2: block 1 = 1 + 2^-24 -> RZ -> 1; block 2 = 1 + 2^-24 + 0 -> 1.  Result 1.
  // terms 4: one block, 1 + 2^-23 exactly: 1 + 2^-23.
  const double u = std::ldexp(1.0, -12);  // fp16 2^-12 x 2^-12 = 2^-24
  const std::vector<double> a{1, u, u, 0}, b{1, u, u, 1};
  EXPECT_EQ(dot(kGlobal + "terms=2,fraction_bits=25", "binary16", a, b), f32(1));
  EXPECT_EQ(dot(kGlobal + "terms=4,fraction_bits=25", "binary16", a, b),
            f32(1 + std::ldexp(1.0, -23)));
}

TEST(BlockFma, InstructionGroupsFollowTheInterleave) {
  // 4 products per instruction in 2 blocks of 2; products 1, 2^-24, 0, 2^-24 (fraction_bits 25,
  // RZ). consecutive: {1, 2^-24} -> 1; {0, 2^-24} + 1 -> 1. interleave 1: {p0, p2} = {1, 0} -> 1;
  // {p1, p3} + 1 = 1 + 2^-23 exactly.
  const double u = std::ldexp(1.0, -12);
  const std::vector<double> a{1, u, 0, u}, b{1, u, 1, u};
  const std::string base = kGlobal + "terms=2,fraction_bits=25,instruction_k=4";
  EXPECT_EQ(dot(base, "binary16", a, b), f32(1));
  EXPECT_EQ(dot(base + ",interleave=1", "binary16", a, b), f32(1 + std::ldexp(1.0, -23)));
}

TEST(BlockFma, ProductsNormalisedOrNot) {
  // Products 1.5 x 1.5 = 2.25 and 0.25 x 1, fraction_bits 2, RZ.
  // denorm_prd 1 (NVIDIA): E = 0 + 0, grid 2^-2: 2.25 -> 9 units, 0.25 -> 1: 2.5.
  // normalised (denorm_prd 0): E = 1, grid 2^-1: 2.25 -> 4 units, 0.25 -> 0: 2.
  const std::vector<double> a{1.5, 0.25}, b{1.5, 1};
  EXPECT_EQ(dot(kGlobal + "terms=2,fraction_bits=2", "binary16", a, b), f32(2.5));
  EXPECT_EQ(dot(kGlobal + "terms=2,fraction_bits=2,normalise_products=1", "binary16", a, b),
            f32(2));
}

TEST(BlockFma, ProductLimitGivesPositiveInfinityOrNaN) {
  // bf16 2^64 x 2^64 = 2^128 >= 2^(emax + 1): +inf, whatever the product's sign (K&M B2).
  const double big = std::ldexp(1.0, 64);
  const std::string s = kGlobal + "terms=2,fraction_bits=24,product_limit=1";
  EXPECT_EQ(dot(s, "bfloat16", {big}, {big}), 0x7F800000u);
  EXPECT_EQ(dot(s, "bfloat16", {-big}, {big}), 0x7F800000u);
  EXPECT_TRUE(format_by_name("binary32").is_nan(dot(s, "bfloat16", {-big, big}, {big, big})));
}

TEST(BlockFma, LateSumAddsCWithTheAlignmentRounding) {
  // fraction_bits 24, result RZ. c = 1 (E_c 0) is larger than the product -3 x 2^-33 (E_p -32):
  // both scaled by 2^7, the product's 3 x 2^23 units become 3 x 2^30, shifted right by 32:
  // 0.75 -> rd: -1 (floor), rtz: 0. Sum 2^31 - 1 (units 2^-31) = 1 - 2^-31 -> RZ: 0x3F7FFFFF;
  // or 2^31 -> 1.
  const std::vector<double> a{-3 * std::ldexp(1.0, -33)}, b{1};
  const std::string s = "fused:acc=binary32,rounding=rtz,terms=1,fraction_bits=24,path=late-sum,";
  EXPECT_EQ(dot(s + "armode=rdown", "binary32", a, b, 1.0), 0x3F7FFFFFu);
  EXPECT_EQ(dot(s + "armode=rtz", "binary32", a, b, 1.0), 0x3F800000u);
  // c smaller: product 1, c = -3 x 2^-33 (E_c -32): C_int = 3 x 2^23 units of 2^-56, shifted by
  // 32: 0.0058 -> rd on a negative: 1. 2^24 - 1 units of 2^-24: 1 - 2^-24 = 0x3F7FFFFF.
  EXPECT_EQ(dot(s + "armode=rdown", "binary32", {1}, {1}, -3 * std::ldexp(1.0, -33)), 0x3F7FFFFFu);
  // Odd/even: the same, but no rd adjustment for a c more than 25 binades below: 1.
  const std::string oe =
      "fused:acc=binary32,rounding=rtz,terms=2,fraction_bits=24,path=odd-even,armode=rdown";
  EXPECT_EQ(dot(oe, "binary32", {1, 0}, {1, 0}, -3 * std::ldexp(1.0, -33)), 0x3F800000u);
}

TEST(BlockFma, PairwiseTreeAndExactPaths) {
  // Products 1, 2^-24, 2^-24, 0 (fp16 2^-12 x 2^-12), binary32 RNE.
  // pairwise (CDNA2): (1 + 2^-24) -> tie -> 1; (2^-24 + 0) = 2^-24; 1 + 2^-24 -> 1.
  // exact (CDNA1): 1 + 2^-23, representable: 1 + 2^-23.
  const double u = std::ldexp(1.0, -12);
  const std::vector<double> a{1, u, u, 0}, b{1, u, u, 1};
  EXPECT_EQ(dot("amd-mi210-fp16-fp32", "binary16", a, b), f32(1));
  EXPECT_EQ(dot("amd-mi100-fp16-fp32", "binary16", a, b), f32(1 + std::ldexp(1.0, -23)));
  // exact: 1 - 1 + 2^-40 and 1 - 1 + 2^-80 in one block are 2^-40 and 2^-80 exactly (a span of 41
  // bits takes the 64-bit sum, 81 bits the wide one; the global path would cut the small term).
  for (int e : {-20, -40})
    EXPECT_EQ(dot("amd-mi100-bf16-fp32:terms=4", "bfloat16", {1, -1, std::ldexp(1.0, e)},
                  {1, 1, std::ldexp(1.0, e)}),
              f32(std::ldexp(1.0, 2 * e)));
  // pairwise flushes subnormal inputs: fp16 2^-24 (subnormal) x 2^10 = 2^-14 is read as 0.
  EXPECT_EQ(dot("amd-mi210-fp16-fp32", "binary16", {std::ldexp(1.0, -24)}, {1024}), 0u);
  EXPECT_EQ(dot("amd-mi100-fp16-fp32", "binary16", {std::ldexp(1.0, -24)}, {1024}),
            f32(std::ldexp(1.0, -14)));
}

TEST(BlockFma, PresetsAreWellFormed) {
  for (const auto& p : gemm::tensor_core_presets()) {
    EXPECT_FALSE(p.source.empty()) << p.name;
    EXPECT_FALSE(p.notes.empty()) << p.name;
    EXPECT_EQ(p.name.rfind(p.device + "-", 0), 0u) << p.name;
    const int k = p.block.instruction_k > 0 ? p.block.instruction_k : p.block.terms;
    EXPECT_EQ(k % p.block.terms, 0) << p.name;
    // device_preset finds each preset from its device and formats.
    for (const auto& in : p.inputs)
      EXPECT_EQ(gemm::device_preset(p.device, format_by_name(in), format_by_name(p.output)).name,
                p.name);
  }
}

}  // namespace
