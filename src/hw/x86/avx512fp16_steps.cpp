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

namespace {

template <int Rnd>
constexpr int kRounding = Rnd == 1   ? (_MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
                          : Rnd == 2 ? (_MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)
                                     : (_MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);

__m512h load_ph(const unsigned char* p) {
  return _mm512_castsi512_ph(_mm512_loadu_si512(reinterpret_cast<const void*>(p)));
}

}  // namespace

// VADDPH / VMULPH / VDIVPH zmm1, zmm2, zmm3 with zmm2 = operand 0 (src1: its NaN wins, SDM
// Vol. 1 Table 4-7), VSQRTPH, and VFMADD213PH zmm1, zmm2, zmm3 (zmm1 = zmm2 * zmm1 + zmm3)
// with zmm1 = a, zmm2 = b, zmm3 = c: a * b + c. The FMA is written in asm so that the compiler
// cannot pick the 132 or 231 form (another NaN priority).
// The binary instructions are written in asm, in the operand order given: the compiler may
// otherwise swap the operands of a commutative intrinsic, which changes which NaN wins.
#define FPAUDIT_FP16_BINARY(insn)                                                          \
  if constexpr (Rnd == 0) __asm__(insn " %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));          \
  else if constexpr (Rnd == 1) __asm__(insn " %{rd-sae%}, %2, %1, %0" : "=v"(r) : "v"(a), "v"(b)); \
  else if constexpr (Rnd == 2) __asm__(insn " %{ru-sae%}, %2, %1, %0" : "=v"(r) : "v"(a), "v"(b)); \
  else __asm__(insn " %{rz-sae%}, %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));

template <Fp16Op Op, int Rnd>
void arith_step(const unsigned char* const* src, unsigned char* dst) {
  const __m512h a = load_ph(src[0]);
  __m512h r;
  if constexpr (Op == Fp16Op::add || Op == Fp16Op::mul || Op == Fp16Op::div) {
    const __m512h b = load_ph(src[1]);
    if constexpr (Op == Fp16Op::add) {
      FPAUDIT_FP16_BINARY("vaddph")
    } else if constexpr (Op == Fp16Op::mul) {
      FPAUDIT_FP16_BINARY("vmulph")
    } else {
      FPAUDIT_FP16_BINARY("vdivph")
    }
  } else if constexpr (Op == Fp16Op::sqrt) {
    if constexpr (Rnd == 0) r = _mm512_sqrt_ph(a);
    else r = _mm512_sqrt_round_ph(a, kRounding<Rnd>);
  } else {
    const __m512h b = load_ph(src[1]), c = load_ph(src[2]);
    r = a;
    if constexpr (Rnd == 0) __asm__("vfmadd213ph %2, %1, %0" : "+v"(r) : "v"(b), "v"(c));
    else if constexpr (Rnd == 1)
      __asm__("vfmadd213ph %{rd-sae%}, %2, %1, %0" : "+v"(r) : "v"(b), "v"(c));
    else if constexpr (Rnd == 2)
      __asm__("vfmadd213ph %{ru-sae%}, %2, %1, %0" : "+v"(r) : "v"(b), "v"(c));
    else __asm__("vfmadd213ph %{rz-sae%}, %2, %1, %0" : "+v"(r) : "v"(b), "v"(c));
  }
  _mm512_storeu_si512(reinterpret_cast<void*>(dst), _mm512_castph_si512(r));
}

}  // namespace fpaudit::hw::x86::fp16

#else

namespace fpaudit::hw::x86::fp16 {

extern const char kWhyMissing[] =
    "built without AVX512-FP16 code generation (the compiler lacks -mavx512fp16)";

void vcvtps2phx_step(const unsigned char*, unsigned char*) {}
void vcvtsd2sh_step(const unsigned char*, unsigned char*) {}
void vcvtsh2sd_step(const unsigned char*, unsigned char*) {}
template <Fp16Op Op, int Rnd>
void arith_step(const unsigned char* const*, unsigned char*) {}

}  // namespace fpaudit::hw::x86::fp16

#endif

// The instantiations the arithmetic paths use (src/hw/x86/op_paths.cpp).
namespace fpaudit::hw::x86::fp16 {
#define FPAUDIT_FP16_ARITH(op)                                                            \
  template void arith_step<Fp16Op::op, 0>(const unsigned char* const*, unsigned char*); \
  template void arith_step<Fp16Op::op, 1>(const unsigned char* const*, unsigned char*); \
  template void arith_step<Fp16Op::op, 2>(const unsigned char* const*, unsigned char*); \
  template void arith_step<Fp16Op::op, 3>(const unsigned char* const*, unsigned char*);
FPAUDIT_FP16_ARITH(add)
FPAUDIT_FP16_ARITH(mul)
FPAUDIT_FP16_ARITH(div)
FPAUDIT_FP16_ARITH(sqrt)
FPAUDIT_FP16_ARITH(fma)
#undef FPAUDIT_FP16_ARITH
}  // namespace fpaudit::hw::x86::fp16
