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
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/hw/check.hpp"
#include "fpaudit/hw/gemm_check.hpp"
#include "fpaudit/hw/input_set.hpp"
#include "fpaudit/hw/op_check.hpp"
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
  if (p.documented_nan)
    s += ", NaN by the path's rule";
  else if (o.nan.canonical)
    s += ", nan canonical=0x" + format_hex(p.to, *o.nan.canonical);
  else
    s += ", nan propagate";
  return s;
}

// A pattern's value to the format's precision ("1.175e-38"), or "qnan" / "-snan".
std::string value_text(const FormatSpec& f, std::uint64_t bits) {
  if (f.is_nan(bits))
    return std::string(f.is_negative(bits) ? "-" : "") +
           (f.is_signaling_nan(bits) ? "snan" : "qnan");
  const int digits = static_cast<int>(std::ceil(f.precision() * std::log10(2.0))) + 1;
  return format_general(decode(f, bits), digits);
}

// "7F800001 = snan", "0080 = 1.175e-38".
std::string pattern_text(const FormatSpec& f, std::uint64_t bits) {
  return format_hex(f, bits) + " = " + value_text(f, bits);
}

bool available(const ConversionPath& p, std::string* why) { return hw::path_available(p, why); }

// ---- fpaudit hw ----

std::string operation_text(const hw::OpPath& p) { return p.operation + " " + p.format.name; }

std::string gemm_text(const hw::GemmPath& p) {
  return p.a.name + " x " + p.b.name + " -> " + p.out.name;
}

// One line per path: name, what it computes, available or why not; then its semantics.
struct ListRow {
  std::string name, what, status, semantics;
};

template <class Path, class What>
void add_rows(std::vector<ListRow>& rows, std::span<const Path> paths, What what) {
  for (const Path& p : paths) {
    std::string why;
    const bool ok = hw::path_available(p, &why);
    rows.push_back({p.name, what(p), ok ? "available" : "unavailable: " + why, p.semantics});
  }
}

void print_rows(std::ostream& out, const std::vector<ListRow>& rows) {
  std::size_t name_w = 0, what_w = 0;
  for (const ListRow& r : rows) {
    name_w = std::max(name_w, r.name.size());
    what_w = std::max(what_w, r.what.size());
  }
  for (const ListRow& r : rows) {
    std::string name = r.name, what = r.what;
    name.resize(name_w, ' ');
    what.resize(what_w, ' ');
    out << name << "  " << what << "  " << r.status << '\n';
    out << "    " << r.semantics << '\n';
  }
}

void print_list(std::ostream& out) {
  std::vector<ListRow> conv, ops, gemms;
  add_rows(conv, hw::conversion_paths(), conversion);
  add_rows(ops, hw::op_paths(), operation_text);
  add_rows(gemms, hw::gemm_paths(), gemm_text);
  print_rows(out, conv);
  if (!ops.empty()) {
    out << "\narithmetic paths\n";
    print_rows(out, ops);
  }
  if (!gemms.empty()) {
    out << "\nGEMM paths\n";
    print_rows(out, gemms);
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
  for (const hw::OpPath& p : hw::op_paths()) {
    std::string why;
    const bool ok = hw::path_available(p, &why);
    all.push_back({{"name", p.name},
                   {"kind", "arithmetic"},
                   {"operation", p.operation},
                   {"format", p.format.name},
                   {"available", ok},
                   {"unavailable_reason", ok ? Json() : Json(why)},
                   {"semantics", p.semantics}});
  }
  for (const hw::GemmPath& p : hw::gemm_paths()) {
    std::string why;
    const bool ok = hw::path_available(p, &why);
    all.push_back({{"name", p.name},
                   {"kind", "gemm"},
                   {"a", p.a.name},
                   {"b", p.b.name},
                   {"out", p.out.name},
                   {"available", ok},
                   {"unavailable_reason", ok ? Json() : Json(why)},
                   {"semantics", p.semantics},
                   {"model", p.model}});
  }
  return all;
}

// ---- fpaudit hw check ----

struct CheckArgs {
  std::vector<std::string> patterns;
  std::string model;  // GEMM paths: compare with this model instead of the documented one
  bool exhaustive = false;
  unsigned threads = 1;
  std::size_t examples = 3;
  std::string json_file;
};

// A tally as text and as JSON, the same for conversion and arithmetic paths: one line (or one
// "classes" member) per mismatch class that occurred, with its count and its examples, each
// example written by the caller (the two kinds of path differ only in their operands).
template <class ExampleText>
void print_tally(std::ostream& out, const MismatchTally& t, ExampleText example_text) {
  for (int c = 0; c < hw::kMismatchClassCount; ++c) {
    if (t.by_class[c] == 0) continue;
    std::string name(hw::to_string(static_cast<MismatchClass>(c)));
    name.resize(24, ' ');
    out << "    " << name << ' ' << t.by_class[c] << '\n';
    for (const hw::MismatchExample& e : t.examples[c]) out << "      " << example_text(e) << '\n';
  }
}

template <class ExampleJson>
Json tally_json(const MismatchTally& t, ExampleJson example_json) {
  Json classes = Json::object();
  for (int c = 0; c < hw::kMismatchClassCount; ++c) {
    if (t.by_class[c] == 0) continue;
    Json examples = Json::array();
    for (const hw::MismatchExample& e : t.examples[c]) examples.push_back(example_json(e));
    classes[std::string(hw::to_string(static_cast<MismatchClass>(c)))] = {{"count", t.by_class[c]},
                                                                          {"examples", examples}};
  }
  return {{"mismatches", t.total}, {"classes", classes}};
}

void print_tally(std::ostream& out, const ConversionPath& p, const MismatchTally& t) {
  print_tally(out, t, [&](const hw::MismatchExample& e) {
    return "in " + pattern_text(p.from, e.input) + "  expected " + pattern_text(p.to, e.expected) +
           "  got " + pattern_text(p.to, e.got);
  });
}

Json tally_json(const ConversionPath& p, const MismatchTally& t) {
  return tally_json(t, [&](const hw::MismatchExample& e) -> Json {
    return {{"input", format_hex(p.from, e.input)},
            {"input_value", value_text(p.from, e.input)},
            {"expected", format_hex(p.to, e.expected)},
            {"expected_value", value_text(p.to, e.expected)},
            {"got", format_hex(p.to, e.got)},
            {"got_value", value_text(p.to, e.got)}};
  });
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

// ---- arithmetic paths ----

std::string operands_text(const hw::OpPath& p, const hw::MismatchExample& e) {
  std::string s;
  for (int k = 0; k < hw::op_arity(p); ++k)
    s += (k ? ", " : "") + pattern_text(p.format, hw::example_operand(e, k));
  return s;
}

void print_op_tally(std::ostream& out, const hw::OpPath& p, const MismatchTally& t) {
  print_tally(out, t, [&](const hw::MismatchExample& e) {
    return p.operation + "(" + operands_text(p, e) + ")  expected " +
           pattern_text(p.format, e.expected) + "  got " + pattern_text(p.format, e.got);
  });
}

Json op_tally_json(const hw::OpPath& p, const MismatchTally& t) {
  return tally_json(t, [&](const hw::MismatchExample& e) -> Json {
    Json ops = Json::array();
    for (int k = 0; k < hw::op_arity(p); ++k)
      ops.push_back(format_hex(p.format, hw::example_operand(e, k)));
    return {{"operands", ops},
            {"expected", format_hex(p.format, e.expected)},
            {"expected_value", value_text(p.format, e.expected)},
            {"got", format_hex(p.format, e.got)},
            {"got_value", value_text(p.format, e.got)}};
  });
}

std::string op_options_text(const hw::OpPath& p) {
  const ConvertOptions& o = p.documented;
  std::string s =
      "rounding " + std::string(to_string(o.rounding)) + ", subnormals " + to_string(o.subnormals);
  if (p.default_nan) s += ", invalid -> 0x" + format_hex(p.format, *p.default_nan);
  if (!p.nan_order.empty()) {
    s += ", NaN operand order";
    for (int k : p.nan_order) s += " " + std::to_string(k);
  }
  return s;
}

// Returns -1 when skipped, else 1 for a finding and 0 otherwise; j gets the JSON entry.
int check_op(std::ostream& out, const hw::OpPath& p, const CheckArgs& args, Json& j) {
  out << "== " << p.name << "  (" << operation_text(p) << ")\n";
  out << "  semantics: " << p.semantics << '\n';
  std::string why;
  if (!hw::path_available(p, &why)) {
    out << "  unavailable: " << why << "; skipped\n\n";
    j = {{"name", p.name},
         {"kind", "arithmetic"},
         {"available", false},
         {"unavailable_reason", why}};
    return -1;
  }
  hw::OpCheckOptions o;
  o.threads = args.threads;
  o.examples_per_class = args.examples;
  o.exhaustive = args.exhaustive && hw::op_arity(p) == 2;
  const hw::OpCheckResult r = hw::check_op_path(p, o);
  out << "  inputs: " << r.inputs << ", " << r.input_set << "; " << seconds_text(r.seconds)
      << " with " << o.threads << " thread" << (o.threads == 1 ? "" : "s") << '\n';
  out << "  vs IEEE (rne, subnormals keep, nan propagate): " << r.vs_ieee.total << " mismatch"
      << (r.vs_ieee.total == 1 ? "" : "es") << '\n';
  print_op_tally(out, p, r.vs_ieee);
  out << "  vs documented (" << op_options_text(p) << "): " << r.vs_documented.total << " mismatch"
      << (r.vs_documented.total == 1 ? "" : "es") << '\n';
  if (r.finding()) {
    out << "  FINDING: " << p.name << ": " << r.vs_documented.total << " of " << r.inputs
        << " results differ from the documented semantics, unexplained\n";
    print_op_tally(out, p, r.vs_documented);
  } else {
    out << "  every difference from IEEE is explained by the documented semantics\n";
  }
  out << '\n';
  out.flush();
  j = {{"name", p.name},
       {"kind", "arithmetic"},
       {"operation", p.operation},
       {"format", p.format.name},
       {"available", true},
       {"semantics", p.semantics},
       {"documented_options", op_options_text(p)},
       {"input_set", r.input_set},
       {"inputs", r.inputs},
       {"seconds", r.seconds},
       {"threads", o.threads},
       {"vs_ieee", op_tally_json(p, r.vs_ieee)},
       {"vs_documented", op_tally_json(p, r.vs_documented)},
       {"finding", r.finding()}};
  return r.finding() ? 1 : 0;
}

// ---- GEMM paths ----

int check_gemm(std::ostream& out, const hw::GemmPath& p, const CheckArgs& args, Json& j) {
  out << "== " << p.name << "  (GEMM " << gemm_text(p) << ")\n";
  out << "  semantics: " << p.semantics << '\n';
  std::string why;
  if (!hw::path_available(p, &why)) {
    out << "  unavailable: " << why << "; skipped\n\n";
    j = {{"name", p.name}, {"kind", "gemm"}, {"available", false}, {"unavailable_reason", why}};
    return -1;
  }
  hw::GemmCheckOptions o;
  o.model = args.model;
  o.examples = args.examples;
  o.threads = args.threads;
  const hw::GemmCheckResult r = hw::check_gemm_path(p, o);
  out << "  model: " << (r.model.empty() ? "none documented" : r.model) << '\n';
  out << "  inputs: " << hw::gemm_check_kinds().size() << " kinds x "
      << r.cases.size() / hw::gemm_check_kinds().size() << " shapes, " << r.elements
      << " output elements; " << seconds_text(r.seconds) << '\n';
  out << "    kind          M x N x K      elements  vs model  = exact  max ulps\n";
  std::vector<std::string> notes;
  Json cases = Json::array();
  for (const hw::GemmCaseResult& c : r.cases) {
    char line[160];
    const std::string shape =
        std::to_string(c.M) + " x " + std::to_string(c.N) + " x " + std::to_string(c.K);
    std::snprintf(line, sizeof line, "    %-13s %-14s %8zu  %8llu  %7llu  %llu%s\n", c.kind.c_str(),
                  shape.c_str(), c.M * c.N, static_cast<unsigned long long>(c.vs_model),
                  static_cast<unsigned long long>(c.exact_equal),
                  static_cast<unsigned long long>(c.max_ulps),
                  c.nonfinite_differs
                      ? (" (+" + std::to_string(c.nonfinite_differs) + " inf/NaN differ)").c_str()
                      : "");
    out << line;
    if (!c.run_note.empty() && std::find(notes.begin(), notes.end(), c.run_note) == notes.end())
      notes.push_back(c.run_note);
    Json ex = Json::array();
    for (const hw::GemmMismatch& m : c.examples)
      ex.push_back({{"i", m.i},
                    {"j", m.j},
                    {"model", format_hex(p.out, m.model)},
                    {"got", format_hex(p.out, m.got)},
                    {"exact", format_hex(p.out, m.exact)}});
    cases.push_back({{"kind", c.kind},
                     {"m", c.M},
                     {"n", c.N},
                     {"k", c.K},
                     {"run_note", c.run_note},
                     {"model", c.model},
                     {"vs_model", c.vs_model},
                     {"vs_model_nan", c.vs_model_nan},
                     {"exact_equal", c.exact_equal},
                     {"max_ulps", c.max_ulps},
                     {"nonfinite_differs", c.nonfinite_differs},
                     {"examples", ex}});
  }
  for (const std::string& n : notes) out << "  ran: " << n << '\n';
  if (r.model.empty()) {
    out << "  no documented model: compared with the exact result only\n";
  } else if (r.finding()) {
    out << "  FINDING: " << p.name << ": " << r.vs_model << " of " << r.elements
        << " elements differ from the model " << r.model << " (" << r.vs_model_nan
        << " of them NaN against a NaN with other bits)\n";
    int shown = 0;
    for (const hw::GemmCaseResult& c : r.cases)
      for (const hw::GemmMismatch& m : c.examples)
        if (shown++ < static_cast<int>(args.examples))
          out << "      " << c.kind << " " << c.M << "x" << c.N << "x" << c.K << " C[" << m.i << ","
              << m.j << "]  model " << pattern_text(p.out, m.model) << "  got "
              << pattern_text(p.out, m.got) << "  exact " << pattern_text(p.out, m.exact) << '\n';
  } else {
    out << "  reproduced bit for bit by " << r.model << " on all " << r.elements << " elements\n";
  }
  out << "  vs exact (correctly rounded): " << r.exact_equal << " of " << r.elements
      << " equal, max " << r.max_ulps << " ulps\n\n";
  out.flush();
  j = {{"name", p.name},
       {"kind", "gemm"},
       {"a", p.a.name},
       {"b", p.b.name},
       {"out", p.out.name},
       {"available", true},
       {"semantics", p.semantics},
       {"model", r.model},
       {"elements", r.elements},
       {"vs_model", r.vs_model},
       {"vs_model_nan", r.vs_model_nan},
       {"exact_equal", r.exact_equal},
       {"max_ulps", r.max_ulps},
       {"seconds", r.seconds},
       {"run_notes", notes},
       {"cases", cases},
       {"finding", r.finding()}};
  return r.finding() ? 1 : 0;
}

void run_check(const CheckArgs& args) {
  std::vector<const ConversionPath*> paths;
  std::vector<const hw::OpPath*> op_paths;
  std::vector<const hw::GemmPath*> gemm_paths;
  auto add_unique = [](auto& list, const auto& matched) {
    for (const auto* p : matched)
      if (std::find(list.begin(), list.end(), p) == list.end()) list.push_back(p);
  };
  if (args.patterns.empty()) {
    for (const ConversionPath& p : hw::conversion_paths()) paths.push_back(&p);
    for (const hw::OpPath& p : hw::op_paths()) op_paths.push_back(&p);
    for (const hw::GemmPath& p : hw::gemm_paths()) gemm_paths.push_back(&p);
  } else {
    for (const std::string& pattern : args.patterns) {
      const auto matched = hw::match_conversion_paths(pattern);
      const auto ops = hw::match_op_paths(pattern);
      const auto gemms = hw::match_gemm_paths(pattern);
      if (matched.empty() && ops.empty() && gemms.empty())
        throw UsageError("no path matches \"" + pattern + "\" (`fpaudit hw` lists them)");
      add_unique(paths, matched);
      add_unique(op_paths, ops);
      add_unique(gemm_paths, gemms);
    }
  }
  if (!args.model.empty()) gemm::parse_model(args.model);  // a bad spec is a usage error first

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
      report.push_back({{"name", p->name},
                        {"from", p->from.name},
                        {"to", p->to.name},
                        {"available", false},
                        {"unavailable_reason", why}});
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
    out << "  vs documented (" << options_text(*p) << "): " << r.vs_documented.total << " mismatch"
        << (r.vs_documented.total == 1 ? "" : "es") << '\n';
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
  for (const hw::OpPath* p : op_paths) {
    Json j;
    const int f = check_op(out, *p, args, j);
    report.push_back(std::move(j));
    if (f < 0)
      ++skipped;
    else
      ++checked, findings += f;
  }
  for (const hw::GemmPath* p : gemm_paths) {
    Json j;
    const int f = check_gemm(out, *p, args, j);
    report.push_back(std::move(j));
    if (f < 0)
      ++skipped;
    else
      ++checked, findings += f;
  }
  out << "checked " << checked << " path" << (checked == 1 ? "" : "s") << ", skipped " << skipped
      << " unavailable; findings: " << findings << '\n';
  if (!args.json_file.empty())
    report::write_output_file(
        args.json_file,
        Json{{"paths", report}, {"checked", checked}, {"skipped", skipped}, {"findings", findings}}
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
      "check",
      "Run conversion paths over their input sets; compare with IEEE and with the "
      "documented semantics (exit 1 on an unexplained difference)");
  check->add_option("PATH", args->patterns, "path names or patterns with '*' (default: all)");
  check->add_flag("--exhaustive", args->exhaustive,
                  "binary32 sources: all 2^32 inputs instead of the boundary set");
  check->add_option("--threads", args->threads, "worker threads")->check(CLI::Range(1, 256));
  check->add_option("--examples", args->examples, "examples printed per mismatch class")
      ->check(CLI::Range(0, 1000));
  check->add_option("--json", args->json_file, "also write the results as JSON to FILE");
  check->add_option("--model", args->model,
                    "GEMM paths: compare with this accumulation model (NAME[:key=value,...]) "
                    "instead of the path's documented one");
  check->callback([args] { run_check(*args); });

  cmd->callback([cmd, check, json] {
    if (cmd->got_subcommand(check)) return;
    if (*json)
      std::cout << list_json().dump(2) << '\n';
    else
      print_list(std::cout);
  });
}

}  // namespace fpaudit::cli
