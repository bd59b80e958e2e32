// The FUNCTION argument of `op`, `gen` and `verify`: vectors::parse_function with the command's
// name in front of its message, as a usage error.
#pragma once

#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "fpaudit/vectors/function.hpp"

namespace fpaudit::cli {

inline vectors::Function parse_cli_function(const std::string& name, const std::string& command) {
  try {
    return vectors::parse_function(name);
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    // Unknown-name errors get the command in front; a bad format keeps the registry's message.
    if (what.rfind("unknown function", 0) == 0) throw UsageError(command + ": " + what);
    throw;
  }
}

}  // namespace fpaudit::cli
