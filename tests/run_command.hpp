// Running a shell command from a test: exit code, stdout and stderr (stderr through a temporary
// file). One shared helper for tests that drive the CLI or other tools as subprocesses.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace test_support {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

inline CommandResult run_command(const std::string& command) {
  char tmpl[] = "/tmp/fpaudit_test_cmd_XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return {};
  close(fd);
  CommandResult r;
  if (FILE* pipe = popen((command + " 2> '" + tmpl + "'").c_str(), "r")) {
    char buf[1 << 14];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::ifstream e(tmpl);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::filesystem::remove(tmpl);
  return r;
}

// A fresh temporary directory, removed with the object.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/fpaudit_test_dir_XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline std::string cli() { return std::string("'") + FPAUDIT_CLI_PATH + "'"; }

}  // namespace test_support
