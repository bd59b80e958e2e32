// The accumulation-model side of the CLI, shared by `fpaudit models` and `fpaudit gemm`: model
// names that may be devices (nvidia-h100), the presets that apply to a format pair, a one-line
// summary of a model's parameters, and the error of each model against the exact GEMM.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/gemm/models.hpp"

namespace fpaudit::cli {

// NAME[:key=value,...] where NAME is a preset, a kind, or a device (nvidia-h100, h100): a device
// gives its preset for inputs `in` and output `out`. Throws std::invalid_argument.
gemm::AccumulationModel resolve_model(const std::string& spec, const FormatSpec& in,
                                      const FormatSpec& out);

// Every preset measured for inputs `in` whose output is `out` (or any).
std::vector<gemm::AccumulationModel> presets_for(const FormatSpec& in, const FormatSpec& out);

// "terms 16, neab 2, rtz into binary32, ..." for block-FMA models; describe() otherwise.
std::string model_summary(const gemm::AccumulationModel& m);

// Every parameter of m as JSON (the keys of parse_model), with device, output, source, notes.
nlohmann::ordered_json model_json(const gemm::AccumulationModel& m);

// Per model: its output on A x B against the exact result `ref` (bit patterns of `out`): bit-exact
// count, max and mean distance in ulps of `out`, elements off by more than 1 ulp, non-finite
// mismatches. Prints a table to `text` and returns the JSON array.
nlohmann::ordered_json compare_models(const std::vector<gemm::AccumulationModel>& models,
                                      std::size_t M, std::size_t N, std::size_t K,
                                      const gemm::MatrixOperand& A, const gemm::MatrixOperand& B,
                                      const FormatSpec& out, const ConvertOptions& opt,
                                      const gemm::GemmOptions& g,
                                      const std::vector<std::uint64_t>& ref, std::ostream& text);

}  // namespace fpaudit::cli
