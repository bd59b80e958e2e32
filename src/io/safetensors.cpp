// The .safetensors reader. Layout (huggingface/safetensors, README "Format"):
//   bytes 0-7   N, unsigned little-endian 64-bit: the size of the header
//   N bytes     a UTF-8 JSON object: {"name": {"dtype": "F16", "shape": [2, 3],
//               "data_offsets": [BEGIN, END]}, ..., "__metadata__": {"key": "value"}}
//   rest        the data; a tensor's bytes are [8 + N + BEGIN, 8 + N + END), little-endian,
//               C order.
// Rules held as the reference implementation holds them (safetensors/src/tensor.rs): N at most
// 100,000,000; END - BEGIN = element count * dtype bits / 8, a whole number of bytes; no
// overflow in the count. Beyond it: duplicate keys are refused (the reference silently keeps
// one), and overlapping tensors are refused; gaps and trailing bytes are tolerated.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common.hpp"
#include "fpaudit/io/readers.hpp"
#include "mapped_file.hpp"

namespace fpaudit::io {
namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxHeader = 100'000'000;  // reference: MAX_HEADER_SIZE
constexpr int kMaxDepth = 3;  // open containers: root object > tensor object > shape array

std::string json_type(const json& j) {
  if (j.is_number_integer() && !j.is_number_unsigned()) return "a negative integer";
  if (j.is_number_float()) return "a non-integer number";
  const std::string t = j.type_name();
  return (t == "object" || t == "array") ? "an " + t : "a " + t;
}

std::string dtype_names() {
  std::string out;
  for (const auto& d : all_dtypes()) {
    if (!out.empty()) out += ", ";
    out += d.safetensors_name;
  }
  return out;
}

std::optional<DType> safetensors_dtype(std::string_view name) {
  for (const auto& d : all_dtypes()) {
    if (d.safetensors_name == name) return d.id;  // case-sensitive, as the reference
  }
  return std::nullopt;
}

// Reads an array of non-negative integers, or fails naming the field.
std::vector<std::uint64_t> uint_array(const json& j, std::string_view where,
                                      std::string_view field) {
  const auto bad = [&](const std::string& got) {
    fail(where, std::string(field) + " is " + got + "; expected an array of non-negative integers");
  };
  if (!j.is_array()) bad(json_type(j));
  std::vector<std::uint64_t> out;
  out.reserve(j.size());
  for (const json& e : j) {
    if (!e.is_number_unsigned()) bad("an array holding " + json_type(e));
    out.push_back(e.get<std::uint64_t>());
  }
  return out;
}

// First pass over the header, without building a tree: nesting depth, duplicate keys and the
// number of tensors, so that the tree is built only for a header within those limits. (A tree
// built through nlohmann's parser callback cannot do this: at every object end it rescans the
// enclosing object for discarded values, which is quadratic in the number of tensors; a
// 262,145-tensor header took minutes.) A syntax error stops this pass (returns false) and the
// second pass reports it with its byte offset.
class HeaderLimits : public nlohmann::json_sax<json> {
 public:
  explicit HeaderLimits(const std::string& path) : path_(path) {}
  std::string duplicate;  // the first key of the root object seen twice

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_object() override { return leave(); }
  bool end_array() override { return leave(); }
  bool key(string_t& k) override {
    if (depth_ != 1) return true;
    if (duplicate.empty() && !keys_.insert(k).second) duplicate = k;
    if (k != "__metadata__" && ++tensors_ > kMaxTensorsPerFile) {
      fail(path_, "header: more than " + std::to_string(kMaxTensorsPerFile) +
                      " tensors; expected at most that many per file (a limit of fpaudit)");
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool enter() {
    if (++depth_ > kMaxDepth) {
      fail(path_, "header: JSON nested deeper than " + std::to_string(kMaxDepth) +
                      " levels; expected {name: {dtype, shape, data_offsets}}");
    }
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  const std::string& path_;
  int depth_ = 0;
  std::uint64_t tensors_ = 0;
  std::set<std::string> keys_;
};

json parse_header(const MappedFile& f, std::uint64_t n) {
  // Copied out of the mapping under its fault guard (a file shrinking under the parser would
  // otherwise be SIGBUS), then parsed.
  std::string text(n, '\0');
  f.copy_out(8, n, text.data());
  HeaderLimits limits(f.path());
  json::sax_parse(text, &limits);
  const std::string& duplicate = limits.duplicate;
  const char* begin = text.data();
  json header;
  try {
    header = json::parse(begin, begin + n);
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error ..."
    std::string why = e.what();
    if (const auto col = why.find("column "); col != std::string::npos) {
      if (const auto colon = why.find(": ", col); colon != std::string::npos)
        why = why.substr(colon + 2);
    }
    fail(f.path(), "byte " + std::to_string(8 + (e.byte > 0 ? e.byte - 1 : 0)) +
                       ": header is not valid JSON (" + printable(why) + ")");
  }
  if (!duplicate.empty())
    fail(f.path(), "header: key " + quote(duplicate) + " appears twice; expected unique keys");
  if (!header.is_object()) {
    fail(f.path(), "byte 8: header is " + json_type(header) + "; expected a JSON object");
  }
  return header;
}

std::map<std::string, std::string> read_metadata(const json& j, const std::string& path) {
  if (!j.is_object()) {
    fail(path, "header: \"__metadata__\" is " + json_type(j) + "; expected an object of strings");
  }
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) {
      fail(path, "header: \"__metadata__\" entry " + quote(key) + " is " + json_type(value) +
                     "; expected a string");
    }
    out.emplace(key, value.get<std::string>());
  }
  return out;
}

struct Entry {
  TensorView view;
  std::uint64_t begin, end;  // data_offsets
};

Entry read_entry(const std::string& path, const std::string& name, const json& j,
                 std::uint64_t data_start, std::uint64_t data_size) {
  const std::string where = path + ": header: tensor " + quote(name);
  if (!j.is_object()) {
    fail(where, "is " + json_type(j) + "; expected an object with dtype, shape and data_offsets");
  }
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!j.contains(field)) fail(where, std::string("missing \"") + field + "\"");
  }
  const json& jd = j.at("dtype");
  if (!jd.is_string()) fail(where, "dtype is " + json_type(jd) + "; expected a string");
  const auto dtype = safetensors_dtype(jd.get<std::string>());
  if (!dtype) {
    fail(where,
         "unknown dtype " + quote(jd.get<std::string>()) + "; expected one of " + dtype_names());
  }
  Entry e;
  TensorView& v = e.view;
  v.file = path;
  v.name = name;
  v.dtype = *dtype;
  v.byte_order = ByteOrder::little;
  v.shape = uint_array(j.at("shape"), where, "shape");
  const auto offsets = uint_array(j.at("data_offsets"), where, "data_offsets");
  if (offsets.size() != 2) {
    fail(where, "data_offsets has " + std::to_string(offsets.size()) +
                    " entries; expected 2 ([begin, end])");
  }
  e.begin = offsets[0];
  e.end = offsets[1];
  const std::string range = "data_offsets " + shape_text(offsets);
  if (e.end < e.begin) fail(where, range + " ends before it begins; expected begin <= end");
  if (e.end > data_size) {
    fail(where, range + " run past the end of the data (" + std::to_string(data_size) +
                    " bytes from offset " + std::to_string(data_start) + ")");
  }
  const auto count = element_count(v.shape);
  if (!count)
    fail(where, "shape " + shape_text(v.shape) + " has more elements than fit in 64 bits");
  v.count = *count;
  const unsigned bits = dtype_info(v.dtype).bits;
  std::uint64_t total_bits = 0;
  if (__builtin_mul_overflow(v.count, std::uint64_t{bits}, &total_bits)) {
    fail(where, "shape " + shape_text(v.shape) + " of " + std::string(jd.get<std::string>()) +
                    " needs more bits than fit in 64 bits");
  }
  if (total_bits % 8 != 0) {
    fail(where, "shape " + shape_text(v.shape) + " of " + std::to_string(bits) + "-bit " +
                    jd.get<std::string>() + " elements is " + std::to_string(total_bits) +
                    " bits; expected a whole number of bytes");
  }
  if (e.end - e.begin != total_bits / 8) {
    fail(where, range + " hold " + std::to_string(e.end - e.begin) + " bytes; dtype " +
                    jd.get<std::string>() + " with shape " + shape_text(v.shape) + " needs " +
                    std::to_string(total_bits / 8));
  }
  v.byte_offset = data_start + e.begin;
  v.byte_size = e.end - e.begin;
  return e;
}

}  // namespace

TensorFile read_safetensors(const std::string& path) {
  auto file = MappedFile::open(path);
  const std::uint64_t size = file->size();
  if (size < 8) {
    fail(path, "file size " + std::to_string(size) +
                   " is smaller than the 8-byte header length at offset 0");
  }
  std::array<std::byte, 8> length{};
  file->copy_out(0, 8, length.data());
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::to_integer<std::uint64_t>(length[i]) << (8 * i);
  if (n > size) {
    fail(path, "header length " + std::to_string(n) + " at offset 0 exceeds file size " +
                   std::to_string(size));
  }
  if (n > size - 8) {
    fail(path, "header length " + std::to_string(n) + " at offset 0 runs past end of file (8 + " +
                   std::to_string(n) + " > size " + std::to_string(size) + ")");
  }
  if (n > kMaxHeader) {
    fail(path, "header length " + std::to_string(n) + " at offset 0 exceeds the " +
                   std::to_string(kMaxHeader) + "-byte cap");
  }
  const json header = parse_header(*file, n);
  const std::uint64_t data_start = 8 + n;
  const std::uint64_t data_size = size - data_start;

  TensorFile out;
  out.path = path;
  out.kind = FileKind::safetensors;
  out.size = size;
  std::vector<Entry> entries;
  auto storage = std::make_shared<detail::Storage>();
  storage->file = file;
  for (const auto& [key, value] : header.items()) {  // nlohmann orders keys: listed by name
    if (key == "__metadata__") {
      out.metadata = read_metadata(value, path);
      continue;
    }
    entries.push_back(read_entry(path, key, value, data_start, data_size));
    entries.back().view.storage = storage;
  }

  // Overlap: sort by begin; an empty tensor occupies nothing.
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) {
    if (e.end > e.begin) by_offset.push_back(&e);
  }
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->view.name < b->view.name;
  });
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    const Entry& a = *by_offset[i - 1];
    const Entry& b = *by_offset[i];
    if (b.begin < a.end) {
      fail(path, "header: tensors " + quote(a.view.name) + " (data_offsets [" +
                     std::to_string(a.begin) + ", " + std::to_string(a.end) + "]) and " +
                     quote(b.view.name) + " ([" + std::to_string(b.begin) + ", " +
                     std::to_string(b.end) + "]) overlap; expected disjoint byte ranges");
    }
  }
  for (Entry& e : entries) out.tensors.push_back(std::move(e.view));
  return out;
}

}  // namespace fpaudit::io
