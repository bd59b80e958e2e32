// NVIDIA's conversions on the GPU (paths cuda.device.*, ctest label "gpu"): every conversion of
// conversions.def run as device code over the same inputs as its host twin (all 2^16 / 2^8
// patterns, or the binary32 / binary64 boundary set), compared bit for bit.
//
// Oracle: the headers' host implementation (cuda.host.*), itself held to fpaudit's reference by
// tests/test_cuda_paths.cpp. NVIDIA documents one function for both sides, so any difference
// between them is a finding; the test fails and prints the first ones with their inputs.
// Without a driver or a GPU every test skips with the reason (device_ready()).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/hw/check.hpp"
#include "fpaudit/hw/input_set.hpp"
#include "fpaudit/hw/path.hpp"
#include "hw/cuda/driver.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::hw;

std::vector<std::uint64_t> run_all(const ConversionPath& p, const std::vector<std::uint64_t>& in) {
  const std::size_t ib = storage_bytes(p.from), ob = storage_bytes(p.to);
  std::vector<unsigned char> src(in.size() * ib), dst(in.size() * ob);
  for (std::size_t i = 0; i < in.size(); ++i) std::memcpy(&src[i * ib], &in[i], ib);
  p.run(src.data(), dst.data(), in.size());
  std::vector<std::uint64_t> out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) std::memcpy(&out[i], &dst[i * ob], ob);
  return out;
}

std::vector<std::string> device_path_names() {
  std::vector<std::string> v;
  for (const ConversionPath& p : conversion_paths())
    if (p.name.rfind("cuda.device.", 0) == 0) v.push_back(p.name);
  return v;
}

TEST(CudaDevice, Status) {
  std::string why;
  if (!cuda::device_ready(&why)) {
    EXPECT_FALSE(why.empty());
    GTEST_SKIP() << why;
  }
  std::printf("device: %s\n", cuda::device_description().c_str());
}

class DeviceVsHost : public ::testing::TestWithParam<std::string> {};

TEST_P(DeviceVsHost, BitForBit) {
  const ConversionPath* dev = find_conversion_path(GetParam());
  ASSERT_NE(dev, nullptr);
  std::string why;
  if (!path_available(*dev, &why)) GTEST_SKIP() << why;
  const ConversionPath* host = find_conversion_path("cuda.host." + GetParam().substr(12));
  ASSERT_NE(host, nullptr);
  const std::vector<std::uint64_t> in = check_inputs(dev->from, dev->to);
  const std::vector<std::uint64_t> d = run_all(*dev, in), h = run_all(*host, in);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (d[i] == h[i]) continue;
    if (++differ <= 5)
      ADD_FAILURE() << "FINDING " << dev->name << ": input " << std::hex << in[i] << " device "
                    << d[i] << " host " << h[i] << " documented " << documented_result(*dev, in[i]);
  }
  EXPECT_EQ(differ, 0u) << dev->name << ": " << differ << " of " << in.size()
                        << " inputs differ between NVIDIA's device and host code ("
                        << cuda::device_description() << ")";
}

INSTANTIATE_TEST_SUITE_P(Cuda, DeviceVsHost, ::testing::ValuesIn(device_path_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string s = info.param.substr(12);
                           std::replace_if(
                               s.begin(), s.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return s;
                         });

// The device paths through the checker, as `fpaudit hw check 'cuda.device.*'` runs them: against
// the documented semantics (E8M0 encodes: the documented |x| is outside the reference's options,
// see test_cuda_paths.cpp, so only their non-negative inputs must agree).
TEST(CudaDevice, DocumentedSemantics) {
  std::string why;
  if (!cuda::device_ready(&why)) GTEST_SKIP() << why;
  for (const std::string& name : device_path_names()) {
    const ConversionPath* p = find_conversion_path(name);
    CheckOptions opt;
    opt.threads = 2;
    const CheckResult r = check_path(*p, opt);
    const bool e8m0 = p->to.name == "float8_e8m0fnu" && p->from.is_signed;
    std::printf("%-56s inputs %8llu  vs IEEE %8llu  vs documented %8llu\n", name.c_str(),
                static_cast<unsigned long long>(r.inputs),
                static_cast<unsigned long long>(r.vs_ieee.total),
                static_cast<unsigned long long>(r.vs_documented.total));
    if (e8m0) {
      for (const auto& c : r.vs_documented.examples)
        for (const MismatchExample& e : c) EXPECT_TRUE(p->from.is_negative(e.input)) << name;
    } else {
      EXPECT_EQ(r.vs_documented.total, 0u) << "FINDING " << name;
    }
  }
}

}  // namespace
