// GoogleTest support for kernel authors: bit-exact and within-ulps assertions that print the
// values decoded, and a helper that streams a vector file (TestFloat lines, as `fpaudit gen`
// writes and vectors/ ships) through your kernel and reports the mismatches decoded.
// Header-only over the installed library; link fpaudit::fpaudit and GTest::gtest.
//
//   #include <fpaudit/testing.hpp>
//   EXPECT_BITEXACT("bf16", my_f32_to_bf16(x), 0x3F80);       // format by name or FormatSpec
//   EXPECT_WITHIN_ULPS("f16", got, want, 1);
//   EXPECT_TRUE(fpaudit::testing::check_vector_file("f32_to_bf16.tf", "f32_to_bf16",
//       [](std::span<const std::uint64_t> in) { return std::uint64_t{my_kernel(in[0])}; }));
//
// The failure messages read, e.g.:
//   my_f32_to_bf16(x) is 3F81 (1.008) but 0x3F80 is 3F80 (1) in bfloat16 (1 ulp apart)
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "fpaudit/format/registry.hpp"
#include "fpaudit/vectors/verify.hpp"

namespace fpaudit::testing {

inline FormatSpec as_format(const FormatSpec& f) { return f; }
inline FormatSpec as_format(std::string_view name) { return format_by_name(name); }
inline FormatSpec as_format(const char* name) { return format_by_name(name); }

inline std::string ulps_apart(const FormatSpec& f, std::uint64_t a, std::uint64_t b) {
  const auto d = vectors::ulp_distance(f, a, b);
  return d ? std::to_string(*d) + " ulp" + (*d == 1 ? "" : "s") + " apart" : "a NaN involved";
}

// EXPECT_PRED_FORMAT3 predicate behind EXPECT_BITEXACT.
template <class Format>
::testing::AssertionResult bitexact_format(const char*, const char* actual_expr,
                                           const char* expected_expr, const Format& format,
                                           std::uint64_t actual, std::uint64_t expected) {
  const FormatSpec f = as_format(format);
  if ((actual & f.mask()) == (expected & f.mask())) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << actual_expr << " is " << vectors::decoded(f, actual) << " but " << expected_expr
         << " is " << vectors::decoded(f, expected) << " in " << f.name << " ("
         << ulps_apart(f, actual, expected) << ")";
}

// EXPECT_PRED_FORMAT4 predicate behind EXPECT_WITHIN_ULPS (NaN matches any NaN).
template <class Format>
::testing::AssertionResult within_ulps_format(const char*, const char* actual_expr,
                                              const char* expected_expr, const char*,
                                              const Format& format, std::uint64_t actual,
                                              std::uint64_t expected, std::uint64_t ulps) {
  const FormatSpec f = as_format(format);
  const auto distance = vectors::ulp_distance(f, actual & f.mask(), expected & f.mask());
  const bool both_nan = f.is_nan(actual) && f.is_nan(expected);
  if (both_nan || (distance && *distance <= ulps)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << actual_expr << " is " << vectors::decoded(f, actual) << " but " << expected_expr
         << " is " << vectors::decoded(f, expected) << " in " << f.name << " ("
         << ulps_apart(f, actual, expected) << ", allowed " << ulps << ")";
}

// A kernel under test that returns one result pattern per case (flags are not compared).
using Kernel = std::function<std::uint64_t(std::span<const std::uint64_t> operands)>;
// A kernel that returns every result column and its flags (TestFloat's full check).
using KernelWithFlags = std::function<vectors::Outcome(std::span<const std::uint64_t> operands)>;

// Runs every case of `path` (TestFloat lines for `function`; the file's results are the
// expected ones) through the kernel. Success, or a failure listing the totals and the first
// options.max_reported mismatches decoded with file:line. An unreadable or malformed file fails
// with its one-line error.
inline ::testing::AssertionResult check_vector_file_with_flags(
    const std::string& path, std::string_view function, const KernelWithFlags& kernel,
    vectors::VerifyOptions options = {}) {
  try {
    const vectors::Function fn = vectors::parse_function(function);
    std::ifstream in(path);
    if (!in) return ::testing::AssertionFailure() << "cannot open vector file " << path;
    vectors::Verifier verifier(fn, options);
    vectors::for_each_case(
        in, path, fn,
        [&](const vectors::ParsedLine& line, std::uint64_t, const std::string& where) {
          verifier.check(line.operands, kernel(line.operands), line.outcome, where);
        });
    const vectors::VerifySummary& s = verifier.summary();
    if (s.cases == 0) return ::testing::AssertionFailure() << path << ": no cases";
    if (s.ok()) return ::testing::AssertionSuccess() << vectors::summary_line(fn, s);
    auto failure = ::testing::AssertionFailure() << vectors::summary_line(fn, s);
    for (const vectors::Mismatch& m : s.first) failure << "\n  " << m.where << ": " << m.text;
    return failure;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << e.what();
  }
}

inline ::testing::AssertionResult check_vector_file(const std::string& path,
                                                    std::string_view function, const Kernel& kernel,
                                                    vectors::VerifyOptions options = {}) {
  options.ignore_flags = true;
  return check_vector_file_with_flags(
      path, function,
      [&](std::span<const std::uint64_t> operands) {
        return vectors::Outcome{{kernel(operands)}, {}};
      },
      options);
}

}  // namespace fpaudit::testing

// Bit-exact: actual and expected are patterns of `format` (a name such as "bf16", or a
// FormatSpec); on failure both are printed in hex and decoded, with their distance in ulps.
#define EXPECT_BITEXACT(format, actual, expected) \
  EXPECT_PRED_FORMAT3(::fpaudit::testing::bitexact_format, format, actual, expected)
#define ASSERT_BITEXACT(format, actual, expected) \
  ASSERT_PRED_FORMAT3(::fpaudit::testing::bitexact_format, format, actual, expected)
// Within `ulps` units in the last place (vectors::ulp_distance; +0 and -0 are 0 apart).
#define EXPECT_WITHIN_ULPS(format, actual, expected, ulps) \
  EXPECT_PRED_FORMAT4(::fpaudit::testing::within_ulps_format, format, actual, expected, ulps)
#define ASSERT_WITHIN_ULPS(format, actual, expected, ulps) \
  ASSERT_PRED_FORMAT4(::fpaudit::testing::within_ulps_format, format, actual, expected, ulps)
