// The AVX2 build of the bulk kernel: 8 lanes in a ymm register (AVX2, checked by the caller
// before any of this runs). AVX2 has no narrowing moves: the stores gather the low bytes of each
// lane with VPSHUFB and join the two 128-bit halves with VPERMD.
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
  static V iota() { return V{0, 1, 2, 3, 4, 5, 6, 7}; }
  // 32x32 -> 64-bit products: VPMULUDQ on even lanes and on odd lanes moved down (VPSHUFD),
  // re-interleaved.
  static void mul_wide(V a, std::uint32_t b, V& hi, V& lo) {
    const __m256i x = reinterpret_cast<__m256i>(a), y = _mm256_set1_epi32(static_cast<int>(b));
    const __m256i even = _mm256_mul_epu32(x, y);
    const __m256i odd = _mm256_mul_epu32(_mm256_shuffle_epi32(x, 0xF5), y);
    hi = reinterpret_cast<V>(_mm256_blend_epi32(_mm256_shuffle_epi32(even, 0xF5), odd, 0xAA));
    lo = reinterpret_cast<V>(_mm256_blend_epi32(even, _mm256_shuffle_epi32(odd, 0xA0), 0xAA));
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
