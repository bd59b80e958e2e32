// Decoding: a bit pattern of any format to its exact value (and to binary64/binary32).
#pragma once

#include <cstdint>

#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/format_spec.hpp"

namespace fpaudit {

// Exact decode. With daz, subnormal patterns read as signed zero (x86 MXCSR.DAZ).
// Bits above width() are ignored.
ExactValue decode(const FormatSpec& f, std::uint64_t bits, bool daz = false);

// The exact value of a finite, zero or infinite pattern as binary64 (exact for every format
// whose values binary64 holds: all registered formats). NaN patterns give a quiet NaN with the
// payload propagated (6.2.3). Custom formats wider than binary64 round to nearest-even.
double to_double(const FormatSpec& f, std::uint64_t bits);

// ExactValue of host values (their bit patterns decoded as binary64 / binary32).
ExactValue from_double(double x);
ExactValue from_float(float x);

}  // namespace fpaudit
