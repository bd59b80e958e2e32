// `fpaudit hw [--json]`: every conversion path (include/fpaudit/hw/path.hpp), available here or
// not and why, with its documented semantics.
// `fpaudit hw check [PATH...] [--exhaustive] [--threads N] [--examples N] [--json FILE]`: runs
// each available path (all of them, or those matching the PATH patterns, '*' wildcards) over its
// input set and compares with the IEEE reference and with the reference configured to the
// documented semantics (include/fpaudit/hw/check.hpp). Exit 0 when every difference is
// explained, 1 when a path differs from its documented semantics (a finding). docs/HARDWARE.md
// shows the output.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/hw/check.hpp"
#include "fpaudit/hw/input_set.hpp"
#include "fpaudit/hw/path.hpp"
#include "fpaudit/report/output_file.hpp"

namespace fpaudit::cli {
namespace {

using Json = nlohmann::ordered_json;
using hw::CheckResult;
using hw::ConversionPath;
using hw::MismatchClass;
using hw::MismatchTally;

std::string conversion(const ConversionPath& p) { return p.from.name + " -> " + p.to.name; }

// The documented ConvertOptions, as `convert`'s option spellings.
std::string options_text(const ConversionPath& p) {
  const ConvertOptions& o = p.documented;
  std::string s = "rounding " + std::string(to_string(o.rounding)) + ", overflow " +
                  std::string(to_string(o.overflow)) + ", subnormals " + to_string(o.subnormals);
  if (o.subnormals.ftz)
    s += o.tininess == Tininess::after_rounding ? ", tininess after" : ", tininess before";
  if (p.documented_nan) s += ", NaN by the path's rule";
  else if (o.nan.canonical) s += ", nan canonical=0x" + format_hex(p.to, *o.nan.canonical);
  else s += ", nan propagate";
  return s;
}

// A pattern's value to the format's precision ("1.175e-38"), or "qnan" / "-snan".
std::string value_text(const FormatSpec& f, std::uint64_t bits) {
  if (f.is_nan(bits))
    return std::string(f.is_negative(bits) ? "-" : "") + (f.is_signaling_nan(bits) ? "snan" : "qnan");
  const int digits = static_cast<int>(std::ceil(f.precision() * std::log10(2.0))) + 1;
  return format_general(decode(f, bits), digits);
}

// "7F800001 = snan", "0080 = 1.175e-38".
std::string pattern_text(const FormatSpec& f, std::uint64_t bits) {
  return format_hex(f, bits) + " = " + value_text(f, bits);
}

bool available(const ConversionPath& p, std::string* why) { return hw::path_available(p, why); }

// ---- fpaudit hw ----

void print_list(std::ostream& out) {
  std::size_t name_w = 0, conv_w = 0;
  for (const ConversionPath& p : hw::conversion_paths()) {
    name_w = std::max(name_w, p.name.size());
    conv_w = std::max(conv_w, conversion(p).size());
  }
  for (const ConversionPath& p : hw::conversion_paths()) {
    std::string why;
    const bool ok = available(p, &why);
    std::string name = p.name, conv = conversion(p);
    name.resize(name_w, ' ');
    conv.resize(conv_w, ' ');
    out << name << "  " << conv << "  " << (ok ? "available" : "unavailable: " + why) << '\n';
    out << "    " << p.semantics << '\n';
  }
}

Json list_json() {
  Json all = Json::array();
  for (const ConversionPath& p : hw::conversion_paths()) {
    std::string why;
    const bool ok = available(p, &why);
    all.push_back({{"name", p.name},
                   {"from", p.from.name},
                   {"to", p.to.name},
                   {"available", ok},
                   {"unavailable_reason", ok ? Json() : Json(why)},
                   {"semantics", p.semantics},
                   {"documented_options", options_text(p)}});
  }
  return all;
}

// ---- fpaudit hw check ----

struct CheckArgs {
  std::vector<std::string> patterns;
  bool exhaustive = false;
  unsigned threads = 1;
  std::size_t examples = 3;
  std::string json_file;
};

void print_tally(std::ostream& out, const ConversionPath& p, const MismatchTally& t) {
  for (int c = 0; c < hw::kMismatchClassCount; ++c) {
    if (t.by_class[c] == 0) continue;
    std::string name(hw::to_string(static_cast<MismatchClass>(c)));
    name.resize(24, ' ');
    out << "    " << name << ' ' << t.by_class[c] << '\n';
    for (const hw::MismatchExample& e : t.examples[c])
      out << "      in " << pattern_text(p.from, e.input) << "  expected "
          << pattern_text(p.to, e.expected) << "  got " << pattern_text(p.to, e.got) << '\n';
  }
}

Json tally_json(const ConversionPath& p, const MismatchTally& t) {
  Json classes = Json::object();
  for (int c = 0; c < hw::kMismatchClassCount; ++c) {
    if (t.by_class[c] == 0) continue;
    Json examples = Json::array();
    for (const hw::MismatchExample& e : t.examples[c])
      examples.push_back({{"input", format_hex(p.from, e.input)},
                          {"input_value", value_text(p.from, e.input)},
                          {"expected", format_hex(p.to, e.expected)},
                          {"expected_value", value_text(p.to, e.expected)},
                          {"got", format_hex(p.to, e.got)},
                          {"got_value", value_text(p.to, e.got)}});
    classes[std::string(hw::to_string(static_cast<MismatchClass>(c)))] = {
        {"count", t.by_class[c]}, {"examples", examples}};
  }
  return {{"mismatches", t.total}, {"classes", classes}};
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

void run_check(const CheckArgs& args) {
  std::vector<const ConversionPath*> paths;
  if (args.patterns.empty()) {
    for (const ConversionPath& p : hw::conversion_paths()) paths.push_back(&p);
  } else {
    for (const std::string& pattern : args.patterns) {
      const auto matched = hw::match_conversion_paths(pattern);
      if (matched.empty())
        throw UsageError("no conversion path matches \"" + pattern + "\" (`fpaudit hw` lists them)");
      for (const ConversionPath* p : matched)
        if (std::find(paths.begin(), paths.end(), p) == paths.end()) paths.push_back(p);
    }
  }

  hw::CheckOptions opt;
  opt.threads = args.threads;
  opt.examples_per_class = args.examples;
  std::ostream& out = std::cout;
  Json report = Json::array();
  int checked = 0, skipped = 0, findings = 0;
  for (const ConversionPath* p : paths) {
    out << "== " << p->name << "  (" << conversion(*p) << ")\n";
    out << "  semantics: " << p->semantics << '\n';
    std::string why;
    if (!available(*p, &why)) {
      out << "  unavailable: " << why << "; skipped\n\n";
      report.push_back({{"name", p->name}, {"from", p->from.name}, {"to", p->to.name},
                        {"available", false}, {"unavailable_reason", why}});
      ++skipped;
      continue;
    }
    opt.exhaustive = args.exhaustive && p->from.name == "binary32";
    const CheckResult r = hw::check_path(*p, opt);
    ++checked;
    out << "  inputs: " << r.inputs << ", " << r.input_set;
    if (args.exhaustive && !opt.exhaustive && !hw::source_is_enumerable(p->from))
      out << " (--exhaustive: " << p->from.name << " cannot be enumerated)";
    out << "; " << seconds_text(r.seconds) << " with " << opt.threads << " thread"
        << (opt.threads == 1 ? "" : "s") << '\n';
    out << "  vs IEEE (rne, overflow ieee, subnormals keep, nan propagate): " << r.vs_ieee.total
        << " mismatch" << (r.vs_ieee.total == 1 ? "" : "es") << '\n';
    print_tally(out, *p, r.vs_ieee);
    out << "  vs documented (" << options_text(*p) << "): " << r.vs_documented.total
        << " mismatch" << (r.vs_documented.total == 1 ? "" : "es") << '\n';
    if (r.finding()) {
      ++findings;
      out << "  FINDING: " << p->name << ": " << r.vs_documented.total << " of " << r.inputs
          << " outputs differ from the documented semantics, unexplained\n";
      print_tally(out, *p, r.vs_documented);
    } else {
      out << "  every difference from IEEE is explained by the documented semantics\n";
    }
    out << '\n';
    out.flush();  // a path can take a while (--exhaustive): show each as it finishes
    report.push_back({{"name", p->name},
                      {"from", p->from.name},
                      {"to", p->to.name},
                      {"available", true},
                      {"semantics", p->semantics},
                      {"documented_options", options_text(*p)},
                      {"input_set", r.input_set},
                      {"inputs", r.inputs},
                      {"seconds", r.seconds},
                      {"threads", opt.threads},
                      {"vs_ieee", tally_json(*p, r.vs_ieee)},
                      {"vs_documented", tally_json(*p, r.vs_documented)},
                      {"finding", r.finding()}});
  }
  out << "checked " << checked << " path" << (checked == 1 ? "" : "s") << ", skipped " << skipped
      << " unavailable; findings: " << findings << '\n';
  if (!args.json_file.empty())
    report::write_output_file(args.json_file,
                              Json{{"paths", report}, {"checked", checked}, {"skipped", skipped},
                                   {"findings", findings}}
                                      .dump(2) +
                                  "\n");
  if (findings > 0) throw ExitStatus(1);
}

}  // namespace

void register_hw(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "hw", "List the hardware and library conversion paths, or check them against the reference");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print the list as a JSON array");
  cmd->require_subcommand(0, 1);

  auto args = std::make_shared<CheckArgs>();
  auto* check = cmd->add_subcommand(
      "check", "Run conversion paths over their input sets; compare with IEEE and with the "
               "documented semantics (exit 1 on an unexplained difference)");
  check->add_option("PATH", args->patterns, "path names or patterns with '*' (default: all)");
  check->add_flag("--exhaustive", args->exhaustive,
                  "binary32 sources: all 2^32 inputs instead of the boundary set");
  check->add_option("--threads", args->threads, "worker threads")->check(CLI::Range(1, 256));
  check->add_option("--examples", args->examples, "examples printed per mismatch class")
      ->check(CLI::Range(0, 1000));
  check->add_option("--json", args->json_file, "also write the results as JSON to FILE");
  check->callback([args] { run_check(*args); });

  cmd->callback([cmd, check, json] {
    if (cmd->got_subcommand(check)) return;
    if (*json) std::cout << list_json().dump(2) << '\n';
    else print_list(std::cout);
  });
}

}  // namespace fpaudit::cli
