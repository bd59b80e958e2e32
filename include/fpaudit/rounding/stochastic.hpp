// Counter-based random bits for stochastic rounding: a pure function of (seed, index), so a
// run is reproducible and independent of how elements are split across threads.
#pragma once

#include <cstdint>

namespace fpaudit {

namespace philox {
// Philox4x32-10: multipliers and Weyl key increments from Salmon et al. (SC'11), Table 2. Shared
// with the vectorised copy in src/codec/simd/f32_kernel.inc.
inline constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
}  // namespace philox

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) keyed by
// the seed, counter = index; the first output word.
std::uint32_t philox_word(std::uint64_t seed, std::uint64_t index);

// The top `bits` (1..32) bits of philox_word: the r of the stochastic rounding rule.
inline std::uint32_t stochastic_bits(std::uint64_t seed, std::uint64_t index, int bits) {
  return philox_word(seed, index) >> (32 - bits);
}

}  // namespace fpaudit
