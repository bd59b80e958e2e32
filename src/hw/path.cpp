// The path registry: built once from the backends (src/hw/backends.cpp), then read-only.
#include "fpaudit/hw/path.hpp"

#include <stdexcept>

#include "backends.hpp"
#include "fpaudit/codec/convert.hpp"

namespace fpaudit::hw {

void PathRegistry::add(ConversionPath path) {
  if (!path.run || !path.available)
    throw std::logic_error("conversion path " + path.name + ": run and available are required");
  for (const ConversionPath& p : paths_)
    if (p.name == path.name) throw std::logic_error("duplicate conversion path " + path.name);
  paths_.push_back(std::move(path));
}

std::span<const ConversionPath> conversion_paths() {
  static const std::vector<ConversionPath> all = [] {
    PathRegistry r;
    register_all_backends(r);
    return r.paths();
  }();
  return all;
}

const ConversionPath* find_conversion_path(std::string_view name) {
  for (const ConversionPath& p : conversion_paths())
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

// Glob match with '*' only (any run of characters, possibly empty).
bool glob_match(std::string_view pattern, std::string_view text) {
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

}  // namespace

std::vector<const ConversionPath*> match_conversion_paths(std::string_view pattern) {
  std::vector<const ConversionPath*> out;
  for (const ConversionPath& p : conversion_paths())
    if (glob_match(pattern, p.name)) out.push_back(&p);
  return out;
}

std::uint64_t documented_result(const ConversionPath& p, std::uint64_t input_bits) {
  if (p.documented_nan && p.from.is_nan(input_bits)) return p.documented_nan(input_bits);
  return convert(p.from, input_bits, p.to, p.documented).bits;
}

bool path_available(const ConversionPath& p, std::string* why) {
  try {
    return p.available(why);
  } catch (const std::exception& e) {
    if (why) *why = std::string("availability check failed: ") + e.what();
    return false;
  }
}

}  // namespace fpaudit::hw
