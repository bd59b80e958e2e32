// `fpaudit gen FUNCTION [options]`: test vectors for a function (fpaudit/vectors/function.hpp),
// cases from fpaudit/vectors/generate.hpp, expected results from the library (vectors::evaluate,
// the fast path proven equal to the MPFR reference). Formats: TestFloat lines, JSON lines, or
// .npy arrays. The same arguments give byte-identical output. docs/VECTORS.md.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "conversion_options.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/io/npy_writer.hpp"
#include "fpaudit/report/output_file.hpp"
#include "fpaudit/vectors/arrays.hpp"
#include "fpaudit/vectors/generate.hpp"
#include "fpaudit/vectors/testfloat_line.hpp"
#include "function_arg.hpp"

namespace fpaudit::cli {
namespace {

struct GenArgs {
  std::string function;
  ConversionArgs conv;
  std::string level = "1";
  std::optional<std::uint64_t> count;
  std::string out;
  std::string format = "testfloat";
};

std::string json_values(const std::vector<FormatSpec>& formats, std::span<const std::uint64_t> bits,
                        bool boolean) {
  std::string s = "[";
  for (std::size_t i = 0; i < bits.size(); ++i) {
    s += i ? "," : "";
    if (boolean) {
      s += "{\"hex\":\"" + std::to_string(bits[i]) +
           "\",\"value\":" + (bits[i] ? "true" : "false") + "}";
    } else {
      s += "{\"hex\":\"" + format_hex(formats[i], bits[i]) + "\",\"value\":\"" +
           format_exact(decode(formats[i], bits[i])) + "\"}";
    }
  }
  return s + "]";
}

// Text output goes to stdout in blocks, or to --out at the end (atomically).
class TextSink {
 public:
  explicit TextSink(std::string path) : path_(std::move(path)) {}
  void line(const std::string& s) {
    buffer_ += s;
    buffer_ += '\n';
    if (path_.empty() && buffer_.size() >= (1u << 16)) {
      std::cout << buffer_;
      buffer_.clear();
    }
  }
  void finish() {
    if (path_.empty())
      std::cout << buffer_;
    else
      report::write_output_file(path_, buffer_);
  }

 private:
  std::string path_, buffer_;
};

void run(const GenArgs& args) {
  const vectors::Function fn = parse_cli_function(args.function, "gen");
  const ConvertOptions opt = resolve_options(args.conv, fn.result_format());
  vectors::GenerateOptions gen;
  gen.level = vectors::parse_level(args.level);
  gen.seed = args.conv.seed;
  gen.count = args.count;
  if (args.format != "testfloat" && args.format != "jsonl" && args.format != "npy")
    throw UsageError("gen: unknown --format \"" + args.format +
                     "\" (expected testfloat, jsonl, npy)");

  std::uint64_t index = 0;
  if (args.format == "npy") {
    if (args.out.empty())
      throw UsageError(
          "gen --format npy: give --out PREFIX (writes PREFIX.inputs.npy, "
          "PREFIX.expected.npy, PREFIX.flags.npy)");
    std::string prefix = args.out;
    if (prefix.ends_with(".npy")) prefix.resize(prefix.size() - 4);
    std::string inputs, expected, flags;
    vectors::generate_cases(fn, gen, [&](std::span<const std::uint64_t> operands) {
      const vectors::Outcome r = vectors::evaluate(fn, operands, opt, index++);
      for (std::size_t i = 0; i < operands.size(); ++i)
        vectors::append_element(inputs, fn.operands[i], operands[i]);
      for (std::size_t i = 0; i < r.results.size(); ++i)
        vectors::append_element(expected, fn.results[i], r.results[i]);
      flags += static_cast<char>(r.flags.bits);
    });
    auto shape = [&](std::size_t columns) {
      return columns == 1 ? std::vector<std::uint64_t>{index}
                          : std::vector<std::uint64_t>{index, columns};
    };
    io::write_npy(prefix + ".inputs.npy", vectors::npy_descr(fn.operands[0]),
                  shape(fn.operands.size()), inputs);
    io::write_npy(prefix + ".expected.npy",
                  vectors::npy_descr(fn.results.size() > 1 ? fn.results[1] : fn.results[0]),
                  shape(fn.results.size()), expected);
    io::write_npy(prefix + ".flags.npy", "|u1", shape(1), flags);
    return;
  }
  TextSink sink(args.out);
  vectors::generate_cases(fn, gen, [&](std::span<const std::uint64_t> operands) {
    const vectors::Outcome r = vectors::evaluate(fn, operands, opt, index);
    if (args.format == "testfloat") {
      sink.line(vectors::format_testfloat_line(fn, operands, r));
    } else {
      sink.line("{\"index\":" + std::to_string(index) +
                ",\"operands\":" + json_values(fn.operands, operands, false) +
                ",\"results\":" + json_values(fn.results, r.results, fn.boolean_result) +
                ",\"flags\":\"" + format_flags(r.flags) + "\"}");
    }
    ++index;
  });
  sink.finish();
}

}  // namespace

void register_gen(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "gen",
      "Generate test vectors for FUNCTION with expected results (TestFloat lines, JSON "
      "lines or .npy arrays); docs/VECTORS.md");
  auto args = std::make_shared<GenArgs>();
  cmd->add_option(
         "FUNCTION", args->function,
         "<from>_to_<to>, <format>_<operation> (operations: " + vectors::operation_names() +
             "), <mx>_quantize, nvfp4_quantize, <format>_dot<K>[@MODEL]")
      ->required();
  add_conversion_options(*cmd, args->conv);
  cmd->get_option("--seed")->description(
      "seed of the random cases and of stochastic rounding (default 0)");
  cmd->add_option("--level", args->level,
                  "1 (default), 2 (more structure, 100000 random), exhaustive (<= 2^24 cases)");
  cmd->add_option("--count", args->count,
                  "random cases after the structured ones (default 1000 at level 1, 100000 at 2)");
  cmd->add_option("--out", args->out,
                  "output file (default: standard output); for npy the prefix of the three files");
  cmd->add_option("--format", args->format, "testfloat (default), jsonl, npy");
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
