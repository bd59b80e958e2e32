// Runs the built `fpaudit` (FPAUDIT_CLI_PATH) in a shell and captures its exit code and output
// (stdout and stderr together): the subprocess runner of the hardware-path tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace fpaudit::test {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// `env` is prepended to the command line ("FPAUDIT_HW_DISABLE=all").
inline CliRun cli(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " '" + FPAUDIT_CLI_PATH + "' " + args + " 2>&1";
  CliRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace fpaudit::test
