// The exact GEMM reference against OpenBLAS cblas_sgemm, same shape, same thread count, same run.
//
//   gemm_bench [--benchmark_filter=...]      threads: FPAUDIT_BENCH_THREADS (default: all cores)
//
// Inputs: values of N(0, 1) (x 64 for E4M3, to use its range) rounded (RNE, saturating) to the
// input format, the data a real layer's GEMM sees; sgemm gets the same values as binary32. Each
// exact benchmark also times sgemm on its shape (best of 3) and reports the ratio
// `x_sgemm` = exact time / sgemm time. The output format of the exact GEMM is binary32 (RNE).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"

extern "C" void openblas_set_num_threads(int);

namespace {

using namespace fpaudit;

unsigned bench_threads() {
  if (const char* e = std::getenv("FPAUDIT_BENCH_THREADS")) return static_cast<unsigned>(std::atoi(e));
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

struct Data {
  FormatSpec f;
  std::vector<std::uint8_t> a, b;  // storage containers
  std::vector<float> af, bf;       // the same values as binary32
};

Data make(const std::string& fmt, std::size_t m, std::size_t n, std::size_t k) {
  Data d;
  d.f = format_by_name(fmt);
  const double scale = d.f.width() == 8 ? 64.0 : 1.0;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> nd(0.0, scale);
  ConvertOptions sat;
  sat.overflow = Overflow::saturate;
  const std::size_t sb = storage_bytes(d.f);
  auto fill = [&](std::size_t count, std::vector<std::uint8_t>& bytes, std::vector<float>& fl) {
    bytes.resize(count * sb);
    fl.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t bits = convert_double(nd(rng), d.f, sat).bits;
      for (std::size_t j = 0; j < sb; ++j) bytes[i * sb + j] = static_cast<std::uint8_t>(bits >> (8 * j));
      fl[i] = static_cast<float>(to_double(d.f, bits));
    }
  };
  fill(m * k, d.a, d.af);
  fill(k * n, d.b, d.bf);
  return d;
}

double sgemm_seconds(const Data& d, std::size_t m, std::size_t n, std::size_t k, unsigned threads) {
  openblas_set_num_threads(static_cast<int>(threads));
  std::vector<float> c(m * n);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, d.af.data(), static_cast<int>(k), d.bf.data(),
                static_cast<int>(n), 0.0f, c.data(), static_cast<int>(n));
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

const Data& cached(const std::string& fmt, std::size_t m, std::size_t n, std::size_t k) {
  static std::map<std::tuple<std::string, std::size_t, std::size_t, std::size_t>, Data> cache;
  auto key = std::make_tuple(fmt, m, n, k);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make(fmt, m, n, k)).first;
  return it->second;
}

void exact(benchmark::State& state, const std::string& fmt, gemm::Backend backend) {
  const auto m = static_cast<std::size_t>(state.range(0)), n = static_cast<std::size_t>(state.range(1)),
             k = static_cast<std::size_t>(state.range(2));
  const unsigned threads = bench_threads();
  const Data& d = cached(fmt, m, n, k);
  const double sg = sgemm_seconds(d, m, n, k, threads);
  gemm::MatrixOperand a, b;
  a.format = b.format = d.f;
  a.data = d.a.data();
  b.data = d.b.data();
  const FormatSpec out = format_by_name("binary32");
  const ConvertOptions opt;
  gemm::GemmOptions g;
  g.threads = threads;
  g.backend = backend;
  std::string used;
  for (auto _ : state) {
    const gemm::GemmResult r = gemm::exact_gemm(m, n, k, a, b, out, opt, g);
    benchmark::DoNotOptimize(r.bits.data());
    used = r.backend;
  }
  state.counters["sgemm_ms"] = sg * 1e3;
  state.counters["threads"] = threads;
  state.counters["Gterm/s"] = benchmark::Counter(static_cast<double>(m * n * k), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["x_sgemm"] = benchmark::Counter(
      sg, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);  // time / sg
  state.SetLabel(fmt + " via " + used);
}

void sgemm(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0)), n = static_cast<std::size_t>(state.range(1)),
             k = static_cast<std::size_t>(state.range(2));
  const unsigned threads = bench_threads();
  const Data& d = cached("bfloat16", m, n, k);
  openblas_set_num_threads(static_cast<int>(threads));
  std::vector<float> c(m * n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, d.af.data(), static_cast<int>(k), d.bf.data(),
                static_cast<int>(n), 0.0f, c.data(), static_cast<int>(n));
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["threads"] = threads;
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate);
}

void shapes(benchmark::internal::Benchmark* b) {
  b->Args({1024, 1024, 1024})->Args({4096, 4096, 1024})->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(sgemm)->Apply(shapes);
BENCHMARK_CAPTURE(exact, e4m3, std::string("float8_e4m3fn"), gemm::Backend::automatic)->Apply(shapes);
BENCHMARK_CAPTURE(exact, fp16, std::string("binary16"), gemm::Backend::automatic)->Apply(shapes);
BENCHMARK_CAPTURE(exact, bf16, std::string("bfloat16"), gemm::Backend::automatic)->Apply(shapes);
BENCHMARK_CAPTURE(exact, e4m3_builtin, std::string("float8_e4m3fn"), gemm::Backend::builtin)->Apply(shapes);
BENCHMARK_CAPTURE(exact, fp16_builtin, std::string("binary16"), gemm::Backend::builtin)->Apply(shapes);

BENCHMARK_MAIN();
