// Verification loop (include/fpaudit/vectors/verify.hpp).
#include "fpaudit/vectors/verify.hpp"

#include <stdexcept>

namespace fpaudit::vectors {

std::string summary_line(const Function& fn, const VerifySummary& s) {
  std::string line =
      fn.name + ": " + std::to_string(s.cases) + " case" + (s.cases == 1 ? "" : "s") + ", ";
  if (s.ok()) return line + "all match";
  const std::uint64_t n = s.result_mismatches + s.flag_mismatches;
  return line + std::to_string(n) + " mismatch" + (n == 1 ? "" : "es") + " (" +
         std::to_string(s.result_mismatches) + " in the result, " +
         std::to_string(s.flag_mismatches) + " in the flags only)";
}

bool Verifier::check(std::span<const std::uint64_t> operands, const Outcome& actual,
                     const Outcome& expected, const std::string& where) {
  ++summary_.cases;
  const Verdict v = judge(fn_, actual, expected, opt_);
  if (v == Verdict::match) return true;
  ++(v == Verdict::result ? summary_.result_mismatches : summary_.flag_mismatches);
  if (summary_.first.size() < opt_.max_reported)
    summary_.first.push_back(
        {where, v, describe_mismatch(fn_, operands, actual, expected, !opt_.ignore_flags)});
  return false;
}

void for_each_case(
    std::istream& in, const std::string& name, const Function& fn,
    const std::function<void(const ParsedLine&, std::uint64_t, const std::string&)>& each) {
  std::string text;
  std::uint64_t line_number = 0, index = 0;
  while (std::getline(in, text)) {
    ++line_number;
    const std::string where = name + ":" + std::to_string(line_number);
    std::optional<ParsedLine> line;
    try {
      line = parse_testfloat_line(text, fn);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
    if (!line) continue;
    each(*line, index++, where);
  }
  if (in.bad()) throw std::runtime_error("error reading \"" + name + "\"");
}

VerifySummary verify_results(std::istream& in, const std::string& name, const Function& fn,
                             const ConvertOptions& opt, const VerifyOptions& vopt) {
  Verifier verifier(fn, vopt);
  for_each_case(
      in, name, fn, [&](const ParsedLine& line, std::uint64_t index, const std::string& where) {
        verifier.check(line.operands, line.outcome, evaluate(fn, line.operands, opt, index), where);
      });
  return verifier.summary();
}

}  // namespace fpaudit::vectors
