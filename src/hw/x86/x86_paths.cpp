// x86 conversion instructions as paths. Each kernel is compiled for its extension with a
// per-function target attribute (the AVX512-FP16 ones in avx512fp16_steps.cpp, with a per-file
// flag), so this file (and the library) stays baseline x86-64; a kernel runs only after
// cpu_supports() has confirmed the CPU and OS support (src/hw/x86/cpu_features.cpp).
//
// The documented semantics cite the Intel SDM Vol. 2 entries (mirrored at felixcloutier.com/x86):
//   VCVTPS2PH: imm8[1:0] rounding (00 RNE, 01 down, 10 up, 11 truncate) when imm8[2] = 0,
//     MXCSR.RC when imm8[2] = 1; "Underflow results (i.e. tiny results) are converted to
//     denormals. MXCSR.FTZ is ignored."; the denormal-input exception text is conditioned on
//     "MXCSR.DAZ not set", i.e. DAZ applies to the FP32 source.
//   VCVTPH2PS: exact; "MXCSR.DAZ is ignored and is treated as if it 0".
//   VCVTPS2PHX: rounding from MXCSR.RC; "uses MXCSR.DAZ for handling FP32 inputs. FP16 outputs
//     can be normal or denormal numbers, and are not conditionally flushed".
//   VCVTSD2SH: "rounded according to the rounding control bits in the MXCSR register".
//   VCVTSH2SD: exact.
//   VCVTNEPS2BF16: RNE; "Output denormals are always flushed to zero and input denormals are
//     always treated as zero. MXCSR is not consulted nor updated."; NaN -> x[31:16] with the
//     quiet bit set.
// Every x86 conversion quiets a signalling NaN and keeps the sign and the top payload bits
// (SDM Vol. 1, "Operating on SNaNs and QNaNs"): the reference's default NaN policy (IEEE 6.2.3).
#include <cstring>

#include "../backends.hpp"
#include "avx512fp16_steps.hpp"
#include "mxcsr.hpp"

#if FPAUDIT_HW_X86
#include <immintrin.h>
#endif

namespace fpaudit::hw {

#if !FPAUDIT_HW_X86

void register_x86_paths(PathRegistry&) {}  // not an x86 build: no x86 paths

#else

namespace {

using x86::kMxcsrDaz;
using x86::kMxcsrDefault;
using x86::kMxcsrFtz;
using x86::kMxcsrRoundTowardZero;
using x86::kMxcsrRoundUp;
using x86::run_with_mxcsr;

// Converts n elements by calling Step on groups of Lanes (a partial last group goes through
// zero-padded buffers). Each Step is one instruction's worth of work, compiled for its extension
// by a target attribute and called (never inlined) from this baseline code, so no conversion can
// move across run_with_mxcsr's MXCSR writes.
template <std::size_t Lanes, std::size_t InBytes, std::size_t OutBytes,
          void (*Step)(const unsigned char*, unsigned char*)>
void in_groups(const void* in, void* out, std::size_t n) {
  const auto* src = static_cast<const unsigned char*>(in);
  auto* dst = static_cast<unsigned char*>(out);
  std::size_t i = 0;
  for (; i + Lanes <= n; i += Lanes) Step(src + InBytes * i, dst + OutBytes * i);
  if (i < n) {
    unsigned char buf[Lanes * InBytes] = {}, res[Lanes * OutBytes];
    std::memcpy(buf, src + InBytes * i, (n - i) * InBytes);
    Step(buf, res);
    std::memcpy(dst + OutBytes * i, res, (n - i) * OutBytes);
  }
}

#define FPAUDIT_STEP(isa) __attribute__((target(isa), noinline))

// ---- F16C (VEX, 256-bit: 8 lanes) ----

template <int Imm>
FPAUDIT_STEP("avx,f16c") void vcvtps2ph_step(const unsigned char* src, unsigned char* dst) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst),
                   _mm256_cvtps_ph(_mm256_loadu_ps(reinterpret_cast<const float*>(src)), Imm));
}

FPAUDIT_STEP("avx,f16c") void vcvtph2ps_step(const unsigned char* src, unsigned char* dst) {
  _mm256_storeu_ps(reinterpret_cast<float*>(dst),
                   _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src))));
}

// ---- AVX512-FP16: steps in avx512fp16_steps.cpp (compiled with -mavx512fp16) ----

using x86::fp16::vcvtps2phx_step;
using x86::fp16::vcvtsd2sh_step;
using x86::fp16::vcvtsh2sd_step;

// ---- AVX512-BF16 (16 lanes) ----

FPAUDIT_STEP("avx512f,avx512bf16") void vcvtneps2bf16_step(const unsigned char* src,
                                                          unsigned char* dst) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst),
                      (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(reinterpret_cast<const float*>(src))));
}

#undef FPAUDIT_STEP

template <int Imm>
constexpr x86::Kernel vcvtps2ph = in_groups<8, 4, 2, vcvtps2ph_step<Imm>>;
constexpr x86::Kernel vcvtph2ps = in_groups<8, 2, 4, vcvtph2ps_step>;
constexpr x86::Kernel vcvtps2phx = in_groups<16, 4, 2, vcvtps2phx_step>;
constexpr x86::Kernel vcvtsd2sh = in_groups<1, 8, 2, vcvtsd2sh_step>;
constexpr x86::Kernel vcvtsh2sd = in_groups<1, 2, 8, vcvtsh2sd_step>;
constexpr x86::Kernel vcvtneps2bf16 = in_groups<16, 4, 2, vcvtneps2bf16_step>;

constexpr unsigned kMxcsrDazFtz = kMxcsrDefault | kMxcsrDaz | kMxcsrFtz;  // 0x9FC0

}  // namespace

void register_x86_paths(PathRegistry& r) {
  const char* kNan = "NaN quieted, payload truncated";
  const auto fp16_usable = built_and(x86::fp16::kWhyMissing, needs_avx512_fp16());
  // VCVTPS2PH with each rounding immediate (imm8[2] = 0: imm8[1:0]; imm8[2] = 1: MXCSR.RC).
  struct Imm {
    const char* suffix;
    Rounding rounding;
    const char* text;
    void (*run)(const void*, void*, std::size_t);
  };
  const Imm imms[] = {
      {"imm0", Rounding::rne, "RNE (imm8 = 0)", run_with_mxcsr<kMxcsrDefault, vcvtps2ph<0>>},
      {"imm1", Rounding::rdown, "round down (imm8 = 1; overflow: -inf / +max)",
       run_with_mxcsr<kMxcsrDefault, vcvtps2ph<1>>},
      {"imm2", Rounding::rup, "round up (imm8 = 2; overflow: +inf / -max)",
       run_with_mxcsr<kMxcsrDefault, vcvtps2ph<2>>},
      {"imm3", Rounding::rtz, "truncate (imm8 = 3; overflow: +-max finite)",
       run_with_mxcsr<kMxcsrDefault, vcvtps2ph<3>>},
      {"imm4", Rounding::rne, "MXCSR.RC (imm8 = 4), run with the default MXCSR 0x1F80: RNE",
       run_with_mxcsr<kMxcsrDefault, vcvtps2ph<4>>},
  };
  for (const Imm& imm : imms)
    r.add(make_path(std::string("x86.vcvtps2ph.") + imm.suffix, "binary32", "binary16",
                    std::string(imm.text) + "; tiny results kept subnormal (FTZ ignored); " + kNan +
                        " (SDM VCVTPS2PH)",
                    documented_options(imm.rounding), needs_f16c(), imm.run));
  r.add(make_path("x86.vcvtps2ph.imm4.mxcsr_rz", "binary32", "binary16",
                  "MXCSR.RC (imm8 = 4), run with MXCSR 0x7F80 (RC = toward zero): truncate; " +
                      std::string(kNan) + " (SDM VCVTPS2PH)",
                  documented_options(Rounding::rtz), needs_f16c(),
                  run_with_mxcsr<kMxcsrDefault | kMxcsrRoundTowardZero, vcvtps2ph<4>>));
  // DAZ is visible only where a binary32 subnormal does not round to zero anyway: rounding up.
  r.add(make_path("x86.vcvtps2ph.imm2.mxcsr_daz_ftz", "binary32", "binary16",
                  "round up (imm8 = 2) under MXCSR 0x9FC0 (DAZ, FTZ): subnormal f32 inputs read as "
                  "zero (DAZ applies to the FP32 source), tiny results still subnormal (FTZ "
                  "ignored) (SDM VCVTPS2PH)",
                  documented_options(Rounding::rup, /*daz=*/true), needs_f16c(),
                  run_with_mxcsr<kMxcsrDazFtz, vcvtps2ph<2>>));
  r.add(make_path("x86.vcvtph2ps", "binary16", "binary32",
                  "exact; subnormal inputs converted exactly; NaN quieted, payload kept "
                  "(SDM VCVTPH2PS)",
                  documented_options(Rounding::rne), needs_f16c(),
                  run_with_mxcsr<kMxcsrDefault, vcvtph2ps>));
  r.add(make_path("x86.vcvtph2ps.mxcsr_daz_ftz", "binary16", "binary32",
                  "exact under MXCSR 0x9FC0 (DAZ, FTZ): DAZ ignored, subnormal inputs still exact; "
                  "NaN quieted (SDM VCVTPH2PS)",
                  documented_options(Rounding::rne), needs_f16c(),
                  run_with_mxcsr<kMxcsrDazFtz, vcvtph2ps>));

  r.add(make_path("x86.vcvtps2phx", "binary32", "binary16",
                  "MXCSR.RC, run with the default MXCSR 0x1F80: RNE; subnormal results not "
                  "flushed; " + std::string(kNan) + " (SDM VCVTPS2PHX)",
                  documented_options(Rounding::rne), fp16_usable,
                  run_with_mxcsr<kMxcsrDefault, vcvtps2phx>));
  r.add(make_path("x86.vcvtps2phx.mxcsr_up_daz_ftz", "binary32", "binary16",
                  "MXCSR 0xDFC0 (RC = up, DAZ, FTZ): round up; subnormal f32 inputs read as zero "
                  "(uses MXCSR.DAZ), subnormal results not flushed (SDM VCVTPS2PHX)",
                  documented_options(Rounding::rup, /*daz=*/true), fp16_usable,
                  run_with_mxcsr<kMxcsrDazFtz | kMxcsrRoundUp, vcvtps2phx>));
  r.add(make_path("x86.vcvtsd2sh", "binary64", "binary16",
                  "one rounding f64 -> f16 by MXCSR.RC, run with the default MXCSR 0x1F80: RNE; "
                  "subnormal results kept; " + std::string(kNan) + " (SDM VCVTSD2SH)",
                  documented_options(Rounding::rne), fp16_usable,
                  run_with_mxcsr<kMxcsrDefault, vcvtsd2sh>));
  r.add(make_path("x86.vcvtsh2sd", "binary16", "binary64",
                  "exact; NaN quieted, payload kept (SDM VCVTSH2SD)",
                  documented_options(Rounding::rne), fp16_usable,
                  run_with_mxcsr<kMxcsrDefault, vcvtsh2sd>));

  // MXCSR is neither read nor written by VCVTNEPS2BF16, so no MXCSR is set for it.
  r.add(make_path("x86.vcvtneps2bf16", "binary32", "bfloat16",
                  "RNE; denormal inputs read as zero, denormal outputs flushed to zero; NaN "
                  "quieted, payload truncated; MXCSR not consulted (SDM VCVTNEPS2BF16)",
                  documented_options(Rounding::rne, /*daz=*/true, /*ftz=*/true),
                  needs_avx512_bf16(), vcvtneps2bf16));
}

#endif  // FPAUDIT_HW_X86

}  // namespace fpaudit::hw
