// Oracle: counts and errors worked out by hand from the format tables (binary16: max 65504,
// min subnormal 2^-24, min normal 2^-14) and written literally; the loss-scale thresholds from the
// same table by hand; determinism by comparing the JSON of 1 and 2 threads byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/report/audit_report.hpp"

using namespace fpaudit;
using namespace fpaudit::audit;

namespace {

// Streams the vector in spans of at most `max_span` values, as a file reader would.
ValueStream stream_of(const std::vector<double>& v, std::size_t max_span = 1000) {
  return [&v, max_span](const ValueSink& sink) {
    for (std::size_t i = 0; i < v.size(); i += max_span)
      sink(std::span<const double>(v).subspan(i, std::min(max_span, v.size() - i)));
  };
}

TensorAudit run(const std::vector<double>& values, AuditConfig cfg, const std::string& name = "t",
                std::uint64_t row = 0) {
  TensorMeta meta{"mem", name, "f8", {values.size()}, values.size(), row ? row : values.size()};
  return audit_tensor(meta, stream_of(values), cfg);
}

AuditConfig plain(const char* format) {
  AuditConfig cfg;
  cfg.formats = {format_by_name(format)};
  cfg.per_tensor_scaling = false;
  cfg.mx = false;
  return cfg;
}

}  // namespace

TEST(AuditStats, HandCountedBinary16) {
  const std::vector<double> v = {1.0, 1e-9, 70000.0, -3.14159, NAN, INFINITY, 0.0, 0x1p-20};
  const TensorAudit t = run(v, plain("f16"));
  ASSERT_EQ(t.rows.size(), 1u);
  const ConversionStats& s = t.rows[0].stats;
  EXPECT_EQ(s.count, 8u);
  EXPECT_EQ(s.nan_in, 1u);
  EXPECT_EQ(s.inf_in, 1u);
  EXPECT_EQ(s.zero_in, 1u);
  EXPECT_EQ(s.exact, 3u);              // 1.0, 0, 2^-20
  EXPECT_EQ(s.inexact, 2u);            // 1e-9, -3.14159
  EXPECT_EQ(s.overflow_inf, 1u);       // 70000 > 65520 (max + half ulp)
  EXPECT_EQ(s.overflow_nan, 0u);
  EXPECT_EQ(s.saturated, 0u);
  EXPECT_EQ(s.underflow_to_zero, 1u);  // 1e-9 < 2^-25
  EXPECT_EQ(s.subnormal_out, 1u);      // 2^-20
  // -3.14159 -> -3.140625 (0xC248), the largest error.
  EXPECT_EQ(s.max_abs_err, 3.14159 - 3.140625);
  EXPECT_EQ(s.max_rel_err, 1.0);  // 1e-9 -> 0
  // ulps at 3.14159: 2^(1-10); at 1e-9 the subnormal ulp 2^-24.
  EXPECT_DOUBLE_EQ(s.max_ulp_err, (3.14159 - 3.140625) / 0x1p-9);
  const double sig = 1.0 + 1e-18 + 3.14159 * 3.14159 + 0x1p-40;
  const double noise = 1e-18 + (3.14159 - 3.140625) * (3.14159 - 3.140625);
  EXPECT_DOUBLE_EQ(s.sqnr_db(), 10 * std::log10(sig / noise));
  EXPECT_EQ(t.range.amax, 70000.0);
  EXPECT_EQ(t.range.min_nonzero, 1e-9);
  EXPECT_EQ(t.range.histogram.at(0), 1u);    // 1.0
  EXPECT_EQ(t.range.histogram.at(16), 1u);   // 70000 in [2^16, 2^17)
  EXPECT_EQ(t.range.histogram.at(1), 1u);    // 3.14
  EXPECT_EQ(t.range.histogram.at(-30), 1u);  // 1e-9 in [2^-30, 2^-29)
  EXPECT_EQ(t.range.histogram.at(-20), 1u);
}

TEST(AuditStats, SaturationAndNanOverflowAreSeparated) {
  const std::vector<double> v = {500.0, -1000.0, 448.0, 464.0};
  const TensorAudit nan_policy = run(v, plain("e4m3"));
  EXPECT_EQ(nan_policy.rows[0].stats.overflow_nan, 2u);  // 500, -1000 -> NaN (OFP8 non-saturating)
  EXPECT_EQ(nan_policy.rows[0].stats.exact, 1u);         // 448
  EXPECT_EQ(nan_policy.rows[0].stats.inexact, 1u);       // 464 -> 448 (tie to even)
  AuditConfig sat = plain("e4m3");
  sat.options.overflow = Overflow::saturate;
  const TensorAudit s = run(v, sat);
  EXPECT_EQ(s.rows[0].stats.saturated, 2u);
  EXPECT_EQ(s.rows[0].stats.overflow_nan, 0u);
  EXPECT_EQ(s.rows[0].stats.max_abs_err, 1000.0 - 448.0);
}

TEST(AuditStats, LossScaleSweepThresholdsByHand) {
  // Every element 2^-30. In binary16, 2^(k-30) is nonzero from k = 6 (k = 5 gives 2^-25, the
  // tie between 0 and 2^-24, which goes to the even 0), normal from k = 16 (2^-14), and
  // overflows from k = 46 (2^16 > 65520).
  const std::vector<double> v(100, 0x1p-30);
  AuditConfig cfg = plain("f16");
  cfg.loss_scale_min_log2 = 0;
  cfg.loss_scale_max_log2 = 50;
  const TensorAudit t = run(v, cfg, "layer.weight.grad");
  EXPECT_EQ(t.role, Role::grad);
  ASSERT_TRUE(t.loss_scale.has_value());
  const LossScaleFormat& f16 = t.loss_scale->formats.at(0);
  EXPECT_EQ(f16.format, "binary16");
  for (int k = 0; k <= 50; ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(f16.underflow_frac[k], k <= 5 ? 1.0 : 0.0);
    EXPECT_EQ(f16.subnormal_frac[k], (k >= 6 && k <= 15) ? 1.0 : 0.0);
    EXPECT_EQ(f16.overflow_frac[k], k >= 46 ? 1.0 : 0.0);
  }
  EXPECT_EQ(f16.max_no_overflow_log2, 45);
  EXPECT_EQ(f16.recommended_log2, 44);
  EXPECT_EQ(t.loss_scale->dynamic_settle_log2, 45);
  EXPECT_EQ(t.loss_scale->dynamic_steps_to_settle, 2000u * 29u);
  // E4M3 (OFP8): min subnormal 2^-9, so nonzero from 2^(k-30) > 2^-10, i.e. k >= 21;
  // normal from 2^-6 (k = 24); overflow from 512 > 464 (k = 39).
  const LossScaleFormat& e4m3 = t.loss_scale->formats.at(2);
  EXPECT_EQ(e4m3.format, "float8_e4m3fn");
  EXPECT_EQ(e4m3.underflow_frac[20], 1.0);
  EXPECT_EQ(e4m3.underflow_frac[21], 0.0);
  EXPECT_EQ(e4m3.subnormal_frac[23], 1.0);
  EXPECT_EQ(e4m3.subnormal_frac[24], 0.0);
  EXPECT_EQ(e4m3.max_no_overflow_log2, 38);
}

TEST(AuditStats, ByteIdenticalJsonWithOneAndTwoThreads) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n(0, 1);
  std::vector<double> v(150000);
  for (double& x : v) x = n(rng) * std::ldexp(1.0, static_cast<int>(rng() % 24) - 12);
  AuditConfig cfg;
  cfg.formats = {format_by_name("bf16"), format_by_name("f16"), format_by_name("e4m3"), format_by_name("e5m2")};
  cfg.options.rounding = Rounding::sr;  // stochastic too: indices, not threads, pick the bits
  cfg.options.seed = 11;
  cfg.threads = 1;
  const TensorAudit one = run(v, cfg, "x.grad", 96);
  cfg.threads = 2;
  const TensorAudit two = run(v, cfg, "x.grad", 96);
  EXPECT_EQ(report::audit_json({one}, cfg, {}), report::audit_json({two}, cfg, {}));
}
