// `fpaudit gemm` (docs/GEMM.md 4-5), run as the built binary on small .npy files that this test
// writes itself (a minimal NumPy 1.0 writer below, independent of the CLI's).
//
// Oracles: the library calls the CLI documents (exact_gemm and model_gemm, whose numerics
// tests/test_gemm_exact.cpp and tests/test_gemm_models.cpp check against MPFR and the hardware);
// here the contract under test is the plumbing: file reading and layouts, .npy writing, which
// elements are counted, the best model, exit codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/gemm/tensor_core_presets.hpp"
#include "subprocess.hpp"

namespace {

namespace fs = std::filesystem;
using namespace fpaudit;

// NumPy format 1.0 with a C-order 2-D array of little-endian containers.
void write_npy(const fs::path& p, const std::string& descr, std::size_t r, std::size_t c,
               const std::vector<std::uint64_t>& bits, std::size_t bytes, bool fortran = false) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                  ", 'shape': (" + std::to_string(r) + ", " + std::to_string(c) + "), }";
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::ofstream f(p, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  f.put(static_cast<char>(h.size() & 0xFF));
  f.put(static_cast<char>(h.size() >> 8));
  f << h;
  for (auto b : bits)
    for (std::size_t j = 0; j < bytes; ++j) f.put(static_cast<char>((b >> (8 * j)) & 0xFF));
}

std::vector<std::uint64_t> read_npy_u32(const fs::path& p, std::string* header) {
  std::ifstream f(p, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::size_t hl = static_cast<unsigned char>(all[8]) | (static_cast<unsigned char>(all[9]) << 8);
  *header = all.substr(10, hl);
  std::vector<std::uint64_t> v;
  for (std::size_t i = 10 + hl; i + 4 <= all.size(); i += 4) {
    std::uint32_t x = 0;
    for (int j = 0; j < 4; ++j) x |= static_cast<std::uint32_t>(static_cast<unsigned char>(all[i + j])) << (8 * j);
    v.push_back(x);
  }
  return v;
}

using fpaudit::test::RunResult;
using fpaudit::test::slurp;

class GemmCli : public ::testing::Test {
 protected:
  RunResult run(const std::string& args) {
    return fpaudit::test::run_cli(fpaudit::test::words("gemm " + args));
  }
  fpaudit::test::TempDir tmp_;
  const fs::path& dir_ = tmp_.path;
};

TEST_F(GemmCli, ReferenceModelsAndAudit) {
  const FormatSpec bf16 = format_by_name("bfloat16"), f32 = format_by_name("binary32");
  const std::size_t M = 5, K = 70, N = 6;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> nd(0.0, 1.0);
  std::vector<std::uint64_t> a(M * K), b(K * N), bt(N * K);
  for (auto& x : a) x = convert_double(nd(rng), bf16, {}).bits;
  for (auto& x : b) x = convert_double(nd(rng), bf16, {}).bits;
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t j = 0; j < N; ++j) bt[j * K + k] = b[k * N + j];
  write_npy(dir_ / "a.npy", "<u2", M, K, a, 2);
  write_npy(dir_ / "b.npy", "<u2", K, N, b, 2);
  write_npy(dir_ / "bt.npy", "<u2", N, K, bt, 2);  // B^T: read with --b-layout col

  const std::string common = "--a " + (dir_ / "a.npy").string() + " --in-format bf16 --out-format f32";
  RunResult r = run(common + " --b " + (dir_ / "b.npy").string() + " --write-ref " +
                    (dir_ / "ref.npy").string() + " --model vdpbf16ps");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string header;
  const auto ref = read_npy_u32(dir_ / "ref.npy", &header);
  EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (5, 6)"), std::string::npos) << header;

  // The library's exact GEMM on the same data.
  std::vector<std::uint16_t> a16(a.begin(), a.end()), b16(b.begin(), b.end());
  gemm::MatrixOperand A, B;
  A.format = B.format = bf16;
  A.data = a16.data();
  B.data = b16.data();
  const auto want = gemm::exact_gemm(M, N, K, A, B, f32, {});
  ASSERT_EQ(ref.size(), M * N);
  for (std::size_t e = 0; e < ref.size(); ++e) EXPECT_EQ(ref[e], want.bits[e]);
  const auto model = read_npy_u32(dir_ / "ref.vdpbf16ps.npy", &header);
  const auto want_model = gemm::model_gemm(gemm::parse_model("vdpbf16ps"), M, N, K, A, B, f32, {});
  ASSERT_EQ(model.size(), M * N);
  for (std::size_t e = 0; e < model.size(); ++e) EXPECT_EQ(model[e], want_model[e]);

  // B given transposed: the same reference.
  r = run(common + " --b " + (dir_ / "bt.npy").string() + " --b-layout col --write-ref " +
          (dir_ / "ref2.npy").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_npy_u32(dir_ / "ref2.npy", &header), ref);

  // Auditing the VDPBF16PS output: that model reproduces every element and is named best.
  r = run(common + " --b " + (dir_ / "b.npy").string() + " --c " +
          (dir_ / "ref.vdpbf16ps.npy").string() + " --json " + (dir_ / "r.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp((dir_ / "r.json").string()));
  EXPECT_EQ(j["schema"], "fpaudit.gemm/1");
  EXPECT_EQ(j["best_model"], "vdpbf16ps");
  std::size_t same = 0;
  for (std::size_t e = 0; e < M * N; ++e) same += want_model[e] == want.bits[e];
  EXPECT_EQ(j["error"]["bit_exact"], same);
  EXPECT_EQ(j["error"]["elements"], M * N);
  EXPECT_EQ(j["error"]["bound"]["within"], j["error"]["finite_compared"]);  // a real kernel's error
  bool found = false;
  for (const auto& m : j["models"])
    if (m["name"] == "vdpbf16ps") {
      found = true;
      EXPECT_EQ(m["bit_exact"], M * N);
      EXPECT_EQ(m["fraction"], 1.0);
    }
  EXPECT_TRUE(found);
  EXPECT_NE(r.out.find("best model: vdpbf16ps"), std::string::npos) << r.out;
}

TEST_F(GemmCli, FloatInputsAreRoundedAndShapesChecked) {
  // binary32 .npy inputs for --in-format e4m3 are rounded (RNE) into it; 1.5 * 2 = 3 exactly.
  std::vector<std::uint64_t> a{0x3FC00000, 0x3FC00000}, b{0x40000000, 0x3F800000, 0x00000000};
  write_npy(dir_ / "a.npy", "<f4", 1, 2, a, 4);
  write_npy(dir_ / "b.npy", "<f4", 3, 1, b, 4);
  RunResult r = run("--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b.npy").string() +
                    " --in-format e4m3 --out-format f32");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("inner dimensions differ"), std::string::npos) << r.err;
  std::vector<std::uint64_t> b2{0x40000000, 0x3F800000};
  write_npy(dir_ / "b2.npy", "<f4", 2, 1, b2, 4);
  r = run("--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b2.npy").string() +
          " --in-format e4m3 --out-format f32 --write-ref " + (dir_ / "r.npy").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string header;
  EXPECT_EQ(read_npy_u32(dir_ / "r.npy", &header), std::vector<std::uint64_t>{0x40900000});  // 4.5
  r = run("--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b2.npy").string() +
          " --in-format e4m3 --out-format f32 --model nosuch");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown model"), std::string::npos) << r.err;
}

TEST_F(GemmCli, MxBlockScalesAndTensorScale) {
  // MXFP8: E4M3 elements, E8M0 scales per 32 along K, a tensor scale on A.
  const FormatSpec e4m3 = format_by_name("e4m3"), f32 = format_by_name("binary32");
  const std::size_t M = 3, K = 70, N = 4, nb = 3;
  std::mt19937_64 rng(2);
  std::vector<std::uint64_t> a(M * K), b(K * N), sa(M * nb), sb(nb * N);
  for (auto& x : a) do x = rng() & 0xFF; while (e4m3.is_nan(x));
  for (auto& x : b) do x = rng() & 0xFF; while (e4m3.is_nan(x));
  for (auto& x : sa) x = 120 + rng() % 15;
  for (auto& x : sb) x = 120 + rng() % 15;
  write_npy(dir_ / "a.npy", "|u1", M, K, a, 1);
  write_npy(dir_ / "b.npy", "|u1", K, N, b, 1);
  write_npy(dir_ / "sa.npy", "|u1", M, nb, sa, 1);
  write_npy(dir_ / "sb.npy", "|u1", nb, N, sb, 1);
  RunResult r = run("--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b.npy").string() +
                    " --in-format e4m3 --out-format f32 --a-scales " + (dir_ / "sa.npy").string() +
                    " --b-scales " + (dir_ / "sb.npy").string() +
                    " --a-tensor-scale 0.375 --write-ref " + (dir_ / "r.npy").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::uint8_t> a8(a.begin(), a.end()), b8(b.begin(), b.end()), sa8(sa.begin(), sa.end()),
      sb8(sb.begin(), sb.end());
  gemm::MatrixOperand A, B;
  A.format = B.format = e4m3;
  A.data = a8.data();
  B.data = b8.data();
  const FormatSpec e8m0 = format_by_name("e8m0");
  A.block_scales = gemm::BlockScales{e8m0, 32, sa8.data(), gemm::Layout::row_major, 0};
  B.block_scales = gemm::BlockScales{e8m0, 32, sb8.data(), gemm::Layout::row_major, 0};
  A.tensor_scale = ExactValue::finite(false, 3, -3);  // 0.375
  const auto want = gemm::exact_gemm(M, N, K, A, B, f32, {});
  std::string header;
  EXPECT_EQ(read_npy_u32(dir_ / "r.npy", &header), want.bits);
  // A scale array of the wrong shape is a usage error naming the expected shape.
  r = run("--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b.npy").string() +
          " --in-format e4m3 --out-format f32 --a-scales " + (dir_ / "sb.npy").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected 3 x 3"), std::string::npos) << r.err;
}

// GPU presets through the CLI (docs/TENSOR_CORES.md 5). Oracle for the numbers: the library's
// model_gemm with the device's preset (itself checked against recorded GPU data in
// test_tensor_core_validation.cpp); here the plumbing is under test: device names resolve to
// the preset for the formats, outputs are written and audited, --compare-models counts ulps.
TEST_F(GemmCli, DeviceModelsCompareAndIdentify) {
  const FormatSpec f16 = format_by_name("binary16"), f32 = format_by_name("binary32");
  const std::size_t M = 4, K = 96, N = 5;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> nd(0.0, 1.0);
  std::vector<std::uint64_t> a(M * K), b(K * N);
  for (auto& x : a) x = convert_double(nd(rng), f16, {}).bits;
  for (auto& x : b) x = convert_double(nd(rng), f16, {}).bits;
  write_npy(dir_ / "a.npy", "<u2", M, K, a, 2);
  write_npy(dir_ / "b.npy", "<u2", K, N, b, 2);
  const std::string ab = "--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b.npy").string() +
                         " --in-format fp16 --out-format f32";
  RunResult r = run(ab + " --model nvidia-h100 --model mi300x --write-ref " +
                    (dir_ / "r.npy").string() + " --json " + (dir_ / "m.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::uint16_t> a16(a.begin(), a.end()), b16(b.begin(), b.end());
  gemm::MatrixOperand A, B;
  A.format = B.format = f16;
  A.data = a16.data();
  B.data = b16.data();
  const auto ref = gemm::exact_gemm(M, N, K, A, B, f32, {});
  const auto h100 = gemm::model_gemm(gemm::device_preset("nvidia-h100", f16, f32), M, N, K, A, B, f32, {});
  std::string header;
  EXPECT_EQ(read_npy_u32(dir_ / "r.nvidia-h100-fp16-fp32.npy", &header), h100);
  EXPECT_EQ(read_npy_u32(dir_ / "r.amd-mi300x-fp16-fp32.npy", &header),
            gemm::model_gemm(gemm::device_preset("amd-mi300x", f16, f32), M, N, K, A, B, f32, {}));
  // Without --c each model's error against the exact result is tabulated.
  const auto doc = nlohmann::json::parse(slurp((dir_ / "m.json").string()));
  ASSERT_EQ(doc["model_errors"].size(), 2u);
  std::uint64_t exact = 0, max_ulp = 0;
  for (std::size_t e = 0; e < M * N; ++e) {
    const auto d = static_cast<std::uint64_t>(std::llabs(static_cast<long long>(ref.bits[e] & 0x7FFFFFFF) *
                                                             ((ref.bits[e] >> 31) ? -1 : 1) -
                                                         static_cast<long long>(h100[e] & 0x7FFFFFFF) *
                                                             ((h100[e] >> 31) ? -1 : 1)));
    exact += d == 0;
    max_ulp = std::max(max_ulp, d);
  }
  EXPECT_EQ(doc["model_errors"][0]["name"], "nvidia-h100-fp16-fp32");
  EXPECT_EQ(doc["model_errors"][0]["bit_exact"], exact);
  EXPECT_EQ(doc["model_errors"][0]["max_ulp"], max_ulp);
  // --compare-models: every preset for fp16 -> binary32, none for other outputs.
  r = run(ab + " --compare-models --json " + (dir_ / "c.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto cmp = nlohmann::json::parse(slurp((dir_ / "c.json").string()));
  bool saw_v100 = false;
  for (const auto& m : cmp["model_errors"]) {
    EXPECT_EQ(std::string(m["name"]).find("fp16-fp16"), std::string::npos) << m["name"];
    saw_v100 = saw_v100 || m["name"] == "nvidia-v100-fp16-fp32";
  }
  EXPECT_TRUE(saw_v100);
  EXPECT_NE(r.out.find("nvidia-b200-fp16-fp32"), std::string::npos) << r.out;
  // --c: the H100 output is identified (H100, H200, B200 and RTX PRO 6000 share the parameters).
  r = run(ab + " --c " + (dir_ / "r.nvidia-h100-fp16-fp32.npy").string() + " --json " +
          (dir_ / "i.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto id = nlohmann::json::parse(slurp((dir_ / "i.json").string()));
  EXPECT_EQ(id["best_model"], "nvidia-h100-fp16-fp32");
  for (const auto& m : id["models"]) {
    if (m["name"] == "nvidia-h200-fp16-fp32") {
      EXPECT_EQ(m["fraction"], 1.0);
    }
  }
  // A device without a model for the formats: usage error listing what it has.
  r = run("--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b.npy").string() +
          " --in-format fp16 --out-format f32 --model nvidia-h100:terms=8,neab=1 --model amd-mi210");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run("--a " + (dir_ / "a.npy").string() + " --b " + (dir_ / "b.npy").string() +
          " --in-format fp16 --out-format bf16 --model nvidia-v100");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nvidia-v100 has no model for binary16 inputs with bfloat16 output"), std::string::npos)
      << r.err;
}

// `fpaudit models`: every device and preset listed with parameters, source and notes.
TEST_F(GemmCli, ModelsCommandListsPresets) {
  RunResult r = fpaudit::test::run_cli({"models", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["schema"], "fpaudit.models/1");
  std::size_t tensor = 0;
  for (const auto& m : doc["models"]) {
    EXPECT_FALSE(std::string(m["source"]).empty()) << m["name"];
    if (!m.contains("device")) continue;
    ++tensor;
    EXPECT_TRUE(m.contains("block_fma")) << m["name"];
    bool data_or_undecided = false;
    for (const auto& n : m["notes"]) {
      const std::string s = n;
      data_or_undecided = data_or_undecided || s.rfind("data:", 0) == 0 || s.rfind("undecided: no recorded", 0) == 0;
    }
    EXPECT_TRUE(data_or_undecided) << m["name"];
  }
  EXPECT_EQ(tensor, gemm::tensor_core_presets().size());
  EXPECT_EQ(doc["devices"].size(), 16u);
  r = fpaudit::test::run_cli({"models", "nvidia-h100"});
  ASSERT_EQ(r.exit_code, 0);
  const std::string text = r.out;
  EXPECT_NE(text.find("nvidia-h100-fp8-fp32"), std::string::npos);
  EXPECT_NE(text.find("how C enters is untested"), std::string::npos);
  EXPECT_NE(text.find("6 models"), std::string::npos);
  r = fpaudit::test::run_cli({"models", "nosuch"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nosuch"), std::string::npos);
}

}  // namespace
