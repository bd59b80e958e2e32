#include "common.hpp"

#include <cstdio>

#include "fpaudit/io/tensor.hpp"

namespace fpaudit::io {

namespace {
// A message must stay on one line whatever a file name holds.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

std::string escape(std::string_view text, std::size_t max_bytes, bool quoted) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (quoted && (c == '"' || c == '\\')) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}
}  // namespace

InputError::InputError(const std::string& one_line_message)
    : std::runtime_error(one_line(one_line_message)) {}

std::string printable(std::string_view text, std::size_t max_bytes) {
  return escape(text, max_bytes, false);
}

std::string quote(std::string_view text) { return '"' + escape(text, 80, true) + '"'; }

std::string shape_text(std::span<const std::uint64_t> shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

void fail(std::string_view where, std::string_view what) {
  std::string msg(where);
  msg += ": ";
  msg += what;
  throw InputError(msg);
}

std::string file_stem(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::optional<std::uint64_t> element_count(std::span<const std::uint64_t> shape) {
  for (const std::uint64_t d : shape) {
    if (d == 0) return 0;  // empty, however large the other dimensions
  }
  std::uint64_t n = 1;
  for (const std::uint64_t d : shape) {
    if (__builtin_mul_overflow(n, d, &n)) return std::nullopt;
  }
  return n;
}

std::optional<std::uint64_t> byte_count(std::uint64_t count, unsigned bits) {
  std::uint64_t total_bits = 0;
  if (__builtin_mul_overflow(count, std::uint64_t{bits}, &total_bits)) return std::nullopt;
  return total_bits / 8 + (total_bits % 8 != 0);
}

}  // namespace fpaudit::io
