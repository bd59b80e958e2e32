// Test-case generation for `fpaudit gen`: operand tuples built from a format's structure, the
// way Berkeley TestFloat's levels are (genCases_*.c: chosen exponents and significands crossed,
// then random), but derived from the FormatSpec so that every format gets its own boundaries.
//
// Structured cases (level 1; level 2 takes more exponents and more target patterns):
//  * every format's structural patterns: exponent fields {0, 1, 2, bias-1, bias, bias+1,
//    bias+-M, bias+-(M+1), top-2, top-1, top} x trailing significands {0, 1, 2, half,
//    half+1, all ones-1, all ones} x both signs, plus the smallest subnormal, the largest finite
//    and its neighbour, the default NaN: zeros, subnormal boundaries, min/max normal, exponent
//    carries (all-ones significands), NaN and infinity patterns, 1 and its neighbours;
//  * conversions, in addition, for each target pattern t (every one for targets of at most 8
//    bits, 16 at level 2; the structural ones otherwise): t itself, the midpoint between t and
//    the next value up (past the largest finite: the overflow threshold) and the source's
//    neighbours of that midpoint (+-1, +-2 source ulps), read in the source format (round to
//    zero), both signs: rounding ties and their neighbours, near-overflow, underflow to zero;
//  * operations: the structural patterns crossed (all pairs; for three operands a smaller set
//    cubed);
//  * block quantisers: blocks whose amax runs through the E8M0 range and the significands where
//    the scale rules differ (1, 1.5, 1.75, 1.8125, 1.875, 1.9375, just below 2), plus zero, NaN
//    and infinity blocks;
//  * dot products: each structural pattern as a_0 against b_0 = 1 among moderate values (within
//    +-4 binades of 1), and squared in every position; alternating x, -x cancellations.
// Then `count` random cases from std::mt19937_64(seed) (its output is fixed by the C++ standard,
// so files are byte-identical everywhere): random bit patterns, one operand in four drawn from
// the structural set. `exhaustive` enumerates every operand tuple, when there are at most 2^24.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/vectors/function.hpp"

namespace fpaudit::vectors {

enum class Level : std::uint8_t { one, two, exhaustive };

// "1" | "2" | "exhaustive"; throws std::invalid_argument.
Level parse_level(std::string_view s);

// Largest number of cases `exhaustive` enumerates.
inline constexpr std::uint64_t kMaxExhaustiveCases = std::uint64_t{1} << 24;

struct GenerateOptions {
  Level level = Level::one;
  std::uint64_t seed = 1;
  std::optional<std::uint64_t> count;  // random cases; nullopt: 1000 (level 1), 100000 (level 2)
};

// The structural patterns of f, sorted, without duplicates (see above).
std::vector<std::uint64_t> structural_patterns(const FormatSpec& f, Level level = Level::one);

// Calls emit once per case with fn.arity() operand patterns, in a fixed order. Throws
// std::invalid_argument for `exhaustive` over more than kMaxExhaustiveCases cases or for a block
// function, naming the size.
void generate_cases(const Function& fn, const GenerateOptions& opt,
                    const std::function<void(std::span<const std::uint64_t>)>& emit);

}  // namespace fpaudit::vectors
