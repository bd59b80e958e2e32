// `fpaudit models [NAME|DEVICE...] [--json]`: the accumulation-model presets with their
// parameters, source, and notes (recorded data reproduced, departures from the published model,
// what the data cannot decide). docs/TENSOR_CORES.md 3 is the same table with the evidence.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/gemm/tensor_core_presets.hpp"
#include "gemm_models_cli.hpp"

namespace fpaudit::cli {
namespace {

struct ModelsArgs {
  std::vector<std::string> names;
  bool json = false;
};

bool selected(const gemm::AccumulationModel& m, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  for (const auto& n : names) {
    if (m.name == n ||
        (!m.device.empty() && (m.device == n || m.device.substr(m.device.find('-') + 1) == n)))
      return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

void run(const ModelsArgs& args) {
  std::vector<gemm::AccumulationModel> list;
  for (auto& m : gemm::model_presets())
    if (selected(m, args.names)) list.push_back(std::move(m));
  for (const auto& n : args.names)
    if (std::none_of(list.begin(), list.end(), [&](const auto& m) { return selected(m, {n}); }))
      throw UsageError("models: no preset or device named \"" + n +
                       "\" (fpaudit models lists them)");
  if (args.json) {
    nlohmann::ordered_json doc;
    doc["schema"] = "fpaudit.models/1";
    doc["devices"] = gemm::tensor_core_devices();
    doc["models"] = nlohmann::ordered_json::array();
    for (const auto& m : list) doc["models"].push_back(model_json(m));
    std::cout << doc.dump(2) << "\n";
    return;
  }
  for (const auto& m : list) {
    std::cout << m.name << "  [" << (m.inputs.empty() ? std::string("any") : join(m.inputs, ", "))
              << " -> " << (m.output.empty() ? std::string("any") : m.output) << "]\n";
    std::cout << "  " << model_summary(m) << "\n";
    std::cout << "  source: " << m.source << "\n";
    for (const auto& n : m.notes) std::cout << "  " << n << "\n";
  }
  std::cout << list.size() << " models";
  if (args.names.empty())
    std::cout << "; devices (use as gemm --model DEVICE): "
              << join(gemm::tensor_core_devices(), " ");
  std::cout << "\n";
}

}  // namespace

void register_models(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "models",
      "List the accumulation-model presets (GPU tensor cores, AMD matrix cores, CPU "
      "instructions) with parameters, sources and what the recorded data decides");
  auto args = std::make_shared<ModelsArgs>();
  cmd->add_option("names", args->names, "presets or devices to show (default: all)");
  cmd->add_flag("--json", args->json, "print JSON (schema fpaudit.models/1)");
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
