// `fpaudit op FUNCTION --hex [options] [FILE]`: one operation per input line, operands as hex
// patterns, output in Berkeley TestFloat's layout (testfloat_gen): the operands, the result and
// the flags byte, uppercase hex without 0x, each zero-padded to its format's width; a comparison's
// result is one digit, 0 or 1. FUNCTION is TestFloat's name generalised to every format:
// <format>_<operation> (f16_add, bf16_mulAdd, e4m3_mul, f32_sqrt, e5m2_lt_quiet; the operations
// are fpaudit::operations()) or <from>_to_<to> (f32_to_e5m2: the library's convert()), and the
// block quantisers; the names and the line layout are the library's (fpaudit/vectors/).
// docs/ARITHMETIC.md has the rules; docs/CLI.md the common conventions.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "conversion_options.hpp"
#include "fpaudit/vectors/function.hpp"
#include "fpaudit/vectors/testfloat_line.hpp"
#include "function_arg.hpp"
#include "line_input.hpp"

namespace fpaudit::cli {
namespace {

struct OpArgs {
  std::string function;
  ConversionArgs conv;
  bool hex = false;
  std::string file = "-";
};

void run(const OpArgs& args) {
  if (!args.hex)
    throw UsageError("op: say how operands are written: --hex (bit patterns, TestFloat's form)");
  const vectors::Function fn = parse_cli_function(args.function, "op");
  const ConvertOptions opt = resolve_options(args.conv, fn.result_format());

  for_each_input_line(
      args.file, [&](std::string_view line, std::uint64_t index) -> std::optional<std::string> {
        const auto operands = vectors::parse_operand_line(line, fn);
        if (!operands) return std::nullopt;
        return vectors::format_testfloat_line(fn, *operands,
                                              vectors::evaluate(fn, *operands, opt, index));
      });
}

}  // namespace

void register_op(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "op",
      "Apply one operation per input line (hex operands), printing TestFloat's lines: operands, "
      "result, flags");
  auto args = std::make_shared<OpArgs>();
  cmd->add_option("FUNCTION", args->function,
                  "<format>_<operation> (f16_add, bf16_mulAdd, e4m3_lt_quiet; operations: " +
                      vectors::operation_names() + ") or <from>_to_<to> (f32_to_e5m2)")
      ->required();
  add_conversion_options(*cmd, args->conv);
  cmd->add_flag("--hex", args->hex, "operands and results are hex bit patterns (required)");
  cmd->add_option("FILE", args->file,
                  "input file, one operation per line ('-' or none: standard input)");
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
