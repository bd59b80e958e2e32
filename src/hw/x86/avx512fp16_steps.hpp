// The AVX512-FP16 instruction steps of the x86 paths. They live in their own file, compiled with
// -mavx512fp16 (CMakeLists.txt, hardware paths block), because clang 14's <immintrin.h> declares
// the FP16 intrinsics and __m128h only when __AVX512FP16__ is defined (GCC's declares them for
// per-function target attributes too). The file holds these functions and nothing else, so no
// code built for AVX-512 can be shared with baseline callers; they run only after the path's
// CPUID check.
#pragma once

namespace fpaudit::hw::x86::fp16 {

// Empty when the file was compiled for AVX512-FP16; otherwise why not (the steps are then
// never called: the paths report it as their reason).
extern const char kWhyMissing[];

void vcvtps2phx_step(const unsigned char* src, unsigned char* dst);  // 16 binary32 -> binary16
void vcvtsd2sh_step(const unsigned char* src, unsigned char* dst);   // 1 binary64 -> binary16
void vcvtsh2sd_step(const unsigned char* src, unsigned char* dst);   // 1 binary16 -> binary64

// Arithmetic on 32 binary16 lanes: dst = op(src[0], src[1], src[2]) lane by lane. Rnd is the
// rounding: 0 = MXCSR.RC (no embedded rounding), else the SAE embedded rounding
// (1 = {rd-sae}, 2 = {ru-sae}, 3 = {rz-sae}).
enum class Fp16Op { add, mul, div, sqrt, fma };
template <Fp16Op Op, int Rnd>
void arith_step(const unsigned char* const* src, unsigned char* dst);

}  // namespace fpaudit::hw::x86::fp16
