// Google Benchmark programs for the conversion and audit kernels (the same kernels as
// `fpaudit bench`, src/cli/cmd_bench.cpp): binary32 -> format through convert_span (the
// dispatched bulk kernels) for every named target and rounding mode, each forced variant
// (avx512, avx2, scalar), the F16C / VCVTNEPS2BF16 instruction loops and a memcpy as baselines,
// and the audit of one tensor against binary16, bfloat16, E4M3 and E5M2. Input: N(0,1) x 2^e,
// e uniform in -8..8, 2^24 values (64 MiB; FPAUDIT_BENCH_LOG2N to change). Compare the rows'
// bytes_per_second: the ratio to the instruction row is the figure docs/BENCHMARKS.md reports.
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/cpu_features.hpp"

#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace {

using namespace fpaudit;

const std::vector<float>& input() {
  static const std::vector<float> v = [] {
    const char* e = std::getenv("FPAUDIT_BENCH_LOG2N");
    std::vector<float> x(std::size_t{1} << (e ? std::atoi(e) : 24));
    std::mt19937_64 rng(20261124);
    std::normal_distribution<float> nd;
    std::uniform_int_distribution<int> ed(-8, 8);
    for (auto& y : x) y = std::ldexp(nd(rng), ed(rng));
    return x;
  }();
  return v;
}

void convert(benchmark::State& state, const char* format, Rounding mode, int isa) {
  const FormatSpec f32 = format_by_name("binary32"), f = format_by_name(format);
  if (isa >= 0 && !kernel_available(static_cast<KernelIsa>(isa))) {
    state.SkipWithError("kernel unavailable on this CPU");
    return;
  }
  const auto& in = input();
  std::vector<std::uint8_t> out(in.size() * storage_bytes(f), 1);
  ConvertOptions opt;
  opt.rounding = mode;
  set_kernel_override(isa < 0 ? std::nullopt
                              : std::optional<KernelIsa>(static_cast<KernelIsa>(isa)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(convert_span(f32, in.data(), f, out.data(), in.size(), opt));
    benchmark::ClobberMemory();
  }
  set_kernel_override(std::nullopt);
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * in.size() * sizeof(float)));
}

__attribute__((target("avx512f,f16c"))) void f16c_loop(const float* in, std::uint16_t* out,
                                                       std::size_t n) {
  for (std::size_t i = 0; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm512_cvtps_ph(_mm512_loadu_ps(in + i), 0));
}
__attribute__((target("avx512f,avx512bf16"))) void bf16_loop(const float* in, std::uint16_t* out,
                                                             std::size_t n) {
  for (std::size_t i = 0; i + 16 <= n; i += 16) {
    const __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(in + i));
    std::memcpy(out + i, &h, sizeof h);
  }
}

void baseline(benchmark::State& state, int which) {
  using hw::CpuFeature;
  const auto& in = input();
  std::vector<std::uint16_t> out(in.size(), 1);
  if ((which == 0 && !hw::cpu_supports_all({CpuFeature::avx512f, CpuFeature::f16c})) ||
      (which == 1 && !hw::cpu_supports_all({CpuFeature::avx512f, CpuFeature::avx512_bf16}))) {
    state.SkipWithError("instruction unavailable on this CPU");
    return;
  }
  for (auto _ : state) {
    if (which == 0)
      f16c_loop(in.data(), out.data(), in.size());
    else if (which == 1)
      bf16_loop(in.data(), out.data(), in.size());
    else
      std::memcpy(out.data(), in.data(), in.size() * sizeof(std::uint16_t));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * in.size() * sizeof(float)));
}

void audit_tensor_bench(benchmark::State& state) {
  const auto& all = input();
  const std::size_t n = std::min<std::size_t>(all.size(), std::size_t{1} << 22);
  audit::AuditConfig cfg;
  for (const char* name : {"binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2"})
    cfg.formats.push_back(format_by_name(name));
  cfg.role = audit::Role::weight;
  cfg.threads = static_cast<unsigned>(state.range(0));
  cfg.per_tensor_scaling = false;
  cfg.mx = false;
  audit::TensorMeta meta;
  meta.name = "bench";
  meta.count = n;
  meta.shape = {n};
  meta.row_length = n;
  std::vector<double> xs(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
  const audit::ValueStream values = [&](const audit::ValueSink& sink) {
    sink(std::span<const double>(xs));
  };
  for (auto _ : state) benchmark::DoNotOptimize(audit::audit_tensor(meta, values, cfg));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(float)));
}

}  // namespace

BENCHMARK_CAPTURE(baseline, f16c_vcvtps2ph, 0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(baseline, vcvtneps2bf16, 1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(baseline, memcpy_half, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, f16_rne, "binary16", Rounding::rne, -1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, bf16_rne, "bfloat16", Rounding::rne, -1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_rne, "float8_e4m3fn", Rounding::rne, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e5m2_rne, "float8_e5m2", Rounding::rne, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e2m1_rne, "float4_e2m1fn", Rounding::rne, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, custom_e3m4_fnuz_b5_rne, "e3m4:fnuz:bias=5", Rounding::rne, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_rna, "float8_e4m3fn", Rounding::rna, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_rtz, "float8_e4m3fn", Rounding::rtz, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_rup, "float8_e4m3fn", Rounding::rup, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_rno, "float8_e4m3fn", Rounding::rno, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, f16_sr, "binary16", Rounding::sr, -1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_sr, "float8_e4m3fn", Rounding::sr, -1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, f16_rne_avx512, "binary16", Rounding::rne, 2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, f16_rne_avx2, "binary16", Rounding::rne, 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, f16_rne_scalar, "binary16", Rounding::rne, 0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_rne_avx2, "float8_e4m3fn", Rounding::rne, 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(convert, e4m3_rne_scalar, "float8_e4m3fn", Rounding::rne, 0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(audit_tensor_bench)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
