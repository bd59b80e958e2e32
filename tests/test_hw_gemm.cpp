// GEMM paths (include/fpaudit/hw/gemm_path.hpp, gemm_check.hpp), `fpaudit gemm --path` and
// `fpaudit audit --paths`.
//
// Oracles, by test:
//  * ModelReproduces*: the accumulation models of include/fpaudit/gemm/models.hpp (vdpbf16ps,
//    amx-bf16), which tests/test_gemm_models.cpp holds to the SDM pseudo-code re-stated and to
//    single instructions; here they must reproduce whole GEMMs (tiling, padding of K and N, every
//    output element) on random, cancelling, exponent-spread, subnormal and special inputs with
//    K from 1 to 512. The exact reference (gemm::exact_gemm, held to MPFR by test_gemm_exact)
//    gives the distance in ulps.
//  * UlpDistance: literal binary32 patterns.
//  * AuditPaths: the count of binary32 subnormals that IEEE RNE rounds to a nonzero bfloat16
//    (|m| > 2^15 for m x 2^-149, docs/HARDWARE.md), worked out by hand for the literal inputs.
// Paths this machine cannot run are skipped with the reason (GTEST_SKIP).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/gemm_check.hpp"
#include "fpaudit/hw/path.hpp"
#include "subprocess.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::hw;
namespace fs = std::filesystem;
using fpaudit::test::run_cli;
using fpaudit::test::words;

#define REQUIRE_GEMM(var, name)                            \
  const GemmPath* var = find_gemm_path(name);              \
  ASSERT_NE(var, nullptr) << name << " is not registered"; \
  if (std::string why; !path_available(*var, &why)) GTEST_SKIP() << name << ": " << why

TEST(GemmPaths, Registered) {
  for (const char* n :
       {"x86.vdpbf16ps.loop", "x86.amx.tdpbf16ps", "openblas.sbgemm", "openblas.sgemm.bf16",
        "openblas.sgemm.f16", "onednn.matmul.bf16", "eigen.gemm.half", "eigen.gemm.bfloat16"})
    EXPECT_NE(find_gemm_path(n), nullptr) << n;
}

// The acceptance: every output element of every case bit-exact with the documented model.
void expect_reproduced(const GemmPath& p) {
  const GemmCheckResult r = check_gemm_path(p);
  EXPECT_EQ(r.elements, 8250u);
  EXPECT_EQ(r.vs_model, 0u) << p.name << " differs from " << r.model;
  for (const GemmCaseResult& c : r.cases)
    EXPECT_EQ(c.vs_model, 0u) << c.kind << " " << c.M << "x" << c.N << "x" << c.K;
  // Not the exact result (an accumulation with roundings): the model is doing real work.
  EXPECT_LT(r.exact_equal, r.elements);
}

TEST(GemmPaths, ModelReproducesVdpbf16psLoop) {
  REQUIRE_GEMM(p, "x86.vdpbf16ps.loop");
  EXPECT_EQ(p->model, "vdpbf16ps");
  expect_reproduced(*p);
}

TEST(GemmPaths, ModelReproducesAmxTileGemm) {
  REQUIRE_GEMM(p, "x86.amx.tdpbf16ps");
  EXPECT_EQ(p->model, "amx-bf16:amx_k=32");
  expect_reproduced(*p);
}

TEST(GemmPaths, OtherModelsDoNotReproduceAmx) {
  // The check can fail: a wrong model (one instruction per 64 K) is caught.
  REQUIRE_GEMM(p, "x86.amx.tdpbf16ps");
  GemmCheckOptions o;
  o.model = "amx-bf16:amx_k=64";
  const GemmCheckResult r = check_gemm_path(*p, o);
  EXPECT_GT(r.vs_model, 0u);
  EXPECT_TRUE(r.finding());
}

TEST(GemmPaths, OneDnnReproducedExceptWhichNaN) {
  // Measured on this machine: brgemm avx512_core_bf16 kernels follow vdpbf16ps, AMX kernels
  // amx-bf16; only the choice among several NaNs in one dot product differs.
  REQUIRE_GEMM(p, "onednn.matmul.bf16");
  const GemmCheckResult r = check_gemm_path(*p);
  for (const GemmCaseResult& c : r.cases)
    EXPECT_NE(c.run_note.find("ISA "), std::string::npos) << "the ISA oneDNN used is recorded";
  EXPECT_EQ(r.vs_model, r.vs_model_nan) << "a non-NaN element differs from " << r.model;
}

TEST(GemmPaths, OpenBlasSbgemmAbsentIsExplained) {
  const GemmPath* p = find_gemm_path("openblas.sbgemm");
  ASSERT_NE(p, nullptr);
  std::string why;
  if (path_available(*p, &why)) GTEST_SKIP() << "this OpenBLAS exports cblas_sbgemm";
  EXPECT_FALSE(why.empty());
  GTEST_LOG_(INFO) << why;
}

TEST(GemmPaths, EveryAvailablePathRuns) {
  for (const GemmPath& p : gemm_paths()) {
    if (!path_available(p)) continue;
    GemmCheckOptions o;
    o.model = "sequential";  // any model: this test checks that each path runs and is sane
    const GemmCheckResult r = check_gemm_path(p, o);
    EXPECT_EQ(r.elements, 8250u) << p.name;
    EXPECT_GT(r.exact_equal, 0u) << p.name;  // K = 1 products are exact in every path
  }
}

TEST(GemmPaths, UlpDistance) {
  const FormatSpec f32 = format_by_name("binary32");
  EXPECT_EQ(ulp_distance(f32, 0x3F800000, 0x3F800001), 1u);
  EXPECT_EQ(ulp_distance(f32, 0x00000000, 0x80000000), 0u);
  EXPECT_EQ(ulp_distance(f32, 0x00000001, 0x80000001), 2u);
  EXPECT_EQ(ulp_distance(f32, 0x3F7FFFFF, 0x3F800000), 1u);
}

TEST(GemmPaths, UnavailableWhenDisabled) {
  const auto r = run_cli(
      {"hw"}, {.env = {"FPAUDIT_HW_DISABLE=amx_bf16,avx512_bf16"}, .stderr_into_stdout = true});
  EXPECT_NE(r.out.find("amx_bf16 disabled by FPAUDIT_HW_DISABLE"), std::string::npos) << r.out;
  const auto c =
      run_cli({"hw", "check", "x86.vdpbf16ps.loop", "x86.amx.tdpbf16ps"},
              {.env = {"FPAUDIT_HW_DISABLE=amx_bf16,avx512_bf16"}, .stderr_into_stdout = true});
  EXPECT_EQ(c.exit_code, 0) << c.out;
  EXPECT_NE(c.out.find("checked 0 paths, skipped 2 unavailable"), std::string::npos) << c.out;
}

// ---- the CLI ----

class TempDir : public ::testing::Test {
 protected:
  fpaudit::test::TempDir tmp_;
  const fs::path& dir_ = tmp_.path;
};

// NumPy format 1.0, C order, 2-D, little-endian uint16 containers.
void write_u16_npy(const fs::path& p, std::size_t r, std::size_t c,
                   const std::vector<std::uint16_t>& v) {
  std::string h = "{'descr': '<u2', 'fortran_order': False, 'shape': (" + std::to_string(r) + ", " +
                  std::to_string(c) + "), }";
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::ofstream f(p, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  f.put(static_cast<char>(h.size() & 0xFF));
  f.put(static_cast<char>(h.size() >> 8));
  f << h;
  for (std::uint16_t x : v) {
    f.put(static_cast<char>(x & 0xFF));
    f.put(static_cast<char>(x >> 8));
  }
}

using GemmPathCli = TempDir;

TEST_F(GemmPathCli, PathIsAuditedAgainstItsModel) {
  REQUIRE_GEMM(p, "x86.amx.tdpbf16ps");
  const FormatSpec bf16 = format_by_name("bfloat16");
  std::vector<std::uint8_t> a, b;
  const std::size_t M = 7, N = 21, K = 70;
  generate_gemm_inputs("random", bf16, bf16, M, N, K, 1, a, b);
  std::vector<std::uint16_t> av(M * K), bv(K * N);
  std::memcpy(av.data(), a.data(), a.size());
  std::memcpy(bv.data(), b.data(), b.size());
  write_u16_npy(dir_ / "a.npy", M, K, av);
  write_u16_npy(dir_ / "b.npy", K, N, bv);
  const std::string json = (dir_ / "g.json").string();
  const auto r =
      run_cli(words("gemm --a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b.npy").string() +
                    " --in-format bf16 --out-format f32 --path x86.amx.tdpbf16ps --json " + json),
              {.stderr_into_stdout = true});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("C from path x86.amx.tdpbf16ps"), std::string::npos) << r.out;
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["path"]["name"], "x86.amx.tdpbf16ps");
  // The path's model comes first among the models and reproduces every element.
  ASSERT_GE(j["models"].size(), 2u);
  EXPECT_EQ(j["models"][1]["bit_exact"], M * N) << j["models"].dump();
}

TEST_F(GemmPathCli, WrongFormatIsAUsageError) {
  write_u16_npy(dir_ / "a.npy", 2, 2, {0x3F80, 0, 0, 0x3F80});
  const auto r =
      run_cli(words("gemm --a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "a.npy").string() +
                    " --in-format f16 --out-format f32 --path x86.vdpbf16ps.loop"),
              {.stderr_into_stdout = true});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("give --in-format bfloat16"), std::string::npos) << r.out;
}

using AuditPaths = TempDir;

TEST_F(AuditPaths, CountsByClassAndNotApplicable) {
  // binary32: 1e-40, -3e-39, 2.5e-39, 7e-41 are subnormals m x 2^-149 with m > 2^15 (IEEE RNE
  // gives a nonzero bfloat16, VCVTNEPS2BF16 reads them as zero): 4. -1e-45 (m = 1) rounds to -0
  // either way; 1, 0.1, 65520 are normal.
  const float vals[] = {1e-40f, -3e-39f, 1.0f, 2.5e-39f, 7e-41f, 0.1f, 65520.0f, -1e-45f};
  const fs::path raw = dir_ / "t.f32";
  std::ofstream(raw, std::ios::binary).write(reinterpret_cast<const char*>(vals), sizeof vals);
  const std::string json = (dir_ / "a.json").string();
  const auto r =
      run_cli(words("audit " + raw.string() +
                    " --dtype f32 --quiet --paths x86.vcvtneps2bf16,x86.vcvtph2ps --json " + json),
              {.stderr_into_stdout = true});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["hw_paths"].size(), 2u);
  const auto& bf = j["hw_paths"][0];
  EXPECT_EQ(bf["path"], "x86.vcvtneps2bf16");
  if (bf["applicable"].get<bool>()) {
    EXPECT_EQ(bf["elements"], 8);
    EXPECT_EQ(bf["vs_ieee"]["mismatches"], 4);
    EXPECT_EQ(bf["vs_ieee"]["classes"]["input_denormal_as_zero"]["count"], 4);
    EXPECT_EQ(bf["vs_documented"]["mismatches"], 0);
  } else {
    EXPECT_NE(bf["reason"].get<std::string>().find("unavailable"), std::string::npos);
  }
  EXPECT_FALSE(j["hw_paths"][1]["applicable"].get<bool>());
  EXPECT_EQ(j["hw_paths"][1]["reason"], "the path reads binary16, the tensor holds binary32");
  // The HTML report gets a "Hardware paths" section with the same counts.
  const std::string html = (dir_ / "a.html").string();
  ASSERT_EQ(run_cli(words("audit " + raw.string() +
                          " --dtype f32 --quiet --paths x86.vcvtneps2bf16 --html " + html),
                    {.stderr_into_stdout = true})
                .exit_code,
            0);
  std::ifstream hin(html);
  const std::string page((std::istreambuf_iterator<char>(hin)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<h2>Hardware paths</h2>"), std::string::npos);
  if (bf["applicable"].get<bool>()) {
    EXPECT_NE(page.find("<td>4 (input_denormal_as_zero 4)</td>"), std::string::npos);
  }
  // Without --paths the report has no hw_paths member (its bytes are test_audit_cli's golden).
  const auto plain = run_cli(words("audit " + raw.string() + " --dtype f32 --quiet --json " + json),
                             {.stderr_into_stdout = true});
  ASSERT_EQ(plain.exit_code, 0) << plain.out;
  std::ifstream in2(json);
  EXPECT_FALSE(nlohmann::json::parse(in2).contains("hw_paths"));
}

TEST_F(AuditPaths, UnknownPathIsAUsageError) {
  const float one = 1.0f;
  std::ofstream(dir_ / "t.f32", std::ios::binary).write(reinterpret_cast<const char*>(&one), 4);
  const auto r =
      run_cli(words("audit " + (dir_ / "t.f32").string() + " --dtype f32 --paths x86.nothing"),
              {.stderr_into_stdout = true});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("no conversion path matches \"x86.nothing\""), std::string::npos) << r.out;
}

}  // namespace
