// Hardware and library conversion paths: named, self-describing implementations of a conversion
// (an x86 instruction with its immediate and MXCSR setting, a compiler's _Float16 cast, Eigen's
// half) that fpaudit runs on the user's data and audits against its reference.
//
// Each path says what it is documented to do twice: as one line of text citing the source (the
// Intel SDM entry, the library header), and as the reference configured to it (ConvertOptions,
// plus a NaN rule where the path's NaN results are not one of the reference's NaN policies).
// `fpaudit hw check` (include/fpaudit/hw/check.hpp) holds every path to both: differences from
// IEEE are expected and classified; a difference from the documented semantics is a finding.
//
// Paths come from backends, one registration function each (src/hw/backends.cpp lists them):
// x86 instructions (src/hw/x86/), compiler and library conversions (src/hw/cxx/). A backend
// built only under a condition (a CUDA backend in src/hw/cuda/ when a CUDA toolkit is found)
// is listed there under the macro its CMake block defines; nothing else changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/hw/gemm_path.hpp"
#include "fpaudit/hw/op_path.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::hw {

struct ConversionPath {
  std::string name;           // "x86.vcvtneps2bf16": backend, then instruction or API, then variant
  FormatSpec from, to;        // registered formats (binary32, binary16, bfloat16, binary64)
  std::string semantics;      // one line, with its source: "RNE, ... (SDM VCVTNEPS2BF16)"
  ConvertOptions documented;  // the reference configured to the documented semantics
  // NaN results that no NaN policy of ConvertOptions expresses (canonical NaN carrying the
  // input's sign; a payload moved without quieting): the documented result bits for a NaN
  // input (bits of `from`). Null: the reference's NaN policy (documented.nan) applies.
  std::uint64_t (*documented_nan)(std::uint64_t input_bits) = nullptr;
  // The documented semantics read the magnitude |x| of a non-NaN input (NVIDIA's E8M0 encodes:
  // cuda_fp8.h, "absolute value is rounded"): the reference converts the input with its sign
  // bit cleared. False: the reference reads the input as it is.
  bool documented_reads_magnitude = false;
  // Whether this machine, OS and build can run the path; on false, *why (when non-null) says
  // why in one line ("CPU lacks avx512_bf16"). Never executes the instructions it asks about.
  std::function<bool(std::string* why)> available;
  // Converts n elements stored as storage_bytes() little-endian containers (binary32: 4 bytes,
  // binary16 / bfloat16: 2). Call only when available() is true. Thread-safe; paths that
  // depend on MXCSR set the value they document for the call and restore the caller's after.
  void (*run)(const void* in, void* out, std::size_t n) = nullptr;
};

// What backends add their paths to: conversion, arithmetic (op_path.hpp) and GEMM
// (gemm_path.hpp) paths, each kind in its own list.
class PathRegistry {
 public:
  // Throw std::logic_error on a duplicate name (within the kind) or a path without
  // run/available.
  void add(ConversionPath path);
  void add(OpPath path);
  void add(GemmPath path);
  const std::vector<ConversionPath>& paths() const { return paths_; }
  const std::vector<OpPath>& op_paths() const { return op_paths_; }
  const std::vector<GemmPath>& gemm_paths() const { return gemm_paths_; }

 private:
  std::vector<ConversionPath> paths_;
  std::vector<OpPath> op_paths_;
  std::vector<GemmPath> gemm_paths_;
};

// The registry every backend has filled (built once, thread-safe).
const PathRegistry& registered_paths();

// Glob match with '*' only (any run of characters, possibly empty): the PATH patterns.
bool path_name_matches(std::string_view pattern, std::string_view name);

// Every registered path, available here or not, in backend order (built once, thread-safe).
std::span<const ConversionPath> conversion_paths();

// The path with this exact name, or nullptr.
const ConversionPath* find_conversion_path(std::string_view name);

// Paths whose name matches `pattern`: an exact name, or a pattern with '*' wildcards
// ("x86.vcvtps2ph.*", "*bf16*"). Empty when nothing matches.
std::vector<const ConversionPath*> match_conversion_paths(std::string_view pattern);

// The documented result for one input: the reference (fpaudit::convert) under p.documented,
// with p.documented_nan applied to NaN inputs and |x| read where p.documented_reads_magnitude.
std::uint64_t documented_result(const ConversionPath& p, std::uint64_t input_bits);

// Is a path usable here? (available() with the reason; never throws.)
bool path_available(const ConversionPath& p, std::string* why = nullptr);

}  // namespace fpaudit::hw
