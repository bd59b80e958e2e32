// The AVX-512 build of the bulk kernel: 16 lanes in a zmm register (AVX512F/BW/DQ/VL, checked
// by the caller before any of this runs). Narrowing stores use VPMOVDB / VPMOVDW.
#include <algorithm>
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
  // Philox (philox_fill): 8 counters, one per 64-bit lane. VPMULUDQ multiplies the low 32 bits
  // of each lane into a full 64-bit product.
  typedef std::uint64_t V64 __attribute__((vector_size(64)));
  static constexpr std::size_t K = 8;
  static V64 iota64() { return V64{0, 1, 2, 3, 4, 5, 6, 7}; }
  // The high 32 bits of each 64-bit lane into its low half (VPSHUFD on port 5, leaving port 0
  // to the multiplies; the high half keeps a copy, which nothing reads).
  static V64 high_half(V64 a) { return reinterpret_cast<V64>(_mm512_shuffle_epi32(reinterpret_cast<__m512i>(a), _MM_PERM_DDBB)); }
  static V64 mul_even(V64 a, std::uint32_t b) {
    return reinterpret_cast<V64>(
        _mm512_mul_epu32(reinterpret_cast<__m512i>(a), _mm512_set1_epi64(b)));
  }
  // The low words of c0..c3, counter by counter: pairs (c0,c1) and (c2,c3) in 64-bit lanes, then
  // the two interleaved (VPUNPCK[LH]QDQ: counters 0,2,4,6 and 1,3,5,7 as 128-bit lanes) and put
  // in counter order (VPERMT2Q).
  static void store_words(std::uint32_t* out, V64 c0, V64 c1, V64 c2, V64 c3) {
    const __m512i x01 = _mm512_mask_blend_epi32(
        0xAAAA, reinterpret_cast<__m512i>(c0), _mm512_slli_epi64(reinterpret_cast<__m512i>(c1), 32));
    const __m512i x23 = _mm512_mask_blend_epi32(
        0xAAAA, reinterpret_cast<__m512i>(c2), _mm512_slli_epi64(reinterpret_cast<__m512i>(c3), 32));
    const __m512i even = _mm512_unpacklo_epi64(x01, x23), odd = _mm512_unpackhi_epi64(x01, x23);
    _mm512_storeu_si512(out, _mm512_permutex2var_epi64(
                                 even, _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), odd));
    _mm512_storeu_si512(out + 16, _mm512_permutex2var_epi64(
                                      even, _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15), odd));
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
