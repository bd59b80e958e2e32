// Running a kernel under a chosen MXCSR (Intel SDM Vol. 1, 10.2.3): the paths whose result
// depends on MXCSR (rounding control, DAZ, FTZ) document the value they run with, set it for the
// call and restore the caller's afterwards (MXCSR is per thread, so threads need no care).
#pragma once

#include <cstddef>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define FPAUDIT_HW_X86 1
#endif

namespace fpaudit::hw::x86 {

// All exceptions masked, RC = round to nearest even, DAZ and FTZ clear: the power-up value.
inline constexpr unsigned kMxcsrDefault = 0x1F80;
inline constexpr unsigned kMxcsrDaz = 0x0040;             // bit 6: denormals are zero
inline constexpr unsigned kMxcsrFtz = 0x8000;             // bit 15: flush to zero
inline constexpr unsigned kMxcsrRoundUp = 0x4000;          // bits 13-14 = 10
inline constexpr unsigned kMxcsrRoundTowardZero = 0x6000;  // bits 13-14 = 11

using Kernel = void (*)(const void* in, void* out, std::size_t n);

#if FPAUDIT_HW_X86
// Kernels must be noinline (or in another translation unit) so that no conversion is moved
// across the MXCSR writes.
template <unsigned Mxcsr, Kernel K>
void run_with_mxcsr(const void* in, void* out, std::size_t n) {
  const unsigned saved = _mm_getcsr();
  _mm_setcsr(Mxcsr);
  K(in, out, n);
  _mm_setcsr(saved);
}
#endif

}  // namespace fpaudit::hw::x86
