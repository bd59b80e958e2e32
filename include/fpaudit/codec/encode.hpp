// Rounding an exact value into a format: the one routine every conversion and arithmetic
// result goes through (SoftFloat's roundPack, for any format descriptor). Integer arithmetic
// only: it never reads or changes the FPU's rounding mode or MXCSR.
#pragma once

#include <cstdint>

#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/flags.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit {

struct Encoded {
  std::uint64_t bits = 0;
  Flags flags{};
  friend bool operator==(const Encoded& a, const Encoded& b) {
    return a.bits == b.bits && a.flags == b.flags;
  }
};

// Rounds v into format f under opt. `index` selects the random bits for stochastic rounding
// (the element's position in its stream), so results do not depend on thread count.
// opt.subnormals.daz is not applied here (it is a property of reading inputs: see decode).
Encoded encode(const FormatSpec& f, const ExactValue& v, const ConvertOptions& opt,
               std::uint64_t index = 0);

// The bits of a NaN result in format f under opt's NaN policy, carrying v's sign and payload
// where the policy propagates. Formats without NaN give +max finite (as NVIDIA's cvt to
// FP4/FP6 does); the caller raises invalid.
std::uint64_t nan_result_bits(const FormatSpec& f, const ExactValue& v, const ConvertOptions& opt);

}  // namespace fpaudit
