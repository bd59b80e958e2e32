// Hardware and library conversion paths (include/fpaudit/hw/): every available path against the
// reference configured to its documented semantics, literal facts about the instructions, the
// fast binary32 reference of the exhaustive check, the mismatch classes, and `fpaudit hw`.
//
// Oracles, by test:
//  * EveryPath/*: fpaudit::convert (docs/CONVERSION_RULES.md) configured to the path's documented
//    semantics (SDM entries quoted in src/hw/x86/x86_paths.cpp; Eigen and libgcc sources), over
//    all 2^16 patterns for 16-bit sources and the boundary-rich set for binary32/binary64.
//  * Facts*: literal bit patterns worked out by hand from the SDM pseudocode and IEEE 754-2019
//    (each with its derivation); the IEEE side of each fact is also asserted on fpaudit::convert.
//  * F32Narrowing*: fpaudit::convert_float, an independent implementation (decode to an exact
//    value, then the one general rounding routine), on every binary32 within 2 ulps of every
//    binary16 / bfloat16 / E5M2 value and midpoint, specials, subnormals and random patterns.
//  * Classify*: hand-made (input, expected, got) triples, one per class.
// Paths this machine cannot run are skipped with the reason (GTEST_SKIP), never silently.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/check.hpp"
#include "fpaudit/hw/cpu_features.hpp"
#include "fpaudit/hw/f32_reference.hpp"
#include "fpaudit/hw/input_set.hpp"
#include "fpaudit/hw/path.hpp"
#include "subprocess.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::hw;

const FormatSpec f32 = format_by_name("binary32");
const FormatSpec f16 = format_by_name("binary16");
const FormatSpec bf16 = format_by_name("bfloat16");
const FormatSpec f64 = format_by_name("binary64");

std::string examples_text(const ConversionPath& p, const MismatchTally& t) {
  std::ostringstream s;
  for (int c = 0; c < kMismatchClassCount; ++c)
    for (const MismatchExample& e : t.examples[c])
      s << "  " << to_string(static_cast<MismatchClass>(c)) << ": in " << std::hex << e.input
        << " expected " << e.expected << " got " << e.got << std::dec << " (" << p.name << ")\n";
  return s.str();
}

// Runs an available path on one input pattern.
std::uint64_t run_one(const ConversionPath& p, std::uint64_t in) {
  unsigned char src[8] = {}, dst[8] = {};
  std::memcpy(src, &in, storage_bytes(p.from));
  p.run(src, dst, 1);
  std::uint64_t out = 0;
  std::memcpy(&out, dst, storage_bytes(p.to));
  return out;
}

// The path, or a skip with the reason it is unavailable here.
#define REQUIRE_PATH(var, name)                                                    \
  const ConversionPath* var = find_conversion_path(name);                          \
  ASSERT_NE(var, nullptr) << name << " is not registered";                         \
  if (std::string why; !path_available(*var, &why)) GTEST_SKIP() << name << ": " << why

// For tests that go on with other paths: the path if this machine can run it, otherwise nullptr
// and a "[ SKIPPED  ]" line with the reason.
const ConversionPath* usable(const char* name) {
  const ConversionPath* p = find_conversion_path(name);
  if (p == nullptr) {
    ADD_FAILURE() << name << " is not registered";
    return nullptr;
  }
  std::string why;
  if (!path_available(*p, &why)) {
    std::printf("[ SKIPPED  ] %s: %s\n", name, why.c_str());
    return nullptr;
  }
  return p;
}

std::uint64_t ieee(const FormatSpec& from, std::uint64_t in, const FormatSpec& to) {
  return convert(from, in, to, ConvertOptions{}).bits;
}

// ---- the registry ----

TEST(HwRegistry, NamesUniqueAndEveryPathDescribed) {
  std::set<std::string> names;
  for (const ConversionPath& p : conversion_paths()) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    EXPECT_FALSE(p.semantics.empty()) << p.name;
    EXPECT_EQ(p.semantics.find('\n'), std::string::npos) << p.name << ": one line";
    EXPECT_NE(p.run, nullptr) << p.name;
    std::string why;
    if (!path_available(p, &why)) {
      EXPECT_FALSE(why.empty()) << p.name;
    }
  }
  // The paths the "hardware paths" issue asks for, by name.
  for (const char* name :
       {"x86.vcvtps2ph.imm0", "x86.vcvtps2ph.imm1", "x86.vcvtps2ph.imm2", "x86.vcvtps2ph.imm3",
        "x86.vcvtps2ph.imm4", "x86.vcvtph2ps", "x86.vcvtps2phx", "x86.vcvtsd2sh", "x86.vcvtsh2sd",
        "x86.vcvtneps2bf16", "cxx.f32_to_f16.soft", "cxx.f32_to_f16.f16c",
        "cxx.f32_to_f16.avx512fp16", "cxx.f16_to_f32.soft", "eigen.half.from_f32",
        "eigen.bfloat16.from_f32"})
    EXPECT_NE(find_conversion_path(name), nullptr) << name;
}

TEST(HwRegistry, PatternsMatch) {
  EXPECT_EQ(match_conversion_paths("x86.vcvtps2ph.*").size(), 7u);
  EXPECT_EQ(match_conversion_paths("x86.vcvtneps2bf16").size(), 1u);
  EXPECT_EQ(match_conversion_paths("*.bfloat16.*").size(), 2u);
  EXPECT_EQ(match_conversion_paths("cxx.*.soft").size(), 4u);
  EXPECT_TRUE(match_conversion_paths("x86.nothing*").empty());
  EXPECT_EQ(match_conversion_paths("*").size(), conversion_paths().size());
}

TEST(HwRegistry, FeatureQueriesGiveReasons) {
  // Whatever this machine has, a "no" comes with a one-line reason naming the feature or state.
  for (CpuFeature f : {CpuFeature::avx, CpuFeature::f16c, CpuFeature::avx512f,
                       CpuFeature::avx512bw, CpuFeature::avx512dq, CpuFeature::avx512vl,
                       CpuFeature::avx512_bf16, CpuFeature::avx512_fp16}) {
    std::string why;
    if (!cpu_supports(f, &why)) {
      EXPECT_FALSE(why.empty()) << to_string(f);
      EXPECT_EQ(why.find('\n'), std::string::npos);
    }
  }
}

// ---- every path against its documented semantics ----

class EveryPath : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPath, MatchesDocumentedSemantics) {
  REQUIRE_PATH(p, GetParam());
  CheckOptions opt;
  opt.threads = 2;
  const CheckResult r = check_path(*p, opt);
  if (source_is_enumerable(p->from)) EXPECT_EQ(r.inputs, std::uint64_t{1} << p->from.width());
  else EXPECT_GT(r.inputs, 600000u);
  EXPECT_EQ(r.vs_documented.total, 0u) << "unexplained:\n" << examples_text(*p, r.vs_documented);
}

std::vector<std::string> all_path_names() {
  std::vector<std::string> v;
  // The CUDA paths have their own test (tests/test_cuda_paths.cpp: their documented
  // differences counted exactly, FP8/FP6/FP4/E8M0 targets with smaller input sets).
  for (const ConversionPath& p : conversion_paths())
    if (p.name.rfind("cuda.", 0) != 0) v.push_back(p.name);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Hw, EveryPath, ::testing::ValuesIn(all_path_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string s = info.param;
                           std::replace_if(s.begin(), s.end(),
                                           [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                                           '_');
                           return s;
                         });

// What the IEEE comparison shows, per path (counts on the boundary set are set-dependent, so
// only the classes are asserted here; the exhaustive counts are in long_hw_exhaustive.cpp).
TEST(HwDifferences, Vcvtneps2bf16DiffersOnlyOnSubnormalInputs) {
  REQUIRE_PATH(p, "x86.vcvtneps2bf16");
  const CheckResult r = check_path(*p);
  EXPECT_GT(r.vs_ieee.total, 0u);
  EXPECT_EQ(r.vs_ieee.count(MismatchClass::input_denormal_as_zero), r.vs_ieee.total);
}

TEST(HwDifferences, F16cRneAgreesWithIeeeEverywhere) {
  for (const char* name : {"x86.vcvtps2ph.imm0", "x86.vcvtps2ph.imm4", "x86.vcvtph2ps",
                           "x86.vcvtps2phx", "x86.vcvtsd2sh", "x86.vcvtsh2sd"}) {
    const ConversionPath* p = usable(name);
    if (p == nullptr) continue;
    EXPECT_EQ(check_path(*p).vs_ieee.total, 0u) << name;
  }
}

TEST(HwDifferences, EigenNaNRules) {
  REQUIRE_PATH(p, "eigen.half.to_f32");
  const CheckResult r = check_path(*p);
  // Every binary16 sNaN (2 signs x 511 payloads) stays signalling: the only difference.
  EXPECT_EQ(r.vs_ieee.total, 1022u);
  EXPECT_EQ(r.vs_ieee.count(MismatchClass::nan_quieting), 1022u);
}

// ---- literal facts ----

TEST(Facts, Vcvtneps2bf16) {
  REQUIRE_PATH(p, "x86.vcvtneps2bf16");
  // Largest binary32 subnormal 0x007FFFFF = (1 - 2^-23) 2^-126: IEEE RNE rounds it up to the
  // smallest bfloat16 normal 2^-126 = 0x0080; the instruction reads it as +0 (DAZ).
  EXPECT_EQ(ieee(f32, 0x007FFFFF, bf16), 0x0080u);
  EXPECT_EQ(run_one(*p, 0x007FFFFF), 0x0000u);
  EXPECT_EQ(run_one(*p, 0x807FFFFF), 0x8000u);  // sign kept
  // 0x00400000 = 2^-127 is a bfloat16 subnormal (0x0040) under IEEE; +0 from the instruction.
  EXPECT_EQ(ieee(f32, 0x00400000, bf16), 0x0040u);
  EXPECT_EQ(run_one(*p, 0x00400000), 0x0000u);
  // 0x00000001 (2^-149) rounds to +0 either way.
  EXPECT_EQ(ieee(f32, 0x00000001, bf16), 0x0000u);
  EXPECT_EQ(run_one(*p, 0x00000001), 0x0000u);
  // Normal values: (x + 0x7FFF + x[16]) >> 16. 1 + 2^-8 is a tie to even (down), 1 + 3*2^-8 a
  // tie to even (up); max binary32 rounds to +inf.
  EXPECT_EQ(run_one(*p, 0x3F808000), 0x3F80u);
  EXPECT_EQ(run_one(*p, 0x3F818000), 0x3F82u);
  EXPECT_EQ(run_one(*p, 0x7F7FFFFF), 0x7F80u);
  // NaN: x[31:16] with the quiet bit (bit 6) set: payload below bit 16 dropped, sign kept.
  EXPECT_EQ(run_one(*p, 0x7F800001), 0x7FC0u);
  EXPECT_EQ(run_one(*p, 0xFF810000), 0xFFC1u);
}

TEST(Facts, Vcvtps2phImmediates) {
  // 65535 = 0x477FFF00 lies past the overflow threshold 65520 (midpoint of 65504 and 2^16).
  const std::uint64_t x = 0x477FFF00, minus_x = 0xC77FFF00;
  EXPECT_EQ(ieee(f32, x, f16), 0x7C00u);
  struct Fact {
    const char* path;
    std::uint64_t in, out;
  };
  for (const Fact& f : {Fact{"x86.vcvtps2ph.imm3", x, 0x7BFF},       // truncate: max finite
                        Fact{"x86.vcvtps2ph.imm0", x, 0x7C00},       // RNE: +inf
                        Fact{"x86.vcvtps2ph.imm1", minus_x, 0xFC00},  // down, negative: -inf
                        Fact{"x86.vcvtps2ph.imm1", x, 0x7BFF},        // down, positive: +max
                        Fact{"x86.vcvtps2ph.imm2", minus_x, 0xFBFF},  // up, negative: -max
                        Fact{"x86.vcvtps2ph.imm4", x, 0x7C00},        // MXCSR.RC = RNE
                        Fact{"x86.vcvtps2ph.imm4.mxcsr_rz", x, 0x7BFF},  // MXCSR.RC = RZ
                        // 1 + 2^-11 (0x3F801000): a tie, even -> 1.0; up -> 1 + 2^-10.
                        Fact{"x86.vcvtps2ph.imm0", 0x3F801000, 0x3C00},
                        Fact{"x86.vcvtps2ph.imm2", 0x3F801000, 0x3C01},
                        // 1 + 2^-10 - 2^-23 (0x3F801FFF): nearest 1 + 2^-10, truncated 1.0.
                        Fact{"x86.vcvtps2ph.imm0", 0x3F801FFF, 0x3C01},
                        Fact{"x86.vcvtps2ph.imm3", 0x3F801FFF, 0x3C00}}) {
    const ConversionPath* p = find_conversion_path(f.path);
    ASSERT_NE(p, nullptr) << f.path;
    std::string why;
    if (!path_available(*p, &why)) GTEST_SKIP() << f.path << ": " << why;
    EXPECT_EQ(run_one(*p, f.in), f.out) << f.path << " of " << std::hex << f.in;
  }
}

TEST(Facts, F16cQuietsSignalingNaN) {
  REQUIRE_PATH(p, "x86.vcvtps2ph.imm0");
  // sNaN 0x7F800001: payload bit 0 is below binary16's 10 payload bits, so only the quiet bit
  // remains: 0x7E00 (semantics.md: torch CPU .half() gives the same).
  EXPECT_EQ(run_one(*p, 0x7F800001), 0x7E00u);
  EXPECT_EQ(run_one(*p, 0xFFC00001), 0xFE00u);
  EXPECT_EQ(run_one(*p, 0x7FA02000), 0x7F01u);  // payload bits 21 and 13 -> 9 and 0, quieted
  EXPECT_EQ(ieee(f32, 0x7F800001, f16), 0x7E00u);
}

TEST(Facts, Vcvtps2phDazIsHonouredFtzIsNot) {
  REQUIRE_PATH(daz, "x86.vcvtps2ph.imm2.mxcsr_daz_ftz");
  REQUIRE_PATH(plain, "x86.vcvtps2ph.imm2");
  // Round up of the tiny binary32 subnormal 2^-149: the smallest binary16 subnormal 0x0001;
  // under MXCSR.DAZ the input is +0 first, so +0.
  EXPECT_EQ(run_one(*plain, 0x00000001), 0x0001u);
  EXPECT_EQ(run_one(*daz, 0x00000001), 0x0000u);
  // 2^-24 (binary32 0x33800000, normal) is binary16's smallest subnormal: kept under FTZ.
  EXPECT_EQ(run_one(*daz, 0x33800000), 0x0001u);
}

TEST(Facts, Vcvtps2phxDazIsHonouredFtzIsNot) {
  REQUIRE_PATH(p, "x86.vcvtps2phx.mxcsr_up_daz_ftz");
  EXPECT_EQ(run_one(*p, 0x00000001), 0x0000u);
  EXPECT_EQ(run_one(*p, 0x33800000), 0x0001u);
  EXPECT_EQ(run_one(*p, 0x33800001), 0x0002u);  // just above 2^-24, rounded up
}

TEST(Facts, Vcvtph2psIgnoresDaz) {
  REQUIRE_PATH(p, "x86.vcvtph2ps.mxcsr_daz_ftz");
  EXPECT_EQ(run_one(*p, 0x0001), 0x33800000u);  // 2^-24 exactly
  EXPECT_EQ(run_one(*p, 0x83FF), 0xB87FC000u);  // -(1023/1024) 2^-14
  EXPECT_EQ(run_one(*p, 0x7C01), 0x7FC02000u);  // sNaN quieted, payload kept
}

TEST(Facts, DoubleToHalfHasOneRounding) {
  // x = 1 + 2^-11 + 2^-40: just above the midpoint of 1 and 1 + 2^-10, so RNE gives 0x3C01.
  // Through binary32 (24 bits) x first becomes the midpoint 1 + 2^-11, which ties to even 1.0:
  // a double rounding would give 0x3C00.
  const double x = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  const auto bits = std::bit_cast<std::uint64_t>(x);
  EXPECT_EQ(ieee(f64, bits, f16), 0x3C01u);
  EXPECT_EQ(ieee(f32, ieee(f64, bits, f32), f16), 0x3C00u);  // the double rounding
  for (const char* name : {"x86.vcvtsd2sh", "cxx.f64_to_f16.soft", "cxx.f64_to_f16.f16c",
                           "cxx.f64_to_f16.avx512fp16"}) {
    const ConversionPath* p = usable(name);
    if (p == nullptr) continue;
    EXPECT_EQ(run_one(*p, bits), 0x3C01u) << name;
  }
}

TEST(Facts, Float16SoftCasts) {
  REQUIRE_PATH(p, "cxx.f32_to_f16.soft");
  EXPECT_EQ(run_one(*p, 0x477FF000), 0x7C00u);  // 65520 ties to even: +inf
  EXPECT_EQ(run_one(*p, 0x477FEFFF), 0x7BFFu);  // just below: 65504
  EXPECT_EQ(run_one(*p, 0x7F800001), 0x7E00u);  // libgcc soft-fp quiets the sNaN
  EXPECT_EQ(run_one(*p, 0x33000001), 0x0001u);  // just above 2^-25: rounds up to 2^-24
}

TEST(Facts, EigenNaNs) {
  REQUIRE_PATH(half, "eigen.half.from_f32");
  REQUIRE_PATH(half_up, "eigen.half.to_f32");
  REQUIRE_PATH(bf, "eigen.bfloat16.from_f32");
  // Float NaNs become Eigen's canonical quiet NaN with the input's sign.
  EXPECT_EQ(run_one(*bf, 0xFF800001), 0xFFC0u);
  EXPECT_EQ(run_one(*bf, 0x7FFFFFFF), 0x7FC0u);
  EXPECT_EQ(ieee(f32, 0x7FFFFFFF, bf16), 0x7FFFu);  // IEEE propagates the payload
  if (half->documented_nan) {  // the portable code (no F16C in this build)
    EXPECT_EQ(run_one(*half, 0xFFC00001), 0xFE00u);
    EXPECT_EQ(run_one(*half, 0x7FFFFFFF), 0x7E00u);
    EXPECT_EQ(run_one(*half_up, 0x7C01), 0x7F802000u);  // sNaN moved up, not quieted
  }
}

// ---- the fast binary32 reference ----

std::vector<ConvertOptions> option_grid(bool full) {
  std::vector<ConvertOptions> v;
  for (Rounding r : {Rounding::rne, Rounding::rna, Rounding::rtz, Rounding::rup, Rounding::rdown,
                     Rounding::rno})
    for (int sub = 0; sub < 4; ++sub)
      for (Tininess t : {Tininess::after_rounding, Tininess::before_rounding}) {
        if (!full && t == Tininess::before_rounding) continue;
        ConvertOptions o;
        o.rounding = r;
        o.subnormals.daz = (sub & 1) != 0;
        o.subnormals.ftz = (sub & 2) != 0;
        o.tininess = t;
        v.push_back(o);
      }
  return v;
}

void expect_fast_equals_convert(const FormatSpec& to, const std::vector<std::uint64_t>& inputs,
                                const ConvertOptions& o) {
  ASSERT_TRUE(F32Narrowing::supports(to, o)) << to.name;
  const F32Narrowing fast(to, o);
  std::size_t bad = 0;
  for (std::uint64_t in : inputs) {
    const auto x = static_cast<std::uint32_t>(in);
    const std::uint64_t want = convert_float(std::bit_cast<float>(x), to, o).bits;
    const std::uint64_t got = fast(x);
    if (got != want && ++bad <= 5)
      ADD_FAILURE() << to.name << " rounding " << to_string(o.rounding) << " subnormals "
                    << to_string(o.subnormals) << " tininess "
                    << (o.tininess == Tininess::after_rounding ? "after" : "before")
                    << " overflow " << to_string(o.overflow) << ": input " << std::hex << x
                    << " convert_float " << want << " F32Narrowing " << got;
  }
  EXPECT_EQ(bad, 0u);
}

TEST(F32Narrowing, EqualsConvertFloatOnBoundarySets) {
  for (const char* target : {"binary16", "bfloat16", "float8_e5m2"}) {
    const FormatSpec to = format_by_name(target);
    const std::vector<std::uint64_t> inputs = check_inputs(f32, to);
    for (const ConvertOptions& o : option_grid(/*full=*/false)) expect_fast_equals_convert(to, inputs, o);
  }
}

TEST(F32Narrowing, EqualsConvertFloatUnderOtherPolicies) {
  // Tininess before rounding, saturation and a canonical NaN, on every 8th pattern of the
  // binary16 and bfloat16 boundary sets (which still include every midpoint's neighbourhood
  // in some binade) and on TF32 (E8M10: binary32's range, binary16's precision).
  for (const char* target : {"binary16", "bfloat16", "tf32"}) {
    const FormatSpec to = format_by_name(target);
    std::vector<std::uint64_t> inputs;
    for (const char* set : {"binary16", "bfloat16"}) {
      const auto all = check_inputs(f32, format_by_name(set));
      for (std::size_t i = 0; i < all.size(); i += 8) inputs.push_back(all[i]);
    }
    int i = 0;
    for (ConvertOptions o : option_grid(/*full=*/true)) {
      o.overflow = (i % 2 == 0) ? Overflow::saturate : Overflow::ieee;
      if (i % 3 == 0) o.nan.canonical = to.default_nan_bits() | 5;
      ++i;
      expect_fast_equals_convert(to, inputs, o);
    }
  }
}

TEST(F32Narrowing, RejectsWhatItDoesNotImplement) {
  ConvertOptions sr;
  sr.rounding = Rounding::sr;
  EXPECT_FALSE(F32Narrowing::supports(f16, sr));
  EXPECT_FALSE(F32Narrowing::supports(format_by_name("e4m3"), ConvertOptions{}));  // fn NaN
  EXPECT_FALSE(F32Narrowing::supports(f32, ConvertOptions{}));  // M = 23: not a narrowing
  EXPECT_THROW(F32Narrowing(f16, sr), std::invalid_argument);
}

// ---- input sets ----

TEST(InputSet, BoundarySetHasTheNeighbourhoods) {
  const std::vector<std::uint64_t> in = check_inputs(f32, f16);
  EXPECT_TRUE(std::is_sorted(in.begin(), in.end()));
  EXPECT_EQ(std::adjacent_find(in.begin(), in.end()), in.end());
  auto has = [&](std::uint64_t x) { return std::binary_search(in.begin(), in.end(), x); };
  // 65520 = 0x477FF000 (overflow threshold) and 2 ulps either side, both signs.
  for (std::uint64_t x = 0x477FEFFE; x <= 0x477FF002; ++x) {
    EXPECT_TRUE(has(x)) << std::hex << x;
    EXPECT_TRUE(has(x | 0x80000000u)) << std::hex << x;
  }
  EXPECT_TRUE(has(0x33000000));  // 2^-25: midpoint of 0 and the smallest subnormal
  EXPECT_TRUE(has(0x3F801000));  // 1 + 2^-11: midpoint of 1 and its successor
  EXPECT_TRUE(has(0x7F800001));  // sNaN, payload 1
  EXPECT_TRUE(has(0x007FFFFF));  // largest binary32 subnormal
  EXPECT_EQ(check_inputs(f16, f32).size(), 65536u);
}

// ---- classification ----

TEST(Classify, OneTriplePerClass) {
  using C = MismatchClass;
  // vcvtneps2bf16 on 0x007FFFFF: subnormal input, +0 instead of 0x0080.
  EXPECT_EQ(classify_mismatch(f32, 0x007FFFFF, bf16, 0x0080, 0x0000), C::input_denormal_as_zero);
  // A normal input whose binary16 result 0x0005 is subnormal, flushed to -0.
  EXPECT_EQ(classify_mismatch(f32, 0xB4A00000, f16, 0x8005, 0x8000), C::output_flushed_to_zero);
  EXPECT_EQ(classify_mismatch(f32, 0x7F800001, f16, 0x7E00, 0x7D00), C::nan_quieting);
  EXPECT_EQ(classify_mismatch(f32, 0x7F802000, f16, 0x7E01, 0x7E00), C::nan_payload);
  EXPECT_EQ(classify_mismatch(f32, 0xFFC00000, bf16, 0xFFC0, 0xFFFF), C::nan_payload);
  EXPECT_EQ(classify_mismatch(f32, 0x3F801000, f16, 0x3C00, 0x3C01), C::rounding_direction);
  EXPECT_EQ(classify_mismatch(f32, 0x00000001, f16, 0x0000, 0x0001), C::rounding_direction);
  EXPECT_EQ(classify_mismatch(f32, 0x477FFF00, f16, 0x7C00, 0x7BFF), C::saturation);
  EXPECT_EQ(classify_mismatch(f32, 0x477FE001, f16, 0x7BFF, 0x7C00), C::saturation);
  EXPECT_EQ(classify_mismatch(f32, 0x3F800000, f16, 0x3C00, 0xBC00), C::other);
}

// ---- the checker's machinery on a deliberately wrong path ----

void truncating_f32_to_f16(const void* in, void* out, std::size_t n) {
  const F32Narrowing rtz(format_by_name("binary16"), [] {
    ConvertOptions o;
    o.rounding = Rounding::rtz;
    return o;
  }());
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t x;
    std::memcpy(&x, static_cast<const char*>(in) + 4 * i, 4);
    const auto h = static_cast<std::uint16_t>(rtz(x));
    std::memcpy(static_cast<char*>(out) + 2 * i, &h, 2);
  }
}

TEST(Checker, ReportsAnUndocumentedBehaviourAsAFinding) {
  ConversionPath p;
  p.name = "test.truncating_but_documented_rne";
  p.from = f32;
  p.to = f16;
  p.semantics = "claims RNE, truncates";
  p.available = [](std::string*) { return true; };
  p.run = truncating_f32_to_f16;
  const CheckResult r = check_path(p);
  EXPECT_TRUE(r.finding());
  EXPECT_EQ(r.vs_documented.total, r.vs_ieee.total);
  EXPECT_GT(r.vs_documented.count(MismatchClass::rounding_direction), 0u);
  EXPECT_GT(r.vs_documented.count(MismatchClass::saturation), 0u);
  EXPECT_EQ(r.vs_documented.count(MismatchClass::other), 0u);

  p.documented.rounding = Rounding::rtz;  // now documented correctly: explained
  EXPECT_FALSE(check_path(p).finding());
}

TEST(Checker, ResultsDoNotDependOnThreadsOrBlocks) {
  ConversionPath p;
  p.name = "test.truncating";
  p.from = f32;
  p.to = f16;
  p.available = [](std::string*) { return true; };
  p.run = truncating_f32_to_f16;
  const std::vector<std::uint64_t> inputs = check_inputs(f32, f16);
  CheckOptions one, many;
  many.threads = 3;
  many.block = 4099;
  const CheckResult a = check_path_on(p, inputs, one), b = check_path_on(p, inputs, many);
  EXPECT_EQ(a.vs_ieee.by_class, b.vs_ieee.by_class);
  EXPECT_EQ(a.vs_ieee.examples, b.vs_ieee.examples);
}

TEST(Checker, UnavailablePathIsAnError) {
  ConversionPath p;
  p.name = "test.missing";
  p.from = f32;
  p.to = f16;
  p.available = [](std::string* why) {
    *why = "CPU lacks imaginary_isa";
    return false;
  };
  p.run = truncating_f32_to_f16;
  try {
    check_path(p);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("CPU lacks imaginary_isa"), std::string::npos);
  }
}

// ---- the command line ----

using fpaudit::test::run_cli;
using fpaudit::test::RunResult;

TEST(HwCli, ListsEveryPathAsJson) {
  const RunResult r = run_cli({"hw", "--json"}, {.stderr_into_stdout = true});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), conversion_paths().size() + op_paths().size() + gemm_paths().size());
  for (const auto& p : j) {
    EXPECT_TRUE(p.contains("name") && p.contains("semantics") && p.contains("available"));
    if (!p["available"].template get<bool>()) {
      EXPECT_TRUE(p["unavailable_reason"].is_string());
    }
  }
}

TEST(HwCli, DisabledFeatureIsReportedAndSkipped) {
  // FPAUDIT_HW_DISABLE makes the tool behave as on a CPU without the feature.
  const RunResult list =
      run_cli({"hw"}, {.env = {"FPAUDIT_HW_DISABLE=avx512_bf16"}, .stderr_into_stdout = true});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("unavailable: avx512_bf16 disabled by FPAUDIT_HW_DISABLE"),
            std::string::npos)
      << list.out;
  const RunResult check = run_cli({"hw", "check", "x86.vcvtneps2bf16"},
                                  {.env = {"FPAUDIT_HW_DISABLE=all"}, .stderr_into_stdout = true});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("disabled by FPAUDIT_HW_DISABLE; skipped"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("checked 0 paths, skipped 1 unavailable; findings: 0"), std::string::npos);
}

TEST(HwCli, CheckWritesJsonAndExitsZeroWhenExplained) {
  REQUIRE_PATH(p, "x86.vcvtph2ps");
  fpaudit::test::TempDir dir;
  const std::string file = (dir.path / "hw.json").string();
  const RunResult r = run_cli({"hw", "check", "x86.vcvtph2ps", "eigen.half.*", "--json", file},
                              {.stderr_into_stdout = true});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("every difference from IEEE is explained"), std::string::npos);
  std::ifstream in(file);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["findings"], 0);
  ASSERT_GE(j["paths"].size(), 1u);
  EXPECT_EQ(j["paths"][0]["name"], "x86.vcvtph2ps");
  EXPECT_EQ(j["paths"][0]["inputs"], 65536);
}

TEST(HwCli, UnknownPathIsAUsageError) {
  const RunResult r = run_cli({"hw", "check", "x86.nothing"}, {.stderr_into_stdout = true});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("no path matches \"x86.nothing\""), std::string::npos) << r.out;
}

}  // namespace
