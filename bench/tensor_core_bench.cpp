// Time of one M x K x N GEMM through block-FMA presets (model_gemm), on ONE thread.
//
//   tensor_core_bench [SIZE] [PRESET...]     SIZE default 1024 (M = N = K); presets default: one
//                                            per distinct path / input format (docs/TENSOR_CORES.md
//                                            6)
//
// Inputs: values of N(0, 1) rounded (RNE, saturating) into the preset's first input format.
// Prints: preset, wall seconds, CPU seconds of the thread (CLOCK_THREAD_CPUTIME_ID: what the
// GEMM costs one core when the machine is shared), CPU ns per multiply-add, and a hash of every
// output pattern (FNV-1a, 64 bits): two builds of the evaluator that print the same hash for a
// preset gave that preset's whole M x N result bit for bit (same seed, same inputs).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/models.hpp"

namespace {

using namespace fpaudit;

std::vector<std::uint8_t> random_matrix(const FormatSpec& f, std::size_t n, std::mt19937_64& rng) {
  ConvertOptions sat;
  sat.overflow = Overflow::saturate;
  std::normal_distribution<double> nd(0.0, 1.0);
  const std::size_t sb = storage_bytes(f);
  std::vector<std::uint8_t> v(n * sb);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t b = convert_double(nd(rng), f, sat).bits;
    for (std::size_t j = 0; j < sb; ++j) v[i * sb + j] = static_cast<std::uint8_t>(b >> (8 * j));
  }
  return v;
}

// FNV-1a over the output patterns, 8 bytes each.
std::uint64_t fnv1a(const std::vector<std::uint64_t>& v) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::uint64_t x : v)
    for (int i = 0; i < 8; ++i) h = (h ^ ((x >> (8 * i)) & 0xFF)) * 0x100000001b3ULL;
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // one line per preset as it finishes
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
  std::vector<std::string> names;
  for (int i = 2; i < argc; ++i) names.emplace_back(argv[i]);
  if (names.empty())
    names = {"nvidia-v100-fp16-fp32", "nvidia-a100-bf16-fp32", "nvidia-h100-fp16-fp32",
             "nvidia-h100-tf32-fp32", "nvidia-h100-fp8-fp32",  "nvidia-h100-fp8-fp16",
             "nvidia-b200-fp8-fp32",  "amd-mi100-fp16-fp32",   "amd-mi210-bf16-fp32",
             "amd-mi300x-fp16-fp32",  "amd-mi300x-fp8-fp32"};
  std::printf("%-26s %8s %8s %12s   (M = N = K = %zu, 1 thread)\n", "preset", "wall s", "cpu s",
              "cpu ns/madd", n);
  for (const auto& name : names) {
    std::mt19937_64 rng(1);  // per preset: its inputs do not depend on which others run
    const gemm::AccumulationModel m = gemm::parse_model(name);
    const FormatSpec in = format_by_name(m.inputs.empty() ? "bfloat16" : m.inputs.front());
    const FormatSpec out = format_by_name(m.output.empty() ? "binary32" : m.output);
    const auto a = random_matrix(in, n * n, rng), b = random_matrix(in, n * n, rng);
    gemm::MatrixOperand A, B;
    A.format = B.format = in;
    A.data = a.data();
    B.data = b.data();
    gemm::GemmOptions g;
    g.threads = 1;
    timespec c0, c1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = gemm::model_gemm(m, n, n, n, A, B, out, {}, g);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    const double cpu = static_cast<double>(c1.tv_sec - c0.tv_sec) +
                       1e-9 * static_cast<double>(c1.tv_nsec - c0.tv_nsec);
    std::printf("%-26s %8.2f %8.2f %12.2f   (hash %016llx)\n", name.c_str(), s, cpu,
                cpu * 1e9 / (static_cast<double>(n) * n * n),
                static_cast<unsigned long long>(fnv1a(r)));
  }
  return 0;
}
