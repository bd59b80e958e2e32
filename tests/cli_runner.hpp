// Runs the built `fpaudit` (FPAUDIT_CLI_PATH) in a shell and captures its exit code and output
// (stdout and stderr together): the form the hardware-path tests read. The process runner is
// test_support::run_command (run_command.hpp).
#pragma once

#include <string>

#include "run_command.hpp"

namespace fpaudit::test {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// `env` is prepended to the command line ("FPAUDIT_HW_DISABLE=all").
inline CliRun cli(const std::string& args, const std::string& env = "") {
  // Inside the group the command's stderr joins its stdout; run_command redirects only the
  // group's stderr (to its own file, which stays empty).
  const test_support::CommandResult r =
      test_support::run_command("{ " + env + " " + test_support::cli() + " " + args + " 2>&1 ; }");
  return {r.exit_code, r.out};
}

}  // namespace fpaudit::test
