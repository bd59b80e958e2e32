// Counter-based random bits for stochastic rounding: a pure function of (seed, index), so a
// run is reproducible and independent of how elements are split across threads or vectors.
#pragma once

#include <array>
#include <cstdint>

namespace fpaudit {

namespace philox {
// Philox4x32-10: multipliers and Weyl key increments from Salmon et al. (SC'11), Table 2. Shared
// with the vectorised generators in src/codec/simd/.
inline constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
}  // namespace philox

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): the four
// 32-bit output words for a 128-bit counter (ctr[0] least significant) and a 64-bit key
// (key[0] = k0). Checked against Random123's kat_vectors in tests/test_format_constants.cpp.
std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr,
                                           std::array<std::uint32_t, 2> key);

// The random word of element `index`: word (index mod 4) of Philox4x32-10 keyed by the seed
// (k0 = low 32 bits, k1 = high 32 bits) at counter floor(index / 4) (low 32 bits in ctr[0],
// high in ctr[1], ctr[2] = ctr[3] = 0). Every output word is used, the way Random123's and
// cuRAND's Philox streams use them, so one block feeds four consecutive elements.
std::uint32_t philox_word(std::uint64_t seed, std::uint64_t index);

// The top `bits` (1..32) bits of philox_word: the r of the stochastic rounding rule.
inline std::uint32_t stochastic_bits(std::uint64_t seed, std::uint64_t index, int bits) {
  return philox_word(seed, index) >> (32 - bits);
}

}  // namespace fpaudit
