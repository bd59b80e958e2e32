// `fpaudit verify FUNCTION [options] [FILE]` and `fpaudit verify FUNCTION --inputs X.npy
// --outputs Y.npy`: results of an implementation under test, recomputed with the library
// (vectors::evaluate) and compared bit for bit (or within --tolerance-ulps, or without the
// flags). Prints the first mismatches decoded, then one totals line. Exit 0 when every case
// matches, 1 when any does not, 2 for usage and input errors. docs/VECTORS.md.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "conversion_options.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/io/readers.hpp"
#include "fpaudit/vectors/verify.hpp"
#include "function_arg.hpp"

namespace fpaudit::cli {
namespace {

struct VerifyArgs {
  std::string function;
  ConversionArgs conv;
  std::string semantics;
  bool ignore_flags = false;
  std::uint64_t tolerance_ulps = 0;
  std::size_t max_reported = 20;
  std::string file = "-";
  std::string inputs, outputs;
};

// --semantics: documented deviations, as shorthands for the conversion options.
void apply_semantics(const std::string& list, ConversionArgs& conv) {
  bool daz = conv.subnormals.find("daz") != std::string::npos || conv.subnormals == "both";
  bool ftz = conv.subnormals.find("ftz") != std::string::npos || conv.subnormals == "both";
  std::size_t pos = 0;
  while (pos <= list.size() && !list.empty()) {
    const std::size_t end = std::min(list.find(',', pos), list.size());
    const std::string item = list.substr(pos, end - pos);
    if (item == "daz") {
      daz = true;
    } else if (item == "ftz") {
      ftz = true;
    } else if (item == "daz+ftz") {
      daz = ftz = true;
    } else if (item == "saturate" || item == "saturating") {
      conv.overflow = "saturate";
    } else if (item == "ieee") {
    } else {
      throw UsageError("verify: unknown --semantics \"" + item +
                       "\" (expected a comma list of daz, ftz, daz+ftz, saturate, ieee)");
    }
    pos = end + 1;
  }
  conv.subnormals = daz && ftz ? "daz+ftz" : daz ? "daz" : ftz ? "ftz" : "keep";
}

// Every element of a .npy file as bit patterns, checked against the formats' containers.
std::vector<std::uint64_t> read_patterns(const std::string& path, const FormatSpec& f,
                                         std::size_t columns, const char* role) {
  const io::TensorFile file = io::read_npy(path);
  const io::TensorView& t = file.tensors.at(0);
  if (io::dtype_info(t.dtype).bits != storage_bytes(f) * 8)
    throw UsageError(path + ": dtype " + std::string(io::to_string(t.dtype)) + " holds " +
                     std::to_string(io::dtype_info(t.dtype).bits) + "-bit elements, but the " +
                     role + " are " + f.name + " patterns stored in " +
                     std::to_string(storage_bytes(f)) + " byte(s)");
  if (t.count % columns != 0 || (columns > 1 && (t.shape.size() != 2 || t.shape[1] != columns)))
    throw UsageError(path + ": shape must be (N, " + std::to_string(columns) + ") for the " +
                     std::to_string(columns) + " " + role + " of each case");
  std::vector<std::uint64_t> bits;
  bits.reserve(t.count);
  io::for_each_chunk(t, 1 << 16, [&](const io::Chunk& c) {
    for (std::uint64_t b : c.bits) bits.push_back(b & f.mask());
  });
  return bits;
}

vectors::VerifySummary verify_arrays(const VerifyArgs& args, const vectors::Function& fn,
                                     const ConvertOptions& opt, vectors::VerifyOptions vopt) {
  vopt.ignore_flags = true;  // arrays carry no flags
  const auto in = read_patterns(args.inputs, fn.operands[0], fn.operands.size(), "operands");
  const auto out = read_patterns(args.outputs, fn.result_format(), fn.results.size(), "results");
  const std::size_t n = in.size() / fn.operands.size();
  if (out.size() / fn.results.size() != n)
    throw UsageError(args.outputs + ": " + std::to_string(out.size() / fn.results.size()) +
                     " cases, but " + args.inputs + " has " + std::to_string(n));
  vectors::Verifier verifier(fn, vopt);
  for (std::size_t i = 0; i < n; ++i) {
    const std::span<const std::uint64_t> operands(in.data() + i * fn.operands.size(),
                                                  fn.operands.size());
    vectors::Outcome actual;
    actual.results.assign(out.begin() + static_cast<std::ptrdiff_t>(i * fn.results.size()),
                          out.begin() + static_cast<std::ptrdiff_t>((i + 1) * fn.results.size()));
    verifier.check(operands, actual, vectors::evaluate(fn, operands, opt, i),
                   "index " + std::to_string(i));
  }
  return verifier.summary();
}

void run(VerifyArgs args) {
  const vectors::Function fn = parse_cli_function(args.function, "verify");
  apply_semantics(args.semantics, args.conv);
  const ConvertOptions opt = resolve_options(args.conv, fn.result_format());
  vectors::VerifyOptions vopt;
  vopt.ignore_flags = args.ignore_flags;
  vopt.tolerance_ulps = args.tolerance_ulps;
  vopt.max_reported = args.max_reported;

  vectors::VerifySummary summary;
  if (!args.inputs.empty() || !args.outputs.empty()) {
    if (args.inputs.empty() || args.outputs.empty() || args.file != "-")
      throw UsageError("verify: arrays need both --inputs X.npy and --outputs Y.npy, and no FILE");
    summary = verify_arrays(args, fn, opt, vopt);
  } else if (args.file == "-") {
    summary = vectors::verify_results(std::cin, "<stdin>", fn, opt, vopt);
  } else {
    std::ifstream in(args.file);
    if (!in) throw UsageError("cannot open \"" + args.file + "\": " + std::strerror(errno));
    summary = vectors::verify_results(in, args.file, fn, opt, vopt);
  }
  for (const vectors::Mismatch& m : summary.first)
    std::cout << "mismatch " << m.where << ": " << m.text << '\n';
  std::cout << vectors::summary_line(fn, summary) << '\n';
  if (!summary.ok()) throw ExitStatus(1);
}

}  // namespace

void register_verify(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "verify",
      "Check results of an implementation under test (TestFloat lines, or .npy "
      "arrays) against the library; exit 0 all match, 1 mismatches, 2 input errors");
  auto args = std::make_shared<VerifyArgs>();
  cmd->add_option("FUNCTION", args->function, "as for gen: f32_to_bf16, f16_add, ...")->required();
  add_conversion_options(*cmd, args->conv);
  cmd->add_option("--semantics", args->semantics,
                  "documented deviations: comma list of daz, ftz, daz+ftz, saturate");
  cmd->add_flag("--ignore-flags", args->ignore_flags, "compare results only");
  cmd->add_option("--tolerance-ulps", args->tolerance_ulps,
                  "accept results up to N ulps away (NaN matches any NaN; default 0: bit-exact)");
  cmd->add_option("--max-reported", args->max_reported, "mismatches printed (default 20)");
  cmd->add_option("--inputs", args->inputs, ".npy of operands (shape (N,) or (N, arity))");
  cmd->add_option("--outputs", args->outputs,
                  ".npy of the kernel's results, aligned with --inputs");
  cmd->add_option("FILE", args->file, "TestFloat lines ('-' or none: standard input)");
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
