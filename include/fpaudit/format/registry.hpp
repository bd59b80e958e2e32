// The named formats (with ml_dtypes' names as aliases) and the custom-format string parser.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit {

struct NamedFormat {
  FormatSpec spec;
  std::vector<std::string> aliases;  // short names users type: "f16", "half", "e4m3", ...
  std::string source;                // the standard that defines it, with the clause
};

// Every registered format, in a stable order (the order `fpaudit formats` prints).
std::span<const NamedFormat> registered_formats();

// Looks a name up among canonical names and aliases (case-insensitive), and otherwise parses
// it as a custom format string:
//   e<E>m<M>[:fn|:fnuz|:ieee|:nonan][:bias=N][:nosub][:nozero][:unsigned]   e.g. e6m9, e4m3:fn,
//   e5m2:fnuz, e4m3:fnuz:bias=11, e3m2:fn:nosub, ue8m0 ("u" prefix = unsigned).
// Default for a custom string: IEEE-style (infinities and NaNs in the top binade), bias
// 2^(E-1)-1, subnormals. Throws std::invalid_argument with a one-line message naming the
// offending part and what was expected.
FormatSpec format_by_name(std::string_view name);

// Same as format_by_name but for strings only (never consults the registry).
FormatSpec parse_format_string(std::string_view text);

}  // namespace fpaudit
