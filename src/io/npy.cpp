// The .npy reader. Layout (numpy/lib/format.py):
//   bytes 0-5   magic "\x93NUMPY"
//   bytes 6-7   format version major, minor: 1.0, 2.0 or 3.0
//   bytes 8-9   (1.0) or 8-11 (2.0, 3.0): little-endian header length HEADER_LEN
//   then        HEADER_LEN bytes: a Python dict literal {'descr': '<f4', 'fortran_order':
//               False, 'shape': (2, 3), } padded with spaces and ended by '\n' (latin-1 in
//               1.0/2.0, UTF-8 in 3.0)
//   then        the elements, count * itemsize bytes.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "common.hpp"
#include "fpaudit/io/readers.hpp"
#include "mapped_file.hpp"
#include "npy_header.hpp"

namespace fpaudit::io {
namespace {

constexpr std::array<unsigned char, 6> kMagic{0x93, 'N', 'U', 'M', 'P', 'Y'};

std::string at_byte(std::uint64_t offset) { return "byte " + std::to_string(offset) + ": "; }

// A value of the header dict: a string, a bool, or a tuple of non-negative integers.
using PyValue = std::variant<std::string, bool, std::vector<std::uint64_t>>;

struct PyEntry {
  PyValue value;
  std::uint64_t offset;  // of the value, in the file (or member)
};

// Recursive descent over the small subset of Python literals numpy writes (ast.literal_eval
// reads more; nothing else occurs in a header for the dtypes we accept).
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::uint64_t base, std::string_view where)
      : text_(text), base_(base), where_(where) {}

  std::map<std::string, PyEntry> parse_dict() {
    skip_space();
    expect('{', "'{' opening the header dict");
    std::map<std::string, PyEntry> out;
    skip_space();
    while (peek() != '}') {
      const std::uint64_t key_at = offset();
      if (peek() != '\'' && peek() != '"') error("expected a quoted key or '}'");
      std::string key = parse_string();
      if (out.count(key)) fail(where_, at_byte(key_at) + "header: duplicate key " + quote(key));
      skip_space();
      expect(':', "':' after a key");
      skip_space();
      const std::uint64_t value_at = offset();
      out.emplace(std::move(key), PyEntry{parse_value(), value_at});
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != '}') {
        error("expected ',' or '}'");
      }
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) error("expected only spaces and '\\n' after the header dict");
    return out;
  }

 private:
  std::uint64_t offset() const { return base_ + pos_; }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  [[noreturn]] void error(std::string_view expected) const {
    const std::string found = pos_ < text_.size() ? "found " + quote(text_.substr(pos_, 1))
                                                  : "found the end of the header";
    fail(where_, at_byte(offset()) + "header: " + std::string(expected) + ", " + found);
  }
  void expect(char c, std::string_view what) {
    if (peek() != c) error(std::string("expected ") + std::string(what));
    ++pos_;
  }

  std::string parse_string() {
    const char q = text_[pos_++];
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != q) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (pos_ >= text_.size()) error("expected a closing quote");
    ++pos_;
    return out;
  }

  std::uint64_t parse_uint() {
    const std::uint64_t at = offset();
    std::uint64_t v = 0;
    std::size_t digits = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const auto d = static_cast<std::uint64_t>(text_[pos_] - '0');
      if (__builtin_mul_overflow(v, std::uint64_t{10}, &v) || __builtin_add_overflow(v, d, &v)) {
        fail(where_, at_byte(at) + "header: shape dimension does not fit in 64 bits");
      }
      ++pos_;
      ++digits;
    }
    if (digits == 0) error("expected a non-negative integer");
    if (peek() == 'L') ++pos_;  // Python 2 long suffix, in files written by old numpy
    return v;
  }

  PyValue parse_value() {
    const char c = peek();
    if (c == '\'' || c == '"') return parse_string();
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    if (c == '(') {
      ++pos_;
      std::vector<std::uint64_t> dims;
      skip_space();
      while (peek() != ')') {
        dims.push_back(parse_uint());
        skip_space();
        if (peek() == ',') {
          ++pos_;
          skip_space();
        } else if (peek() != ')') {
          error("expected ',' or ')' in the shape tuple");
        }
      }
      ++pos_;
      return dims;
    }
    if (c == '[') {
      fail(where_, at_byte(offset()) +
                       "header: a list descr is a structured dtype, not supported; expected a "
                       "type string such as '<f4'");
    }
    error("expected a string, True, False or a tuple");
  }

  std::string_view text_;
  std::uint64_t base_;
  std::string_view where_;
  std::size_t pos_ = 0;
};

template <class T>
const T& entry_as(const std::map<std::string, PyEntry>& d, const char* key, const char* expected,
                  std::string_view where) {
  const auto& e = d.at(key);
  if (!std::holds_alternative<T>(e.value)) {
    fail(where, at_byte(e.offset) + "header: '" + key + "' is not " + expected);
  }
  return std::get<T>(e.value);
}

std::uint32_t read_le(std::span<const std::byte> b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::to_integer<std::uint32_t>(b[at + i]) << (8 * i);
  return v;
}

}  // namespace

NpyPreamble parse_npy_preamble(std::span<const std::byte> head, std::uint64_t total_size,
                               std::string_view where, std::string_view unit) {
  const std::size_t have = std::min<std::size_t>(head.size(), kMagic.size());
  if (have < kMagic.size() || std::memcmp(head.data(), kMagic.data(), kMagic.size()) != 0) {
    const std::string got(reinterpret_cast<const char*>(head.data()), have);
    if (have == kMagic.size() || std::memcmp(head.data(), kMagic.data(), have) != 0) {
      fail(where, "byte 0: bad magic " + quote(got) + "; expected \"\\x93NUMPY\" (a .npy file)");
    }
    fail(where, "byte " + std::to_string(have) + ": " + std::string(unit) +
                    " ends inside the magic (size " + std::to_string(total_size) +
                    "); expected \"\\x93NUMPY\"");
  }
  if (total_size < 8) {
    fail(where, "byte 6: " + std::string(unit) + " ends inside the format version (size " +
                    std::to_string(total_size) + ")");
  }
  NpyPreamble p;
  p.major = std::to_integer<unsigned>(head[6]);
  const auto minor = std::to_integer<unsigned>(head[7]);
  if (p.major < 1 || p.major > 3 || minor != 0) {
    fail(where, "byte 6: unsupported format version " + std::to_string(p.major) + "." +
                    std::to_string(minor) + "; expected 1.0, 2.0 or 3.0");
  }
  const std::size_t len_bytes = p.major == 1 ? 2 : 4;
  p.header_start = 8 + len_bytes;
  if (total_size < p.header_start) {
    fail(where, "byte 8: " + std::string(unit) + " ends inside the header length (size " +
                    std::to_string(total_size) + ")");
  }
  p.header_length = read_le(head, 8, len_bytes);
  if (p.header_length > kNpyMaxHeader) {
    fail(where, "byte 8: header length " + std::to_string(p.header_length) + " exceeds the " +
                    std::to_string(kNpyMaxHeader) + "-byte cap");
  }
  if (p.header_start + p.header_length > total_size) {
    fail(where, "byte 8: header length " + std::to_string(p.header_length) + " runs past end of " +
                    std::string(unit) + " (size " + std::to_string(total_size) + ")");
  }
  return p;
}

NpyLayout parse_npy_header(const NpyPreamble& pre, std::string_view header,
                           std::uint64_t total_size, std::string_view where,
                           std::string_view unit) {
  const auto dict = HeaderParser(header, pre.header_start, where).parse_dict();
  const std::uint64_t end_of_header = pre.header_start + pre.header_length;
  for (const char* key : {"descr", "fortran_order", "shape"}) {
    if (!dict.count(key)) {
      fail(where, at_byte(pre.header_start) + "header: missing key '" + key +
                      "'; expected 'descr', 'fortran_order' and 'shape'");
    }
  }
  for (const auto& [key, e] : dict) {
    if (key != "descr" && key != "fortran_order" && key != "shape") {
      fail(where, at_byte(e.offset) + "header: unexpected key " + quote(key) +
                      "; expected only 'descr', 'fortran_order' and 'shape'");
    }
  }

  NpyLayout out;
  const auto& descr = entry_as<std::string>(dict, "descr", "a string", where);
  // Only numpy codes ("<f4", "f4"), not the other names parse_dtype_name knows ("F4").
  const std::string code = descr.size() == 2 ? "=" + descr : descr;
  const auto parsed =
      code.size() == 3 && std::string_view("<>|=").find(code[0]) != std::string_view::npos
          ? parse_dtype_name(code)
          : std::nullopt;
  if (!parsed) {
    fail(where, at_byte(dict.at("descr").offset) + "header: unknown dtype " + quote(descr) +
                    "; expected b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4 or f8 after a byte "
                    "order <, >, | or =");
  }
  out.dtype = parsed->dtype;
  // '|' (not applicable) and '=' (native) come with one-byte types and from hand-made files.
  out.order = parsed->order.value_or(std::endian::native == std::endian::big ? ByteOrder::big
                                                                             : ByteOrder::little);
  if (byte_size(out.dtype) == 1) out.order = ByteOrder::little;
  out.fortran_order = entry_as<bool>(dict, "fortran_order", "True or False", where);
  out.shape = entry_as<std::vector<std::uint64_t>>(dict, "shape", "a tuple", where);

  const std::uint64_t shape_at = dict.at("shape").offset;
  const auto count = element_count(out.shape);
  if (!count) {
    fail(where, at_byte(shape_at) + "header: shape " + shape_text(out.shape) +
                    " has more elements than fit in 64 bits");
  }
  out.count = *count;
  const auto size = byte_count(out.count, dtype_info(out.dtype).bits);
  if (!size) {
    fail(where, at_byte(shape_at) + "header: shape " + shape_text(out.shape) + " of " +
                    std::string(descr) + " needs more bytes than fit in 64 bits");
  }
  out.data_size = *size;
  out.data_offset = end_of_header;
  const std::uint64_t have = total_size - end_of_header;
  if (have != out.data_size) {
    fail(where, at_byte(end_of_header) + "data holds " + std::to_string(have) +
                    " bytes to the end of " + std::string(unit) + "; dtype " + descr +
                    " with shape " + shape_text(out.shape) + " needs " +
                    std::to_string(out.data_size));
  }
  return out;
}

TensorView make_view(const std::string& path, std::string name, const NpyLayout& l) {
  TensorView v;
  v.file = path;
  v.name = std::move(name);
  v.dtype = l.dtype;
  v.byte_order = l.order;
  v.shape = l.shape;
  v.count = l.count;
  v.byte_size = l.data_size;
  v.fortran_order = l.fortran_order;
  return v;
}

TensorFile read_npy(const std::string& path) {
  auto file = MappedFile::open(path);
  // Preamble and header are copied out of the mapping (under its fault guard), then parsed.
  std::array<std::byte, kNpyPreambleMax> head{};
  const std::size_t head_size = std::min<std::uint64_t>(file->size(), kNpyPreambleMax);
  file->copy_out(0, head_size, head.data());
  const auto pre = parse_npy_preamble(std::span(head).first(head_size), file->size(), path, "file");
  std::string header(pre.header_length, '\0');
  file->copy_out(pre.header_start, pre.header_length, header.data());
  const auto layout = parse_npy_header(pre, header, file->size(), path, "file");

  TensorFile out;
  out.path = path;
  out.kind = FileKind::npy;
  out.size = file->size();
  TensorView v = make_view(path, file_stem(path), layout);
  v.byte_offset = layout.data_offset;
  auto storage = std::make_shared<detail::Storage>();
  storage->file = std::move(file);
  v.storage = std::move(storage);
  out.tensors.push_back(std::move(v));
  return out;
}

}  // namespace fpaudit::io
