#include "gemm_models_cli.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <sstream>

#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/tensor_core_presets.hpp"
#include "table.hpp"

namespace fpaudit::cli {
namespace {

std::string format_name(const FormatSpec& f) {
  return f.name.empty() ? fpaudit::describe(f) : f.name;
}

// Position of a finite pattern on its format's number line (adjacent values differ by 1).
std::int64_t ordinal(const FormatSpec& f, std::uint64_t bits) {
  const auto mag = static_cast<std::int64_t>(bits & f.magnitude_mask());
  return f.is_negative(bits) ? -mag : mag;
}

bool finite(const FormatSpec& f, std::uint64_t b) { return !f.is_nan(b) && !f.is_inf(b); }

std::string fixed(double x, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << x;
  return s.str();
}

}  // namespace

gemm::AccumulationModel resolve_model(const std::string& spec, const FormatSpec& in,
                                      const FormatSpec& out) {
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  if (!gemm::is_tensor_core_device(name)) return gemm::parse_model(spec);
  const gemm::AccumulationModel p = gemm::device_preset(name, in, out);
  if (colon == std::string::npos) return p;
  return gemm::parse_model(p.name + spec.substr(colon));
}

std::vector<gemm::AccumulationModel> presets_for(const FormatSpec& in, const FormatSpec& out) {
  std::vector<gemm::AccumulationModel> v;
  for (auto& p : gemm::model_presets())
    if ((p.inputs.empty() ||
         std::find(p.inputs.begin(), p.inputs.end(), in.name) != p.inputs.end()) &&
        (p.output.empty() || p.output == out.name))
      v.push_back(std::move(p));
  return v;
}

std::string model_summary(const gemm::AccumulationModel& m) {
  if (m.kind != gemm::ModelKind::fused) return gemm::describe(m);
  const gemm::BlockFma& b = m.block;
  std::string s = "terms " + std::to_string(b.terms) + ", neab " +
                  std::to_string(b.fraction_bits - 23) + ", " + std::string(to_string(m.rounding)) +
                  " into " + format_name(m.acc) + ", min_exponent " +
                  std::to_string(b.min_exponent) + ", " + std::string(to_string(b.path));
  if (b.path == gemm::BlockPath::late_sum || b.path == gemm::BlockPath::odd_even)
    s += " (armode " + std::string(to_string(b.align_rounding)) + ")";
  if (b.alignment != gemm::FusedAlignment::truncate)
    s += ", alignment " + std::string(to_string(b.alignment));
  if (b.normalise_products) s += ", products normalised";
  if (b.product_limit) s += ", product limit";
  if (b.flush_inputs || b.flush_results)
    s += std::string(", flush") + (b.flush_inputs ? " inputs" : "") +
         (b.flush_results ? " results" : "");
  if (b.instruction_k > 0) s += ", " + std::to_string(b.instruction_k) + " per instruction";
  if (b.interleave > 0) s += ", interleave " + std::to_string(b.interleave);
  s += b.c_entry == gemm::AddendEntry::last
           ? ", C added last (" + std::string(to_string(b.c_rounding)) + ")"
           : ", C aligned";
  return s;
}

nlohmann::ordered_json model_json(const gemm::AccumulationModel& m) {
  nlohmann::ordered_json j;
  j["name"] = m.name;
  j["kind"] = std::string(to_string(m.kind));
  if (!m.device.empty()) j["device"] = m.device;
  j["inputs"] = m.inputs;
  j["output"] =
      m.output.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m.output);
  j["spec"] = gemm::describe(m);
  if (m.kind == gemm::ModelKind::fused || m.inner_fused) {
    const gemm::BlockFma& b = m.block;
    j["block_fma"] = {{"terms", b.terms},
                      {"neab", b.fraction_bits - 23},
                      {"fraction_bits", b.fraction_bits},
                      {"frmode", std::string(to_string(m.rounding))},
                      {"result_format", format_name(m.acc)},
                      {"alignment", std::string(to_string(b.alignment))},
                      {"path", std::string(to_string(b.path))},
                      {"armode", std::string(to_string(b.align_rounding))},
                      {"normalise_products", b.normalise_products},
                      {"min_exponent", b.min_exponent},
                      {"zero_c_exponent_126", b.zero_c_exponent_126},
                      {"product_limit", b.product_limit},
                      {"flush_inputs", b.flush_inputs},
                      {"flush_results", b.flush_results},
                      {"overflow_to_inf", b.overflow_to_inf},
                      {"instruction_k", b.instruction_k == 0 ? b.terms : b.instruction_k},
                      {"interleave", b.interleave},
                      {"c_entry", std::string(to_string(b.c_entry))},
                      {"c_rounding", std::string(to_string(b.c_rounding))}};
  }
  j["source"] = m.source;
  j["notes"] = m.notes;
  return j;
}

nlohmann::ordered_json compare_models(const std::vector<gemm::AccumulationModel>& models,
                                      std::size_t M, std::size_t N, std::size_t K,
                                      const gemm::MatrixOperand& A, const gemm::MatrixOperand& B,
                                      const FormatSpec& out, const ConvertOptions& opt,
                                      const gemm::GemmOptions& g,
                                      const std::vector<std::uint64_t>& ref, std::ostream& text) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  Table t({"model", ">bit-exact", ">max ulp", ">mean ulp", ">>1 ulp", ">non-finite", ">seconds"});
  for (const auto& m : models) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<std::uint64_t> bits = gemm::model_gemm(m, M, N, K, A, B, out, opt, g);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::uint64_t exact = 0, over1 = 0, nonfinite = 0, compared = 0, max_ulp = 0;
    long double sum = 0;
    for (std::size_t e = 0; e < bits.size(); ++e) {
      const std::uint64_t r = ref[e], x = bits[e];
      if (r == x) ++exact;
      if (!finite(out, r) || !finite(out, x)) {
        if (r != x && !(out.is_nan(r) && out.is_nan(x))) ++nonfinite;
        continue;
      }
      const auto d = static_cast<std::uint64_t>(std::llabs(ordinal(out, r) - ordinal(out, x)));
      ++compared;
      sum += d;
      max_ulp = std::max(max_ulp, d);
      if (d > 1) ++over1;
    }
    const double mean = compared ? static_cast<double>(sum / compared) : 0.0;
    t.add_row({m.name, std::to_string(exact) + "/" + std::to_string(bits.size()),
               std::to_string(max_ulp), fixed(mean, 4), std::to_string(over1),
               std::to_string(nonfinite), fixed(secs, 2)});
    arr.push_back({{"name", m.name},
                   {"spec", gemm::describe(m)},
                   {"elements", bits.size()},
                   {"bit_exact", exact},
                   {"max_ulp", max_ulp},
                   {"mean_ulp", mean},
                   {"over_1_ulp", over1},
                   {"nonfinite_mismatch", nonfinite},
                   {"seconds", secs}});
  }
  text << "models vs the exact result (ulps of " << out.name << "):\n";
  t.print(text);
  return arr;
}

}  // namespace fpaudit::cli
