// Replays every recorded GPU result in vectors/tensor-core-validation/ through the matching
// nvidia-* preset and requires bit-exact agreement on every row of every file.
//
// Oracle: the outputs recorded on real GPUs (V100, A100, A2, Ada, L40S, H100, H200, B200) by
// Khattak & Mikaitis (MATLAB-tensor-core b12b5a7, model_validation/, BSD-2; the LICENCE and
// README sit beside the data). Each row i: d_i = sum_k a_ik b_ik + c_i by one tensor-core
// instruction. Nothing here consults fpaudit's own arithmetic to decide what is right.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/encode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/gemm/tensor_core_presets.hpp"
#include "fpaudit/io/xz.hpp"

namespace {

using namespace fpaudit;
namespace fs = std::filesystem;

const fs::path kRoot = fs::path(FPAUDIT_SOURCE_DIR) / "vectors" / "tensor-core-validation";

std::vector<std::string> lines(const fs::path& p) {
  std::istringstream in(io::read_xz_file(p.string()));
  std::vector<std::string> v;
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// a_/b_ files: K binary32 patterns per line, 8 hex digits each, space separated.
std::vector<std::vector<std::uint32_t>> hex_rows(const fs::path& p) {
  std::vector<std::vector<std::uint32_t>> rows;
  for (const auto& l : lines(p)) {
    std::istringstream in(l);
    std::vector<std::uint32_t> r;
    for (std::string w; in >> w;) r.push_back(static_cast<std::uint32_t>(std::stoul(w, nullptr, 16)));
    rows.push_back(r);
  }
  return rows;
}

// c_/d_ files: one binary32 pattern per line as 32 '0'/'1', sign first.
std::vector<std::uint32_t> bin_rows(const fs::path& p) {
  std::vector<std::uint32_t> v;
  for (const auto& l : lines(p)) {
    EXPECT_EQ(l.size(), 32u) << p;
    v.push_back(static_cast<std::uint32_t>(std::stoul(l, nullptr, 2)));
  }
  return v;
}

std::string input_format(const std::string& dir) {
  if (dir == "fp16") return "binary16";
  if (dir == "bf16") return "bfloat16";
  if (dir == "tf32") return "tf32";
  if (dir == "E4M3") return "float8_e4m3fn";
  if (dir == "E5M2") return "float8_e5m2";
  return "";
}

std::string device(std::string gpu) {
  std::transform(gpu.begin(), gpu.end(), gpu.begin(), [](unsigned char c) { return std::tolower(c); });
  return "nvidia-" + gpu;
}

TEST(TensorCoreValidation, EveryRecordedRowIsReproducedBitForBit) {
  ASSERT_TRUE(fs::is_directory(kRoot)) << kRoot;
  const FormatSpec f32 = format_by_name("binary32");
  std::vector<fs::path> dfiles;
  for (const auto& e : fs::recursive_directory_iterator(kRoot))
    if (e.is_regular_file() && e.path().filename().string().starts_with("d_")) dfiles.push_back(e.path());
  std::sort(dfiles.begin(), dfiles.end());
  // The published data set: 48 result files (research 4.1), 5000 rows each.
  ASSERT_EQ(dfiles.size(), 48u);
  std::size_t total_rows = 0;
  for (const fs::path& d : dfiles) {
    const fs::path dir = d.parent_path();
    const std::string fmt_dir = dir.filename().string(), gpu = dir.parent_path().filename().string();
    const std::string out_name = d.filename().string().find("_fp16.") != std::string::npos ? "binary16" : "binary32";
    const FormatSpec in = format_by_name(input_format(fmt_dir)), out = format_by_name(out_name);
    const gemm::AccumulationModel m = gemm::device_preset(device(gpu), in, out);
    const auto a = hex_rows(dir / ("a_" + gpu + "_" + fmt_dir + ".txt.xz"));
    const auto b = hex_rows(dir / ("b_" + gpu + "_" + fmt_dir + ".txt.xz"));
    const auto c = bin_rows(dir / ("c_" + gpu + "_fp32.txt.xz"));
    const auto want = bin_rows(d);
    ASSERT_EQ(want.size(), 5000u) << d;
    ASSERT_EQ(a.size(), want.size()) << d;
    ASSERT_EQ(b.size(), want.size()) << d;
    ASSERT_EQ(c.size(), want.size()) << d;
    // H100/H200 fp8 with fp32 output was recorded by WGMMA with a zero accumulator (research 3.3).
    const bool c_unused = (gpu == "H100" || gpu == "H200") && in.precision() <= 4 && out_name == "binary32";
    std::size_t match = 0, first_bad = SIZE_MAX;
    for (std::size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(a[i].size(), b[i].size()) << d << " row " << i;
      std::vector<ExactValue> x, y;
      for (std::size_t k = 0; k < a[i].size(); ++k) {
        x.push_back(decode(f32, a[i][k]));
        y.push_back(decode(f32, b[i][k]));
        // Every input is a value of the folder's format (research 4.2).
        ASSERT_FALSE(encode(in, x.back(), {}).flags.has(Flags::inexact)) << d << " row " << i;
        ASSERT_FALSE(encode(in, y.back(), {}).flags.has(Flags::inexact)) << d << " row " << i;
      }
      // C as the recording program passed it: binary32, or __float2half (RNE) for fp16 output.
      ExactValue cv = c_unused ? ExactValue::zero(false) : decode(out, encode(out, decode(f32, c[i]), {}).bits);
      const Encoded got = gemm::model_dot(m, x, y, in, in, cv, f32, {});
      if (got.bits == want[i]) ++match;
      else if (first_bad == SIZE_MAX) first_bad = i;
    }
    total_rows += want.size();
    const std::string rel = fs::relative(d, kRoot).string();
    std::cout << "  " << rel << "  " << m.name << "  K " << a[0].size() << "  " << match << "/"
              << want.size() << " bit-exact\n";
    EXPECT_EQ(match, want.size()) << rel << " with " << m.name << ": first mismatch at row "
                                  << first_bad;
  }
  EXPECT_EQ(total_rows, 48u * 5000u);
}

}  // namespace
