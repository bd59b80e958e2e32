// The AVX2 build of the bulk kernel: 8 lanes in a ymm register (AVX2, checked by the caller
// before any of this runs). AVX2 has no narrowing moves: the stores gather the low bytes of each
// lane with VPSHUFB and join the two 128-bit halves with VPERMD.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "f32_kernels.hpp"
#include "fpaudit/rounding/flags.hpp"
#include "fpaudit/rounding/stochastic.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace fpaudit::simd {

#include "f32_kernel.inc"

namespace {
typedef std::uint32_t u32x8 __attribute__((vector_size(32)));

struct Avx2Lanes {
  using V = u32x8;
  static constexpr std::size_t W = 8;
  static V load(const std::uint32_t* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Bytes [0,4,8,12] (or halfwords [0,2,4,6] as byte pairs) of each 128-bit half to its low
  // dword(s), then dwords 0 and 4 (or 0,1,4,5) side by side.
  static void store(std::uint8_t* p, V v) {
    const __m256i pick =
        _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12,
                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i b = _mm256_shuffle_epi8(reinterpret_cast<__m256i>(v), pick);
    const __m256i j = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(j));
  }
  static void store(std::uint16_t* p, V v) {
    const __m256i pick = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1,
                                          0, 1, 4, 5, 8, 9, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i b = _mm256_shuffle_epi8(reinterpret_cast<__m256i>(v), pick);
    const __m256i j = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 1, 4, 5, 2, 2, 2, 2));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(j));
  }
  static bool any(V v) {
    const __m256i x = reinterpret_cast<__m256i>(v);
    return !_mm256_testz_si256(x, x);
  }
  static bool any_gt(V a, V b) { return any(reinterpret_cast<V>(a > b)); }  // unsigned
  static std::uint32_t or_reduce(V v) {
    std::uint32_t r = 0;
    for (std::size_t i = 0; i < W; ++i) r |= v[i];
    return r;
  }
  // Philox (philox_fill): 4 counters, one per 64-bit lane (VPMULUDQ: full 64-bit products).
  typedef std::uint64_t V64 __attribute__((vector_size(32)));
  static constexpr std::size_t K = 4;
  static V64 iota64() { return V64{0, 1, 2, 3}; }
  // The high 32 bits of each 64-bit lane into its low half (VPSHUFD on port 5, leaving port 0
  // to the multiplies; the high half keeps a copy, which nothing reads).
  static V64 high_half(V64 a) { return reinterpret_cast<V64>(_mm256_shuffle_epi32(reinterpret_cast<__m256i>(a), 0xF5)); }
  static V64 mul_even(V64 a, std::uint32_t b) {
    return reinterpret_cast<V64>(
        _mm256_mul_epu32(reinterpret_cast<__m256i>(a), _mm256_set1_epi64x(b)));
  }
  // (c0,c1) and (c2,c3) paired in 64-bit lanes, interleaved per 128-bit half (counters 0,2 and
  // 1,3), then the halves put in counter order.
  static void store_words(std::uint32_t* out, V64 c0, V64 c1, V64 c2, V64 c3) {
    const __m256i x01 = _mm256_blend_epi32(reinterpret_cast<__m256i>(c0),
                                           _mm256_slli_epi64(reinterpret_cast<__m256i>(c1), 32), 0xAA);
    const __m256i x23 = _mm256_blend_epi32(reinterpret_cast<__m256i>(c2),
                                           _mm256_slli_epi64(reinterpret_cast<__m256i>(c3), 32), 0xAA);
    const __m256i even = _mm256_unpacklo_epi64(x01, x23), odd = _mm256_unpackhi_epi64(x01, x23);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permute2x128_si256(even, odd, 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), _mm256_permute2x128_si256(even, odd, 0x31));
  }
};
}  // namespace

std::uint32_t convert_f32_avx2(const F32Plan& p, const std::uint32_t* in, void* out, std::size_t n,
                               std::uint64_t first_index) {
  return convert_f32<Avx2Lanes>(p, in, out, n, first_index);
}

}  // namespace fpaudit::simd

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else  // not x86-64 GCC/Clang: never called (kernel_available reports it missing)
namespace fpaudit::simd {
std::uint32_t convert_f32_avx2(const F32Plan& p, const std::uint32_t* in, void* out, std::size_t n,
                               std::uint64_t first_index) {
  return convert_f32_scalar(p, in, out, n, first_index);
}
}  // namespace fpaudit::simd
#endif
