// fpaudit's command-line entry: the CLI11 app, one register_<command> call per subcommand, and
// the single place where errors become "fpaudit: error: <message>" on stderr with an exit code
// (see commands.hpp).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "fpaudit/io/tensor.hpp"

namespace {

int fail(const std::string& message, int code) {
  std::cout.flush();
  std::cerr << "fpaudit: error: " << message << '\n';
  return code;
}

int run(int argc, char** argv) {
  CLI::App app{"fpaudit: bit-exact emulation and auditing of low-precision floating-point formats"};
  app.name("fpaudit");
  app.require_subcommand(1);
  fpaudit::cli::register_formats(app);
  fpaudit::cli::register_info(app);
  fpaudit::cli::register_convert(app);
  fpaudit::cli::register_audit(app);
  fpaudit::cli::register_hw(app);
  fpaudit::cli::register_op(app);
  fpaudit::cli::register_gemm(app);
  fpaudit::cli::register_gen(app);
  fpaudit::cli::register_verify(app);
  fpaudit::cli::register_bench(app);
  fpaudit::cli::register_models(app);

  try {
    app.parse(argc, argv);  // runs the chosen subcommand's callback
  } catch (const fpaudit::cli::ExitStatus& e) {
    std::cout.flush();
    return e.code;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return fail(e.what(), 2);
  } catch (const fpaudit::io::InputError& e) {  // a malformed input file: its one-line message
    return fail(e.what(), 2);
  } catch (const fpaudit::cli::UsageError& e) {
    return fail(e.what(), 2);
  } catch (const std::invalid_argument& e) {
    return fail(e.what(), 2);
  } catch (const std::exception& e) {
    return fail(e.what(), 1);
  }
  std::cout.flush();
  if (!std::cout) return fail("cannot write to standard output", 1);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);  // all output goes through std::cout
  try {
    return run(argc, argv);
  } catch (...) {  // failing to build the app or to print an error: nothing left to say
    std::fputs("fpaudit: error: internal error\n", stderr);
    return 1;
  }
}
