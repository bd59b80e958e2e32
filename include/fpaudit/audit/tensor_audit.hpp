// The audit of one tensor: what each target format (plain, per-tensor scaled, MX block scaled)
// does to its values, the loss-scale sweep for gradients, and a recommendation.
//
// The auditor knows nothing of files: it reads values through a ValueStream (the io stage
// provides one per tensor) and returns plain data that the report stage renders.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fpaudit/audit/conversion_stats.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::audit {

enum class Role : std::uint8_t { weight, activation, grad };
std::string_view to_string(Role r);
Role parse_role(std::string_view s);  // weight | activation | grad
// From the tensor's name, then its file's path (case-insensitive): "grad" -> grad;
// "act" (activation, activations) -> activation; otherwise weight.
Role infer_role(std::string_view tensor_name, std::string_view file = {});

struct TensorMeta {
  std::string file;
  std::string name;
  std::string dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t count = 0;
  std::uint64_t row_length = 1;  // contiguous run along which MX blocks are formed
  std::map<std::string, std::string> metadata;  // the file's safetensors __metadata__, if any
};

// A tensor's values as binary64 (exact for every auditable dtype), in storage order: calling
// the stream passes successive spans to the sink until the tensor ends. The auditor calls it
// once per pass (twice in all), so it must produce the same values each time.
using ValueSink = std::function<void(std::span<const double>)>;
using ValueStream = std::function<void(const ValueSink&)>;

struct Budget {  // for --recommend
  double max_rel_rms = 0.01;
  double max_overflow = 0.0;        // fraction of elements overflowing (inf, NaN or saturated)
  double max_underflow_frac = 0.001;  // fraction of nonzero elements flushed to zero
};

struct AuditConfig {
  std::vector<FormatSpec> formats;  // plain conversions
  ConvertOptions options{};
  std::optional<Role> role;  // forced; otherwise inferred from the tensor name
  unsigned threads = 1;
  bool per_tensor_scaling = true;   // amax scaling for the 8-bit formats among `formats`
  bool mx = true;                   // MX and NVFP4 block scaling
  std::vector<std::string> mx_rules{"floor", "ceil", "even", "rceil"};  // docs/SCALING.md
  Rounding mx_element_rounding = Rounding::rne;
  int loss_scale_min_log2 = -8, loss_scale_max_log2 = 32;
  int headroom_binades = 1;  // recommended static loss scale keeps this many binades spare
  std::optional<Budget> recommend;
  // Called from the calling thread after each batch of chunks with the elements done so far
  // in the current tensor (for a progress display); may be empty.
  std::function<void(std::uint64_t)> on_progress;
};

struct RangeSummary {
  std::uint64_t count = 0, nan = 0, inf = 0, zero = 0;
  double amax = 0;         // over finite values
  double min_nonzero = 0;  // smallest nonzero finite magnitude (0 if none)
  std::map<int, std::uint64_t> histogram;  // floor(log2|x|) -> count, finite nonzero x
  void merge(const RangeSummary& o);
};

// One row of the report: a (tensor, target, policy) conversion.
struct ResultRow {
  std::string format;      // the target's canonical name, or e.g. "mxfp4_e2m1" / "nvfp4"
  std::string scaling;     // "none", "amax", "amax_pow2", "mx", "nvfp4"
  std::string scale_rule;  // MX only: floor | ceil | even | rceil
  Rounding rounding = Rounding::rne;
  Overflow overflow = Overflow::ieee;
  double scale = 1;        // per-tensor scale applied before conversion (1 if none)
  double bits_per_element = 0;  // storage cost including block scales
  ConversionStats stats;
  // Block scaling only:
  std::uint64_t blocks = 0, blocks_clipped = 0, elements_clipped = 0, elements_flushed = 0;
  std::map<int, std::uint64_t> scale_exponents;  // block scale exponent -> blocks
};

struct LossScaleFormat {
  std::string format;
  // Per log2(scale) in [min, max]: fractions of nonzero finite elements.
  std::vector<double> underflow_frac, subnormal_frac, overflow_frac;
  std::optional<int> max_no_overflow_log2;  // largest scale exponent with no overflow
  std::optional<int> recommended_log2;      // max_no_overflow_log2 - headroom
};

struct LossScaleSweep {
  int min_log2 = 0, max_log2 = 0;
  std::vector<LossScaleFormat> formats;
  // The usual dynamic loss scaler (start 2^16, x2 after 2000 clean steps, /2 on overflow),
  // for binary16: where it settles for this tensor and after how many steps.
  std::optional<int> dynamic_settle_log2;
  std::uint64_t dynamic_steps_to_settle = 0;
};

struct Recommendation {
  bool met = false;
  std::string format, scaling, scale_rule;
  double bits_per_element = 0;
  std::string reason;
};

struct TensorAudit {
  TensorMeta meta;
  Role role = Role::weight;
  RangeSummary range;
  std::vector<ResultRow> rows;
  std::optional<LossScaleSweep> loss_scale;
  std::optional<Recommendation> recommendation;
};

TensorAudit audit_tensor(const TensorMeta& meta, const ValueStream& values, const AuditConfig& cfg);

// A binary32 tensor's elements by position: fills dst with the bit patterns (host order) of
// elements [first, first + n) in storage order. Called from several threads at once, for
// disjoint ranges, in no particular order.
using Binary32Reader =
    std::function<void(std::uint64_t first, std::size_t n, std::uint32_t* dst)>;

// The same audit of a binary32 tensor (meta.count elements), byte for byte the same result as
// audit_tensor on its values widened to binary64, but read in binary32 by position: the chunks
// are spread over cfg.threads workers (reading included) and merged in chunk order; the range
// summary is gathered in the same pass unless a target needs it first (per-tensor or NVFP4
// scaling: then a range pass runs first, also in parallel).
// `done`, if given, is called from the calling thread after each batch of chunks of a pass with
// the elements [first, end) that the pass has read and will not read again (the reader may drop
// them from memory: no read of them is in flight then).
using Binary32Done = std::function<void(std::uint64_t first, std::uint64_t end)>;
TensorAudit audit_tensor_binary32(const TensorMeta& meta, const Binary32Reader& read,
                                  const AuditConfig& cfg, const Binary32Done& done = {});

}  // namespace fpaudit::audit
