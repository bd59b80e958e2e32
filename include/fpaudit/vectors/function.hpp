// The functions that `fpaudit op`, `gen` and `verify` (and fpaudit/testing.hpp) speak about,
// named as Berkeley TestFloat names them and generalised to every format. TestFloat keeps its
// function table as data (functionInfos.c: name -> arity, which modes apply); so does this: a
// Function is a record (operand formats, result formats, which options can change the result),
// resolved from its name, and one evaluate() computes any of them with the library.
//
// Names:
//   <from>_to_<to>          conversion, any two formats (f32_to_bf16, e5m2_to_f32, f64_to_e2m1)
//   <format>_<operation>    an operation of fpaudit::operations() (f16_add, bf16_mulAdd,
//                           e4m3_lt_quiet, f32_sqrt)
//   <mx>_quantize           OCP MX v1.0 block quantisation of 32 binary32 values, for every
//                           scaling::standard_mx_formats() name (mxfp8_e4m3_quantize, ...,
//                           mxfp4_e2m1_quantize): results are the E8M0 scale then 32 elements
//   nvfp4_quantize          NVFP4: 16 binary32 values, the line is its own tensor (the per-tensor
//                           scale comes from the line's amax); results: E4M3 scale, 16 E2M1
//   <format>_dot<K>[@MODEL] a dot product of K pairs under an accumulation model
//                           (gemm/models.hpp parse_model: a preset or kind with parameters;
//                           default sequential-fp32-fma): operands a_0..a_{K-1}, b_0..b_{K-1},
//                           result the accumulator's value as binary32 (exact for every preset:
//                           their accumulators are binary32, binary16 or e8m13).
//                           bf16_dot32@amx-bf16, f16_dot16@h100, e4m3_dot32@h100-fp8. K is 1..1024.
// Format names are the registry's (case-insensitive, aliases and custom strings included).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/arith/arith.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/rounding/flags.hpp"
#include "fpaudit/rounding/options.hpp"
#include "fpaudit/scaling/mx.hpp"

namespace fpaudit::vectors {

enum class FunctionKind : std::uint8_t { conversion, operation, mx_quantize, nvfp4_quantize, dot };

struct Function {
  std::string name;  // as resolved: "f32_to_bf16", "f16_add"
  FunctionKind kind = FunctionKind::conversion;
  const OpInfo* op = nullptr;        // operation: the table entry
  std::vector<FormatSpec> operands;  // one per operand column
  std::vector<FormatSpec> results;   // one per result column
  bool boolean_result = false;       // a comparison: the one result is a digit 0 or 1
  // Which options can change the result (TestFloat's EFF_R / EFF_T idea): rounding (and the
  // stochastic seed), tininess. Overflow, subnormals and NaN policy apply to every rounding one.
  bool uses_rounding = true;
  bool uses_tininess = true;
  std::optional<scaling::MxSpec> mx;             // mx_quantize
  std::optional<gemm::AccumulationModel> model;  // dot

  int arity() const { return static_cast<int>(operands.size()); }
  // The format options such as --nan canonical=0x.. refer to: the (last) result's.
  const FormatSpec& result_format() const { return results.back(); }
};

// Resolves a name; throws std::invalid_argument naming what was expected (the operations and
// the three name shapes) or the format's own error for an unknown format before a known suffix.
Function parse_function(std::string_view name);

// "add, sub, mul, ..." (operations()), for help texts.
std::string operation_names();

// A function's result: one pattern per result column, and the flags byte.
struct Outcome {
  std::vector<std::uint64_t> results;
  Flags flags{};
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// Computes fn on operands (operands.size() == fn.arity()) with the library: convert(),
// OpInfo::apply, quantize_mx_block, quantize_nvfp4_block, gemm::model_dot. `index` is the
// stochastic-rounding element index. Block quantisers report no IEEE flags (flags 00). For
// mx_quantize, opt.rounding and opt.seed / sr_bits select the element rounding (elements always
// saturate, MX v1.0 6.3).
Outcome evaluate(const Function& fn, std::span<const std::uint64_t> operands,
                 const ConvertOptions& opt, std::uint64_t index = 0);

}  // namespace fpaudit::vectors
