// The fpaudit subcommands. Each command lives in its own cmd_<name>.cpp and registers itself on
// the top-level CLI11 app through one function below; main.cpp calls them in order and turns
// every exception into one line on stderr ("fpaudit: error: <message>"):
//   exit 2: usage and input errors (CLI11 parse errors, UsageError, std::invalid_argument --
//           the library's errors for bad format names, option spellings and values);
//   exit 1: anything else (I/O failures, internal errors).
// A later command (audit, gemm, hw, gen, verify, bench) adds a register_<name> here, a
// cmd_<name>.cpp, and one line in main.cpp.
#pragma once

#include <stdexcept>

namespace CLI {
class App;
}

namespace fpaudit::cli {

// A usage or input error found by a command (bad input line, missing option): exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A command that finished its output but must exit non-zero (e.g. `audit` when a --fail-if gate
// trips: 3; files that could not be read in directory mode: 4). Carries no message.
struct ExitStatus {
  int code;
  explicit ExitStatus(int c) : code(c) {}
};

void register_formats(CLI::App& app);  // fpaudit formats [--json]
void register_info(CLI::App& app);     // fpaudit info FORMAT [VALUE|0xBITS]
void register_convert(CLI::App& app);  // fpaudit convert --from F --to T (--hex|--dec) [FILE]
void register_audit(CLI::App& app);    // fpaudit audit PATH... (docs/AUDIT_JSON.md)
void register_hw(CLI::App& app);       // fpaudit hw [--json] | hw check [PATH...] [--exhaustive]
void register_op(CLI::App& app);       // fpaudit op FUNCTION --hex [FILE] (TestFloat lines)
void register_gen(CLI::App& app);     // fpaudit gen FUNCTION [--level L] [--format F] (docs/VECTORS.md)
void register_verify(CLI::App& app);  // fpaudit verify FUNCTION FILE | --inputs X --outputs Y
void register_bench(CLI::App& app);    // fpaudit bench [--quick] [--json FILE] (docs/BENCHMARKS.md)
void register_gemm(CLI::App& app);     // fpaudit gemm --a A --b B --in-format F --out-format G [--c C] (docs/GEMM.md)
void register_models(CLI::App& app);   // fpaudit models [NAME|DEVICE...] [--json] (docs/TENSOR_CORES.md)

}  // namespace fpaudit::cli
