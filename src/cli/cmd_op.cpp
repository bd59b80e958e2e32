// `fpaudit op FUNCTION --hex [options] [FILE]`: one operation per input line, operands as hex
// patterns, output in Berkeley TestFloat's layout (testfloat_gen): the operands, the result and
// the flags byte, uppercase hex without 0x, each zero-padded to its format's width; a comparison's
// result is one digit, 0 or 1. FUNCTION is TestFloat's name generalised to every format:
// <format>_<operation> (f16_add, bf16_mulAdd, e4m3_mul, f32_sqrt, e5m2_lt_quiet; the operations
// are fpaudit::operations()) or <from>_to_<to> (f32_to_e5m2: the library's convert()).
// docs/ARITHMETIC.md has the rules; docs/CLI.md the common conventions.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "conversion_options.hpp"
#include "line_input.hpp"
#include "fpaudit/arith/arith.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::cli {
namespace {

struct OpArgs {
  std::string function;
  ConversionArgs conv;
  bool hex = false;
  std::string file = "-";
};

// What FUNCTION names: an operation of one format, or a conversion between two.
struct Function {
  const OpInfo* op = nullptr;  // null: a conversion
  FormatSpec format;           // the operation's format, or the conversion's source
  FormatSpec to;               // the conversion's target
  int arity() const { return op != nullptr ? op->arity : 1; }
  const FormatSpec& result_format() const { return op != nullptr ? format : to; }
};

std::optional<FormatSpec> try_format(std::string_view name) {
  if (name.empty()) return std::nullopt;
  try {
    return format_by_name(name);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

std::string operation_list() {
  std::string s;
  for (const OpInfo& op : operations()) s += (s.empty() ? "" : ", ") + op.name;
  return s;
}

Function parse_function(const std::string& name) {
  // <from>_to_<to>: any "_to_" whose both sides are formats.
  for (auto pos = name.find("_to_"); pos != std::string::npos; pos = name.find("_to_", pos + 1)) {
    auto from = try_format(std::string_view(name).substr(0, pos));
    auto to = try_format(std::string_view(name).substr(pos + 4));
    if (from && to) return {nullptr, *from, *to};
  }
  // <format>_<operation>: the longest operation name that ends FUNCTION (lt_quiet before lt).
  std::vector<const OpInfo*> ops;
  for (const OpInfo& op : operations()) ops.push_back(&op);
  std::sort(ops.begin(), ops.end(),
            [](const OpInfo* a, const OpInfo* b) { return a->name.size() > b->name.size(); });
  for (const OpInfo* op : ops) {
    const std::string suffix = "_" + op->name;
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
    const std::string_view format_name =
        std::string_view(name).substr(0, name.size() - suffix.size());
    // An unknown format before a known operation: report the format's own error.
    return {op, format_by_name(format_name), {}};
  }
  throw UsageError("op: unknown function \"" + name +
                   "\": expected <format>_<operation> (e.g. f16_add, e4m3_mulAdd) with an "
                   "operation among " +
                   operation_list() + ", or <from>_to_<to> (e.g. f32_to_e5m2)");
}

// Whitespace-separated tokens; none for blank lines and # comments.
std::vector<std::string_view> tokens(std::string_view line) {
  std::vector<std::string_view> out;
  const char* space = " \t\r\n\v\f";
  std::size_t pos = line.find_first_not_of(space);
  if (pos != std::string_view::npos && line[pos] == '#') return out;
  while (pos != std::string_view::npos) {
    const std::size_t end = line.find_first_of(space, pos);
    out.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
    pos = line.find_first_not_of(space, end);
  }
  return out;
}

// One output line for one input line (without the newline).
std::string evaluate(const Function& fn, const std::vector<std::string_view>& tok,
                     const ConvertOptions& opt, std::uint64_t index) {
  const int arity = fn.arity();
  if (static_cast<int>(tok.size()) != arity)
    throw std::invalid_argument("expected " + std::to_string(arity) + " hex operand" +
                                (arity == 1 ? "" : "s") + ", got " + std::to_string(tok.size()));
  std::uint64_t operands[3] = {0, 0, 0};
  std::string line;
  for (int i = 0; i < arity; ++i) {
    operands[i] = parse_hex(fn.format, tok[static_cast<std::size_t>(i)]);
    line += format_hex(fn.format, operands[i]) + ' ';
  }
  if (fn.op == nullptr) {
    const Encoded r = convert(fn.format, operands[0], fn.to, opt, index);
    return line + format_hex(fn.to, r.bits) + ' ' + format_flags(r.flags);
  }
  const Encoded r =
      fn.op->apply(fn.format, std::span<const std::uint64_t>(operands, arity), opt, index);
  const std::string result = fn.op->result == OpResult::boolean
                                 ? std::string(r.bits != 0 ? "1" : "0")
                                 : format_hex(fn.format, r.bits);
  return line + result + ' ' + format_flags(r.flags);
}

void run(const OpArgs& args) {
  if (!args.hex)
    throw UsageError("op: say how operands are written: --hex (bit patterns, TestFloat's form)");
  const Function fn = parse_function(args.function);
  const ConvertOptions opt = resolve_options(args.conv, fn.result_format());

  for_each_input_line(args.file, [&](std::string_view line, std::uint64_t index) -> std::optional<std::string> {
    const std::vector<std::string_view> tok = tokens(line);
    if (tok.empty()) return std::nullopt;
    return evaluate(fn, tok, opt, index);
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
                      operation_list() + ") or <from>_to_<to> (f32_to_e5m2)")
      ->required();
  add_conversion_options(*cmd, args->conv);
  cmd->add_flag("--hex", args->hex, "operands and results are hex bit patterns (required)");
  cmd->add_option("FILE", args->file,
                  "input file, one operation per line ('-' or none: standard input)");
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
