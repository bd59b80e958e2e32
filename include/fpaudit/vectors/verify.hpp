// Verification: reading TestFloat lines from a stream and judging cases, keeping the first
// mismatches decoded and the totals. Used by `fpaudit verify` (the file holds the results of the
// implementation under test; the library computes the expected ones) and by fpaudit/testing.hpp
// (the file holds the expected results; the user's kernel computes the actual ones).
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <span>
#include <string>
#include <vector>

#include "fpaudit/vectors/compare.hpp"
#include "fpaudit/vectors/function.hpp"
#include "fpaudit/vectors/testfloat_line.hpp"

namespace fpaudit::vectors {

struct VerifyOptions : CompareOptions {
  std::size_t max_reported = 20;  // mismatches kept with their text
};

struct Mismatch {
  std::string where;  // "file:line", or "index N" for arrays
  Verdict verdict = Verdict::result;
  std::string text;  // describe_mismatch
};

struct VerifySummary {
  std::uint64_t cases = 0;
  std::uint64_t result_mismatches = 0;
  std::uint64_t flag_mismatches = 0;  // result matched, flags did not
  std::vector<Mismatch> first;        // at most max_reported
  bool ok() const { return result_mismatches == 0 && flag_mismatches == 0; }
};

// "f32_to_bf16: 4097 cases, all match" or
// "f32_to_bf16: 4097 cases, 3 mismatches (2 in the result, 1 in the flags only)".
std::string summary_line(const Function& fn, const VerifySummary& s);

class Verifier {
 public:
  Verifier(Function fn, VerifyOptions opt) : fn_(std::move(fn)), opt_(opt) {}
  // Judges one case; true when it matches.
  bool check(std::span<const std::uint64_t> operands, const Outcome& actual,
             const Outcome& expected, const std::string& where);
  const VerifySummary& summary() const { return summary_; }
  const Function& function() const { return fn_; }

 private:
  Function fn_;
  VerifyOptions opt_;
  VerifySummary summary_;
};

// Calls fn(line, index, where) for every case line of `in` (index: 0-based count of case
// lines, the stochastic-rounding element index; where: "name:line"). A malformed line throws
// std::invalid_argument "name:line: <parse_testfloat_line's message>".
void for_each_case(std::istream& in, const std::string& name, const Function& fn,
                   const std::function<void(const ParsedLine& line, std::uint64_t index,
                                            const std::string& where)>& each);

// `fpaudit verify FILE`: every line's results (the implementation under test) against
// evaluate() under opt.
VerifySummary verify_results(std::istream& in, const std::string& name, const Function& fn,
                             const ConvertOptions& opt, const VerifyOptions& vopt);

}  // namespace fpaudit::vectors
