// `fpaudit hw check`: run a conversion path over an input set and compare every output with
//   (a) the IEEE reference: fpaudit::convert with default ConvertOptions (rne, IEEE overflow,
//       subnormals kept, NaN propagated), and
//   (b) the reference configured to the path's documented semantics (documented_result()).
// Differences from (a) are expected where the documentation says so, and each is classified.
// A difference from (b) is unexplained: a finding (a hardware or compiler behaviour the
// documentation does not describe, or a bug in fpaudit's reference).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/hw/path.hpp"

namespace fpaudit::hw {

enum class MismatchClass : std::uint8_t {
  input_denormal_as_zero,  // the input is subnormal and the path gives the conversion of a
                           // signed zero (DAZ)
  output_flushed_to_zero,  // the expected result is subnormal (or the smallest normal, which a
                           // tiny value can round up to), not adjacent to zero, and the path
                           // gives zero of the input's sign (FTZ)
  nan_quieting,            // both NaN, their quiet bits differ (an sNaN passed on unquieted)
  nan_payload,             // both NaN, same quiet bit, sign or payload bits differ
  rounding_direction,      // both finite with the same sign, adjacent encodings (this includes
                           // 0 against the smallest subnormal)
  saturation,              // expected inf or NaN and the path gives max finite, or vice versa
  other,
};
inline constexpr int kMismatchClassCount = 7;

std::string_view to_string(MismatchClass c);

// Classifies got != expected for one input. Tested in this order: the NaN classes,
// input_denormal_as_zero, saturation, rounding_direction, output_flushed_to_zero, other.
MismatchClass classify_mismatch(const FormatSpec& from, std::uint64_t input, const FormatSpec& to,
                                std::uint64_t expected, std::uint64_t got);

struct MismatchExample {
  std::uint64_t input = 0, expected = 0, got = 0;
  friend bool operator==(const MismatchExample&, const MismatchExample&) = default;
};

struct MismatchTally {
  std::uint64_t total = 0;
  std::array<std::uint64_t, kMismatchClassCount> by_class{};
  // Per class, the mismatches at the first inputs in input-set order (ascending bits), at most
  // CheckOptions::examples_per_class: the same for any thread count.
  std::array<std::vector<MismatchExample>, kMismatchClassCount> examples{};
  std::uint64_t count(MismatchClass c) const { return by_class[static_cast<int>(c)]; }
};

struct CheckOptions {
  bool exhaustive = false;  // binary32 sources: all 2^32 patterns instead of the boundary set
  unsigned threads = 1;     // worker threads (std::thread), >= 1
  std::size_t examples_per_class = 3;
  std::size_t block = 65536;  // inputs per block: the path runs on a block, then it is compared
};

struct CheckResult {
  std::string path;
  std::string input_set;  // describe_check_inputs() or "all 2^32 binary32 patterns"
  std::uint64_t inputs = 0;
  MismatchTally vs_ieee, vs_documented;
  double seconds = 0;  // wall time of the whole check
  bool fast_reference = false;  // binary32 sources compared through F32Narrowing
  bool finding() const { return vs_documented.total != 0; }
};

// Checks an available path on its input set (check_inputs(), or all 2^32 binary32 patterns with
// opt.exhaustive). Throws std::invalid_argument when the path is unavailable (with the reason)
// or opt.exhaustive is given for a source other than binary32 and wider than 16 bits.
CheckResult check_path(const ConversionPath& p, const CheckOptions& opt = {});

// The same on the given inputs (patterns of p.from).
CheckResult check_path_on(const ConversionPath& p, std::span<const std::uint64_t> inputs,
                          const CheckOptions& opt = {});

}  // namespace fpaudit::hw
