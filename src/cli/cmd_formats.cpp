// `fpaudit formats [--json]`: every registered format with its derived constants, in registry
// order. The text form is three tables that each fit 100 columns (names and structure; values;
// NaN encodings); --json prints one object per format with the keys documented in docs/CLI.md.
#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format_facts.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"
#include "table.hpp"

namespace fpaudit::cli {
namespace {

using Json = nlohmann::ordered_json;

bool has_subnormal_values(const FormatSpec& f) { return f.has_subnormals && f.mantissa_bits > 0; }

ExactValue epsilon(const FormatSpec& f) {  // 2^-M: the gap between 1 and the next value
  return ExactValue::finite(false, 1, -f.mantissa_bits);
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : sep) + item;
  return s;
}

std::string short_value(const FormatSpec& f, std::uint64_t bits) {
  return format_general(decode(f, bits), 6);
}

void print_tables(std::ostream& out) {
  Table names({"FORMAT", "ALIASES", ">BITS", ">E", ">M", ">BIAS", "NAN", "+INF"});
  Table values({"FORMAT", ">MAX FINITE", ">MIN NORMAL", ">MIN SUBNORMAL", ">EPSILON"});
  Table nans({"FORMAT", "NAN ENCODINGS"});
  for (const NamedFormat& nf : registered_formats()) {
    const FormatSpec& f = nf.spec;
    names.add_row({f.name, join(nf.aliases, " "), std::to_string(f.width()),
                   std::to_string(f.exponent_bits), std::to_string(f.mantissa_bits),
                   std::to_string(f.bias), std::string(to_string(f.nan)),
                   f.has_inf ? format_hex(f, f.inf_bits()) : "-"});
    values.add_row({f.name, short_value(f, f.max_finite_bits()), short_value(f, min_normal_bits(f)),
                    has_subnormal_values(f) ? short_value(f, f.min_positive_bits()) : "-",
                    format_general(epsilon(f), 6)});
    nans.add_row({f.name, nan_ranges_text(f)});
  }
  names.print(out);
  out << '\n';
  values.print(out);
  out << '\n';
  nans.print(out);
}

Json value_json(const FormatSpec& f, std::uint64_t bits) {
  Json j;
  j["bits"] = format_hex(f, bits);
  j["exact"] = format_exact(decode(f, bits));
  j["double"] = to_double(f, bits);  // beyond binary64's range: inf or 0, written as null / 0
  return j;
}

Json format_json(const NamedFormat& nf) {
  const FormatSpec& f = nf.spec;
  Json j;
  j["name"] = f.name;
  j["aliases"] = nf.aliases;
  j["source"] = nf.source;
  j["structure"] = describe(f);
  j["bits"] = f.width();
  j["signed"] = f.is_signed;
  j["exponent_bits"] = f.exponent_bits;
  j["mantissa_bits"] = f.mantissa_bits;
  j["precision"] = f.precision();
  j["bias"] = f.bias;
  j["emin"] = f.emin();
  j["emax"] = f.emax();
  j["nan_style"] = to_string(f.nan);
  j["has_inf"] = f.has_inf;
  j["has_subnormals"] = f.has_subnormals;
  j["has_zero"] = f.has_zero;
  j["max_finite"] = value_json(f, f.max_finite_bits());
  j["min_normal"] = value_json(f, min_normal_bits(f));
  j["min_subnormal"] = has_subnormal_values(f) ? value_json(f, f.min_positive_bits()) : Json();
  j["epsilon"] = {{"exact", format_exact(epsilon(f))},
                  {"double", std::ldexp(1.0, -f.mantissa_bits)}};
  j["inf"] = f.has_inf ? Json(format_hex(f, f.inf_bits())) : Json();
  j["neg_inf"] =
      f.has_inf && f.is_signed ? Json(format_hex(f, f.sign_bit() | f.inf_bits())) : Json();
  j["nan"] = Json::array();
  for (const BitRange& r : nan_ranges(f))
    j["nan"].push_back({{"first", format_hex(f, r.first)}, {"last", format_hex(f, r.last)}});
  j["default_nan"] =
      f.nan == NanEncoding::none ? Json() : Json(format_hex(f, f.default_nan_bits()));
  return j;
}

}  // namespace

void register_formats(CLI::App& app) {
  auto* cmd = app.add_subcommand("formats", "List the registered formats and their constants");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print a JSON array (keys: docs/CLI.md)");
  cmd->callback([json] {
    if (!*json) {
      print_tables(std::cout);
      return;
    }
    Json all = Json::array();
    for (const NamedFormat& nf : registered_formats()) all.push_back(format_json(nf));
    std::cout << all.dump(2) << '\n';
  });
}

}  // namespace fpaudit::cli
