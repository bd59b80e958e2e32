// The path registry: built once from the backends (src/hw/backends.cpp), then read-only.
#include "fpaudit/hw/path.hpp"

#include <stdexcept>

#include "backends.hpp"
#include "fpaudit/arith/arith.hpp"
#include "fpaudit/codec/convert.hpp"

namespace fpaudit::hw {

namespace {

template <class Path>
void add_checked(std::vector<Path>& list, Path path, const char* kind) {
  if (!path.run || !path.available)
    throw std::logic_error(std::string(kind) + " path " + path.name +
                           ": run and available are required");
  for (const Path& p : list)
    if (p.name == path.name)
      throw std::logic_error(std::string("duplicate ") + kind + " path " + path.name);
  list.push_back(std::move(path));
}

}  // namespace

void PathRegistry::add(ConversionPath path) { add_checked(paths_, std::move(path), "conversion"); }
void PathRegistry::add(OpPath path) { add_checked(op_paths_, std::move(path), "arithmetic"); }
void PathRegistry::add(GemmPath path) { add_checked(gemm_paths_, std::move(path), "GEMM"); }

const PathRegistry& registered_paths() {
  static const PathRegistry all = [] {
    PathRegistry r;
    register_all_backends(r);
    return r;
  }();
  return all;
}

std::span<const ConversionPath> conversion_paths() { return registered_paths().paths(); }
std::span<const OpPath> op_paths() { return registered_paths().op_paths(); }
std::span<const GemmPath> gemm_paths() { return registered_paths().gemm_paths(); }

const ConversionPath* find_conversion_path(std::string_view name) {
  for (const ConversionPath& p : conversion_paths())
    if (p.name == name) return &p;
  return nullptr;
}

bool path_name_matches(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<const ConversionPath*> match_conversion_paths(std::string_view pattern) {
  std::vector<const ConversionPath*> out;
  for (const ConversionPath& p : conversion_paths())
    if (path_name_matches(pattern, p.name)) out.push_back(&p);
  return out;
}

std::vector<const OpPath*> match_op_paths(std::string_view pattern) {
  std::vector<const OpPath*> out;
  for (const OpPath& p : op_paths())
    if (path_name_matches(pattern, p.name)) out.push_back(&p);
  return out;
}

const GemmPath* find_gemm_path(std::string_view name) {
  for (const GemmPath& p : gemm_paths())
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<const GemmPath*> match_gemm_paths(std::string_view pattern) {
  std::vector<const GemmPath*> out;
  for (const GemmPath& p : gemm_paths())
    if (path_name_matches(pattern, p.name)) out.push_back(&p);
  return out;
}

std::uint64_t documented_result(const ConversionPath& p, std::uint64_t input_bits) {
  if (p.documented_nan && p.from.is_nan(input_bits)) return p.documented_nan(input_bits);
  if (p.documented_reads_magnitude && !p.from.is_nan(input_bits))
    input_bits &= ~p.from.sign_bit();
  return convert(p.from, input_bits, p.to, p.documented).bits;
}

namespace {

template <class Path>
bool available_noexcept(const Path& p, std::string* why) {
  try {
    return p.available(why);
  } catch (const std::exception& e) {
    if (why) *why = std::string("availability check failed: ") + e.what();
    return false;
  }
}

}  // namespace

bool path_available(const ConversionPath& p, std::string* why) {
  return available_noexcept(p, why);
}
bool path_available(const OpPath& p, std::string* why) { return available_noexcept(p, why); }
bool path_available(const GemmPath& p, std::string* why) { return available_noexcept(p, why); }

int op_arity(const OpPath& p) {
  const OpInfo* op = find_operation(p.operation);
  if (!op)
    throw std::logic_error("arithmetic path " + p.name + ": unknown operation " + p.operation);
  return op->arity;
}

std::uint64_t documented_op_result(const OpPath& p, std::span<const std::uint64_t> operands) {
  const OpInfo* op = find_operation(p.operation);
  if (!op)
    throw std::logic_error("arithmetic path " + p.name + ": unknown operation " + p.operation);
  const std::uint64_t r = op->apply(p.format, operands, p.documented).bits;
  if (!p.nan_order.empty() && !p.documented.nan.canonical)
    for (int k : p.nan_order)
      if (k < static_cast<int>(operands.size()) && p.format.is_nan(operands[k]))
        return operands[k] | (std::uint64_t{1} << (p.format.mantissa_bits - 1));  // quieted
  if (p.default_nan && p.format.is_nan(r)) {
    bool nan_operand = false;
    for (std::uint64_t x : operands) nan_operand = nan_operand || p.format.is_nan(x);
    if (!nan_operand) return *p.default_nan;  // an invalid operation: the path's default NaN
  }
  return r;
}

}  // namespace fpaudit::hw
