// NVIDIA's conversion functions, host implementations (paths cuda.host.*, src/hw/cuda/): every
// one over all 2^16 / 2^8 / 2^6 / 2^4 inputs or the boundary-rich binary32 / binary64 set.
//
// Oracles, by test:
//  * EveryCudaHostPath/*: fpaudit::convert configured to the row's documented semantics (the
//    header comments and host code of cuda_fp16/bf16/fp8/fp6/fp4.hpp, CUDA 13.0), NaN rules
//    included: zero unexplained differences.
//  * E8m0TakesTheMagnitude: the same reference applied to |x|: the one documented behaviour the
//    reference's options cannot state (cuda_fp8.h: "Input number's absolute value is rounded";
//    fpaudit's reference makes a negative input to an unsigned format NaN).
//  * IeeeDifferenceCounts: literal counts derived by hand from the encodings (each with its
//    derivation), not from the code under test.
//  * AgreesWithIntelRounding: x86 VCVTPS2PH with imm8 = 1/2/3 (Intel silicon, an independent
//    implementation), on every non-NaN input of the boundary set.
//  * Facts: literal bit patterns from the headers' documentation and OCP OFP8 / MX v1.0.
// Without a CUDA toolkit (FPAUDIT_WITH_CUDA=OFF) the paths are not registered: every test skips
// with that reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/check.hpp"
#include "fpaudit/hw/gemm_path.hpp"
#include "fpaudit/hw/input_set.hpp"
#include "fpaudit/hw/path.hpp"

#if defined(FPAUDIT_HW_CUDA)
#include "../src/hw/cuda/cuda_conversions.hpp"  // the table, for the MXCSR test
#endif

namespace {

using namespace fpaudit;
using namespace fpaudit::hw;

const char* const kNotBuilt = "built without the CUDA toolkit (FPAUDIT_WITH_CUDA=OFF)";

#define REQUIRE_CUDA_PATH(var, name)                             \
  const ConversionPath* var = find_conversion_path(name);        \
  if (var == nullptr) GTEST_SKIP() << name << ": " << kNotBuilt; \
  ASSERT_TRUE(path_available(*var)) << name << ": host code is always available"

std::vector<std::string> host_path_names() {
  std::vector<std::string> v;
  for (const ConversionPath& p : conversion_paths())
    if (p.name.rfind("cuda.host.", 0) == 0 && p.name.find(".mxcsr_") == std::string::npos)
      v.push_back(p.name);
  if (v.empty()) v.push_back("cuda.host.(none)");  // one instance that reports the skip
  return v;
}

bool is_e8m0_encode(const ConversionPath& p) {
  return p.to.name == "float8_e8m0fnu" && p.from.is_signed;
}

std::uint64_t run_one(const ConversionPath& p, std::uint64_t in) {
  unsigned char src[8] = {}, dst[8] = {};
  std::memcpy(src, &in, storage_bytes(p.from));
  p.run(src, dst, 1);
  std::uint64_t out = 0;
  std::memcpy(&out, dst, storage_bytes(p.to));
  return out;
}

std::vector<std::uint64_t> run_all(const ConversionPath& p, const std::vector<std::uint64_t>& in) {
  const std::size_t ib = storage_bytes(p.from), ob = storage_bytes(p.to);
  std::vector<unsigned char> src(in.size() * ib), dst(in.size() * ob);
  for (std::size_t i = 0; i < in.size(); ++i) std::memcpy(&src[i * ib], &in[i], ib);
  p.run(src.data(), dst.data(), in.size());
  std::vector<std::uint64_t> out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) std::memcpy(&out[i], &dst[i * ob], ob);
  return out;
}

std::string examples(const MismatchTally& t) {
  std::string s;
  char line[160];
  for (int c = 0; c < kMismatchClassCount; ++c)
    for (const MismatchExample& e : t.examples[c]) {
      std::snprintf(line, sizeof line, "  %s: in %llx expected %llx got %llx\n",
                    std::string(to_string(static_cast<MismatchClass>(c))).c_str(),
                    static_cast<unsigned long long>(e.input),
                    static_cast<unsigned long long>(e.expected),
                    static_cast<unsigned long long>(e.got));
      s += line;
    }
  return s;
}

// ---- every host path against its documented semantics ----

class EveryCudaHostPath : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryCudaHostPath, MatchesDocumentedSemantics) {
  REQUIRE_CUDA_PATH(p, GetParam());
  CheckOptions opt;
  opt.threads = 2;
  const CheckResult r = check_path(*p, opt);
  if (source_is_enumerable(p->from)) {
    EXPECT_EQ(r.inputs, std::uint64_t{1} << p->from.width());
  } else {
    // The boundary set: every target value and midpoint with 2 neighbours each side, specials,
    // NaN payloads, 12288 subnormals and 65536 random patterns.
    EXPECT_GT(r.inputs, p->to.width() == 16 ? 700000u : 90000u);
  }
  EXPECT_EQ(r.vs_documented.total, 0u) << "unexplained:\n" << examples(r.vs_documented);
}

INSTANTIATE_TEST_SUITE_P(Cuda, EveryCudaHostPath, ::testing::ValuesIn(host_path_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string s = info.param.substr(std::string("cuda.host.").size());
                           std::replace_if(
                               s.begin(), s.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return s;
                         });

// ---- E8M0: the documented |x| ----

TEST(CudaHost, E8m0TakesTheMagnitude) {
  int checked = 0;
  for (const ConversionPath& p : conversion_paths()) {
    if (p.name.rfind("cuda.host.", 0) != 0 || !is_e8m0_encode(p)) continue;
    if (p.name.find(".mxcsr_") != std::string::npos) continue;  // MxcsrVariantCounts
    ++checked;
    const std::vector<std::uint64_t> in = check_inputs(p.from, p.to);
    const std::vector<std::uint64_t> got = run_all(p, in);
    // Oracle: fpaudit::convert on |x| under the row's options, written out here rather than
    // through documented_result (which applies the same rule through the path's flag).
    ASSERT_TRUE(p.documented_reads_magnitude) << p.name;
    std::uint64_t negative_differ = 0, wrong = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      const std::uint64_t x = in[i];
      const std::uint64_t magnitude = p.from.is_nan(x) ? x : x & ~p.from.sign_bit();
      const std::uint64_t expected = convert(p.from, magnitude, p.to, p.documented).bits;
      if (got[i] != expected && ++wrong <= 3)
        ADD_FAILURE() << p.name << " in " << std::hex << x << " got " << got[i]
                      << " expected (on |x|) " << expected;
      // Read with its sign, a negative input would be NaN in E8M0 (no sign bit): the flag is
      // what makes these explained.
      if (got[i] != convert(p.from, x, p.to, p.documented).bits) {
        ++negative_differ;
        EXPECT_TRUE(p.from.is_negative(x)) << p.name << " " << std::hex << x;
      }
    }
    EXPECT_EQ(wrong, 0u) << p.name;
    EXPECT_GT(negative_differ, 0u) << p.name;
    // The checker applies the same rule: nothing unexplained.
    CheckOptions opt;
    opt.threads = 2;
    EXPECT_EQ(check_path(p, opt).vs_documented.total, 0u) << p.name;
  }
  if (checked == 0) GTEST_SKIP() << kNotBuilt;
  EXPECT_EQ(checked, 12);  // {float, double, bfloat16raw} x {rz, ru} x {satfinite, nosat}
}

// ---- differences from IEEE, counted by hand ----

struct ExpectedCounts {
  const char* path;
  std::uint64_t total;
  MismatchClass cls;
  std::uint64_t in_class;
  std::uint64_t saturation;  // 0 when none
  const char* derivation;
};

TEST(CudaHost, IeeeDifferenceCounts) {
  const ExpectedCounts table[] = {
      {"__half2float", 2046, MismatchClass::nan_payload, 2046, 0,
       "every binary16 NaN (2 x (2^10 - 1)) -> 0x7FFFFFFF; IEEE keeps sign and payload"},
      {"__bfloat162float", 126, MismatchClass::nan_quieting, 126, 0,
       "bfloat16 sNaNs (2 x (2^6 - 1)) stay signalling; qNaNs equal IEEE"},
      {"__nv_cvt_fp8_to_halfraw.e4m3", 2, MismatchClass::nan_payload, 2, 0,
       "0x7F, 0xFF -> 0x7FFF; IEEE 0x7E00 / 0xFE00"},
      {"__nv_cvt_fp8_to_halfraw.e5m2", 6, MismatchClass::nan_payload, 6, 0,
       "0x7D-0x7F, 0xFD-0xFF -> 0x7FFF"},
      {"__nv_cvt_e8m0_to_bf16raw", 1, MismatchClass::nan_payload, 1, 0,
       "0xFF -> 0x7FFF; IEEE 0x7FC0"},
      {"__nv_cvt_halfraw_to_fp8.e4m3.nosat", 1023, MismatchClass::nan_payload, 1023, 0,
       "negative binary16 NaNs (2^10 - 1) -> 0x7F; IEEE 0xFF"},
      {"__nv_cvt_halfraw_to_fp8.e4m3.satfinite", 1023 + 14720, MismatchClass::nan_payload, 1023,
       14720, "NaNs as nosat; |x| > 464: 0x5F41..0x7C00 = 7360 patterns a sign -> +-448"},
      {"__nv_cvt_halfraw_to_fp8.e5m2.nosat", 1534, MismatchClass::nan_payload, 1534, 0,
       "1023 negative NaNs, and the 511 positive NaNs with mantissa bit 8 clear (IEEE 0x7E)"},
      {"__nv_cvt_halfraw_to_fp8.e5m2.satfinite", 1534 + 258, MismatchClass::nan_payload, 1534, 258,
       "|x| >= 61440: 0x7B80..0x7C00 = 129 patterns a sign -> +-57344"},
      {"__nv_cvt_bfloat16raw_to_fp8.e4m3.nosat", 127, MismatchClass::nan_payload, 127, 0,
       "negative bfloat16 NaNs (2^7 - 1)"},
      {"__nv_cvt_bfloat16raw_to_fp8.e4m3.satfinite", 127 + 30512, MismatchClass::nan_payload, 127,
       30512, "|x| > 464: 0x43E9..0x7F80 = 15256 patterns a sign"},
      {"__nv_cvt_bfloat16raw_to_fp8.e5m2.nosat", 190, MismatchClass::nan_payload, 190, 0,
       "127 negative NaNs and 63 positive ones with mantissa bit 5 clear"},
      {"__nv_cvt_bfloat16raw_to_fp8.e5m2.satfinite", 190 + 28706, MismatchClass::nan_payload, 190,
       28706, "|x| >= 61440: 0x4770..0x7F80 = 14353 patterns a sign"},
      {"__nv_cvt_fp6_to_halfraw.e2m3", 0, MismatchClass::other, 0, 0, "exact"},
      {"__nv_cvt_fp6_to_halfraw.e3m2", 0, MismatchClass::other, 0, 0, "exact"},
      {"__nv_cvt_fp4_to_halfraw.e2m1", 0, MismatchClass::other, 0, 0, "exact"},
      {"__nv_cvt_halfraw_to_fp6.e2m3.rn", 0, MismatchClass::other, 0, 0,
       "RNE, saturating as MX v1.0 6.3 and NaN -> +max as fpaudit's reference"},
      {"__nv_cvt_halfraw_to_fp4.e2m1.rn", 0, MismatchClass::other, 0, 0, "as above"},
  };
  for (const ExpectedCounts& e : table) {
    const std::string name = std::string("cuda.host.") + e.path;
    const ConversionPath* p = find_conversion_path(name);
    if (p == nullptr) GTEST_SKIP() << kNotBuilt;
    ASSERT_TRUE(source_is_enumerable(p->from)) << name;
    const CheckResult r = check_path(*p);
    EXPECT_EQ(r.vs_ieee.total, e.total) << name << ": " << e.derivation;
    if (e.in_class) {
      EXPECT_EQ(r.vs_ieee.count(e.cls), e.in_class) << name << ": " << e.derivation;
    }
    EXPECT_EQ(r.vs_ieee.count(MismatchClass::saturation), e.saturation) << name;
  }
}

// ---- the directed roundings agree with Intel's VCVTPS2PH ----

TEST(CudaHost, AgreesWithIntelRounding) {
  const char* pairs[][2] = {{"cuda.host.__float2half_rz", "x86.vcvtps2ph.imm3"},
                            {"cuda.host.__float2half_rd", "x86.vcvtps2ph.imm1"},
                            {"cuda.host.__float2half_ru", "x86.vcvtps2ph.imm2"},
                            {"cuda.host.__float2half_rn", "x86.vcvtps2ph.imm0"}};
  for (const auto& [cuda_name, x86_name] : pairs) {
    const ConversionPath* c = find_conversion_path(cuda_name);
    if (c == nullptr) GTEST_SKIP() << kNotBuilt;
    const ConversionPath* x = find_conversion_path(x86_name);
    std::string why;
    if (x == nullptr || !path_available(*x, &why)) GTEST_SKIP() << x86_name << ": " << why;
    const std::vector<std::uint64_t> in = check_inputs(c->from, c->to);
    const std::vector<std::uint64_t> a = run_all(*c, in), b = run_all(*x, in);
    std::uint64_t nan_inputs = 0, differ = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (c->from.is_nan(in[i])) {
        ++nan_inputs;  // NVIDIA: 0x7FFF; Intel: quieted payload
        continue;
      }
      if (a[i] != b[i] && ++differ <= 3)
        ADD_FAILURE() << cuda_name << " vs " << x86_name << " in " << std::hex << in[i];
    }
    EXPECT_EQ(differ, 0u);
    EXPECT_GT(nan_inputs, 300u);
  }
}

// ---- facts from the documentation ----

TEST(CudaHost, Facts) {
  struct Fact {
    const char* path;
    std::uint64_t in, out;
    const char* why;
  };
  const Fact facts[] = {
      {"__float2half_rn", 0x477FF000, 0x7C00, "65520, the midpoint 65504 | 65536: even -> inf"},
      {"__float2half_rz", 0x477FF000, 0x7BFF, "toward zero: max 65504"},
      {"__float2half_rd", 0xC77FF000, 0xFC00, "-65520 toward -inf: -inf"},
      {"__float2half_rn", 0xFFC00001, 0x7FFF, "a negative NaN: canonical 0x7FFF, sign dropped"},
      {"__half2float", 0xFC01, 0x7FFFFFFF, "NaN: 0x7FFFFFFF, sign dropped"},
      {"__bfloat162float", 0x7F81, 0x7F810000, "sNaN kept signalling"},
      {"__float2bfloat16_ru", 0x3F800001, 0x3F81, "1 + 2^-23 up: 1 + 2^-7"},
      {"__nv_cvt_float_to_fp8.e4m3.nosat", 0x43E80000, 0x7E, "464: tie to even 448"},
      {"__nv_cvt_float_to_fp8.e4m3.nosat", 0x43E80001, 0x7F, "just above 464: NaN"},
      {"__nv_cvt_float_to_fp8.e4m3.satfinite", 0xFF800000, 0xFE, "-inf: -448"},
      {"__nv_cvt_float_to_fp8.e4m3.satfinite", 0xFFC00000, 0x7F, "a negative NaN: 0x7F"},
      {"__nv_cvt_double_to_fp8.e4m3.satfinite", 0xFFF8000000000000, 0xFF,
       "double source: NaN keeps its sign"},
      {"__nv_cvt_float_to_fp8.e5m2.nosat", 0x47700000, 0x7C, "61440: tie to even 65536: inf"},
      {"__nv_cvt_float_to_fp8.e5m2.satfinite", 0x47700000, 0x7B, "61440: 57344"},
      {"__nv_cvt_float_to_fp6.e2m3.rn", 0x7FC00000, 0x1F, "NaN: +max 7.5"},
      {"__nv_cvt_float_to_fp6.e2m3.rn", 0xFF800000, 0x3F, "-inf: -7.5"},
      {"__nv_cvt_float_to_fp6.e3m2.rz", 0x41D80000, 0x1E,
       "27 toward zero: 24 (E3M2 16, 20, 24, 28)"},
      {"__nv_cvt_float_to_fp6.e3m2.rz", 0x41F00000, 0x1F, "30 > 28: saturates to max 28"},
      {"__nv_cvt_float_to_fp4.e2m1.rn", 0x40A00000, 0x6, "5: tie between 4 and 6: even 4"},
      {"__nv_cvt_float_to_e8m0.rz.satfinite", 0xC0400000, 0x80, "-3: |x| = 3 toward zero: 2"},
      {"__nv_cvt_float_to_e8m0.ru.satfinite", 0x40400000, 0x81, "3 up: 4"},
      {"__nv_cvt_float_to_e8m0.rz.satfinite", 0x00000000, 0x00, "0: clipped to 2^-127"},
      {"__nv_cvt_float_to_e8m0.rz.nosat", 0x7F800000, 0xFF, "inf: NaN"},
      {"__nv_cvt_float_to_e8m0.rz.satfinite", 0x7F800000, 0xFE, "inf: 2^127"},
      {"__nv_cvt_e8m0_to_bf16raw", 0x00, 0x0040, "2^-127: bfloat16 subnormal"},
      {"__nv_cvt_e8m0_to_bf16raw", 0x7F, 0x3F80, "2^0"},
      {"__nv_cvt_e8m0_to_bf16raw", 0xFF, 0x7FFF, "NaN"},
  };
  for (const Fact& f : facts) {
    const std::string name = std::string("cuda.host.") + f.path;
    const ConversionPath* p = find_conversion_path(name);
    if (p == nullptr) GTEST_SKIP() << kNotBuilt;
    EXPECT_EQ(run_one(*p, f.in), f.out) << name << " in " << std::hex << f.in << ": " << f.why;
    // And the documented semantics say the same (NaN rules and |x| included).
    EXPECT_EQ(documented_result(*p, f.in), f.out) << name << ": " << f.why;
  }
}

// ---- the device paths are listed, and unavailable here with a reason ----

TEST(CudaDevice, ListedWithAReasonWhenUnavailable) {
  std::size_t host = 0, device = 0;
  for (const ConversionPath& p : conversion_paths()) {
    if (p.name.rfind("cuda.host.", 0) == 0 && p.name.find(".mxcsr_") == std::string::npos) ++host;
    if (p.name.rfind("cuda.device.", 0) != 0) continue;
    ++device;
    // Its host twin exists and is documented identically.
    const ConversionPath* twin = find_conversion_path("cuda.host." + p.name.substr(12));
    ASSERT_NE(twin, nullptr) << p.name;
    EXPECT_EQ(twin->from, p.from);
    EXPECT_EQ(twin->to, p.to);
    EXPECT_EQ(twin->documented.rounding, p.documented.rounding);
    EXPECT_EQ(twin->documented.overflow, p.documented.overflow);
    EXPECT_EQ(twin->documented_nan, p.documented_nan);
    std::string why;
    if (!path_available(p, &why)) {
      EXPECT_FALSE(why.empty()) << p.name;
      EXPECT_EQ(why.find('\n'), std::string::npos);
    }
  }
  if (host == 0) GTEST_SKIP() << kNotBuilt;
  EXPECT_EQ(host, 72u);  // the rows of conversions.def
  EXPECT_EQ(device, host);
}

// ---- host code that depends on the caller's MXCSR (a finding) ----

#if defined(FPAUDIT_HW_CUDA) && (defined(__x86_64__) || defined(__i386__))
TEST(CudaHost, MxcsrDependenceIsConfinedToTheListedRows) {
  // Every row's host code run under MXCSR 0x7F80 (round toward zero) and 0x9FC0 (DAZ + FTZ, as
  // -ffast-math programs start) against the default 0x1F80, on its full input set. Rows whose
  // header code is integer-only must not move; the rows listed by uses_host_floating_point()
  // may (their paths .mxcsr_rz / .mxcsr_daz_ftz report how much).
  for (const cuda::Conversion& c : cuda::conversions()) {
    const FormatSpec from = format_by_name(c.from), to = format_by_name(c.to);
    const std::vector<std::uint64_t> in = check_inputs(from, to);
    std::vector<unsigned char> src(in.size() * c.in_size), base(in.size() * c.out_size),
        other(in.size() * c.out_size);
    for (std::size_t i = 0; i < in.size(); ++i) std::memcpy(&src[i * c.in_size], &in[i], c.in_size);
    c.host_run(src.data(), base.data(), in.size());
    for (auto run : {c.host_run_mxcsr_rz, c.host_run_mxcsr_daz_ftz}) {
      run(src.data(), other.data(), in.size());
      if (!cuda::uses_host_floating_point(c)) {
        EXPECT_EQ(base, other) << c.api;
      }
    }
  }
}
#endif

// How many outputs move against the default-MXCSR twin, on the full input set (measured, as in
// docs/CUDA.md; the facts below are the hand-derived part).
TEST(CudaHost, MxcsrVariantCounts) {
  struct Count {
    const char* variant;
    std::uint64_t moved;
  };
  const Count counts[] = {
      {"__double2half.mxcsr_rz", 286313},
      {"__double2half.mxcsr_daz_ftz", 0},
      {"__double2bfloat16.mxcsr_rz", 0},
      {"__double2bfloat16.mxcsr_daz_ftz", 2799},
      {"__nv_cvt_double_to_e8m0.rz.satfinite.mxcsr_rz", 0},
      {"__nv_cvt_double_to_e8m0.rz.satfinite.mxcsr_daz_ftz", 0},
      {"__nv_cvt_double_to_e8m0.ru.satfinite.mxcsr_rz", 0},
      // x in (2^-127, 2^-126): FTZ makes (float)x zero, the sticky bit the smallest float
      // subnormal, so the scale comes out 2^-127 instead of 2^-126.
      {"__nv_cvt_double_to_e8m0.ru.satfinite.mxcsr_daz_ftz", 36},
      {"__nv_cvt_double_to_e8m0.rz.nosat.mxcsr_rz", 0},
      {"__nv_cvt_double_to_e8m0.rz.nosat.mxcsr_daz_ftz", 0},
      {"__nv_cvt_double_to_e8m0.ru.nosat.mxcsr_rz", 0},
      {"__nv_cvt_double_to_e8m0.ru.nosat.mxcsr_daz_ftz", 36},
  };
  for (const Count& c : counts) {
    const std::string name = std::string("cuda.host.") + c.variant;
    const ConversionPath* v = find_conversion_path(name);
    if (v == nullptr) GTEST_SKIP() << "built without CUDA, or not x86 (no MXCSR)";
    const ConversionPath* twin = find_conversion_path(name.substr(0, name.find(".mxcsr_")));
    ASSERT_NE(twin, nullptr) << name;
    const std::vector<std::uint64_t> in = check_inputs(v->from, v->to);
    const std::vector<std::uint64_t> a = run_all(*v, in), b = run_all(*twin, in);
    std::uint64_t moved = 0;
    for (std::size_t i = 0; i < in.size(); ++i) moved += a[i] != b[i];
    EXPECT_EQ(moved, c.moved) << name;
  }
}

TEST(CudaHost, MxcsrFindingsByHand) {
  struct Fact {
    const char* path;
    std::uint64_t in, documented, got;
    const char* why;
  };
  const Fact facts[] = {
      // 1 + 2^-11 + 2^-40: past the midpoint of 1 and 1 + 2^-10, RNE gives 0x3C01. The header
      // pre-rounds with a + 1.5 * 2^42 in double, which under RC = toward zero truncates to 1.
      {"__double2half.mxcsr_rz", 0x3FF0020000010000, 0x3C01, 0x3C00, "pre-rounding truncated"},
      // 2^-130 is the bfloat16 subnormal 0x0008. The header's (float)x is a float subnormal,
      // flushed to 0 by FTZ; the sticky fix-up then gives float 0x00000001, which rounds to 0.
      {"__double2bfloat16.mxcsr_daz_ftz", 0x37D0000000000000, 0x0008, 0x0000, "FTZ on (float)x"},
  };
  for (const Fact& f : facts) {
    const ConversionPath* p = find_conversion_path(std::string("cuda.host.") + f.path);
    if (p == nullptr) GTEST_SKIP() << "built without CUDA, or not x86 (no MXCSR)";
    EXPECT_EQ(documented_result(*p, f.in), f.documented) << f.path;
    EXPECT_EQ(run_one(*p, f.in), f.got) << f.path << ": " << f.why;
  }
}

// ---- the cuBLASLt GEMM paths are listed, unavailable here with a reason ----

TEST(CudaCublasLt, GemmPathsListedWithAModel) {
  std::size_t n = 0;
  for (const GemmPath& p : gemm_paths()) {
    if (p.name.rfind("cuda.cublaslt.", 0) != 0) continue;
    ++n;
    EXPECT_FALSE(p.model.empty()) << p.name;
    EXPECT_EQ(p.out.name, "binary32") << p.name;
    std::string why;
    if (!path_available(p, &why)) {
      EXPECT_FALSE(why.empty()) << p.name;
    }
  }
  if (find_conversion_path("cuda.host.__float2half") == nullptr) GTEST_SKIP() << kNotBuilt;
  // bf16, f16, and {e4m3 x e4m3, e4m3 x e5m2, e5m2 x e4m3} with fast accumulation off and on.
  EXPECT_EQ(n, 8u);
}

}  // namespace
