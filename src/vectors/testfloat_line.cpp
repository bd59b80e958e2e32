// TestFloat lines: tokenising, parsing, writing (include/fpaudit/vectors/testfloat_line.hpp).
#include "fpaudit/vectors/testfloat_line.hpp"

#include <stdexcept>

#include "fpaudit/codec/text.hpp"

namespace fpaudit::vectors {
namespace {

constexpr std::string_view kSpace = " \t\r\n\v\f";

// Whitespace-separated columns; none for blank lines and # comments.
std::vector<std::string_view> columns(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t pos = line.find_first_not_of(kSpace);
  if (pos != std::string_view::npos && line[pos] == '#') return out;
  while (pos != std::string_view::npos) {
    const std::size_t end = line.find_first_of(kSpace, pos);
    out.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
    pos = line.find_first_not_of(kSpace, end);
  }
  return out;
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string layout(const Function& fn, bool with_results) {
  std::string s = plural(fn.operands.size(), "operand");
  if (with_results) s += ", " + plural(fn.results.size(), "result") + ", flags";
  return s;
}

std::uint64_t parse_column(std::string_view text, const FormatSpec& f, std::size_t column,
                           const char* what) {
  try {
    return parse_hex(f, text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("column " + std::to_string(column) + " (" + what +
                                "): " + e.what());
  }
}

std::uint64_t parse_boolean(std::string_view text, std::size_t column) {
  if (text == "0" || text == "1") return text == "1" ? 1 : 0;
  throw std::invalid_argument("column " + std::to_string(column) +
                              " (result): expected 0 or 1 (a comparison's result), got \"" +
                              std::string(text) + "\"");
}

Flags parse_flags(std::string_view text, std::size_t column) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int value = -1;
  if (text.size() == 2 && digit(text[0]) >= 0 && digit(text[1]) >= 0)
    value = digit(text[0]) * 16 + digit(text[1]);
  if (value < 0 || value > 0x1F)
    throw std::invalid_argument("column " + std::to_string(column) +
                                " (flags): expected two hex digits 00..1F (TestFloat's flags "
                                "byte), got \"" +
                                std::string(text) + "\"");
  return Flags(static_cast<std::uint8_t>(value));
}

}  // namespace

std::optional<std::vector<std::uint64_t>> parse_operand_line(std::string_view line,
                                                             const Function& fn) {
  const std::vector<std::string_view> col = columns(line);
  if (col.empty()) return std::nullopt;
  if (col.size() != fn.operands.size())
    throw std::invalid_argument("expected " + plural(fn.operands.size(), "hex operand") + ", got " +
                                std::to_string(col.size()));
  std::vector<std::uint64_t> out(col.size());
  for (std::size_t i = 0; i < col.size(); ++i)
    out[i] = parse_column(col[i], fn.operands[i], i + 1, "operand");
  return out;
}

std::optional<ParsedLine> parse_testfloat_line(std::string_view line, const Function& fn) {
  const std::vector<std::string_view> col = columns(line);
  if (col.empty()) return std::nullopt;
  const std::size_t n_ops = fn.operands.size(), n_res = fn.results.size();
  if (col.size() != n_ops + n_res + 1)
    throw std::invalid_argument("expected " + std::to_string(n_ops + n_res + 1) + " columns (" +
                                layout(fn, true) + "), got " + std::to_string(col.size()));
  ParsedLine p;
  p.operands.resize(n_ops);
  for (std::size_t i = 0; i < n_ops; ++i)
    p.operands[i] = parse_column(col[i], fn.operands[i], i + 1, "operand");
  p.outcome.results.resize(n_res);
  for (std::size_t i = 0; i < n_res; ++i) {
    const std::size_t c = n_ops + i;
    p.outcome.results[i] = fn.boolean_result ? parse_boolean(col[c], c + 1)
                                             : parse_column(col[c], fn.results[i], c + 1, "result");
  }
  p.outcome.flags = parse_flags(col.back(), col.size());
  return p;
}

std::string format_result(const Function& fn, std::size_t column, std::uint64_t bits) {
  if (fn.boolean_result) return bits != 0 ? "1" : "0";
  return format_hex(fn.results[column], bits);
}

std::string format_testfloat_line(const Function& fn, std::span<const std::uint64_t> operands,
                                  const Outcome& outcome) {
  std::string line;
  for (std::size_t i = 0; i < operands.size(); ++i)
    line += format_hex(fn.operands[i], operands[i]) + ' ';
  for (std::size_t i = 0; i < outcome.results.size(); ++i)
    line += format_result(fn, i, outcome.results[i]) + ' ';
  return line + format_flags(outcome.flags);
}

}  // namespace fpaudit::vectors
