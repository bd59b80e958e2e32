// Correctly rounded arithmetic in any format: IEEE 754-2019 5.4.1 (addition, subtraction,
// multiplication, division, squareRoot, fusedMultiplyAdd), 9.6 (minimum, maximum,
// minimumNumber, maximumNumber) and 5.11 (comparisons), for every registered or custom format.
//
// Every rounding operation computes its exact result (or, for div and sqrt, enough bits of it
// plus an exact sticky bit) in integer arithmetic and rounds it ONCE with the library's single
// rounding routine, encode() (codec/encode.hpp). So an operation's result is exactly what
// converting its infinitely precise result would give (docs/CONVERSION_RULES.md), with the
// operation's own exceptions (invalid, divide by zero) added. The rules specific to arithmetic
// (zero signs, NaN propagation, which operations are invalid) are in docs/ARITHMETIC.md.
//
// Operands are bit patterns of `f` (bits above f.width() are ignored); opt.subnormals.daz reads
// subnormal operands as signed zeros, opt.subnormals.ftz flushes tiny results. `index` selects
// the stochastic-rounding draw (Rounding::sr), as for conversions. No global state: the flags
// come back with the result.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit {

// ---- rounding operations (5.4.1) ----
// Stochastic rounding draws sr_bits random bits and needs that many exact bits of the result
// below the target's last place. The exact result is carried to encode() in 64 bits, so this
// holds for every format with precision + sr_bits <= 64 (binary32 and narrower: always). Where
// it does not (binary64 with sr_bits > 11) and the result is not exact in 64 bits, the call
// throws std::invalid_argument naming the largest usable sr_bits, rather than return biased bits.
Encoded add(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index = 0);
Encoded sub(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index = 0);
Encoded mul(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index = 0);
Encoded div(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
            std::uint64_t index = 0);
Encoded sqrt(const FormatSpec& f, std::uint64_t a, const ConvertOptions& opt,
             std::uint64_t index = 0);
// a * b + c with one rounding (TestFloat's mulAdd). (0 x inf) + c raises invalid even when c is
// a quiet NaN (TestFloat's expectation; IEEE 754-2019 7.2 c leaves that case to the
// implementation).
Encoded fma(const FormatSpec& f, std::uint64_t a, std::uint64_t b, std::uint64_t c,
            const ConvertOptions& opt, std::uint64_t index = 0);

// ---- 9.6 minimum and maximum: the result is an operand (never rounded, no flags but invalid
// for a signaling NaN); -0 < +0. A zero result is the canonical signed zero of f (a DAZ-read
// subnormal operand gives its signed zero). ----
// minimum / maximum: a quiet NaN if either operand is a NaN (NaN-propagating; torch.minimum).
Encoded minimum(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt);
Encoded maximum(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt);
// minimumNumber / maximumNumber: a NaN operand loses to a number (torch.fmin); NaN only when
// both are NaN. A signaling NaN operand still raises invalid.
Encoded minimum_number(const FormatSpec& f, std::uint64_t a, std::uint64_t b,
                       const ConvertOptions& opt);
Encoded maximum_number(const FormatSpec& f, std::uint64_t a, std::uint64_t b,
                       const ConvertOptions& opt);

// ---- 5.11 comparisons, with TestFloat's names: bits is 1 (true) or 0 (false). Quiet
// predicates raise invalid only for a signaling NaN operand; signaling predicates for any NaN
// operand (5.11, Table 5.1/5.3). -0 == +0; NaN is unordered (every predicate false). ----
// eq (compareQuietEqual), le and lt (compareSignalingLessEqual, compareSignalingLess: C's <=, <).
Encoded eq(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt);
Encoded le(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt);
Encoded lt(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt);
// The other variants: compareSignalingEqual, compareQuietLessEqual, compareQuietLess.
Encoded eq_signaling(const FormatSpec& f, std::uint64_t a, std::uint64_t b,
                     const ConvertOptions& opt);
Encoded le_quiet(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt);
Encoded lt_quiet(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt);

// ---- the function table (TestFloat's functionInfos idea): data that the CLI (`fpaudit op`)
// and the vector generator iterate over ----

// Every operation through one signature: `operands` holds exactly `arity` patterns.
using OpFunction = Encoded (*)(const FormatSpec& f, std::span<const std::uint64_t> operands,
                               const ConvertOptions& opt, std::uint64_t index);

enum class OpResult : std::uint8_t {
  value,    // a pattern of the format
  boolean,  // 0 or 1 (comparisons; TestFloat writes one digit)
};

struct OpInfo {
  std::string name;         // TestFloat's name: "add", "mulAdd", "lt_quiet", ...
  int arity;                // number of operands (1..3)
  bool rounds;              // the rounding mode (and sr seed/index) can change the result (EFF_R)
  bool tininess;            // the tininess option can change the flags (EFF_T)
  OpResult result;          // what the result is
  std::string ieee_clause;  // where IEEE 754-2019 defines it
  OpFunction function;

  // function(f, operands, opt, index); operands.size() must be arity.
  Encoded apply(const FormatSpec& f, std::span<const std::uint64_t> operands,
                const ConvertOptions& opt, std::uint64_t index = 0) const {
    return function(f, operands, opt, index);
  }
};

// All operations, in a stable order (the order the docs and `fpaudit op --help` list them).
std::span<const OpInfo> operations();

// Looks an operation up by its table name (case-sensitive, as TestFloat); nullptr if unknown.
const OpInfo* find_operation(std::string_view name);

}  // namespace fpaudit
