// Berkeley TestFloat's line layout (testfloat_gen writes it, testfloat_ver reads it): the
// operands, the result(s) and the flags byte, separated by spaces, in uppercase hex without 0x,
// each pattern zero-padded to its format's width (format_hex), a comparison's result as one
// digit and the flags as two hex digits (1 inexact, 2 underflow, 4 overflow, 8 infinite,
// 16 invalid). Blank lines and lines starting with '#' hold no case.
//
// The parser is a pure function over one line (no I/O, no state) so that it can be fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/vectors/function.hpp"

namespace fpaudit::vectors {

struct ParsedLine {
  std::vector<std::uint64_t> operands;  // fn.arity() patterns
  Outcome outcome;                      // fn.results.size() patterns and the flags
};

// A line with operands, results and flags. nullopt for a blank or comment line. Throws
// std::invalid_argument with one line naming the column: "column 3 (result): expected a hex
// pattern of at most 4 digits for bfloat16, got "zz"", "expected 3 columns (operand, result,
// flags), got 2". Input hex may carry 0x and either case; tabs separate as spaces do.
std::optional<ParsedLine> parse_testfloat_line(std::string_view line, const Function& fn);

// Only the operands (the input of `fpaudit op`): exactly fn.arity() columns.
std::optional<std::vector<std::uint64_t>> parse_operand_line(std::string_view line,
                                                             const Function& fn);

// The line TestFloat writes for this case, without a newline.
std::string format_testfloat_line(const Function& fn, std::span<const std::uint64_t> operands,
                                  const Outcome& outcome);

// A result column's text: format_hex, or the digit for a comparison.
std::string format_result(const Function& fn, std::size_t column, std::uint64_t bits);

}  // namespace fpaudit::vectors
