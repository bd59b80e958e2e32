// fpaudit audit PATH... : the main job. Files -> readers (io) -> the auditor (audit) -> reports
// (report). Exit codes: 0 clean; 3 a --fail-if gate tripped; 4 some files could not be read
// (directory mode; the others are still audited); 2 usage errors.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "audit_input.hpp"
#include "commands.hpp"
#include "conversion_options.hpp"
#include "fpaudit/audit/path_audit.hpp"
#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/io/dtype.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/report/audit_report.hpp"
#include "fpaudit/report/gate.hpp"
#include "fpaudit/report/html_report.hpp"
#include "fpaudit/report/output_file.hpp"
#include "fpaudit/report/path_report.hpp"
#include "fpaudit/scaling/mx.hpp"
#include "progress.hpp"

namespace fpaudit::cli {
namespace {

struct AuditArgs {
  std::vector<std::string> paths;
  std::string formats = "bf16,f16,e4m3,e5m2";
  ConversionArgs conv;
  std::string role;
  std::string json, html;
  std::vector<std::string> gates;
  std::string dtype, shape;
  std::uint64_t offset = 0;
  unsigned threads = 0;
  bool no_scaling = false, no_mx = false, all_rows = false, quiet = false;
  std::string mx_rules = "floor,ceil,even,rceil";
  std::string mx_rounding = "rne";
  bool recommend = false;
  double max_rel_rms = 0.01, max_overflow = 0.0, max_underflow_frac = 0.001;
  int loss_min = -8, loss_max = 32, headroom = 1;
  std::string hw_paths;  // --paths: conversion paths run on the values (audit/path_audit.hpp)
};

// The registry name of a tensor dtype's element format ("float32" -> "binary32"), or "".
std::string element_format(const std::string& dtype) {
  const auto parsed = io::parse_dtype_name(dtype);
  return parsed ? std::string(io::dtype_info(parsed->dtype).format) : std::string();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

audit::AuditConfig make_config(const AuditArgs& a) {
  audit::AuditConfig cfg;
  for (const auto& name : split(a.formats, ',')) cfg.formats.push_back(format_by_name(name));
  if (cfg.formats.empty()) throw UsageError("--formats: expected at least one format");
  // The NaN policy's canonical bits are checked against every target.
  cfg.options = resolve_options(a.conv, cfg.formats.front());
  for (const auto& f : cfg.formats) (void)resolve_options(a.conv, f);
  if (!a.role.empty()) cfg.role = audit::parse_role(a.role);
  cfg.threads = a.threads ? a.threads : std::max(1u, std::thread::hardware_concurrency());
  cfg.per_tensor_scaling = !a.no_scaling;
  cfg.mx = !a.no_mx;
  cfg.mx_rules.clear();
  for (const auto& r : split(a.mx_rules, ',')) {
    (void)scaling::parse_scale_rule(r);  // rejects unknown rules with the accepted list
    cfg.mx_rules.push_back(r);
  }
  cfg.mx_element_rounding = parse_rounding(a.mx_rounding);
  cfg.loss_scale_min_log2 = a.loss_min;
  cfg.loss_scale_max_log2 = a.loss_max;
  if (a.loss_min > a.loss_max) throw UsageError("--loss-scale-range: min above max");
  cfg.headroom_binades = a.headroom;
  if (a.recommend) cfg.recommend = audit::Budget{a.max_rel_rms, a.max_overflow, a.max_underflow_frac};
  return cfg;
}

void run(const AuditArgs& a) {
  audit::AuditConfig cfg = make_config(a);
  std::vector<report::Gate> gates;
  for (const auto& g : a.gates) {
    gates.push_back(report::Gate::parse(g));
    for (const auto& f : gates.back().fields()) {
      const auto& names = report::row_field_names();
      if (std::find(names.begin(), names.end(), f) == names.end())
        throw UsageError("--fail-if \"" + g + "\": unknown field \"" + f + "\" (see docs/AUDIT_JSON.md)");
    }
  }
  RawArgs raw;
  raw.dtype = a.dtype;
  raw.shape = a.shape;
  raw.offset = a.offset;

  std::vector<report::FileError> errors;
  std::vector<AuditInput> inputs = collect_inputs(a.paths, raw, errors);
  if (inputs.empty() && errors.empty()) throw UsageError("no tensors found in " + a.paths.front());

  std::vector<const hw::ConversionPath*> hw_paths;
  if (!a.hw_paths.empty()) {
    try {
      hw_paths = audit::select_conversion_paths(a.hw_paths);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  std::vector<audit::PathAuditRow> path_rows;

  Progress progress(inputs, a.quiet);
  cfg.on_progress = [&progress](std::uint64_t done) { progress.within(done); };
  std::vector<audit::TensorAudit> audits;
  for (AuditInput& in : inputs) {
    if (!in.auditable) continue;  // integer tensors are listed, not audited
    try {
      progress.begin(in.meta);
      audits.push_back(in.binary32 ? audit::audit_tensor_binary32(in.meta, in.binary32, cfg, in.binary32_done)
                                   : audit::audit_tensor(in.meta, in.values, cfg));
      if (!hw_paths.empty()) {
        auto rows = audit::audit_paths(in.meta, element_format(in.meta.dtype), in.values, hw_paths,
                                       std::max(1u, cfg.threads));
        path_rows.insert(path_rows.end(), rows.begin(), rows.end());
      }
      progress.end(in.meta);
    } catch (const std::exception& e) {
      if (a.paths.size() == 1 && inputs.size() == 1) throw;
      errors.push_back({in.meta.file, e.what()});
    }
  }
  progress.finish();

  for (const AuditInput& in : inputs)
    if (!in.auditable)
      std::cout << "skipped " << in.meta.file << ":" << in.meta.name << " (dtype " << in.meta.dtype
                << ": integer tensors are listed, not audited)\n";
  std::set<std::string> shown;  // each file's safetensors __metadata__, once
  for (const auto& t : audits) {
    if (t.meta.metadata.empty() || !shown.insert(t.meta.file).second) continue;
    std::cout << "metadata " << t.meta.file << ":";
    for (const auto& [k, v] : t.meta.metadata) std::cout << " " << k << "=" << v;
    std::cout << "\n";
  }
  std::cout << report::audit_table(audits, 100, a.all_rows);
  if (!hw_paths.empty()) std::cout << report::path_audit_table(path_rows);
  for (const auto& t : audits) {
    if (t.loss_scale) {
      for (const auto& f : t.loss_scale->formats)
        if (f.format == "binary16" && f.max_no_overflow_log2)
          std::cout << "loss scale " << t.meta.name << ": binary16 overflows above 2^" << *f.max_no_overflow_log2
                    << ", recommended static 2^" << *f.recommended_log2 << "; a dynamic scaler (2^16, x2/2000 steps)"
                    << " settles at 2^" << *t.loss_scale->dynamic_settle_log2 << " after "
                    << t.loss_scale->dynamic_steps_to_settle << " steps\n";
    }
    if (t.recommendation) {
      const auto& r = *t.recommendation;
      std::cout << "recommend " << t.meta.name << ": "
                << (r.met ? r.format + " (" + r.scaling + (r.scale_rule.empty() ? "" : ":" + r.scale_rule) + ", " +
                                std::to_string(r.bits_per_element).substr(0, 5) + " bits/element)"
                          : std::string("none"))
                << " - " << r.reason << "\n";
    }
  }
  if (!a.json.empty())
    report::write_output_file(a.json, hw_paths.empty() ? report::audit_json(audits, cfg, errors)
                                                        : report::add_path_audit_json(
                                                              report::audit_json(audits, cfg, errors), path_rows));
  if (!a.html.empty())
    report::write_output_file(a.html, hw_paths.empty() ? report::audit_html(audits, cfg, errors)
                                                        : report::add_path_audit_html(
                                                              report::audit_html(audits, cfg, errors), path_rows));

  int code = 0;
  bool tripped = false;
  for (const auto& g : gates) {
    for (const auto& [ti, ri] : report::riskiest_first(audits)) {
      const auto& t = audits[ti];
      const auto& r = t.rows[ri];
      if (!g.evaluate([&](std::string_view n) { return report::row_field(t, r, n); })) continue;
      if (!tripped) std::cerr << "fpaudit: --fail-if tripped:\n";
      tripped = true;
      std::cerr << "  " << g.text() << ": " << t.meta.file << ":" << t.meta.name << " " << r.format << " ("
                << r.scaling << (r.scale_rule.empty() ? "" : ":" + r.scale_rule) << ")\n";
    }
  }
  if (tripped) code = 3;
  if (!errors.empty()) {
    std::cerr << "fpaudit: " << errors.size() << " file(s) could not be audited:\n";
    for (const auto& e : errors) std::cerr << "  " << e.message << "\n";
    if (code == 0) code = 4;
  }
  if (code) throw ExitStatus(code);
}

}  // namespace

void register_audit(CLI::App& app) {
  auto a = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand(
      "audit", "Audit recorded tensors (.npy, .npz, .safetensors, raw; directories): what each format does to them");
  cmd->add_option("paths", a->paths, "Files or directories; FILE:TENSOR picks one tensor")->required();
  cmd->add_option("--formats", a->formats, "Target formats, comma-separated (registered names or custom strings)")
      ->capture_default_str();
  add_conversion_options(*cmd, a->conv);
  cmd->add_option("--role", a->role, "Treat every tensor as weight, activation or grad (default: from its name)");
  cmd->add_option("--json", a->json, "Write the results as JSON (docs/AUDIT_JSON.md)");
  cmd->add_option("--paths", a->hw_paths,
                  "Hardware conversion paths to run on the values, comma-separated names or '*' "
                  "patterns (`fpaudit hw`): mismatch counts by class");
  cmd->add_option("--html", a->html, "Write a self-contained HTML report");
  cmd->add_option("--fail-if", a->gates, "CI gate, repeatable, e.g. overflow_inf>0; exit 3 when one trips");
  cmd->add_option("--dtype", a->dtype, "Raw files: element dtype (f16, bf16, f32, f64, e4m3, e5m2, ...)");
  cmd->add_option("--shape", a->shape, "Raw files: shape, e.g. 4096,1024");
  cmd->add_option("--offset", a->offset, "Raw files: byte offset of the first element");
  cmd->add_option("--threads", a->threads, "Worker threads (default: all cores); results do not depend on it");
  cmd->add_flag("--no-scaling", a->no_scaling, "Skip per-tensor amax scaling of the 8-bit formats");
  cmd->add_flag("--no-mx", a->no_mx, "Skip MX and NVFP4 block scaling");
  cmd->add_option("--mx-rules", a->mx_rules, "MX shared-scale rules to compare")->capture_default_str();
  cmd->add_option("--mx-rounding", a->mx_rounding, "MX element rounding: rne or rna (ties away)")->capture_default_str();
  cmd->add_flag("--all-rows", a->all_rows, "Print every scaling variant in the table, not only plain formats");
  cmd->add_flag("--recommend", a->recommend, "Recommend the narrowest format (and scaling) within the budget");
  cmd->add_option("--max-rel-rms", a->max_rel_rms, "Budget: rms relative error")->capture_default_str();
  cmd->add_option("--max-overflow", a->max_overflow, "Budget: fraction of elements overflowing")->capture_default_str();
  cmd->add_option("--max-underflow-frac", a->max_underflow_frac, "Budget: fraction of nonzero elements flushed")
      ->capture_default_str();
  cmd->add_option("--loss-scale-min", a->loss_min, "Loss-scale sweep: smallest log2(scale)")->capture_default_str();
  cmd->add_option("--loss-scale-max", a->loss_max, "Loss-scale sweep: largest log2(scale)")->capture_default_str();
  cmd->add_option("--headroom", a->headroom, "Binades kept spare by the recommended loss scale")->capture_default_str();
  cmd->add_flag("--quiet", a->quiet, "No progress bar");
  cmd->callback([a] { run(*a); });
}

}  // namespace fpaudit::cli
