// Function-name resolution and evaluation (include/fpaudit/vectors/function.hpp).
#include "fpaudit/vectors/function.hpp"

#include <algorithm>
#include <stdexcept>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::vectors {
namespace {

std::optional<FormatSpec> try_format(std::string_view name) {
  if (name.empty()) return std::nullopt;
  try {
    return format_by_name(name);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

const FormatSpec& binary32() {
  static const FormatSpec f = format_by_name("binary32");
  return f;
}

Function block_function(std::string name, FunctionKind kind, std::size_t n, const FormatSpec& scale,
                        const FormatSpec& element) {
  Function fn;
  fn.name = std::move(name);
  fn.kind = kind;
  fn.operands.assign(n, binary32());
  fn.results.push_back(scale);
  fn.results.insert(fn.results.end(), n, element);
  fn.uses_tininess = false;
  return fn;
}

std::optional<Function> parse_block_function(std::string_view name) {
  if (name == "nvfp4_quantize") {
    Function fn =
        block_function("nvfp4_quantize", FunctionKind::nvfp4_quantize, scaling::kNvFp4BlockSize,
                       format_by_name("float8_e4m3fn"), format_by_name("float4_e2m1fn"));
    fn.uses_rounding = false;  // TransformerEngine's quantiser rounds to nearest even only
    return fn;
  }
  if (!name.ends_with("_quantize")) return std::nullopt;
  const std::string_view mx_name = name.substr(0, name.size() - 9);
  for (const scaling::MxSpec& spec : scaling::standard_mx_formats()) {
    if (spec.name != mx_name) continue;
    Function fn = block_function(std::string(name), FunctionKind::mx_quantize,
                                 static_cast<std::size_t>(spec.block_size),
                                 format_by_name("float8_e8m0fnu"), spec.element);
    fn.mx = spec;
    return fn;
  }
  return std::nullopt;
}

// <format>_dot<K>[@MODEL]
std::optional<Function> parse_dot_function(std::string_view name) {
  const std::size_t at = name.find('@');
  const std::string_view head = name.substr(0, at);
  const std::size_t dot = head.rfind("_dot");
  if (dot == std::string_view::npos || dot + 4 >= head.size()) return std::nullopt;
  const std::string_view digits = head.substr(dot + 4);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const std::uint64_t k = digits.size() > 4 ? 0 : std::stoull(std::string(digits));
  if (k < 1 || k > 1024)
    throw std::invalid_argument("function \"" + std::string(name) +
                                "\": the dot product length K must be 1..1024");
  const FormatSpec f = format_by_name(head.substr(0, dot));
  Function fn;
  fn.name = std::string(name);
  fn.kind = FunctionKind::dot;
  fn.operands.assign(2 * k, f);
  fn.results = {binary32()};
  fn.model = gemm::parse_model(
      at == std::string_view::npos ? std::string_view("sequential-fp32-fma") : name.substr(at + 1));
  fn.uses_rounding = false;  // the model fixes every rounding; the result is exact in binary32
  fn.uses_tininess = false;
  return fn;
}

}  // namespace

std::string operation_names() {
  std::string s;
  for (const OpInfo& op : operations()) s += (s.empty() ? "" : ", ") + op.name;
  return s;
}

Function parse_function(std::string_view name) {
  if (auto block = parse_block_function(name)) return *block;
  if (auto dot = parse_dot_function(name)) return *dot;
  // <from>_to_<to>: any "_to_" whose both sides are formats.
  for (auto pos = name.find("_to_"); pos != std::string_view::npos;
       pos = name.find("_to_", pos + 1)) {
    auto from = try_format(name.substr(0, pos));
    auto to = try_format(name.substr(pos + 4));
    if (!from || !to) continue;
    Function fn;
    fn.name = std::string(name);
    fn.kind = FunctionKind::conversion;
    fn.operands = {*from};
    fn.results = {*to};
    return fn;
  }
  // <format>_<operation>: the longest operation name that ends the name (lt_quiet before lt).
  std::vector<const OpInfo*> ops;
  for (const OpInfo& op : operations()) ops.push_back(&op);
  std::stable_sort(ops.begin(), ops.end(), [](const OpInfo* a, const OpInfo* b) {
    return a->name.size() > b->name.size();
  });
  for (const OpInfo* op : ops) {
    const std::string suffix = "_" + op->name;
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
    // An unknown format before a known operation: the format's own error.
    const FormatSpec f = format_by_name(name.substr(0, name.size() - suffix.size()));
    Function fn;
    fn.name = std::string(name);
    fn.kind = FunctionKind::operation;
    fn.op = op;
    fn.operands.assign(static_cast<std::size_t>(op->arity), f);
    fn.results = {f};
    fn.boolean_result = op->result == OpResult::boolean;
    fn.uses_rounding = op->rounds;
    fn.uses_tininess = op->tininess;
    return fn;
  }
  throw std::invalid_argument(
      "unknown function \"" + std::string(name) +
      "\": expected <format>_<operation> (e.g. f16_add, e4m3_mulAdd) with an operation among " +
      operation_names() +
      ", <from>_to_<to> (e.g. f32_to_e5m2), <mx>_quantize (e.g. mxfp8_e4m3_quantize), "
      "nvfp4_quantize, or <format>_dot<K>[@MODEL] (e.g. bf16_dot32@amx-bf16)");
}

Outcome evaluate(const Function& fn, std::span<const std::uint64_t> operands,
                 const ConvertOptions& opt, std::uint64_t index) {
  if (operands.size() != fn.operands.size())
    throw std::invalid_argument(fn.name + ": expected " + std::to_string(fn.operands.size()) +
                                " operands, got " + std::to_string(operands.size()));
  Outcome out;
  switch (fn.kind) {
    case FunctionKind::conversion: {
      const Encoded r = convert(fn.operands[0], operands[0], fn.results[0], opt, index);
      out.results = {r.bits};
      out.flags = r.flags;
      return out;
    }
    case FunctionKind::operation: {
      const Encoded r = fn.op->apply(fn.operands[0], operands, opt, index);
      out.results = {r.bits};
      out.flags = r.flags;
      return out;
    }
    case FunctionKind::dot: {
      const std::size_t k = operands.size() / 2;
      const FormatSpec& f = fn.operands[0];
      std::vector<ExactValue> a(k), b(k);
      for (std::size_t i = 0; i < k; ++i) {
        a[i] = decode(f, operands[i]);
        b[i] = decode(f, operands[k + i]);
      }
      const Encoded r =
          gemm::model_dot(*fn.model, a, b, f, f, fn.results[0], ConvertOptions{}, index);
      out.results = {r.bits};
      out.flags = r.flags;
      return out;
    }
    case FunctionKind::mx_quantize:
    case FunctionKind::nvfp4_quantize: {
      std::vector<double> values(operands.size());
      for (std::size_t i = 0; i < operands.size(); ++i)
        values[i] = to_double(fn.operands[i], operands[i]);
      std::vector<std::uint64_t> elements(operands.size());
      std::uint64_t scale = 0;
      if (fn.kind == FunctionKind::mx_quantize) {
        scaling::MxSpec spec = *fn.mx;
        spec.element_rounding = opt.rounding;
        spec.seed = opt.seed;
        spec.sr_bits = opt.sr_bits;
        scale =
            scaling::quantize_mx_block(spec, values, elements, index * operands.size()).scale_bits;
      } else {
        double amax = 0;
        for (double v : values) amax = std::max(amax, v < 0 ? -v : v);
        scale = scaling::quantize_nvfp4_block(scaling::nvfp4_tensor_scale(amax), values, elements)
                    .scale_bits;
      }
      out.results.push_back(scale);
      out.results.insert(out.results.end(), elements.begin(), elements.end());
      return out;
    }
  }
  throw std::logic_error("evaluate: unknown function kind");
}

}  // namespace fpaudit::vectors
