// Counter-based random bits for stochastic rounding: a pure function of (seed, index), so a
// run is reproducible and independent of how elements are split across threads.
#pragma once

#include <cstdint>

namespace fpaudit {

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) keyed by
// the seed, counter = index; the first output word.
std::uint32_t philox_word(std::uint64_t seed, std::uint64_t index);

// The top `bits` (1..32) bits of philox_word: the r of the stochastic rounding rule.
inline std::uint32_t stochastic_bits(std::uint64_t seed, std::uint64_t index, int bits) {
  return philox_word(seed, index) >> (32 - bits);
}

}  // namespace fpaudit
