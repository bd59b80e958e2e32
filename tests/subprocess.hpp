// The one way tests run a child process (the fpaudit CLI, cmake, sha256sum, ...): fork and exec
// without a shell, so an argument reaches the child exactly as written (no quoting, globbing or
// expansion). Captures the exit status, the signal that ended the child (if any), stdout and
// stderr (through files in a scratch directory of the runner's own) and the peak RSS (wait4).
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace fpaudit::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fresh temporary directory, removed with the object (a test fixture's member, or a local).
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/fpaudit_test_dir_XXXXXX";
    if (mkdtemp(tmpl) == nullptr)
      throw std::runtime_error("mkdtemp failed for " + std::string(tmpl));
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

struct RunResult {
  int exit_code = -1;   // -1 when the process was killed by a signal
  int term_signal = 0;  // the signal that killed it, 0 when it exited
  std::string out, err;
  long max_rss_kib = 0;
};

// Every member has an initializer, so callers name only what they set: {.cwd = dir}.
struct RunOptions {
  std::filesystem::path cwd = {};       // the child's working directory; empty: this process's
  std::string stdin_text = {};          // what the child reads on stdin
  std::vector<std::string> env = {};    // "NAME=value" entries added to (or replacing in) ours
  bool stderr_into_stdout = false;      // 2>&1: both streams in `out`, in the order written
  std::function<void()> in_child = {};  // runs in the child after the redirections, before
                                        // exec (async-signal-safe calls only: setrlimit, ...)
};

// Splits a command line written as one string into arguments: words separated by spaces, and
// '...' for a word with spaces. Nothing else is interpreted; a character a shell would treat
// specially is rejected, so a test cannot silently depend on a shell that is not there.
inline std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false, quoted = false;
  for (const char c : line) {
    if (quoted) {
      if (c == '\'')
        quoted = false;
      else
        word += c;
    } else if (c == '\'') {
      quoted = in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else if (std::strchr("\"\\$`|&;<>()*?[]~", c) != nullptr) {
      throw std::invalid_argument("words(): shell character '" + std::string(1, c) +
                                  "' in: " + line);
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quoted) throw std::invalid_argument("words(): unterminated quote in: " + line);
  if (in_word) out.push_back(word);
  return out;
}

// Runs `program` (a path, or a name looked up in PATH) with `args`.
inline RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                             const RunOptions& options = {}) {
  TempDir scratch;
  const std::filesystem::path in = scratch.path / "stdin.txt", out = scratch.path / "stdout.txt",
                              err = scratch.path / "stderr.txt";
  std::ofstream(in, std::ios::binary) << options.stdin_text;
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    bool replaced = false;
    for (const auto& add : options.env) {
      const std::size_t name = add.find('=') + 1;
      replaced = replaced || std::strncmp(*e, add.c_str(), name) == 0;
    }
    if (!replaced) envp.push_back(*e);
  }
  for (const auto& add : options.env) envp.push_back(const_cast<char*>(add.c_str()));
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(126);
    const int i = open(in.c_str(), O_RDONLY);
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e =
        options.stderr_into_stdout ? o : open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(i, 0);
    dup2(o, 1);
    dup2(e, 2);
    if (options.in_child) options.in_child();
    execvpe(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  RunResult r;
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

// Runs the fpaudit CLI under test (FPAUDIT_CLI_PATH).
inline RunResult run_cli(const std::vector<std::string>& args, const RunOptions& options = {}) {
  return run_program(FPAUDIT_CLI_PATH, args, options);
}

}  // namespace fpaudit::test
