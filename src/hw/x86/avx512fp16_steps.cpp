// AVX512-FP16 steps (see avx512fp16_steps.hpp): VCVTPS2PHX on 16 lanes, VCVTSD2SH and VCVTSH2SD
// on one element.
#include "avx512fp16_steps.hpp"

#include <cstring>

#if defined(__AVX512FP16__) && defined(__AVX512VL__)
#include <immintrin.h>

namespace fpaudit::hw::x86::fp16 {

extern const char kWhyMissing[] = "";

void vcvtps2phx_step(const unsigned char* src, unsigned char* dst) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst),
                      _mm256_castph_si256(
                          _mm512_cvtxps_ph(_mm512_loadu_ps(reinterpret_cast<const float*>(src)))));
}

void vcvtsd2sh_step(const unsigned char* src, unsigned char* dst) {
  double x;
  std::memcpy(&x, src, 8);
  const __m128h h = _mm_cvtsd_sh(_mm_setzero_ph(), _mm_set_sd(x));
  const auto bits = static_cast<unsigned short>(_mm_cvtsi128_si32(_mm_castph_si128(h)));
  std::memcpy(dst, &bits, 2);
}

void vcvtsh2sd_step(const unsigned char* src, unsigned char* dst) {
  unsigned short bits;
  std::memcpy(&bits, src, 2);
  const __m128h h = _mm_castsi128_ph(_mm_cvtsi32_si128(bits));
  const double x = _mm_cvtsd_f64(_mm_cvtsh_sd(_mm_setzero_pd(), h));
  std::memcpy(dst, &x, 8);
}

}  // namespace fpaudit::hw::x86::fp16

#else

namespace fpaudit::hw::x86::fp16 {

extern const char kWhyMissing[] =
    "built without AVX512-FP16 code generation (the compiler lacks -mavx512fp16)";

void vcvtps2phx_step(const unsigned char*, unsigned char*) {}
void vcvtsd2sh_step(const unsigned char*, unsigned char*) {}
void vcvtsh2sd_step(const unsigned char*, unsigned char*) {}

}  // namespace fpaudit::hw::x86::fp16

#endif
