// Exhaustive binary arithmetic on 8-bit (and smaller) formats: every operand pair (65536 for 8
// bits) of add, sub, mul, div in every deterministic rounding mode (rne, rna, rtz, rup, rdown,
// rno), bits and flags compared.
//
// Oracle: MPFR (tests/arith_mpfr_oracle.hpp): the exact result from MPFR, rounded by the
// conversion reference fpaudit::reference::round_mpfr; NaN operand rules from docs/ARITHMETIC.md.
// Nothing of src/codec or src/arith is consulted for the expected values.
#include "arith_test_support.hpp"

namespace {

using namespace arith_test;

// One TEST per (format, op) so that ctest runs them in parallel.
#define EXHAUSTIVE_BINARY(Name, fmt)                                   \
  TEST(ArithExhaustive8, Name##Add) {                                  \
    exhaustive_pairs(format_by_name(fmt), "add", kDeterministicModes); \
  }                                                                    \
  TEST(ArithExhaustive8, Name##Sub) {                                  \
    exhaustive_pairs(format_by_name(fmt), "sub", kDeterministicModes); \
  }                                                                    \
  TEST(ArithExhaustive8, Name##Mul) {                                  \
    exhaustive_pairs(format_by_name(fmt), "mul", kDeterministicModes); \
  }                                                                    \
  TEST(ArithExhaustive8, Name##Div) {                                  \
    exhaustive_pairs(format_by_name(fmt), "div", kDeterministicModes); \
  }

EXHAUSTIVE_BINARY(E4M3, "e4m3")          // OFP8 E4M3: fn, no infinity, max 448
EXHAUSTIVE_BINARY(E5M2, "e5m2")          // OFP8 E5M2: IEEE-style, infinities, sNaN/qNaN
EXHAUSTIVE_BINARY(E4M3Fnuz, "e4m3fnuz")  // one NaN (0x80), no -0
EXHAUSTIVE_BINARY(E5M2Fnuz, "e5m2fnuz")
EXHAUSTIVE_BINARY(E4M3B11Fnuz, "e4m3b11fnuz")
EXHAUSTIVE_BINARY(E3M4, "e3m4")                  // IEEE-style, 5 significant bits
EXHAUSTIVE_BINARY(E4M3Ieee, "float8_e4m3")       // IEEE-style E4M3
EXHAUSTIVE_BINARY(E8M0, "e8m0")                  // unsigned, no zero, p = 1, NaN 0xFF
EXHAUSTIVE_BINARY(E4M3FnNosub, "e4m3:fn:nosub")  // no subnormals: ties between 0 and 2^emin
EXHAUSTIVE_BINARY(E7M0Fn, "e7m0:fn")             // p = 1 with a sign and a zero
EXHAUSTIVE_BINARY(E3M2, "e3m2")                  // MX FP6 E3M2: no NaN, no infinity
EXHAUSTIVE_BINARY(E2M3, "e2m3")                  // MX FP6 E2M3
EXHAUSTIVE_BINARY(E2M1, "e2m1")                  // MX FP4

}  // namespace
