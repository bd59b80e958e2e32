// cuBLASLt GEMMs on the GPU (ctest label "gpu"; src/hw/cuda/cublaslt_gemm.hpp).
//
// Oracles:
//  * ExactCases: fpaudit's exact GEMM (gemm::exact_gemm, one rounding per element). Inputs are
//    small integers (|x| <= 4, K = 64) with power-of-two tensor / block scales, so every partial
//    sum is exact in any accumulator of >= 12 significant bits and in any order: every correct
//    implementation, fast accumulation or not, gives the exact result bit for bit. This checks
//    the plumbing (layouts, TN transposition, scale pointers, E2M1 packing, the tiled block-scale
//    layout of MXFP8 / NVFP4, D scale, amax_D) with a fact that cannot depend on the hardware.
//  * ModelReport: random and adversarial inputs, K = 256, 1024, 4096, each element compared
//    with the exact GEMM and with every tensor-core model preset for the input format
//    (gemm::model_presets, docs/GEMM.md); the counts are printed (and written as JSON to
//    $FPAUDIT_GPU_REPORT when set) for docs/CUDA.md. A preset that is not bit-exact is a result
//    to report, not a test failure.
// Without a GPU, driver or cuBLASLt every test skips with the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/gemm/models.hpp"
#include "hw/cuda/cublaslt_gemm.hpp"
#include "hw/cuda/driver.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::hw::cuda;

const FormatSpec f64 = format_by_name("binary64");

std::uint64_t encode_value(const FormatSpec& f, double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return convert(f64, bits, f, ConvertOptions{}).bits;
}

// Bit patterns in storage_bytes containers.
std::vector<unsigned char> pack(const FormatSpec& f, const std::vector<std::uint64_t>& bits) {
  const std::size_t b = storage_bytes(f);
  std::vector<unsigned char> out(bits.size() * b);
  for (std::size_t i = 0; i < bits.size(); ++i) std::memcpy(&out[i * b], &bits[i], b);
  return out;
}

struct Problem {
  std::size_t M, N, K;
  std::vector<std::uint64_t> a, b;   // A row-major M x K; B column-major (N rows of K)
  std::vector<std::uint8_t> sa, sb;  // block scales: M x K/blk, N x K/blk
  float scale_a = 1, scale_b = 1, scale_d = 1;
};

std::size_t block_of(const LtGemm& g) { return g.scaling == LtScaling::nvfp4 ? 16 : 32; }

// The exact GEMM of a problem into `out` (RNE), with every scale applied exactly.
std::vector<std::uint64_t> exact(const LtGemm& g, const Problem& p, const FormatSpec& out,
                                 bool with_scale_d) {
  const auto pa = pack(g.a, p.a), pb = pack(g.b, p.b);
  gemm::MatrixOperand A{g.a, pa.data(), gemm::Layout::row_major, 0, std::nullopt};
  gemm::MatrixOperand B{g.b, pb.data(), gemm::Layout::col_major, p.K, std::nullopt};
  if (g.scaling == LtScaling::mxfp8 || g.scaling == LtScaling::nvfp4) {
    const FormatSpec sf = format_by_name(g.scaling == LtScaling::mxfp8 ? "e8m0" : "e4m3");
    const int blk = static_cast<int>(block_of(g));
    A.block_scales = gemm::BlockScales{sf, blk, p.sa.data(), gemm::Layout::row_major, 0};
    B.block_scales = gemm::BlockScales{sf, blk, p.sb.data(), gemm::Layout::col_major, p.K / blk};
  }
  A.tensor_scale = from_float(p.scale_a);
  B.tensor_scale = from_float(with_scale_d ? p.scale_b * p.scale_d : p.scale_b);  // powers of 2
  return gemm::exact_gemm(p.M, p.N, p.K, A, B, out, ConvertOptions{}).bits;
}

LtOutput run(const LtGemm& g, const Problem& p) {
  const auto pa = pack(g.a, p.a), pb = pack(g.b, p.b);
  LtInputs in;
  in.M = p.M;
  in.N = p.N;
  in.K = p.K;
  in.a = pa.data();
  in.b = pb.data();
  in.scale_a = p.scale_a;
  in.scale_b = p.scale_b;
  in.scale_d = p.scale_d;
  in.a_block_scales = p.sa.empty() ? nullptr : p.sa.data();
  in.b_block_scales = p.sb.empty() ? nullptr : p.sb.data();
  return run_cublaslt(g, in);
}

// Skips unless this GEMM can run here.
#define REQUIRE_GEMM(g)                                                                          \
  do {                                                                                           \
    std::string why_;                                                                            \
    if (!cublaslt_ready(&why_)) GTEST_SKIP() << why_;                                            \
    if (device_sm() < required_sm(g))                                                            \
      GTEST_SKIP() << g.name << " needs sm_" << required_sm(g) << ", GPU is sm_" << device_sm(); \
  } while (0)

std::vector<std::string> gemm_names() {
  std::vector<std::string> v;
  for (const LtGemm& g : cublaslt_gemms()) v.push_back(g.name);
  return v;
}

const LtGemm& gemm_named(const std::string& name) {
  static const std::vector<LtGemm> all = cublaslt_gemms();
  for (const LtGemm& g : all)
    if (g.name == name) return g;
  throw std::logic_error("no cuBLASLt GEMM " + name);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param.substr(std::string("cuda.cublaslt.").size());
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

class Gemm : public ::testing::TestWithParam<std::string> {};

TEST(CublasLt, BlockScaleLayoutIsABijection) {
  // Host-side fact, no GPU needed: every (row, K block) of a 300 x 9 scale matrix lands on its
  // own byte inside the padded tiles (3 x 3 tiles of 128 x 4).
  const std::size_t rows = 300, blocks = 9;
  std::vector<int> hits(block_scale_bytes(rows, blocks), 0);
  EXPECT_EQ(hits.size(), 3u * 3u * 512u);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < blocks; ++c) ++hits.at(block_scale_offset(r, c, blocks));
  for (int h : hits) EXPECT_LE(h, 1);
  EXPECT_EQ(block_scale_offset(0, 0, blocks), 0u);
  EXPECT_EQ(block_scale_offset(1, 0, blocks), 16u);          // (r % 32) * 16
  EXPECT_EQ(block_scale_offset(32, 0, blocks), 4u);          // (r % 128) / 32 * 4
  EXPECT_EQ(block_scale_offset(0, 3, blocks), 3u);           // c % 4
  EXPECT_EQ(block_scale_offset(0, 4, blocks), 512u);         // next tile along K
  EXPECT_EQ(block_scale_offset(128, 0, blocks), 3u * 512u);  // next row of tiles
}

TEST_P(Gemm, ExactCases) {
  const LtGemm& g = gemm_named(GetParam());
  REQUIRE_GEMM(g);
  std::mt19937_64 rng(42);
  Problem p{48, 40, 64, {}, {}, {}, {}};
  std::uniform_int_distribution<int> small(-4, 4), shift(-2, 2);
  for (std::size_t i = 0; i < p.M * p.K; ++i) p.a.push_back(encode_value(g.a, small(rng)));
  for (std::size_t i = 0; i < p.N * p.K; ++i) p.b.push_back(encode_value(g.b, small(rng)));
  const bool block = g.scaling == LtScaling::mxfp8 || g.scaling == LtScaling::nvfp4;
  if (block) {
    const FormatSpec sf = format_by_name(g.scaling == LtScaling::mxfp8 ? "e8m0" : "e4m3");
    const std::size_t kb = p.K / block_of(g);
    for (std::size_t i = 0; i < p.M * kb; ++i)
      p.sa.push_back(static_cast<std::uint8_t>(encode_value(sf, std::ldexp(1.0, shift(rng)))));
    for (std::size_t i = 0; i < p.N * kb; ++i)
      p.sb.push_back(static_cast<std::uint8_t>(encode_value(sf, std::ldexp(1.0, shift(rng)))));
  }
  if (g.scaling == LtScaling::per_tensor) {
    p.scale_a = 0.25f;
    p.scale_b = 2.0f;
    p.scale_d = 0.0625f;
  }
  const LtOutput out = run(g, p);
  const bool fp8_d = g.d.width() == 8;
  const std::vector<std::uint64_t> want = exact(g, p, g.d, fp8_d);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    if (out.d[i] != want[i] && ++differ <= 5)
      ADD_FAILURE() << g.name << " element " << i << " got " << std::hex << out.d[i] << " exact "
                    << want[i];
  EXPECT_EQ(differ, 0u) << g.name << " on " << device_description();
  if (out.has_amax) {
    // amax of D before the D scale (binary32), or after it: report which.
    const FormatSpec f32 = format_by_name("binary32");
    const std::vector<std::uint64_t> pre = exact(g, p, f32, false);
    double amax_pre = 0;
    for (std::uint64_t b : pre) amax_pre = std::max(amax_pre, std::fabs(to_double(f32, b)));
    const double amax_post = amax_pre * p.scale_d;
    std::printf("%s amax_D = %g (max |D| before D scale %g, after %g)\n", g.name.c_str(),
                out.amax_d, amax_pre, amax_post);
    EXPECT_TRUE(out.amax_d == amax_pre || out.amax_d == amax_post);
  }
}

// Random (exponents in [-6, 6]) or adversarial (each row of A holds +-2^e pairs that cancel,
// plus small terms) inputs of the GEMM's formats.
Problem model_problem(const LtGemm& g, std::size_t K, bool adversarial, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Problem p{32, 32, K, {}, {}, {}, {}};
  std::uniform_real_distribution<double> mant(1.0, 2.0);
  std::uniform_int_distribution<int> expo(-6, 6), sign(0, 1);
  auto value = [&](const FormatSpec& f) {
    return encode_value(f, (sign(rng) ? -1 : 1) * std::ldexp(mant(rng), expo(rng)));
  };
  for (std::size_t i = 0; i < p.M; ++i)
    for (std::size_t k = 0; k < K; ++k) {
      if (adversarial && k % 2 == 1) {  // cancel the previous element's large value
        const double prev = to_double(g.a, p.a.back());
        p.a.push_back(std::fabs(prev) >= 8 ? encode_value(g.a, -prev) : value(g.a));
      } else if (adversarial && k % 64 == 0) {
        p.a.push_back(encode_value(g.a, (sign(rng) ? -1 : 1) * 256.0));
      } else {
        p.a.push_back(value(g.a));
      }
    }
  for (std::size_t i = 0; i < p.N * K; ++i)
    p.b.push_back(adversarial ? encode_value(g.b, 1.0) : value(g.b));
  if (g.scaling == LtScaling::mxfp8 || g.scaling == LtScaling::nvfp4) {
    const FormatSpec sf = format_by_name(g.scaling == LtScaling::mxfp8 ? "e8m0" : "e4m3");
    const std::size_t kb = K / block_of(g);
    p.sa.assign(p.M * kb, static_cast<std::uint8_t>(encode_value(sf, 1.0)));
    p.sb.assign(p.N * kb, static_cast<std::uint8_t>(encode_value(sf, 1.0)));
  }
  return p;
}

TEST_P(Gemm, ModelReport) {
  const LtGemm& g = gemm_named(GetParam());
  REQUIRE_GEMM(g);
  if (g.d.name != "binary32") GTEST_SKIP() << "model presets round into binary32 here";
  const FormatSpec f32 = format_by_name("binary32");
  std::vector<gemm::AccumulationModel> models;
  for (const gemm::AccumulationModel& m : gemm::model_presets())
    for (const std::string& in : m.inputs)
      if (in == g.a.name) models.push_back(m);
  const char* report_dir = std::getenv("FPAUDIT_GPU_REPORT");
  std::ofstream json;
  if (report_dir) json.open(std::string(report_dir) + "/" + test_name({GetParam(), 0}) + ".jsonl");
  for (std::size_t K : {256u, 1024u, 4096u})
    for (bool adversarial : {false, true}) {
      const Problem p = model_problem(g, K, adversarial, K * 2 + adversarial);
      const LtOutput out = run(g, p);
      const std::vector<std::uint64_t> ex = exact(g, p, f32, false);
      std::size_t equal_exact = 0;
      double max_ulps = 0;
      for (std::size_t i = 0; i < ex.size(); ++i) {
        EXPECT_FALSE(f32.is_nan(out.d[i])) << g.name << " element " << i;
        if (out.d[i] == ex[i]) ++equal_exact;
        const double d = std::fabs(static_cast<double>(static_cast<std::int32_t>(out.d[i])) -
                                   static_cast<double>(static_cast<std::int32_t>(ex[i])));
        max_ulps = std::max(max_ulps, d);
      }
      std::string line =
          g.name + " K=" + std::to_string(K) + (adversarial ? " adversarial" : " random") +
          ": equal to exact " + std::to_string(equal_exact) + "/" + std::to_string(ex.size()) +
          ", max distance " + std::to_string(static_cast<long long>(max_ulps)) + " binary32 ulps";
      std::string js = "{\"gemm\":\"" + g.name + "\",\"K\":" + std::to_string(K) +
                       ",\"inputs\":\"" + (adversarial ? "adversarial" : "random") +
                       "\",\"elements\":" + std::to_string(ex.size()) +
                       ",\"equal_exact\":" + std::to_string(equal_exact) + ",\"models\":{";
      const auto pa = pack(g.a, p.a), pb = pack(g.b, p.b);
      gemm::MatrixOperand A{g.a, pa.data(), gemm::Layout::row_major, 0, std::nullopt};
      gemm::MatrixOperand B{g.b, pb.data(), gemm::Layout::col_major, p.K, std::nullopt};
      bool first = true;
      for (const gemm::AccumulationModel& m : models) {
        const std::vector<std::uint64_t> mod =
            gemm::model_gemm(m, p.M, p.N, p.K, A, B, f32, ConvertOptions{});
        std::size_t equal = 0;
        for (std::size_t i = 0; i < mod.size(); ++i) equal += mod[i] == out.d[i];
        line += "; " + m.name + " " + std::to_string(equal) + "/" + std::to_string(mod.size());
        js += std::string(first ? "" : ",") + "\"" + m.name + "\":" + std::to_string(equal);
        first = false;
      }
      std::printf("%s\n", line.c_str());
      if (json) json << js << "}}\n";
    }
}

INSTANTIATE_TEST_SUITE_P(Cuda, Gemm, ::testing::ValuesIn(gemm_names()), test_name);

}  // namespace
