// Comparing a result under test with the expected one: bit-exact, or within N ulps, with or
// without the flags; and the decoded text a mismatch report prints. Shared by `fpaudit verify`
// and fpaudit/testing.hpp so both judge and describe a case the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/vectors/function.hpp"

namespace fpaudit::vectors {

struct CompareOptions {
  bool ignore_flags = false;
  // 0: bit-exact. N > 0: a value result may be up to N ulps away (ulp_distance); NaN matches
  // any NaN. Comparison results and block scales are always compared exactly.
  std::uint64_t tolerance_ulps = 0;
};

// The number of representable values between a and b, counting through zero (+0 and -0 are
// the same point) and treating an infinity as the step after the largest finite value: the
// distance of the two patterns on the format's ordered line. nullopt when either is a NaN.
// 0 for identical values (and for +0 vs -0).
std::optional<std::uint64_t> ulp_distance(const FormatSpec& f, std::uint64_t a, std::uint64_t b);

// Whether one result pattern is acceptable: identical bits, or (tolerance > 0) within tolerance
// ulps, or both NaN.
bool result_matches(const FormatSpec& f, std::uint64_t actual, std::uint64_t expected,
                    std::uint64_t tolerance_ulps);

enum class Verdict : std::uint8_t { match, result, flags };  // what differs first

Verdict judge(const Function& fn, const Outcome& actual, const Outcome& expected,
              const CompareOptions& opt);

// "3F81 (1.008)": the pattern and its value with enough significant digits to tell the
// format's values apart (%g style; "nan", "-inf", ...).
std::string decoded(const FormatSpec& f, std::uint64_t bits);

// One mismatch, decoded, on one line:
//   f32_to_bf16(3F810001 = 1.00781262): got 3F81 (1.008) flags 01 (....x),
//   expected 3F82 (1.016) flags 01 (....x)
// Without show_flags (flags not compared) the two "flags" parts are left out.
std::string describe_mismatch(const Function& fn, std::span<const std::uint64_t> operands,
                              const Outcome& actual, const Outcome& expected,
                              bool show_flags = true);

}  // namespace fpaudit::vectors
