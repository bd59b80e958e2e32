// The host implementations in NVIDIA's CUDA 13 headers (cuda_fp16.hpp, cuda_bf16.hpp,
// cuda_fp8.hpp, cuda_fp6.hpp, cuda_fp4.hpp) as paths cuda.host.NAME: the code a program runs
// when it calls __float2half_rz or __nv_cvt_float_to_fp8 on the CPU. Compiled by the host
// compiler with the toolkit's include directory; nothing here needs nvcc, a driver or a GPU.
//
// What the headers do, read from their source (CUDA 13.0), stated once per family below as the
// semantics line and as the reference's options; the NaN results that no NaN policy expresses
// are NaN rules. The header comment of each function (cuda_fp8.h etc.) is the documentation;
// where it is silent (NaN bits, rounding of the decodes) the host code is the statement.
#include <cstring>

#include "../backends.hpp"
#include "../elementwise.hpp"
#include "../x86/mxcsr.hpp"
#include "cuda_bits.hpp"
#include "cuda_conversions.hpp"

namespace fpaudit::hw::cuda {

namespace {

using namespace fpaudit_cuda_bits;

// ---- NaN rules (ConversionPath::documented_nan): the result bits for a NaN input ----
// cuda_fp16.hpp __internal_float2half, cuda_bf16.hpp __internal_float2bfloat16 and the fp8
// decodes return the canonical 0x7FFF for every NaN: sign and payload dropped.
std::uint64_t nan_f16_7fff(std::uint64_t) { return 0x7FFF; }
std::uint64_t nan_bf16_7fff(std::uint64_t) { return 0x7FFF; }
// cuda_fp16.hpp __internal_half2float: "discard sign of a NaN", mantissa all ones.
std::uint64_t nan_f32_7fffffff(std::uint64_t) { return 0x7FFFFFFF; }
// cuda_bf16.hpp __internal_bfloat162float: the bits moved up, no quieting.
std::uint64_t nan_bf16_to_f32_shift(std::uint64_t b) { return (b & 0xFFFF) << 16; }
// cuda_fp8.hpp __nv_cvt_float_to_fp8: "Canonical NaN" xbits = 0x7FFFFFFF before the double
// conversion, so E4M3 gives 0x7F and E5M2 0x7E | 0b11 = 0x7F, both without the input's sign.
// The half and bfloat16 sources go through it (the half widening also makes NaN 0x7FFFFFFF).
std::uint64_t nan_fp8_7f(std::uint64_t) { return 0x7F; }

// ---- semantics lines (one per family; the row adds the mode) ----
#define SEM_F2H                                                                                 \
  "integer rounding on the bits, no FP arithmetic; subnormal results kept; IEEE 7.4 overflow; " \
  "every NaN -> 0x7FFF, sign dropped (cuda_fp16.hpp __internal_float2half)"
#define SEM_D2H                                                                           \
  "RNE, one rounding: pre-rounds to 11 bits by a double add of a shifter (run under the " \
  "default MXCSR), then (float) and __float2half; every NaN -> 0x7FFF (cuda_fp16.hpp "    \
  "__double2half host code)"
#define SEM_H2F "exact; every NaN -> 0x7FFFFFFF, sign dropped (cuda_fp16.hpp __internal_half2float)"
#define SEM_F2BF                                                                            \
  "integer rounding on the bits; subnormals kept; IEEE 7.4 overflow; every NaN -> 0x7FFF, " \
  "sign dropped (cuda_bf16.hpp __internal_float2bfloat16)"
#define SEM_D2BF                                                                             \
  "RNE, one rounding: round-to-odd to float ((float)x under the default MXCSR, fixed up by " \
  "comparing back), then __float2bfloat16; every NaN -> 0x7FFF (cuda_bf16.hpp "              \
  "__double2bfloat16 host code)"
#define SEM_BF2F "bits << 16: exact; NaN not quieted (cuda_bf16.hpp __internal_bfloat162float)"
#define SEM_FP8_FLOAT                                                                         \
  "RNE via the exact double (cuda_fp8.hpp __nv_cvt_float_to_fp8 -> __nv_cvt_double_to_fp8); " \
  "NaN is first made 0x7FFFFFFF, so every NaN -> 0x7F; "
#define SEM_FP8_DOUBLE                                                                       \
  "RNE on the bits (cuda_fp8.hpp __nv_cvt_double_to_fp8); NaN keeps its sign (E4M3 0x7F|s, " \
  "E5M2 0x7E|s|top payload bit); "
#define SEM_FP8_HALF                                                                        \
  "RNE; widened to float (NaN -> 0x7FFFFFFF), then as __nv_cvt_float_to_fp8, so every NaN " \
  "-> 0x7F (cuda_fp8.hpp); "
#define SEM_FP8_BF16 \
  "RNE; bits << 16, then as __nv_cvt_float_to_fp8, so every NaN -> 0x7F (cuda_fp8.hpp); "
#define SEM_SATFINITE "__NV_SATFINITE: beyond max and +-inf -> +-max (cuda_fp8.h)"
#define SEM_NOSAT_E4M3 "__NV_NOSAT: |x| > 464 and +-inf -> NaN 0x7F|s, E4M3 has no inf (cuda_fp8.h)"
#define SEM_NOSAT_E5M2 "__NV_NOSAT: |x| >= 61440 -> +-inf (cuda_fp8.h)"
#define SEM_FP8_DECODE \
  "exact; every NaN -> 0x7FFF, sign dropped (cuda_fp8.hpp __nv_cvt_fp8_to_halfraw)"
#define SEM_FP6                                                                                \
  "on the exact double (cuda_fp6.hpp __nv_cvt_double_to_fp6); beyond max and +-inf -> +-max; " \
  "NaN -> +max (cuda_fp6.h)"
#define SEM_FP6_DECODE "exact (cuda_fp6.hpp __nv_cvt_fp6_to_halfraw; bits above the low 6 ignored)"
#define SEM_FP4                                                                                \
  "on the exact double (cuda_fp4.hpp __nv_cvt_double_to_fp4); beyond max and +-inf -> +-max; " \
  "NaN -> +max (cuda_fp4.h)"
#define SEM_FP4_DECODE "exact (cuda_fp4.hpp __nv_cvt_fp4_to_halfraw)"
#define SEM_E8M0                                                                             \
  "the power of two of |x| (cuda_fp8.h: \"absolute value is rounded\"), below 2^-127 and 0 " \
  "-> 0x00 = 2^-127, NaN -> 0xFF (cuda_fp8.hpp __nv_cvt_bfloat16raw_to_e8m0); "
#define SEM_E8M0_DOUBLE "round-to-odd to float first ((float)x under the default MXCSR); " SEM_E8M0
#define SEM_E8M0_DECODE                                                                         \
  "exact: 2^(x-127), 0x00 -> 2^-127 (bfloat16 subnormal 0x0040); 0xFF -> 0x7FFF (cuda_fp8.hpp " \
  "__internal_e8m0_to_bf16)"
#define SEM_NOSAT_E8M0 "__NV_NOSAT: above 2^127 and +-inf -> 0xFF (NaN) (cuda_fp8.h)"

// ---- the host functions, one per row: bits in, bits out ----
#define X(id, api, from, to, In, Out, expr, rnd, ovf, nan, sem) \
  Out host_##id(In x) { return static_cast<Out>(expr); }
#include "conversions.def"
#undef X

// The double-source host code rounds with FP arithmetic ((float)x, a + shifter), so every host
// path runs under the power-up MXCSR (RNE, no DAZ/FTZ) that the headers assume, and restores
// the caller's.
template <unsigned Mxcsr, x86::Kernel K>
void with_mxcsr(const void* in, void* out, std::size_t n) {
#if FPAUDIT_HW_X86
  x86::run_with_mxcsr<Mxcsr, K>(in, out, n);
#else
  K(in, out, n);
#endif
}

constexpr unsigned kMxcsrRz = x86::kMxcsrDefault | x86::kMxcsrRoundTowardZero;           // 0x7F80
constexpr unsigned kMxcsrDazFtz = x86::kMxcsrDefault | x86::kMxcsrDaz | x86::kMxcsrFtz;  // 0x9FC0

const Conversion kConversions[] = {
#define X(id, api, from, to, In, Out, expr, rnd, ovf, nan, sem)      \
  {#id,                                                              \
   api,                                                              \
   #from,                                                            \
   #to,                                                              \
   sizeof(In),                                                       \
   sizeof(Out),                                                      \
   Rounding::rnd,                                                    \
   Overflow::ovf,                                                    \
   nan,                                                              \
   sem,                                                              \
   with_mxcsr<x86::kMxcsrDefault, convert_each<In, Out, host_##id>>, \
   with_mxcsr<kMxcsrRz, convert_each<In, Out, host_##id>>,           \
   with_mxcsr<kMxcsrDazFtz, convert_each<In, Out, host_##id>>},
#include "conversions.def"
#undef X
};
static_assert(std::size(kConversions) == kConversionCount);

}  // namespace

std::span<const Conversion> conversions() { return kConversions; }

ConversionPath make_cuda_path(const Conversion& c, std::string name, std::string semantics,
                              std::function<bool(std::string*)> available,
                              void (*run)(const void*, void*, std::size_t)) {
  ConvertOptions o = documented_options(c.rounding);
  o.overflow = c.overflow;
  ConversionPath p =
      make_path(std::move(name), c.from, c.to, std::move(semantics), o, std::move(available), run);
  p.documented_nan = c.nan_rule;
  // cuda_fp8.h, __nv_cvt_*_to_e8m0: "absolute value is rounded"; the sign is ignored.
  p.documented_reads_magnitude = std::string_view(c.to) == "e8m0";
  return p;
}

bool uses_host_floating_point(const Conversion& c) {
  // cuda_fp16.hpp __double2half: a + shifter, (float); cuda_bf16.hpp __double2bfloat16 and
  // cuda_fp8.hpp __internal_double_to_float_with_sticky: (float)x and (double)f compared back.
  // Every other host function works on the bits (the float -> double widenings are exact).
  const std::string id = c.id;
  return id == "double2half" || id == "double2bfloat16" || id.rfind("double_to_e8m0", 0) == 0;
}

void register_host_paths(PathRegistry& r) {
  auto always = [](std::string*) { return true; };
  for (const Conversion& c : kConversions)
    r.add(make_cuda_path(c, std::string("cuda.host.") + c.api,
                         std::string(c.semantics) + "; host code", always, c.host_run));
    // The FP-arithmetic rows again, under an MXCSR a caller may have set. NVIDIA documents one
    // result whatever the floating-point environment, so these keep the row's documented
    // semantics: any difference `hw check` finds is undocumented behaviour.
#if FPAUDIT_HW_X86
  for (const Conversion& c : kConversions) {
    if (!uses_host_floating_point(c)) continue;
    r.add(make_cuda_path(
        c, std::string("cuda.host.") + c.api + ".mxcsr_rz",
        std::string(c.semantics) + "; host code called with MXCSR 0x7F80 (RC = toward zero)",
        always, c.host_run_mxcsr_rz));
    r.add(make_cuda_path(
        c, std::string("cuda.host.") + c.api + ".mxcsr_daz_ftz",
        std::string(c.semantics) + "; host code called with MXCSR 0x9FC0 (DAZ, FTZ: -ffast-math)",
        always, c.host_run_mxcsr_daz_ftz));
  }
#endif
}

}  // namespace fpaudit::hw::cuda
