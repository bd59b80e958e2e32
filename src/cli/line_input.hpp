// The line-at-a-time input of `convert` and `op`: FILE ("-" = stdin), one result per data line,
// output buffered, and a bad line reported as "<file>:<line>: <message>" after the complete
// results before it have been printed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace fpaudit::cli {

// `evaluate(line, index)` returns the output line (without '\n'), or nullopt for a line that holds
// no data (blank, comment), which does not advance `index`, the 0-based count of data lines (the
// stochastic-rounding element index). A std::invalid_argument from it becomes a UsageError naming
// the file and line.
void for_each_input_line(
    const std::string& file,
    const std::function<std::optional<std::string>(std::string_view line, std::uint64_t index)>& evaluate);

}  // namespace fpaudit::cli
