// The product of two exact values, kept to 64 significant bits plus a sticky bit: enough for
// correct rounding into any format of at most 62 significant bits in every non-stochastic
// mode (the kept bits extend at least two places past the target's last digit, and the sticky
// bit records whether anything lies beyond: the classic guard/round/sticky argument, e.g.
// Muller et al., Handbook of Floating-Point Arithmetic, 2nd ed., 7.2).
#pragma once

#include "fpaudit/codec/exact_value.hpp"

namespace fpaudit {

// Finite x finite; zeros, infinities and NaN follow IEEE 754-2019 6.1-6.3 (0 x inf is a quiet
// NaN; the caller raises invalid).
ExactValue exact_product(const ExactValue& a, const ExactValue& b);

}  // namespace fpaudit
