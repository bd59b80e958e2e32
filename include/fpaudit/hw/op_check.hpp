// `fpaudit hw check` on an arithmetic path (op_path.hpp): run the operation on an operand set and
// compare every result with (a) the IEEE reference (fpaudit's correctly rounded arithmetic,
// include/fpaudit/arith/arith.hpp, default options) and (b) the reference configured to the
// path's documented semantics (documented_op_result). Mismatches get the conversion checks'
// classes (check.hpp), tested in this order: the NaN classes, saturation, rounding_direction
// (adjacent encodings), then output_flushed_to_zero (the result equals the expected
// configuration's with FTZ), input_denormal_as_zero (equals it with DAZ), other.
//
// Operand sets (binary16 and any format of at most 16 bits):
//   unary       all 2^16 operands;
//   binary      every pair of a boundary set (both signs of: zeros, the smallest and largest
//               subnormals and neighbours, every binade's 1.0, 1 + ulp, 1.5 and 2 - ulp, max
//               finite, inf, quiet and signalling NaNs with payloads) plus 2^20 seeded random
//               pairs; with `exhaustive`, all 2^32 pairs;
//   fma         every triple of a smaller boundary set, 2^20 seeded random triples and 2^16
//               near-cancelling triples (c = -(a x b rounded) moved by up to 2 ulps).
#pragma once

#include <cstdint>
#include <string>

#include "fpaudit/hw/check.hpp"
#include "fpaudit/hw/op_path.hpp"

namespace fpaudit::hw {

// An example's operands are packed into MismatchExample::input: operand k in bits
// [16k, 16k + 16) (formats of at most 16 bits).
struct OpCheckResult {
  std::string path;
  std::string input_set;  // "all 2^16 binary16 operands", "boundary pairs + 2^20 random pairs"
  std::uint64_t inputs = 0;
  double seconds = 0;
  MismatchTally vs_ieee, vs_documented;
  bool finding() const { return vs_documented.total != 0; }
};

struct OpCheckOptions {
  bool exhaustive = false;  // binary operations: all 2^32 operand pairs
  unsigned threads = 1;
  std::size_t examples_per_class = 3;
  std::uint64_t seed = 0x5eed;
};

// Throws std::invalid_argument when the path is unavailable (with the reason), its format is
// wider than 16 bits, or exhaustive is asked for a ternary operation.
OpCheckResult check_op_path(const OpPath& p, const OpCheckOptions& opt = {});

// Operand k (0-based) of a packed example.
inline std::uint64_t example_operand(const MismatchExample& e, int k) {
  return (e.input >> (16 * k)) & 0xFFFF;
}

}  // namespace fpaudit::hw
