#include "fpaudit/report/audit_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <type_traits>

namespace fpaudit::report {
namespace {

using audit::ResultRow;
using audit::TensorAudit;
using Getter = std::function<double(const TensorAudit&, const ResultRow&)>;

struct Field {
  std::string name;
  Getter get;
  bool integral;  // a count: written to JSON as an integer
};

std::uint64_t nonzero_finite(const audit::ConversionStats& s) {
  return s.count - s.zero_in - s.nan_in - s.inf_in;
}

// The numeric fields of a record, in JSON order. Gates see exactly these names.
const std::vector<Field>& fields() {
  static const std::vector<Field> f = [] {
    std::vector<Field> v;
    auto s = [&](const char* name, auto member) {
      using T = std::remove_cvref_t<decltype(audit::ConversionStats{}.*member)>;
      v.push_back({name, [member](const TensorAudit&, const ResultRow& r) { return double(r.stats.*member); },
                   std::is_integral_v<T>});
    };
    auto count = [&](const char* name, Getter g) { v.push_back({name, std::move(g), true}); };
    auto real = [&](const char* name, Getter g) { v.push_back({name, std::move(g), false}); };
    using CS = audit::ConversionStats;
    s("count", &CS::count);
    s("nan_in", &CS::nan_in);
    s("inf_in", &CS::inf_in);
    s("zero_in", &CS::zero_in);
    s("exact", &CS::exact);
    s("inexact", &CS::inexact);
    s("overflow_inf", &CS::overflow_inf);
    s("overflow_nan", &CS::overflow_nan);
    s("saturated", &CS::saturated);
    s("underflow_to_zero", &CS::underflow_to_zero);
    s("subnormal_out", &CS::subnormal_out);
    s("max_abs_err", &CS::max_abs_err);
    real("mean_abs_err", [](const TensorAudit&, const ResultRow& r) { return r.stats.mean_abs_err(); });
    s("max_rel_err", &CS::max_rel_err);
    real("rms_rel_err", [](const TensorAudit&, const ResultRow& r) { return r.stats.rms_rel_err(); });
    s("max_ulp_err", &CS::max_ulp_err);
    real("sqnr_db", [](const TensorAudit&, const ResultRow& r) { return r.stats.sqnr_db(); });
    real("amax", [](const TensorAudit& t, const ResultRow&) { return t.range.amax; });
    real("min_nonzero", [](const TensorAudit& t, const ResultRow&) { return t.range.min_nonzero; });
    count("overflow", [](const TensorAudit&, const ResultRow& r) {
      return double(r.stats.overflow_inf + r.stats.overflow_nan + r.stats.saturated);
    });
    count("nonzero", [](const TensorAudit&, const ResultRow& r) { return double(nonzero_finite(r.stats)); });
    real("scale", [](const TensorAudit&, const ResultRow& r) { return r.scale; });
    real("bits_per_element", [](const TensorAudit&, const ResultRow& r) { return r.bits_per_element; });
    count("blocks", [](const TensorAudit&, const ResultRow& r) { return double(r.blocks); });
    count("blocks_clipped", [](const TensorAudit&, const ResultRow& r) { return double(r.blocks_clipped); });
    count("elements_clipped", [](const TensorAudit&, const ResultRow& r) { return double(r.elements_clipped); });
    count("elements_flushed", [](const TensorAudit&, const ResultRow& r) { return double(r.elements_flushed); });
    return v;
  }();
  return f;
}

// JSON has no infinities: +-inf and NaN are written as null (documented in docs/AUDIT_JSON.md).
nlohmann::ordered_json number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

template <class Map>
nlohmann::ordered_json int_map(const Map& m) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : m) j[std::to_string(k)] = v;
  return j;
}

std::string config_subnormals(const audit::AuditConfig& c) { return to_string(c.options.subnormals); }

double risk_overflow(const ResultRow& r) {
  return r.stats.count ? double(r.stats.overflow_inf + r.stats.overflow_nan + r.stats.saturated) / double(r.stats.count) : 0;
}
double risk_underflow(const ResultRow& r) {
  const auto nz = nonzero_finite(r.stats);
  return nz ? double(r.stats.underflow_to_zero) / double(nz) : 0;
}

std::string fit(const std::string& s, std::size_t w) {
  if (s.size() <= w) return s;
  return "~" + s.substr(s.size() - (w - 1));  // keep the distinctive end of long names
}

}  // namespace

std::optional<double> row_field(const TensorAudit& t, const ResultRow& r, std::string_view name) {
  for (const Field& f : fields())
    if (f.name == name) return f.get(t, r);
  return std::nullopt;
}

const std::vector<std::string>& row_field_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Field& f : fields()) v.push_back(f.name);
    return v;
  }();
  return names;
}

std::vector<std::pair<std::size_t, std::size_t>> riskiest_first(const std::vector<TensorAudit>& tensors) {
  std::vector<std::pair<std::size_t, std::size_t>> order;
  for (std::size_t t = 0; t < tensors.size(); ++t)
    for (std::size_t r = 0; r < tensors[t].rows.size(); ++r) order.emplace_back(t, r);
  auto key = [&](const std::pair<std::size_t, std::size_t>& p) {
    const ResultRow& r = tensors[p.first].rows[p.second];
    return std::make_tuple(-risk_overflow(r), -risk_underflow(r), -r.stats.rms_rel_err(), p.first, p.second);
  };
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  return order;
}

std::string audit_json(const std::vector<TensorAudit>& tensors, const audit::AuditConfig& cfg,
                       const std::vector<FileError>& errors) {
  using J = nlohmann::ordered_json;
  J doc;
  doc["schema"] = kAuditSchema;
  doc["fpaudit_version"] = "0.1.0";
  J c;
  c["formats"] = J::array();
  for (const auto& f : cfg.formats) c["formats"].push_back(f.name);
  c["rounding"] = to_string(cfg.options.rounding);
  c["overflow_policy"] = to_string(cfg.options.overflow);
  c["subnormals"] = config_subnormals(cfg);
  c["tininess"] = cfg.options.tininess == Tininess::after_rounding ? "after" : "before";
  c["seed"] = cfg.options.seed;
  c["sr_bits"] = cfg.options.sr_bits;
  c["per_tensor_scaling"] = cfg.per_tensor_scaling;
  c["mx"] = cfg.mx;
  c["mx_rules"] = J::array();
  for (const auto& r : cfg.mx_rules) c["mx_rules"].push_back(r);
  c["mx_element_rounding"] = to_string(cfg.mx_element_rounding);
  c["loss_scale_log2_range"] = {cfg.loss_scale_min_log2, cfg.loss_scale_max_log2};
  c["headroom_binades"] = cfg.headroom_binades;
  doc["config"] = c;

  J ts = J::array(), results = J::array();
  for (const TensorAudit& t : tensors) {
    J tj;
    tj["tensor"] = t.meta.name;
    tj["file"] = t.meta.file;
    tj["dtype"] = t.meta.dtype;
    tj["shape"] = t.meta.shape;
    tj["role"] = to_string(t.role);
    if (!t.meta.metadata.empty()) {
      tj["metadata"] = J::object();
      for (const auto& [k, v] : t.meta.metadata) tj["metadata"][k] = v;
    }
    J range;
    range["count"] = t.range.count;
    range["nan"] = t.range.nan;
    range["inf"] = t.range.inf;
    range["zero"] = t.range.zero;
    range["amax"] = t.range.amax;
    range["min_nonzero"] = t.range.min_nonzero;
    range["histogram"] = int_map(t.range.histogram);
    tj["range"] = range;
    if (t.loss_scale) {
      const auto& s = *t.loss_scale;
      J ls;
      ls["log2_scales"] = J::array();
      for (int k = s.min_log2; k <= s.max_log2; ++k) ls["log2_scales"].push_back(k);
      ls["formats"] = J::array();
      for (const auto& f : s.formats) {
        J fj;
        fj["format"] = f.format;
        fj["underflow_frac"] = f.underflow_frac;
        fj["subnormal_frac"] = f.subnormal_frac;
        fj["overflow_frac"] = f.overflow_frac;
        fj["max_no_overflow_log2"] = f.max_no_overflow_log2 ? J(*f.max_no_overflow_log2) : J(nullptr);
        fj["recommended_log2"] = f.recommended_log2 ? J(*f.recommended_log2) : J(nullptr);
        ls["formats"].push_back(fj);
      }
      ls["dynamic_scaler"] = {{"format", "binary16"},
                              {"init_log2", 16},
                              {"growth_interval", 2000},
                              {"settle_log2", s.dynamic_settle_log2 ? J(*s.dynamic_settle_log2) : J(nullptr)},
                              {"steps_to_settle", s.dynamic_steps_to_settle}};
      tj["loss_scale"] = ls;
    }
    if (t.recommendation) {
      const auto& r = *t.recommendation;
      tj["recommendation"] = {{"met", r.met},
                              {"format", r.format},
                              {"scaling", r.scaling},
                              {"scale_rule", r.scale_rule},
                              {"bits_per_element", r.bits_per_element},
                              {"reason", r.reason}};
    }
    ts.push_back(tj);

    for (const ResultRow& r : t.rows) {
      J rj;
      rj["tensor"] = t.meta.name;
      rj["file"] = t.meta.file;
      rj["role"] = to_string(t.role);
      rj["format"] = r.format;
      rj["scaling"] = r.scaling;
      rj["scale_rule"] = r.scale_rule;
      rj["rounding"] = to_string(r.rounding);
      rj["overflow_policy"] = to_string(r.overflow);
      rj["subnormals"] = config_subnormals(cfg);
      for (const Field& f : fields()) {
        const double v = f.get(t, r);
        if (f.integral) rj[f.name] = static_cast<std::uint64_t>(v);
        else rj[f.name] = number(v);
      }
      rj["histogram"] = int_map(t.range.histogram);
      if (r.blocks) rj["scale_exponents"] = int_map(r.scale_exponents);
      results.push_back(rj);
    }
  }
  doc["tensors"] = ts;
  doc["results"] = results;
  J ej = J::array();
  for (const auto& e : errors) ej.push_back({{"file", e.file}, {"message", e.message}});
  doc["errors"] = ej;
  return doc.dump(2) + "\n";
}

std::string audit_table(const std::vector<TensorAudit>& tensors, std::size_t width, bool all_rows) {
  // Columns: tensor | format | scaling | ovf% | uflow% | subn% | rms_rel | max_ulp | SQNR dB
  const std::size_t fixed = 15 + 1 + 10 + 1 + 7 + 1 + 7 + 1 + 6 + 1 + 9 + 1 + 8 + 1 + 7;
  const std::size_t tensor_w = width > fixed + 12 ? width - fixed - 1 : 12;
  // A name that occurs in several files is shown with its file ("relu1.npy:relu1").
  std::map<std::string, int> seen;
  for (const TensorAudit& t : tensors) ++seen[t.meta.name];
  auto display = [&](const TensorAudit& t) {
    if (seen[t.meta.name] < 2) return t.meta.name;
    const auto slash = t.meta.file.find_last_of('/');
    return (slash == std::string::npos ? t.meta.file : t.meta.file.substr(slash + 1)) + ":" + t.meta.name;
  };
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %-15s %-10s %7s %7s %6s %9s %8s %7s\n", int(tensor_w), "tensor",
                "format", "scaling", "ovf%", "uflow%", "subn%", "rms_rel", "max_ulp", "SQNR dB");
  out += line;
  for (const auto& [ti, ri] : riskiest_first(tensors)) {
    const TensorAudit& t = tensors[ti];
    const ResultRow& r = t.rows[ri];
    if (!all_rows && r.scaling != "none") continue;
    const auto& s = r.stats;
    const std::uint64_t nz = nonzero_finite(s);
    const double sub = nz ? 100.0 * double(s.subnormal_out) / double(nz) : 0;
    std::string scaling = r.scaling == "mx" ? "mx:" + r.scale_rule : r.scaling;
    const double sq = s.sqnr_db();
    char sqnr[16];
    if (std::isinf(sq)) std::snprintf(sqnr, sizeof sqnr, "%s", sq > 0 ? "exact" : "-inf");
    else std::snprintf(sqnr, sizeof sqnr, "%.1f", sq);
    std::snprintf(line, sizeof line, "%-*s %-15s %-10s %7.3f %7.3f %6.2f %9.2e %8.3g %7s\n", int(tensor_w),
                  fit(display(t), tensor_w).c_str(), fit(r.format, 15).c_str(), fit(scaling, 10).c_str(),
                  100 * risk_overflow(r), 100 * risk_underflow(r), sub, s.rms_rel_err(), s.max_ulp_err, sqnr);
    out += line;
  }
  return out;
}

}  // namespace fpaudit::report
