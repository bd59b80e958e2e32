// The AVX-512 build of the bulk kernel: 16 lanes in a zmm register (AVX512F/BW/DQ/VL, checked
// by the caller before any of this runs). Narrowing stores use VPMOVDB / VPMOVDW.
#include <cstring>
#include <type_traits>

#include "f32_kernels.hpp"
#include "fpaudit/rounding/flags.hpp"
#include "fpaudit/rounding/stochastic.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl")
// GCC 12's own avx512fintrin.h trips this (its _mm512_undefined_* placeholders).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace fpaudit::simd {

#include "f32_kernel.inc"

namespace {
typedef std::uint32_t u32x16 __attribute__((vector_size(64)));

struct Avx512Lanes {
  using V = u32x16;
  static constexpr std::size_t W = 16;
  static V load(const std::uint32_t* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(std::uint8_t* p, V v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                     _mm512_cvtepi32_epi8(reinterpret_cast<__m512i>(v)));
  }
  static void store(std::uint16_t* p, V v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                        _mm512_cvtepi32_epi16(reinterpret_cast<__m512i>(v)));
  }
  static bool any(V v) {
    const __m512i x = reinterpret_cast<__m512i>(v);
    return _mm512_test_epi32_mask(x, x) != 0;
  }
  static bool any_gt(V a, V b) {  // unsigned
    return _mm512_cmpgt_epu32_mask(reinterpret_cast<__m512i>(a), reinterpret_cast<__m512i>(b)) != 0;
  }
  static std::uint32_t or_reduce(V v) {
    return static_cast<std::uint32_t>(_mm512_reduce_or_epi32(reinterpret_cast<__m512i>(v)));
  }
  static V iota() { return V{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}; }
  // 32x32 -> 64-bit products of every lane: VPMULUDQ on the even lanes and on the odd ones
  // moved down, then the halves put back in lane order. The moves are VPSHUFD (port 5), not
  // shifts, which would compete with the multiplies for port 0.
  static void mul_wide(V a, std::uint32_t b, V& hi, V& lo) {
    const __m512i x = reinterpret_cast<__m512i>(a), y = _mm512_set1_epi32(static_cast<int>(b));
    const __m512i even = _mm512_mul_epu32(x, y);
    const __m512i odd = _mm512_mul_epu32(_mm512_shuffle_epi32(x, _MM_PERM_DDBB), y);
    hi = reinterpret_cast<V>(
        _mm512_mask_blend_epi32(0xAAAA, _mm512_shuffle_epi32(even, _MM_PERM_DDBB), odd));
    lo = reinterpret_cast<V>(
        _mm512_mask_blend_epi32(0xAAAA, even, _mm512_shuffle_epi32(odd, _MM_PERM_CCAA)));
  }
};
}  // namespace

std::uint32_t convert_f32_avx512(const F32Plan& p, const std::uint32_t* in, void* out,
                                 std::size_t n, std::uint64_t first_index) {
  return convert_f32<Avx512Lanes>(p, in, out, n, first_index);
}

}  // namespace fpaudit::simd

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else  // not x86-64 GCC/Clang: never called (kernel_available reports it missing)
namespace fpaudit::simd {
std::uint32_t convert_f32_avx512(const F32Plan& p, const std::uint32_t* in, void* out,
                                 std::size_t n, std::uint64_t first_index) {
  return convert_f32_scalar(p, in, out, n, first_index);
}
}  // namespace fpaudit::simd
#endif
