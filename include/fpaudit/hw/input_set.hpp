// The inputs a hardware check runs a conversion on.
//
// Sources of at most 16 bits: every pattern. Wider IEEE sources (binary32, binary64): a
// boundary-rich set built from the target format, where conversions go wrong:
//   * every target value and every midpoint between neighbours (including the midpoint
//     between max finite and the next binade, the overflow threshold), as the source's
//     nearest pattern and its `neighbours` patterns either side, both signs: the rounding
//     boundaries of every mode, the subnormal range and overflow. (+-1 binary64 ulp around a
//     binary16 midpoint also catches a double rounding through binary32.)
//   * specials: +-0, +-inf, the source's min/max subnormal, min normal and max finite with
//     their neighbours, NaNs (quiet and signalling, payload 1 and all ones, and a single payload
//     bit at every position: catches truncation at the target's payload width);
//   * the source's subnormal range: its first and last 2048 patterns and 8192 random ones;
//   * 65536 random bit patterns (fixed seed).
// Sorted, without duplicates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::hw {

// True when the input set for this source is all of its patterns.
bool source_is_enumerable(const FormatSpec& from);  // width <= 16

// All patterns (enumerable sources) or the boundary set above. Throws std::invalid_argument
// for a wider source that is not IEEE-style or a target wider than 16 bits.
std::vector<std::uint64_t> check_inputs(const FormatSpec& from, const FormatSpec& to,
                                        int neighbours = 2, std::uint64_t seed = 0x5eed);

// One line for reports: "all 2^16 binary16 patterns", "boundary set for bfloat16".
std::string describe_check_inputs(const FormatSpec& from, const FormatSpec& to);

}  // namespace fpaudit::hw
