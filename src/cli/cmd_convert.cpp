// `fpaudit convert --from F --to T (--hex | --dec) [FILE]`: one conversion per input line, in
// TestFloat's spelling (uppercase hex without 0x, flags as TestFloat's byte), streamed so that
// files of any size convert in constant memory. The line format is a stable contract
// (docs/CLI.md): scripts parse it.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "conversion_options.hpp"
#include "line_input.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::cli {
namespace {

struct ConvertArgs {
  std::string from;
  std::string to;
  ConversionArgs conv;
  bool hex = false;
  bool dec = false;
  std::string file = "-";
};

// The first whitespace-separated token of a line; empty for blank lines and # comments.
std::string_view first_token(std::string_view line) {
  const char* space = " \t\r\n\v\f";
  const auto begin = line.find_first_not_of(space);
  if (begin == std::string_view::npos || line[begin] == '#') return {};
  const auto end = line.find_first_of(space, begin);
  return line.substr(begin, end == std::string_view::npos ? end : end - begin);
}

void run(const ConvertArgs& args) {
  if (!args.hex && !args.dec)
    throw UsageError(
        "convert: say how inputs are written: --hex (bit patterns) or --dec (decimal)");
  const FormatSpec to = format_by_name(args.to);
  std::optional<FormatSpec> from;
  if (!args.from.empty()) from = format_by_name(args.from);  // checked even where unused (--dec)
  if (args.hex && !from) throw UsageError("convert --hex needs --from FORMAT (the inputs' format)");
  const ConvertOptions opt = resolve_options(args.conv, to);

  for_each_input_line(args.file, [&](std::string_view line, std::uint64_t index) -> std::optional<std::string> {
    const std::string_view token = first_token(line);
    if (token.empty()) return std::nullopt;
    if (args.hex) {
      const std::uint64_t bits = parse_hex(*from, token);
      const Encoded r = convert(*from, bits, to, opt, index);
      return format_hex(*from, bits) + ' ' + format_hex(to, r.bits) + ' ' + format_flags(r.flags);
    }
    const Encoded r = encode_decimal(to, parse_decimal(token), opt, index);
    return std::string(token) + ' ' + format_hex(to, r.bits) + ' ' + format_flags(r.flags) + ' ' +
           format_exact(decode(to, r.bits));
  });
}

}  // namespace

void register_convert(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "convert",
      "Convert one value per input line: hex patterns (--hex) or decimals (--dec) into --to");
  auto args = std::make_shared<ConvertArgs>();
  cmd->add_option("--from", args->from,
                  "the inputs' format (required with --hex; checked, unused, with --dec)");
  cmd->add_option("--to", args->to, "the target format")->required();
  add_conversion_options(*cmd, args->conv);
  auto* hex = cmd->add_flag("--hex", args->hex, "inputs and outputs are hex bit patterns");
  auto* dec =
      cmd->add_flag("--dec", args->dec, "inputs are decimal values, rounded once into --to");
  hex->excludes(dec);
  cmd->add_option("FILE", args->file,
                  "input file, one value per line ('-' or none: standard input)");
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
