#include "fpaudit/io/dtype.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace fpaudit::io {
namespace {

using K = DTypeKind;

// The one table. Safetensors names: the reference implementation's Dtype enum
// (safetensors/src/tensor.rs). Format names: include/fpaudit/format/registry.hpp.
constexpr std::array<DTypeInfo, 22> kTable{{
    {DType::boolean, "bool", "BOOL", "", 8, K::boolean, false},
    {DType::u8, "uint8", "U8", "", 8, K::unsigned_int, false},
    {DType::i8, "int8", "I8", "", 8, K::signed_int, false},
    {DType::u16, "uint16", "U16", "", 16, K::unsigned_int, false},
    {DType::i16, "int16", "I16", "", 16, K::signed_int, false},
    {DType::u32, "uint32", "U32", "", 32, K::unsigned_int, false},
    {DType::i32, "int32", "I32", "", 32, K::signed_int, false},
    {DType::u64, "uint64", "U64", "", 64, K::unsigned_int, false},
    {DType::i64, "int64", "I64", "", 64, K::signed_int, false},
    {DType::f16, "float16", "F16", "binary16", 16, K::floating, true},
    {DType::bf16, "bfloat16", "BF16", "bfloat16", 16, K::floating, true},
    {DType::f32, "float32", "F32", "binary32", 32, K::floating, true},
    {DType::f64, "float64", "F64", "binary64", 64, K::floating, true},
    // torch.float8_e4m3fn is saved as F8_E4M3 (OCP E4M3: no infinities).
    {DType::f8_e4m3fn, "float8_e4m3fn", "F8_E4M3", "float8_e4m3fn", 8, K::floating, true},
    {DType::f8_e5m2, "float8_e5m2", "F8_E5M2", "float8_e5m2", 8, K::floating, true},
    {DType::f8_e8m0fnu, "float8_e8m0fnu", "F8_E8M0", "float8_e8m0fnu", 8, K::floating, true},
    {DType::f8_e4m3fnuz, "float8_e4m3fnuz", "F8_E4M3FNUZ", "float8_e4m3fnuz", 8, K::floating, true},
    {DType::f8_e5m2fnuz, "float8_e5m2fnuz", "F8_E5M2FNUZ", "float8_e5m2fnuz", 8, K::floating, true},
    // Sub-byte: listed; the packing of elements into bytes is not part of the safetensors format.
    {DType::f4_e2m1fn, "float4_e2m1fn", "F4", "float4_e2m1fn", 4, K::floating, false},
    {DType::f6_e2m3fn, "float6_e2m3fn", "F6_E2M3", "float6_e2m3fn", 6, K::floating, false},
    {DType::f6_e3m2fn, "float6_e3m2fn", "F6_E3M2", "float6_e3m2fn", 6, K::floating, false},
    {DType::c64, "complex64", "C64", "", 64, K::complex, false},
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<std::size_t>(kTable[i].id) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order());

bool iequal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

struct Alias {
  std::string_view name;
  DType dtype;
};
constexpr std::array<Alias, 15> kAliases{{
    {"f16", DType::f16},
    {"half", DType::f16},
    {"fp16", DType::f16},
    {"bf16", DType::bf16},
    {"f32", DType::f32},
    {"float", DType::f32},
    {"fp32", DType::f32},
    {"f64", DType::f64},
    {"double", DType::f64},
    {"e4m3", DType::f8_e4m3fn},
    {"e5m2", DType::f8_e5m2},
    {"e8m0", DType::f8_e8m0fnu},
    {"e4m3fnuz", DType::f8_e4m3fnuz},
    {"e5m2fnuz", DType::f8_e5m2fnuz},
    {"e2m1", DType::f4_e2m1fn},
}};

// numpy array-protocol type codes (kind letter + item size): numpy/_core/_dtype.py.
std::optional<DType> numpy_code(std::string_view code) {
  struct Code {
    std::string_view text;
    DType dtype;
  };
  static constexpr std::array<Code, 12> kCodes{{
      {"b1", DType::boolean},
      {"i1", DType::i8},
      {"i2", DType::i16},
      {"i4", DType::i32},
      {"i8", DType::i64},
      {"u1", DType::u8},
      {"u2", DType::u16},
      {"u4", DType::u32},
      {"u8", DType::u64},
      {"f2", DType::f16},
      {"f4", DType::f32},
      {"f8", DType::f64},
  }};
  for (const auto& c : kCodes) {
    if (c.text == code) return c.dtype;
  }
  return std::nullopt;
}

}  // namespace

const DTypeInfo& dtype_info(DType d) { return kTable.at(static_cast<std::size_t>(d)); }
std::span<const DTypeInfo> all_dtypes() { return kTable; }
std::string_view to_string(DType d) { return dtype_info(d).name; }

bool iterable(DType d) {
  const auto& info = dtype_info(d);
  return info.bits % 8 == 0 && info.kind != DTypeKind::complex;
}

std::optional<ParsedDType> parse_dtype_name(std::string_view text) {
  // numpy codes are case-sensitive ("f4"; "F4" is the safetensors FP4 name).
  if (!text.empty() && (text[0] == '<' || text[0] == '>' || text[0] == '|' || text[0] == '=')) {
    const auto d = numpy_code(text.substr(1));
    if (!d) return std::nullopt;
    std::optional<ByteOrder> order;
    if (text[0] == '<') order = ByteOrder::little;
    if (text[0] == '>') order = ByteOrder::big;
    return ParsedDType{*d, order};
  }
  if (const auto d = numpy_code(text)) return ParsedDType{*d, std::nullopt};
  for (const auto& info : kTable) {
    if (iequal(text, info.name) || iequal(text, info.safetensors_name) ||
        (!info.format.empty() && iequal(text, info.format))) {
      return ParsedDType{info.id, std::nullopt};
    }
  }
  for (const auto& a : kAliases) {
    if (iequal(text, a.name)) return ParsedDType{a.dtype, std::nullopt};
  }
  return std::nullopt;
}

}  // namespace fpaudit::io
