// Shared steps of the arithmetic operations (SoftFloat's s_*.c helpers): reading operands, NaN
// propagation, the exact two-term sum, narrowing a wide exact result to ExactValue, and the one
// call to encode(). Internal to src/arith/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::arith_detail {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang builtin: exact 124-bit products

// Operand `bits` of f, exact; opt.subnormals.daz reads subnormals as signed zero (x86 DAZ).
ExactValue read(const FormatSpec& f, std::uint64_t bits, const ConvertOptions& opt);

// IEEE 754-2019 6.2.3 / 7.2: if any operand is a NaN, the result is the first NaN operand in
// operand order, quieted, carrying its sign and payload through encode()'s NaN policy (x86 SSE's
// rule, and SoftFloat's 8086-SSE specialisation); flag invalid when any operand is a signaling
// NaN. nullopt when no operand is a NaN.
std::optional<Encoded> propagate_nan(const FormatSpec& f,
                                     std::initializer_list<const ExactValue*> operands,
                                     const ConvertOptions& opt);

bool any_signaling(std::initializer_list<const ExactValue*> operands);

// The default NaN of an invalid operation (7.2), flag invalid. The NaN is positive with a zero
// payload (f.default_nan_bits(), as RISC-V and ARM produce; x86's "QNaN floating-point
// indefinite" is negative: TestFloat accepts any NaN unless -checkNaNs). A format without NaN
// gets encode()'s substitute (+max finite), a canonical NaN policy its bits.
Encoded invalid_operation(const FormatSpec& f, const ConvertOptions& opt);

// The single rounding of an operation's result: encode(f, v, opt, index), with `extra` flags
// (invalid, infinite) added. Checks the stochastic-rounding precondition first: when v carries a
// sticky bit, at least opt.sr_bits exact bits must lie below the target's last place in v's 64
// (otherwise throws std::invalid_argument naming the largest usable sr_bits).
Encoded round_result(const FormatSpec& f, const ExactValue& v, const ConvertOptions& opt,
                     std::uint64_t index, Flags extra = {});

// The signed zero of an exact zero sum x + y with x, y of opposite signs (or of zeros of
// opposite signs): +0, except -0 under roundTowardNegative (IEEE 754-2019 6.3). Round-to-odd and
// stochastic rounding, which 754 does not define, give +0 (as SoftFloat's round_odd does).
ExactValue exact_zero_sum(Rounding mode);

// (-1)^negative * sig * 2^exp, exact (sig may be 0 only through the zero class).
struct Term {
  bool negative;
  u128 sig;
  std::int32_t exp;
};

// A finite nonzero value held in up to 128 significant bits, cut to ExactValue's 64: the top 64
// bits are kept and any nonzero bit below becomes the sticky bit.
ExactValue narrow(bool negative, u128 sig, std::int32_t exp, bool sticky);

// a + b exactly, both nonzero finite (significands of up to 128 bits: a decoded operand, or the
// exact product of two): the result as ExactValue (64 bits + sticky), or the signed zero of 6.3
// when it is exactly zero. See arith_internal.cpp for why collapsing a far smaller
// operand into a sticky bit is exact for rounding.
ExactValue exact_sum(const Term& a, const Term& b, Rounding mode);

// Numeric order of two non-NaN values: negative, zero or positive as a < b, a == b, a > b.
// -0 == +0 (5.11).
int compare(const ExactValue& a, const ExactValue& b);

}  // namespace fpaudit::arith_detail
