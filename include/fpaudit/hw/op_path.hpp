// Arithmetic paths: a named hardware implementation of one operation of fpaudit's function table
// (fpaudit::operations(), include/fpaudit/arith/arith.hpp) on one format, such as AVX512-FP16's
// VADDPH on binary16. Like a conversion path it documents its semantics twice: one line of text
// citing the SDM entry, and the arithmetic reference configured to it (ConvertOptions, plus the
// NaN an invalid operation returns where that differs from the reference's default NaN).
// `fpaudit hw check` (include/fpaudit/hw/op_check.hpp) compares every result with the IEEE
// reference and with the documented one, with the conversion checks' mismatch classes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::hw {

struct OpPath {
  std::string name;       // "x86.vaddph", "x86.vaddph.rd_sae": backend, instruction, variant
  FormatSpec format;      // operands and result (binary16)
  std::string operation;  // a name of fpaudit::operations(): add, mul, div, sqrt, mulAdd
  std::string semantics;  // one line, with its source: "RNE by MXCSR.RC; ... (SDM VADDPH)"
  ConvertOptions documented;  // the arithmetic reference configured to the documented semantics
  // The NaN an invalid operation without NaN operands returns (x86: the negative "QNaN
  // floating-point indefinite"), where it is not the reference's default NaN. Unset: the
  // reference's default NaN.
  std::optional<std::uint64_t> default_nan;
  // Which NaN operand wins, as operand indices in priority order, where it is not operand order
  // (the reference's rule). VFMADD213PH computes zmm2 * zmm1 + zmm3 and propagates in that
  // expression's order: for a * b + c with zmm1 = a, zmm2 = b: {1, 0, 2}. The winner is quieted,
  // sign and payload kept. Empty: operand order.
  std::vector<int> nan_order;
  std::function<bool(std::string* why)> available;
  // operands[0..arity-1] each point to n patterns (storage_bytes(format) containers); out gets
  // n results. Thread-safe; MXCSR-dependent paths set the MXCSR they document and restore it.
  void (*run)(const void* const* operands, void* out, std::size_t n) = nullptr;
};

// Every registered arithmetic path, available here or not, in backend order (built once).
std::span<const OpPath> op_paths();

// Paths whose name matches `pattern` (exact, or '*' wildcards).
std::vector<const OpPath*> match_op_paths(std::string_view pattern);

// The operation's arity (1 to 3), from fpaudit::operations().
int op_arity(const OpPath& p);

// The documented result: the reference under p.documented, with p.default_nan in place of the
// reference's default NaN when no operand is a NaN.
std::uint64_t documented_op_result(const OpPath& p, std::span<const std::uint64_t> operands);

// available() with the reason; never throws.
bool path_available(const OpPath& p, std::string* why = nullptr);

}  // namespace fpaudit::hw
