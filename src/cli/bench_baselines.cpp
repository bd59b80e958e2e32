#include "bench_baselines.hpp"

#include <dlfcn.h>

#include <cstring>

#include "fpaudit/hw/cpu_features.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FPAUDIT_BENCH_X86 1
#if !defined(__clang__)
// GCC 12's own avx512fintrin.h trips this (its _mm512_undefined_* placeholders).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#endif

namespace fpaudit::cli::bench {
namespace {
using hw::CpuFeature;

// The conversion loops prefetch their input and output 1024 elements ahead, as the bulk kernels
// do (src/codec/simd/f32_kernel.inc, prefetch_ahead): the ratio then compares the conversion
// work, not who prefetches (docs/BENCHMARKS.md, "Prefetch").
inline void prefetch_ahead(const float* in, std::uint16_t* out) {
  constexpr std::uintptr_t ahead = 1024;
  __builtin_prefetch(
      reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(in) + ahead * sizeof(float)),
      0, 3);
  __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(out) +
                                                   ahead * sizeof(std::uint16_t)),
                     1, 3);
}

#if FPAUDIT_BENCH_X86
__attribute__((target("avx512f"))) std::uint64_t sum_avx512(const std::uint32_t* in,
                                                            std::size_t n) {
  __m512i acc = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) acc = _mm512_add_epi32(acc, _mm512_loadu_si512(in + i));
  alignas(64) std::uint32_t lanes[16];
  _mm512_store_si512(lanes, acc);
  std::uint64_t s = 0;
  for (std::uint32_t v : lanes) s += v;
  for (; i < n; ++i) s += in[i];
  return s;
}
__attribute__((target("avx512f,f16c"))) void f16c_avx512(const float* in, std::uint16_t* out,
                                                         std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    prefetch_ahead(in + i, out + i);
    _mm256_storeu_si256(
        reinterpret_cast<__m256i*>(out + i),
        _mm512_cvtps_ph(_mm512_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  for (; i < n; ++i)
    out[i] =
        static_cast<std::uint16_t>(_cvtss_sh(in[i], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
__attribute__((target("avx,f16c"))) void f16c_avx(const float* in, std::uint16_t* out,
                                                  std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    prefetch_ahead(in + i, out + i);
    _mm_storeu_si128(
        reinterpret_cast<__m128i*>(out + i),
        _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  for (; i < n; ++i)
    out[i] =
        static_cast<std::uint16_t>(_cvtss_sh(in[i], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
__attribute__((target("avx512f,avx512bf16"))) void bf16_avx512(const float* in, std::uint16_t* out,
                                                               std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    prefetch_ahead(in + i, out + i);
    const __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(in + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), reinterpret_cast<const __m256i&>(h));
  }
  if (i < n) {  // the tail, through a zero-padded vector
    float tmp[16] = {};
    std::uint16_t res[16];
    std::memcpy(tmp, in + i, (n - i) * sizeof(float));
    const __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(tmp));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(res), reinterpret_cast<const __m256i&>(h));
    std::memcpy(out + i, res, (n - i) * sizeof(std::uint16_t));
  }
}
#endif
}  // namespace

std::uint64_t stream_read(const std::uint32_t* in, std::size_t n) {
#if FPAUDIT_BENCH_X86
  if (hw::cpu_supports(CpuFeature::avx512f)) return sum_avx512(in, n);
#endif
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s += in[i];
  return s;
}

bool f16c_convert(const float* in, std::uint16_t* out, std::size_t n, std::string* why) {
#if FPAUDIT_BENCH_X86
  if (hw::cpu_supports_all({CpuFeature::avx512f, CpuFeature::f16c})) {
    f16c_avx512(in, out, n);
    return true;
  }
  if (hw::cpu_supports_all({CpuFeature::avx, CpuFeature::f16c}, why)) {
    f16c_avx(in, out, n);
    return true;
  }
  return false;
#else
  (void)in, (void)out, (void)n;
  if (why) *why = "not an x86-64 build";
  return false;
#endif
}

bool bf16_convert(const float* in, std::uint16_t* out, std::size_t n, std::string* why) {
#if FPAUDIT_BENCH_X86
  if (!hw::cpu_supports_all({CpuFeature::avx512f, CpuFeature::avx512bw, CpuFeature::avx512_bf16},
                            why))
    return false;
  bf16_avx512(in, out, n);
  return true;
#else
  (void)in, (void)out, (void)n;
  if (why) *why = "not an x86-64 build";
  return false;
#endif
}

bool sgemm(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c,
           unsigned threads, std::string* why) {
  using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                         float, float*, int);
  using SetThreads = void (*)(int);
  struct Blas {
    Sgemm sgemm = nullptr;
    SetThreads set_threads = nullptr;
  };
  static const Blas blas = [] {
    Blas r;
    for (const char* lib : {"libopenblas.so.0", "libopenblas.so"}) {
      if (void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL)) {
        r.sgemm = reinterpret_cast<Sgemm>(dlsym(h, "cblas_sgemm"));
        r.set_threads = reinterpret_cast<SetThreads>(dlsym(h, "openblas_set_num_threads"));
        if (r.sgemm) break;
      }
    }
    return r;
  }();
  if (!blas.sgemm) {
    if (why) *why = "OpenBLAS (libopenblas.so.0) not found";
    return false;
  }
  if (blas.set_threads) blas.set_threads(static_cast<int>(threads));
  constexpr int kRowMajor = 101, kNoTrans = 111;  // CBLAS enum values (cblas.h)
  blas.sgemm(kRowMajor, kNoTrans, kNoTrans, static_cast<int>(m), static_cast<int>(n),
             static_cast<int>(k), 1.0f, a, static_cast<int>(k), b, static_cast<int>(n), 0.0f, c,
             static_cast<int>(n));
  return true;
}

}  // namespace fpaudit::cli::bench
