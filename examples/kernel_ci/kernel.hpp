// The kernel under test: binary32 -> bfloat16, round to nearest, ties to even, the way many GPU
// and CPU kernels write it (add 0x7FFF plus the lowest kept bit, drop the low half), with NaNs
// kept quiet. KERNEL_WRONG selects a common mistake: plain truncation (round toward zero).
#pragma once

#include <cstdint>

inline std::uint16_t f32_to_bf16_kernel(std::uint32_t x) {
#ifdef KERNEL_WRONG
  return static_cast<std::uint16_t>(x >> 16);
#else
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40);
  return static_cast<std::uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
#endif
}
