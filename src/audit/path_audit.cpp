// Hardware paths on a tensor's values (include/fpaudit/audit/path_audit.hpp): the values are
// turned back into source-format patterns, then go through hw::check_path_on in chunks, whose
// tallies are summed.
#include "fpaudit/audit/path_audit.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::audit {
namespace {

void add(hw::MismatchTally& into, const hw::MismatchTally& t, std::size_t keep) {
  into.total += t.total;
  for (int c = 0; c < hw::kMismatchClassCount; ++c) {
    into.by_class[c] += t.by_class[c];
    for (const auto& e : t.examples[c])
      if (into.examples[c].size() < keep) into.examples[c].push_back(e);
  }
}

}  // namespace

std::vector<const hw::ConversionPath*> select_conversion_paths(const std::string& list) {
  std::vector<const hw::ConversionPath*> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string item = list.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const auto matched = hw::match_conversion_paths(item);
    if (matched.empty())
      throw std::invalid_argument("--paths: no conversion path matches \"" + item +
                                  "\" (`fpaudit hw` lists them)");
    for (const auto* p : matched)
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

std::vector<PathAuditRow> audit_paths(const TensorMeta& meta, const std::string& element_format,
                                      const ValueStream& values,
                                      const std::vector<const hw::ConversionPath*>& paths,
                                      unsigned threads, std::size_t examples) {
  static const FormatSpec binary64 = format_by_name("binary64");
  std::vector<PathAuditRow> rows;
  for (const hw::ConversionPath* p : paths) {
    PathAuditRow row;
    row.file = meta.file;
    row.tensor = meta.name;
    row.path = p->name;
    row.conversion = p->from.name + " -> " + p->to.name;
    std::string why;
    if (element_format != p->from.name) {
      row.reason = "the path reads " + p->from.name + ", the tensor holds " +
                   (element_format.empty() ? meta.dtype : element_format);
    } else if (!hw::path_available(*p, &why)) {
      row.reason = "unavailable here: " + why;
    } else {
      row.applicable = true;
    }
    if (row.applicable) {
      hw::CheckOptions opt;
      opt.threads = threads;
      opt.examples_per_class = examples;
      std::vector<std::uint64_t> chunk;
      auto flush = [&] {
        if (chunk.empty()) return;
        const hw::CheckResult r = hw::check_path_on(*p, chunk, opt);
        add(row.vs_ieee, r.vs_ieee, examples);
        add(row.vs_documented, r.vs_documented, examples);
        row.elements += chunk.size();
        chunk.clear();
      };
      values([&](std::span<const double> xs) {
        for (double x : xs) {
          // Exact: x came from a value of this format.
          chunk.push_back(convert(binary64, std::bit_cast<std::uint64_t>(x), p->from, {}).bits);
          if (chunk.size() == (std::size_t{1} << 20)) flush();
        }
      });
      flush();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace fpaudit::audit
