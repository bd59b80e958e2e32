// AVX512-FP16 arithmetic on binary16 as paths: VADDPH, VMULPH, VDIVPH, VSQRTPH, VFMADD213PH
// (the steps are in avx512fp16_steps.cpp, compiled with -mavx512fp16; they run only after the
// CPUID check). What the SDM documents (Vol. 2 entries, and Vol. 1 "Intel AVX-512 FP16"):
//   * rounding: MXCSR.RC, or the instruction's embedded rounding {rn,rd,ru,rz}-sae;
//   * "MXCSR.DAZ and MXCSR.FTZ are not consulted" for FP16 operations: subnormal operands and
//     results are kept (the .mxcsr_daz_ftz variants run under MXCSR 0x9FC0 to show it);
//   * NaN operands: the first NaN source operand (src1 before src2), quieted, payload kept
//     (Vol. 1 Table 4-7; the reference's rule, docs/ARITHMETIC.md). For VFMADD213PH the order
//     is that of its expression zmm2 * zmm1 + zmm3, i.e. b, a, c for a * b + c (measured:
//     with a and b both NaN, b's payload comes out);
//   * invalid operations (inf - inf, 0 x inf, 0/0, inf/inf, sqrt of a negative) give the
//     "QNaN floating-point indefinite": sign 1, quiet, payload 0, i.e. 0xFE00 for binary16,
//     where the reference's default NaN is +0x7E00.
#include <cstring>
#include <string_view>

#include "../backends.hpp"
#include "avx512fp16_steps.hpp"
#include "fpaudit/format/registry.hpp"
#include "mxcsr.hpp"

namespace fpaudit::hw {

#if !FPAUDIT_HW_X86

void register_x86_op_paths(PathRegistry&) {}

#else

namespace {

using x86::fp16::Fp16Op;

// Runs n lanes through Step 32 at a time; a partial last group goes through zero-padded
// buffers. Step is in another translation unit, so nothing moves across the MXCSR writes.
template <int Arity, void (*Step)(const unsigned char* const*, unsigned char*)>
void in_groups(const void* const* operands, void* out, std::size_t n) {
  auto* dst = static_cast<unsigned char*>(out);
  const unsigned char* src[3] = {};
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < Arity; ++k) src[k] = static_cast<const unsigned char*>(operands[k]) + 2 * i;
    Step(src, dst + 2 * i);
  }
  if (i < n) {
    unsigned char buf[3][64] = {}, res[64];
    for (int k = 0; k < Arity; ++k) {
      std::memcpy(buf[k], static_cast<const unsigned char*>(operands[k]) + 2 * i, 2 * (n - i));
      src[k] = buf[k];
    }
    Step(src, res);
    std::memcpy(dst + 2 * i, res, 2 * (n - i));
  }
}

template <unsigned Mxcsr, int Arity, void (*Step)(const unsigned char* const*, unsigned char*)>
void run(const void* const* operands, void* out, std::size_t n) {
  const unsigned saved = _mm_getcsr();
  _mm_setcsr(Mxcsr);
  in_groups<Arity, Step>(operands, out, n);
  _mm_setcsr(saved);
}

using RunFn = void (*)(const void* const*, void*, std::size_t);

template <Fp16Op Op, int Rnd, unsigned Mxcsr = x86::kMxcsrDefault>
constexpr RunFn kernel() {
  constexpr int arity = Op == Fp16Op::sqrt ? 1 : Op == Fp16Op::fma ? 3 : 2;
  return run<Mxcsr, arity, x86::fp16::arith_step<Op, Rnd>>;
}

constexpr unsigned kMxcsrDazFtz = x86::kMxcsrDefault | x86::kMxcsrDaz | x86::kMxcsrFtz;

}  // namespace

void register_x86_op_paths(PathRegistry& r) {
  const auto usable = built_and(x86::fp16::kWhyMissing, needs_avx512_fp16());
  const std::string nan_rest =
      ", quieted, payload kept; invalid: QNaN indefinite 0xFE00; subnormals kept (MXCSR.DAZ/FTZ "
      "not consulted)";
  auto add = [&](std::string name, const char* op, std::string how, Rounding rounding,
                 const char* sdm, RunFn fn) {
    OpPath p;
    p.name = std::move(name);
    p.format = format_by_name("binary16");
    p.operation = op;
    const bool fma = std::string_view(op) == "mulAdd";
    p.semantics = how + "; NaN operand: " +
                  (fma ? "first of zmm2 (b), zmm1 (a), zmm3 (c)" : "the first source's") +
                  nan_rest + " (SDM " + sdm + ")";
    p.documented = documented_options(rounding);
    p.default_nan = 0xFE00;  // sign 1, quiet, payload 0
    // VFMADD213PH zmm1 (a), zmm2 (b), zmm3 (c) = zmm2 * zmm1 + zmm3: NaNs in that order.
    if (fma) p.nan_order = {1, 0, 2};
    p.available = usable;
    p.run = fn;
    r.add(std::move(p));
  };
  const std::string mxcsr = "RNE by MXCSR.RC (default MXCSR 0x1F80)";
  add("x86.vaddph", "add", mxcsr, Rounding::rne, "VADDPH", kernel<Fp16Op::add, 0>());
  add("x86.vmulph", "mul", mxcsr, Rounding::rne, "VMULPH", kernel<Fp16Op::mul, 0>());
  add("x86.vdivph", "div", mxcsr, Rounding::rne, "VDIVPH", kernel<Fp16Op::div, 0>());
  add("x86.vsqrtph", "sqrt", mxcsr, Rounding::rne, "VSQRTPH", kernel<Fp16Op::sqrt, 0>());
  add("x86.vfmadd213ph", "mulAdd", mxcsr + ", a * b + c with one rounding", Rounding::rne,
      "VFMADD213PH", kernel<Fp16Op::fma, 0>());
  // Embedded rounding ({er}: EVEX.b with a register operand) overrides MXCSR.RC.
  add("x86.vaddph.rd_sae", "add", "round down by {rd-sae}", Rounding::rdown, "VADDPH",
      kernel<Fp16Op::add, 1>());
  add("x86.vmulph.ru_sae", "mul", "round up by {ru-sae}", Rounding::rup, "VMULPH",
      kernel<Fp16Op::mul, 2>());
  add("x86.vdivph.rz_sae", "div", "round toward zero by {rz-sae}", Rounding::rtz, "VDIVPH",
      kernel<Fp16Op::div, 3>());
  add("x86.vsqrtph.ru_sae", "sqrt", "round up by {ru-sae}", Rounding::rup, "VSQRTPH",
      kernel<Fp16Op::sqrt, 2>());
  add("x86.vfmadd213ph.rz_sae", "mulAdd", "round toward zero by {rz-sae}, one rounding",
      Rounding::rtz, "VFMADD213PH", kernel<Fp16Op::fma, 3>());
  // Under MXCSR DAZ and FTZ: FP16 instructions ignore both.
  add("x86.vaddph.mxcsr_daz_ftz", "add", "RNE under MXCSR 0x9FC0 (DAZ, FTZ set, ignored)",
      Rounding::rne, "VADDPH", kernel<Fp16Op::add, 0, kMxcsrDazFtz>());
  add("x86.vmulph.mxcsr_daz_ftz", "mul", "RNE under MXCSR 0x9FC0 (DAZ, FTZ set, ignored)",
      Rounding::rne, "VMULPH", kernel<Fp16Op::mul, 0, kMxcsrDazFtz>());
}

#endif  // FPAUDIT_HW_X86

}  // namespace fpaudit::hw
