// Element types of the tensors the readers understand: one table (src/io/dtype.cpp) gives each
// its width, kind, the names the file formats spell it with, and the fpaudit format that decodes
// its bit patterns. Nothing here converts values: the io stage hands out bit patterns and the
// codec stage (which io knows nothing of) decodes them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace fpaudit::io {

// Every dtype of the safetensors format (the reference implementation's `Dtype` enum:
// BOOL U8 I8 U16 I16 U32 I32 U64 I64 F16 BF16 F32 F64 F8_E4M3 F8_E5M2 F8_E8M0 F8_E4M3FNUZ
// F8_E5M2FNUZ F4 F6_E2M3 F6_E3M2 C64); the .npy types (b1 i1..i8 u1..u8 f2 f4 f8) are a subset.
// clang-format off
enum class DType : std::uint8_t {
  boolean,
  u8, i8, u16, i16, u32, i32, u64, i64,
  f16, bf16, f32, f64,
  f8_e4m3fn, f8_e5m2, f8_e8m0fnu, f8_e4m3fnuz, f8_e5m2fnuz,
  f4_e2m1fn, f6_e2m3fn, f6_e3m2fn,
  c64,
};
// clang-format on

enum class DTypeKind : std::uint8_t { boolean, signed_int, unsigned_int, floating, complex };

// Byte order of the stored elements. One-byte elements are reported as little.
enum class ByteOrder : std::uint8_t { little, big };

struct DTypeInfo {
  DType id;
  std::string_view name;              // ml_dtypes / numpy name: "float16", "bfloat16", "int8"
  std::string_view safetensors_name;  // "F16", "BF16", "I8"
  std::string_view format;            // fpaudit registry name ("binary16"); empty if not a float
  unsigned bits;                      // storage width of one element: 4, 6, 8, 16, 32, 64
  DTypeKind kind;
  // A float format whose whole-byte bit patterns for_each_chunk delivers and the codec decodes.
  // Integers and bool are listed but not auditable; F4/F6 are listed but not iterable (the
  // safetensors format does not specify how sub-byte elements are packed); C64 is a pair.
  bool auditable;
};

const DTypeInfo& dtype_info(DType d);
std::span<const DTypeInfo> all_dtypes();
std::string_view to_string(DType d);                                   // dtype_info(d).name
inline unsigned byte_size(DType d) { return dtype_info(d).bits / 8; }  // 0 for F4/F6

// True when for_each_chunk can deliver this dtype's elements: whole bytes, at most 8.
bool iterable(DType d);

struct ParsedDType {
  DType dtype;
  std::optional<ByteOrder> order;  // set when the name carried one ("<f4", ">i2")
};
// Accepts (case-insensitively) the names above ("bfloat16"), the safetensors names ("BF16"),
// the registry's format names and short aliases ("binary32", "f32", "bf16", "e4m3", "e5m2"),
// and numpy array-protocol codes with an optional byte-order prefix ("<f2", ">f8", "|u1",
// "=i4", "b1"). Returns nullopt for anything else.
std::optional<ParsedDType> parse_dtype_name(std::string_view text);

}  // namespace fpaudit::io
