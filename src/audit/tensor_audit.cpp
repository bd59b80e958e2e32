#include "fpaudit/audit/tensor_audit.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <exception>
#include <atomic>
#include <future>
#include <thread>

#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/exact_product.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/scaling/mx.hpp"
#include "plain_rows_fast.hpp"
#include "range_scan.hpp"

namespace fpaudit::audit {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::weight: return "weight";
    case Role::activation: return "activation";
    case Role::grad: return "grad";
  }
  return "?";
}

Role parse_role(std::string_view s) {
  if (s == "weight") return Role::weight;
  if (s == "activation") return Role::activation;
  if (s == "grad") return Role::grad;
  throw std::invalid_argument("unknown role \"" + std::string(s) + "\" (expected weight, activation, grad)");
}

Role infer_role(std::string_view name, std::string_view file) {
  auto lower = [](std::string_view s) {
    std::string n(s);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    return n;
  };
  // Whole words only, so "exact" or "contact" do not read as activations.
  for (const std::string& text : {lower(name), lower(file)}) {
    bool activation = false;
    std::size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && !std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
      std::size_t j = i;
      while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j]))) ++j;
      const std::string_view word(text.data() + i, j - i);
      if (word.find("grad") != std::string_view::npos) return Role::grad;
      if (word.starts_with("act")) activation = true;
      i = j;
    }
    if (activation) return Role::activation;
  }
  return Role::weight;
}

void RangeSummary::merge(const RangeSummary& o) {
  count += o.count;
  nan += o.nan;
  inf += o.inf;
  zero += o.zero;
  amax = std::max(amax, o.amax);
  if (o.min_nonzero != 0 && (min_nonzero == 0 || o.min_nonzero < min_nonzero)) min_nonzero = o.min_nonzero;
  for (const auto& [k, v] : o.histogram) histogram[k] += v;
}

namespace {

// Elements per work chunk: a multiple of every block size (32, 16) so blocks never straddle
// chunks; fixed, so results do not depend on the thread count.
constexpr std::size_t kChunk = 32768;

// Splits the flat element range into chunks that start at a row start or at a multiple of 32
// within a row.
class ChunkPlan {
 public:
  ChunkPlan(std::uint64_t count, std::uint64_t row) : left_(count) {
    row_ = (row == 0 || count % row != 0) ? std::max<std::uint64_t>(count, 1) : row;
  }
  std::size_t next() {
    if (left_ == 0) return 0;
    std::uint64_t n;
    if (row_ <= kChunk) {
      n = std::min<std::uint64_t>(left_, (kChunk / row_) * row_);
    } else {
      n = std::min<std::uint64_t>(row_ - in_row_, kChunk);
      in_row_ = (in_row_ + n) % row_;
    }
    left_ -= n;
    return static_cast<std::size_t>(n);
  }
  std::uint64_t row() const { return row_; }

 private:
  std::uint64_t left_, row_, in_row_ = 0;
};

double value_of(const FormatSpec& f, std::uint64_t bits) {
  const ExactValue v = decode(f, bits);
  switch (v.cls) {
    case ValueClass::zero: return v.negative ? -0.0 : 0.0;
    case ValueClass::inf: return v.negative ? -HUGE_VAL : HUGE_VAL;
    case ValueClass::nan: return std::numeric_limits<double>::quiet_NaN();
    case ValueClass::finite: break;
  }
  const double m = std::ldexp(static_cast<double>(v.sig), v.exp);
  return v.negative ? -m : m;
}

ExactValue scaled_pow2(double x, int k) {
  ExactValue v = from_double(x);
  if (v.cls == ValueClass::finite) v.exp += k;
  return v;
}

// Exponent of |x|'s binade (x finite nonzero), exact.
int binade(double x) { return std::ilogb(x); }

enum class TargetKind { plain, amax, amax_pow2, mx, nvfp4 };

struct Target {
  TargetKind kind = TargetKind::plain;
  FormatSpec format;  // element format
  double scale = 1;   // amax
  int pow2 = 0;       // amax_pow2
  scaling::MxSpec mx{};
  scaling::NvFp4TensorScale nvfp4{};
  ResultRow row;
  // Plain targets the bulk kernels handle (plain_rows_fast.hpp); null otherwise.
  std::shared_ptr<const detail::FastPlainTarget> fast;
};

Target make_target(TargetKind kind, const FormatSpec& format) {
  Target t;
  t.kind = kind;
  t.format = format;
  return t;
}

// Loss-scale sweep thresholds of one element in one format (see LossScaleSweep).
struct ThresholdCounts {
  std::vector<std::uint64_t> k0, kn, k1;  // histograms over [min-1 .. max+1] (clamped)
  std::uint64_t nonzero = 0;
  int min_k1 = std::numeric_limits<int>::max();  // unclamped
};

struct ChunkResult {
  std::vector<ResultRow> rows;
  std::vector<ThresholdCounts> thresholds;
};

// The smallest k in [lo, hi] where pred holds (pred is monotone: false... then true...), or
// hi + 1 when it never does; the search starts at a guess and walks.
template <class Pred>
int first_true(int guess, int lo, int hi, const Pred& pred) {
  int k = std::clamp(guess, lo, hi);
  if (pred(k)) {
    while (k > lo && pred(k - 1)) --k;
    return k;
  }
  while (k <= hi && !pred(k)) ++k;
  return k;
}


class Auditor {
 public:
  Auditor(const TensorMeta& meta, const AuditConfig& cfg, const RangeSummary& range, Role role)
      : meta_(meta), cfg_(cfg), role_(role) {
    if (role_ == Role::grad) {
      for (const char* name : {"binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2"})
        sweep_formats_.push_back(format_by_name(name));
      sweep_opt_ = cfg_.options;
      if (sweep_opt_.rounding == Rounding::sr) sweep_opt_.rounding = Rounding::rne;
      sweep_opt_.overflow = Overflow::ieee;
    }
    build_targets(range);
    needs_values_ = values_needed();
  }

  // A chunk of binary64 values (any dtype): the fast rows take it when all are binary32.
  ChunkResult process(std::span<const double> xs, std::uint64_t first_index) const {
    // Scratch kept per thread: a fresh 128 KiB vector per chunk would be an mmap/munmap pair,
    // and unmapping on one core interrupts the other (TLB shootdown).
    thread_local std::vector<std::uint32_t> f32;
    const bool fast = !fast_targets_.empty() && detail::as_binary32(xs, f32);
    return process_rows(xs, fast ? f32.data() : nullptr, xs.size(), first_index);
  }

  // A chunk of binary32 patterns: the fast rows read them as they are; the values are widened
  // to binary64 only when another row or the loss-scale sweep needs them.
  ChunkResult process_binary32(std::span<const std::uint32_t> f32, std::uint64_t first_index) const {
    thread_local std::vector<double> wide;
    std::span<const double> xs;
    if (needs_values_) {
      wide.resize(f32.size());
      for (std::size_t i = 0; i < f32.size(); ++i) wide[i] = std::bit_cast<float>(f32[i]);
      xs = wide;
    }
    return process_rows(xs, f32.data(), f32.size(), first_index);
  }

  const std::vector<Target>& targets() const { return targets_; }
  const std::vector<FormatSpec>& sweep_formats() const { return sweep_formats_; }

 private:
  // xs: the values (may be empty when !needs_values_ and f32 is given); f32: the same values as
  // binary32 patterns, or null when they are not all binary32 (the plain rows use add() then).
  ChunkResult process_rows(std::span<const double> xs, const std::uint32_t* f32, std::size_t n,
                           std::uint64_t first_index) const {
    ChunkResult out;
    out.rows.reserve(targets_.size());
    std::vector<std::uint64_t> bits(64);
    for (const Target& t : targets_) out.rows.push_back(t.row);
    const bool fast = f32 != nullptr && !fast_targets_.empty();
    if (fast) {
      std::vector<ConversionStats*> stats;
      for (std::size_t ti : fast_index_) stats.push_back(&out.rows[ti].stats);
      detail::add_plain_fast(fast_targets_, f32, n, first_index, stats);
    }
    for (std::size_t ti = 0; ti < targets_.size(); ++ti) {
      const Target& t = targets_[ti];
      ResultRow& row = out.rows[ti];
      switch (t.kind) {
        case TargetKind::plain:
          if (!(fast && t.fast)) run_plain(t, xs, first_index, row);
          break;
        case TargetKind::amax: run_amax(t, xs, first_index, row); break;
        case TargetKind::amax_pow2: run_pow2(t, xs, first_index, row); break;
        case TargetKind::mx:
        case TargetKind::nvfp4: run_blocks(t, xs, first_index, row, bits); break;
      }
    }
    if (!sweep_formats_.empty()) out.thresholds = sweep(xs);
    return out;
  }

  void build_targets(const RangeSummary& range) {
    auto base_row = [&](const std::string& format, const std::string& scaling) {
      ResultRow r;
      r.format = format;
      r.scaling = scaling;
      r.rounding = cfg_.options.rounding;
      r.overflow = cfg_.options.overflow;
      return r;
    };
    for (const FormatSpec& f : cfg_.formats) {
      Target t = make_target(TargetKind::plain, f);
      t.row = base_row(f.name, "none");
      t.row.bits_per_element = f.width();
      auto fast = std::make_shared<const detail::FastPlainTarget>(f, cfg_.options);
      if (fast->supported()) {
        t.fast = fast;
        fast_targets_.push_back(fast.get());
        fast_index_.push_back(targets_.size());
      }
      targets_.push_back(t);
    }
    const bool finite_amax = range.amax > 0 && std::isfinite(range.amax);
    if (cfg_.per_tensor_scaling && finite_amax) {
      for (const FormatSpec& f : cfg_.formats) {
        if (f.width() > 8 || !f.is_signed) continue;  // per-tensor scaling is an FP8 recipe
        Target a = make_target(TargetKind::amax, f);
        a.scale = scaling::amax_scale(f, range.amax);
        a.row = base_row(f.name, "amax");
        a.row.scale = a.scale;
        a.row.bits_per_element = f.width();
        targets_.push_back(a);
        Target p = make_target(TargetKind::amax_pow2, f);
        p.pow2 = scaling::amax_scale_pow2_exponent(f, range.amax);
        p.row = base_row(f.name, "amax_pow2");
        p.row.scale = std::ldexp(1.0, p.pow2);
        p.row.bits_per_element = f.width();
        targets_.push_back(p);
      }
    }
    if (cfg_.mx) {
      for (scaling::MxSpec spec : scaling::standard_mx_formats()) {
        for (const std::string& rule_name : cfg_.mx_rules) {
          const scaling::ScaleRule rule = scaling::parse_scale_rule(rule_name);
          spec.rule = rule;
          spec.element_rounding = cfg_.mx_element_rounding;
          Target t = make_target(TargetKind::mx, spec.element);
          t.mx = spec;
          t.row = base_row(spec.name, "mx");
          t.row.scale_rule = std::string(scaling::to_string(rule));
          t.row.rounding = spec.element_rounding;
          t.row.overflow = Overflow::saturate;
          t.row.bits_per_element = spec.element.width() + 8.0 / spec.block_size;
          targets_.push_back(t);
        }
      }
      if (finite_amax) {
        Target t = make_target(TargetKind::nvfp4, format_by_name("float4_e2m1fn"));
        t.nvfp4 = scaling::nvfp4_tensor_scale(range.amax);
        t.row = base_row("nvfp4", "nvfp4");
        t.row.rounding = Rounding::rne;
        t.row.overflow = Overflow::saturate;
        t.row.bits_per_element = 4 + 8.0 / scaling::kNvFp4BlockSize;
        targets_.push_back(t);
      }
    }
  }

  // Whether any row or the sweep reads binary64 values (set after the targets are built).
  bool values_needed() const {
    return !sweep_formats_.empty() || fast_targets_.size() != targets_.size();
  }

  void run_plain(const Target& t, std::span<const double> xs, std::uint64_t first, ResultRow& row) const {
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const Encoded r = convert_double(xs[i], t.format, cfg_.options, first + i);
      row.stats.add(t.format, xs[i], r, value_of(t.format, r.bits));
    }
  }

  void run_pow2(const Target& t, std::span<const double> xs, std::uint64_t first, ResultRow& row) const {
    const double s = std::ldexp(1.0, t.pow2);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const Encoded r = encode(t.format, scaled_pow2(xs[i], t.pow2), cfg_.options, first + i);
      row.stats.add(t.format, xs[i], r, std::ldexp(value_of(t.format, r.bits), -t.pow2), s);
    }
  }

  void run_amax(const Target& t, std::span<const double> xs, std::uint64_t first, ResultRow& row) const {
    const ExactValue s = from_double(t.scale);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      // x * scale exactly (64 bits + sticky), rounded once into the format.
      const Encoded r = encode(t.format, exact_product(from_double(xs[i]), s), cfg_.options, first + i);
      row.stats.add(t.format, xs[i], r, value_of(t.format, r.bits) / t.scale, t.scale);
    }
  }

  void run_blocks(const Target& t, std::span<const double> xs, std::uint64_t first, ResultRow& row,
                  std::vector<std::uint64_t>& bits) const {
    const std::size_t block =
        t.kind == TargetKind::mx ? static_cast<std::size_t>(t.mx.block_size) : scaling::kNvFp4BlockSize;
    const std::uint64_t row_len = plan_row_;
    std::size_t i = 0;
    while (i < xs.size()) {
      // A block ends at the block size or at the end of the row, whichever comes first.
      const std::uint64_t col = (first + i) % row_len;
      const std::size_t n = static_cast<std::size_t>(
          std::min<std::uint64_t>({block - col % block, row_len - col, xs.size() - i}));
      const std::span<const double> blk = xs.subspan(i, n);
      if (bits.size() < n) bits.resize(n);
      const std::span<std::uint64_t> out(bits.data(), n);
      std::uint64_t clipped, flushed;
      int scale_exp;
      double scale_value;
      if (t.kind == TargetKind::mx) {
        const scaling::MxBlockResult b = scaling::quantize_mx_block(t.mx, blk, out, first + i);
        clipped = b.clipped;
        flushed = b.flushed;
        scale_exp = b.scale_exponent;
        scale_value = std::ldexp(1.0, b.scale_exponent);
        for (std::size_t j = 0; j < n; ++j)
          add_block_element(t, row, blk[j], out[j], scaling::dequantize_mx(t.mx, b.scale_bits, out[j]),
                            1.0 / scale_value);
      } else {
        const scaling::NvFp4BlockResult b = scaling::quantize_nvfp4_block(t.nvfp4, blk, out);
        clipped = b.clipped;
        flushed = b.flushed;
        scale_value = scaling::nvfp4_block_scale_value(t.nvfp4, b.scale_bits);
        scale_exp = scale_value > 0 ? binade(scale_value) : std::numeric_limits<int>::min();
        for (std::size_t j = 0; j < n; ++j)
          add_block_element(t, row, blk[j], out[j], scaling::dequantize_nvfp4(t.nvfp4, b.scale_bits, out[j]),
                            scale_value > 0 ? 1.0 / scale_value : 1.0);
      }
      ++row.blocks;
      row.elements_clipped += clipped;
      row.elements_flushed += flushed;
      if (clipped) ++row.blocks_clipped;
      ++row.scale_exponents[scale_exp];
      i += n;
    }
  }

  static void add_block_element(const Target& t, ResultRow& row, double x, std::uint64_t bits, double q,
                                double elem_scale) {
    // The block quantizer returns bits only; the flags follow from the values: inexact when
    // the dequantized value differs, overflow when the element was clamped to max finite.
    Encoded r{bits, {}};
    if (std::isfinite(x) && q != x) r.flags |= Flags::inexact;
    const std::uint64_t mag = bits & t.format.magnitude_mask();
    // (A block whose scale rounded to zero dequantizes everything to 0: a flush, not a clamp.)
    if (std::isfinite(x) && mag == t.format.max_finite_bits() && q != 0 && std::fabs(x) > std::fabs(q))
      r.flags |= Flags::overflow;
    row.stats.add(t.format, x, r, q, elem_scale);
  }

  std::vector<ThresholdCounts> sweep(std::span<const double> xs) const {
    const int lo = cfg_.loss_scale_min_log2, hi = cfg_.loss_scale_max_log2;
    const std::size_t bins = static_cast<std::size_t>(hi - lo + 3);
    std::vector<ThresholdCounts> out(sweep_formats_.size());
    constexpr int kWide = 1200;  // beyond any binary64 exponent: thresholds always exist
    for (std::size_t fi = 0; fi < sweep_formats_.size(); ++fi) {
      const FormatSpec& f = sweep_formats_[fi];
      ThresholdCounts& tc = out[fi];
      tc.k0.assign(bins, 0);
      tc.kn.assign(bins, 0);
      tc.k1.assign(bins, 0);
      auto slot = [&](int k) { return static_cast<std::size_t>(std::clamp(k, lo - 1, hi + 1) - (lo - 1)); };
      for (double x : xs) {
        if (!std::isfinite(x) || x == 0) continue;
        ++tc.nonzero;
        const int e = binade(x);
        auto at = [&](int k) { return encode(f, scaled_pow2(x, k), sweep_opt_); };
        const int k0 = first_true(f.emin() - f.mantissa_bits - e - 1, -kWide, kWide, [&](int k) {
          const Encoded r = at(k);
          return !f.is_zero(r.bits);
        });
        const int kn = first_true(f.emin() - e, -kWide, kWide, [&](int k) {
          const Encoded r = at(k);
          return !f.is_zero(r.bits) && !f.is_subnormal(r.bits);
        });
        const int k1 = first_true(f.emax() - e + 1, -kWide, kWide,
                                  [&](int k) { return at(k).flags.has(Flags::overflow); });
        ++tc.k0[slot(k0)];
        ++tc.kn[slot(kn)];
        ++tc.k1[slot(k1)];
        tc.min_k1 = std::min(tc.min_k1, k1);
      }
    }
    return out;
  }

 public:
  std::uint64_t plan_row_ = 1;

 private:
  const TensorMeta& meta_;
  const AuditConfig& cfg_;
  Role role_;
  std::vector<Target> targets_;
  std::vector<const detail::FastPlainTarget*> fast_targets_;  // plain targets with a fast path
  std::vector<std::size_t> fast_index_;                        // ... and their target indices
  std::vector<FormatSpec> sweep_formats_;
  ConvertOptions sweep_opt_{};
  bool needs_values_ = false;  // some row or the sweep reads binary64 values
};

RangeSummary summarize(const detail::RangeScan& scan) {
  // Classified by the magnitude's bits (range_scan.hpp): field 2047 holds infinities and NaNs,
  // field 0 zeros and binary64 subnormals (those kept by binade on the side).
  RangeSummary r;
  r.count = scan.count;
  r.nan = scan.nan;
  r.zero = scan.zero;
  r.inf = scan.field_count(detail::RangeScan::kFields - 1) - scan.nan;
  r.histogram = scan.subnormal_binades;
  for (std::size_t field = 1; field + 1 < detail::RangeScan::kFields; ++field)
    if (const std::uint64_t n = scan.field_count(field)) r.histogram[static_cast<int>(field) - 1023] += n;
  r.amax = std::bit_cast<double>(scan.amax_bits);
  r.min_nonzero = scan.min_bits == ~std::uint64_t{0} ? 0.0 : std::bit_cast<double>(scan.min_bits);
  return r;
}

RangeSummary range_pass(const ValueStream& values) {
  detail::RangeScan scan;
  values([&](std::span<const double> xs) { scan.add(xs); });
  return summarize(scan);
}

LossScaleSweep finish_sweep(const std::vector<FormatSpec>& formats, const std::vector<ThresholdCounts>& tcs,
                            const AuditConfig& cfg) {
  LossScaleSweep s;
  s.min_log2 = cfg.loss_scale_min_log2;
  s.max_log2 = cfg.loss_scale_max_log2;
  for (std::size_t fi = 0; fi < formats.size(); ++fi) {
    const ThresholdCounts& tc = tcs[fi];
    LossScaleFormat lf;
    lf.format = formats[fi].name;
    const double n = tc.nonzero ? double(tc.nonzero) : 1.0;
    for (int k = s.min_log2; k <= s.max_log2; ++k) {
      const std::size_t idx = static_cast<std::size_t>(k - (s.min_log2 - 1));
      std::uint64_t above0 = 0, aboven = 0, below1 = 0;  // #{k0 > k}, #{kn > k}, #{k1 <= k}
      for (std::size_t j = idx + 1; j < tc.k0.size(); ++j) {
        above0 += tc.k0[j];
        aboven += tc.kn[j];
      }
      for (std::size_t j = 0; j <= idx; ++j) below1 += tc.k1[j];
      lf.underflow_frac.push_back(double(above0) / n);
      lf.subnormal_frac.push_back(double(aboven - above0) / n);
      lf.overflow_frac.push_back(double(below1) / n);
    }
    if (tc.nonzero && tc.min_k1 != std::numeric_limits<int>::max()) {
      lf.max_no_overflow_log2 = tc.min_k1 - 1;
      lf.recommended_log2 = tc.min_k1 - 1 - cfg.headroom_binades;
    }
    if (formats[fi].name == "binary16" && lf.max_no_overflow_log2) {
      // torch.amp.GradScaler defaults: init 2^16, growth x2 every 2000 clean steps, backoff /2.
      const int k = *lf.max_no_overflow_log2;
      s.dynamic_settle_log2 = std::min(k, 127);
      s.dynamic_steps_to_settle =
          k >= 16 ? 2000ull * static_cast<std::uint64_t>(std::min(k, 127) - 16) : static_cast<std::uint64_t>(16 - k);
    }
    s.formats.push_back(std::move(lf));
  }
  return s;
}

Recommendation recommend(const std::vector<ResultRow>& rows, const Budget& b) {
  Recommendation best;
  const ResultRow* pick = nullptr;
  for (const ResultRow& r : rows) {
    const ConversionStats& st = r.stats;
    if (st.count == 0) continue;
    const double overflow = double(st.overflow_inf + st.overflow_nan + st.saturated) / double(st.count);
    const std::uint64_t nonzero = st.count - st.zero_in - st.nan_in - st.inf_in;
    const double underflow = nonzero ? double(st.underflow_to_zero) / double(nonzero) : 0.0;
    if (st.rms_rel_err() > b.max_rel_rms || overflow > b.max_overflow || underflow > b.max_underflow_frac)
      continue;
    if (!pick || r.bits_per_element < pick->bits_per_element ||
        (r.bits_per_element == pick->bits_per_element && st.rms_rel_err() < pick->stats.rms_rel_err()))
      pick = &r;
  }
  if (!pick) {
    best.reason = "no candidate meets the budget";
    return best;
  }
  best.met = true;
  best.format = pick->format;
  best.scaling = pick->scaling;
  best.scale_rule = pick->scale_rule;
  best.bits_per_element = pick->bits_per_element;
  best.reason = "narrowest candidate within the budget (rms relative error " +
                std::to_string(pick->stats.rms_rel_err()) + ")";
  return best;
}

// The chunks' partial results, merged in chunk order (the order fixes every bit of the sums).
struct Totals {
  explicit Totals(const Auditor& auditor) {
    for (const Target& t : auditor.targets()) rows.push_back(t.row);
  }
  void merge(const ChunkResult& c) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      ResultRow& r = rows[i];
      const ResultRow& p = c.rows[i];
      r.stats.merge(p.stats);
      r.blocks += p.blocks;
      r.blocks_clipped += p.blocks_clipped;
      r.elements_clipped += p.elements_clipped;
      r.elements_flushed += p.elements_flushed;
      for (const auto& [k, v] : p.scale_exponents) r.scale_exponents[k] += v;
    }
    if (thresholds.empty()) {
      thresholds = c.thresholds;
      return;
    }
    for (std::size_t f = 0; f < thresholds.size(); ++f) {
      ThresholdCounts& t = thresholds[f];
      const ThresholdCounts& p = c.thresholds[f];
      for (std::size_t j = 0; j < t.k0.size(); ++j) {
        t.k0[j] += p.k0[j];
        t.kn[j] += p.kn[j];
        t.k1[j] += p.k1[j];
      }
      t.nonzero += p.nonzero;
      t.min_k1 = std::min(t.min_k1, p.min_k1);
    }
  }
  // The rows, the loss-scale sweep and the recommendation into out.
  void finish(TensorAudit& out, const Auditor& auditor, const AuditConfig& cfg) {
    out.rows = std::move(rows);
    if (!auditor.sweep_formats().empty() && !thresholds.empty())
      out.loss_scale = finish_sweep(auditor.sweep_formats(), thresholds, cfg);
    if (cfg.recommend) out.recommendation = recommend(out.rows, *cfg.recommend);
  }
  std::vector<ResultRow> rows;
  std::vector<ThresholdCounts> thresholds;
};

// Runs job(j, worker) for every j in [0, jobs) on `workers` threads (the caller is worker 0),
// each taking the next j from a shared counter; rethrows the first error once all have stopped
// (the others stop taking jobs).
template <class Job>
void run_jobs(unsigned workers, std::size_t jobs, const Job& job) {
  workers = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, workers), jobs));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::exception_ptr> errors(workers);
  auto work = [&](unsigned w) {
    try {
      for (std::size_t j; !failed.load(std::memory_order_relaxed) && (j = next.fetch_add(1)) < jobs;)
        job(j, w);
    } catch (...) {
      errors[w] = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& th : pool) th.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// A range pass (or its in-pass part) over the binary32 patterns is needed before the
// statistics when a target's scale depends on amax: per-tensor scaling of an 8-bit format,
// NVFP4's tensor scale (with the MX rows).
bool range_needed_first(const AuditConfig& cfg) {
  if (cfg.mx) return true;
  if (!cfg.per_tensor_scaling) return false;
  return std::any_of(cfg.formats.begin(), cfg.formats.end(),
                     [](const FormatSpec& f) { return f.width() <= 8 && f.is_signed; });
}

}  // namespace

TensorAudit audit_tensor(const TensorMeta& meta, const ValueStream& values, const AuditConfig& cfg) {
  TensorAudit out;
  out.meta = meta;
  out.role = cfg.role ? *cfg.role : infer_role(meta.name, meta.file);
  out.range = range_pass(values);

  Auditor auditor(meta, cfg, out.range, out.role);
  ChunkPlan plan(out.range.count, meta.row_length);
  auditor.plan_row_ = plan.row();

  Totals totals(auditor);
  auto merge = [&](const ChunkResult& c) { totals.merge(c); };

  // The values arrive in spans of any size; they are cut into the plan's chunks and gathered
  // into batches. With more than one thread a batch is processed in the background (thread t
  // takes its chunks t, t + threads, ...: several chunks per thread start) while the next one
  // is being filled, and batches are merged in plan order, so the result is the same bits.
  const unsigned threads = std::max(1u, cfg.threads);
  constexpr unsigned kChunksPerThread = 8;
  const unsigned batch_size = threads == 1 ? 1 : threads * kChunksPerThread;
  struct Batch {
    std::vector<std::vector<double>> buffers;
    std::vector<std::uint64_t> starts;
    std::vector<ChunkResult> results;
    unsigned filled = 0;        // complete chunks
    std::uint64_t end = 0;      // elements received when it was complete
  };
  Batch batches[2];
  for (Batch& b : batches) {
    b.buffers.resize(batch_size);
    b.starts.resize(batch_size);
    b.results.resize(batch_size);
  }
  unsigned current = 0;            // the batch being filled
  std::size_t want = plan.next();  // size of the chunk being filled (0: plan exhausted)
  std::uint64_t position = 0;      // elements received
  auto process = [&auditor, threads](Batch& b) {
    const unsigned workers = std::min(threads, b.filled);
    if (workers <= 1) {
      for (unsigned c = 0; c < b.filled; ++c) b.results[c] = auditor.process(b.buffers[c], b.starts[c]);
      return;
    }
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(workers);
    for (unsigned t = 0; t < workers; ++t)
      pool.emplace_back([&, t] {
        try {
          for (unsigned c = t; c < b.filled; c += workers)
            b.results[c] = auditor.process(b.buffers[c], b.starts[c]);
        } catch (...) {
          errors[t] = std::current_exception();
        }
      });
    for (auto& th : pool) th.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  };
  auto merge_batch = [&](Batch& b) {
    for (unsigned c = 0; c < b.filled; ++c) merge(b.results[c]);
    b.filled = 0;
    for (auto& buf : b.buffers) buf.clear();
    if (cfg.on_progress) cfg.on_progress(b.end);
  };
  // Declared after the batches: its destructor waits for the background work that uses them.
  std::future<void> in_flight;
  unsigned in_flight_batch = 0;
  auto finish_in_flight = [&] {
    if (!in_flight.valid()) return;
    in_flight.get();  // rethrows the batch's error
    merge_batch(batches[in_flight_batch]);
  };
  auto run_batch = [&] {
    Batch& b = batches[current];
    if (b.filled == 0) return;
    b.end = position;
    if (threads == 1) {
      process(b);
      merge_batch(b);
      return;
    }
    finish_in_flight();
    in_flight = std::async(std::launch::async, [&process, &b] { process(b); });
    in_flight_batch = current;
    current ^= 1;
  };
  auto too_many = [&] {
    return std::runtime_error(meta.file + ": " + meta.name + ": the second pass produced more than the " +
                              std::to_string(out.range.count) + " elements of the first");
  };
  values([&](std::span<const double> xs) {
    while (!xs.empty()) {
      if (want == 0) throw too_many();
      Batch& b = batches[current];
      std::vector<double>& buf = b.buffers[b.filled];
      if (buf.empty()) b.starts[b.filled] = position;
      const std::size_t take = std::min(xs.size(), want - buf.size());
      buf.insert(buf.end(), xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(take));
      xs = xs.subspan(take);
      position += take;
      if (buf.size() == want) {
        ++b.filled;
        want = plan.next();
        if (b.filled == batch_size) run_batch();
      }
    }
  });
  run_batch();
  finish_in_flight();
  if (want != 0)
    throw std::runtime_error(meta.file + ": " + meta.name + ": data ended at element " + std::to_string(position) +
                             " of " + std::to_string(out.range.count) + " in the second pass");
  totals.finish(out, auditor, cfg);
  return out;
}

TensorAudit audit_tensor_binary32(const TensorMeta& meta, const Binary32Reader& read,
                                  const AuditConfig& cfg, const Binary32Done& done) {
  TensorAudit out;
  out.meta = meta;
  out.role = cfg.role ? *cfg.role : infer_role(meta.name, meta.file);
  const unsigned threads = std::max(1u, cfg.threads);

  // The chunks (the same plan as audit_tensor's, so the same partial sums), taken in batches:
  // the workers share a batch's chunks (whoever is free takes the next), each result lands in
  // its chunk's slot, and slots are merged in plan order. The caller's thread is a worker.
  ChunkPlan plan(meta.count, meta.row_length);
  // 64 chunks (8 MiB of binary32) per thread: the workers wait for each other once per batch.
  const std::size_t batch_size = std::size_t{64} * threads;
  struct Span {
    std::uint64_t first;
    std::size_t n;
  };
  auto next_batch = [&](ChunkPlan& p, std::uint64_t& position) {
    std::vector<Span> b;
    for (std::size_t n; b.size() < batch_size && (n = p.next()) != 0; position += n)
      b.push_back({position, n});
    return b;
  };
  // Each worker's chunk buffer, thread-local so that it is not allocated per chunk (the calling
  // thread keeps its own across batches; the other workers are started per batch, and with 64
  // chunks each that costs nothing measurable: 2 threads used the CPU time of 1, 0.39 s).
  auto chunk = [&read](const Span& c) {
    thread_local std::vector<std::uint32_t> buf;
    buf.resize(c.n);
    read(c.first, c.n, buf.data());
    return std::span<const std::uint32_t>(buf.data(), c.n);
  };

  const bool range_first = range_needed_first(cfg);
  std::vector<detail::RangeScan> scans(threads);  // per worker; merged (order-free) at the end
  if (range_first) {
    ChunkPlan p(meta.count, meta.row_length);
    std::uint64_t position = 0;
    for (std::vector<Span> b; !(b = next_batch(p, position)).empty();) {
      run_jobs(threads, b.size(), [&](std::size_t j, unsigned w) {
        const std::span<const std::uint32_t> bits = chunk(b[j]);
        scans[w].add_binary32(bits.data(), bits.size());
      });
      if (done) done(b.front().first, position);
    }
    for (unsigned w = 1; w < threads; ++w) scans[0].merge(scans[w]);
    out.range = summarize(scans[0]);
  }

  Auditor auditor(meta, cfg, out.range, out.role);
  auditor.plan_row_ = plan.row();
  Totals totals(auditor);
  std::vector<ChunkResult> results(batch_size);
  std::uint64_t position = 0;
  for (std::vector<Span> b; !(b = next_batch(plan, position)).empty();) {
    run_jobs(threads, b.size(), [&](std::size_t j, unsigned w) {
      const std::span<const std::uint32_t> bits = chunk(b[j]);
      if (!range_first) scans[w].add_binary32(bits.data(), bits.size());
      results[j] = auditor.process_binary32(bits, b[j].first);
    });
    for (std::size_t j = 0; j < b.size(); ++j) totals.merge(results[j]);
    if (done) done(b.front().first, position);
    if (cfg.on_progress) cfg.on_progress(position);
  }
  if (!range_first) {
    for (unsigned w = 1; w < threads; ++w) scans[0].merge(scans[w]);
    out.range = summarize(scans[0]);
  }
  totals.finish(out, auditor, cfg);
  return out;
}

}  // namespace fpaudit::audit
