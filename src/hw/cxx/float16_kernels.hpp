// The compiler's _Float16 conversions, compiled three ways. The same loops (float16_kernels.inc)
// are built in three translation units with different per-file flags (the commented block in
// CMakeLists.txt), so the compiler emits different code for the same cast:
//   soft        (-mno-f16c -mno-avx512fp16): g++ calls libgcc's soft-float routines
//               __truncsfhf2, __extendhfsf2, __truncdfhf2, __extendhfdf2;
//   f16c        (-mf16c): float <-> _Float16 become VCVTPS2PH (imm8 = 4, MXCSR.RC) / VCVTPH2PS;
//               double <-> _Float16 still call libgcc;
//   avx512fp16  (-mavx512fp16): VCVTSS2SH, VCVTSH2SS, VCVTSD2SH, VCVTSH2SD.
// Those translation units contain only these functions (no inline functions from headers that
// other files also instantiate), so code built for a newer ISA can never be picked by the linker
// for baseline callers; they are called only after the path's availability check.
#pragma once

#include <cstddef>

#define FPAUDIT_DECLARE_FLOAT16_KERNELS(ns)                           \
  namespace fpaudit::hw::cxx::ns {                                    \
  /* empty when built as intended, else why not */                    \
  extern const char kWhyMissing[];                                    \
  void f32_to_f16(const void* in, void* out, std::size_t n);          \
  void f16_to_f32(const void* in, void* out, std::size_t n);          \
  void f64_to_f16(const void* in, void* out, std::size_t n);          \
  void f16_to_f64(const void* in, void* out, std::size_t n);          \
  }

FPAUDIT_DECLARE_FLOAT16_KERNELS(soft)
FPAUDIT_DECLARE_FLOAT16_KERNELS(f16c)
FPAUDIT_DECLARE_FLOAT16_KERNELS(avx512fp16)

#undef FPAUDIT_DECLARE_FLOAT16_KERNELS
