// Runs the fpaudit CLI (FPAUDIT_CLI_PATH) as a child process, without a shell: argv as given,
// stdout and stderr captured to files in a scratch directory, the exit status, the signal
// that ended it (if any) and the peak RSS (wait4). Shared by the CLI tests.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace fpaudit::test {

struct CliRun {
  int exit_code = -1;   // -1 when the process was killed by a signal
  int term_signal = 0;  // the signal that killed it, 0 when it exited
  std::string out, err;
  long max_rss_kib = 0;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// in_child runs in the child between fork and exec (only async-signal-safe calls: setrlimit,
// signal, ...), e.g. to lower RLIMIT_FSIZE.
inline CliRun run_cli(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::filesystem::path& scratch,
                      const std::function<void()>& in_child = {}) {
  const std::filesystem::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null_in = open("/dev/null", O_RDONLY);
    dup2(o, 1);
    dup2(e, 2);
    dup2(null_in, 0);
    if (in_child) in_child();
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(FPAUDIT_CLI_PATH));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(FPAUDIT_CLI_PATH, argv.data());
    _exit(127);
  }
  CliRun r;
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  r.max_rss_kib = usage.ru_maxrss;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace fpaudit::test
