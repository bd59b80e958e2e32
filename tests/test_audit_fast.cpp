// The audit's fast plain rows (src/audit/plain_rows_fast.cpp: bulk kernels, a decode table and
// reordered-but-equivalent accumulation) against the element-by-element path they replace.
//
// Oracle: ConversionStats::add called per element with convert_double() and to_double() (the
// scalar reference path), over the audit's fixed 32768-element chunks merged in order, exactly
// as tensor_audit.cpp did before the fast path. Every counter must be equal and every double
// bit-identical, for every kernel variant and thread count.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "../src/audit/plain_rows_fast.hpp"
#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/report/audit_report.hpp"

namespace fpaudit::audit {
namespace {

constexpr std::size_t kChunk = 32768;  // tensor_audit.cpp's chunk size

std::vector<double> inputs(std::size_t n) {
  // Mostly the "normal" set (N(0,1) x 2^e, e in -8..8), with random bit patterns (NaN, inf,
  // binary32 subnormals, huge values), exact zeros of both signs, and values at and beyond the
  // targets' largest finite values mixed in.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> nd;
  std::uniform_int_distribution<int> ed(-8, 8);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng() % 8) {
      case 0:
        v[i] = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
        break;
      case 1:
        v[i] = (rng() & 1) ? -0.0 : 0.0;
        break;
      case 2:
        v[i] = (rng() & 1 ? -1 : 1) *
               std::ldexp(1.0 + double(rng() % 64) / 64, static_cast<int>(rng() % 20) - 2) * 448 /
               4;
        break;
      default:
        v[i] = static_cast<float>(std::ldexp(nd(rng), ed(rng)));
    }
  }
  return v;
}

ConversionStats reference(const FormatSpec& f, const std::vector<double>& xs,
                          const ConvertOptions& opt) {
  ConversionStats total;
  for (std::size_t c = 0; c < xs.size(); c += kChunk) {
    ConversionStats part;
    for (std::size_t i = c; i < std::min(xs.size(), c + kChunk); ++i) {
      const Encoded r = convert_double(xs[i], f, opt, i);
      part.add(f, xs[i], r, to_double(f, r.bits));
    }
    total.merge(part);
  }
  return total;
}

void expect_same(const ConversionStats& a, const ConversionStats& b) {
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.nan_in, b.nan_in);
  EXPECT_EQ(a.inf_in, b.inf_in);
  EXPECT_EQ(a.zero_in, b.zero_in);
  EXPECT_EQ(a.exact, b.exact);
  EXPECT_EQ(a.inexact, b.inexact);
  EXPECT_EQ(a.overflow_inf, b.overflow_inf);
  EXPECT_EQ(a.overflow_nan, b.overflow_nan);
  EXPECT_EQ(a.saturated, b.saturated);
  EXPECT_EQ(a.underflow_to_zero, b.underflow_to_zero);
  EXPECT_EQ(a.subnormal_out, b.subnormal_out);
  EXPECT_EQ(a.err_count, b.err_count);
  EXPECT_EQ(a.rel_count, b.rel_count);
  for (auto [x, y, name] : {std::tuple{a.max_abs_err, b.max_abs_err, "max_abs_err"},
                            std::tuple{a.sum_abs_err, b.sum_abs_err, "sum_abs_err"},
                            std::tuple{a.max_rel_err, b.max_rel_err, "max_rel_err"},
                            std::tuple{a.sum_sq_rel_err, b.sum_sq_rel_err, "sum_sq_rel_err"},
                            std::tuple{a.max_ulp_err, b.max_ulp_err, "max_ulp_err"},
                            std::tuple{a.signal_power, b.signal_power, "signal_power"},
                            std::tuple{a.noise_power, b.noise_power, "noise_power"}})
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x), std::bit_cast<std::uint64_t>(y))
        << name << ": " << x << " vs " << y;
}

// The inputs as binary32 patterns (every value above is a binary32 or a NaN).
std::vector<std::uint32_t> patterns(const std::vector<double>& xs) {
  std::vector<std::uint32_t> p(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i)
    p[i] = std::bit_cast<std::uint32_t>(static_cast<float>(xs[i]));
  return p;
}

Binary32Reader reader_of(const std::vector<std::uint32_t>& p) {
  return [&p](std::uint64_t first, std::size_t n, std::uint32_t* dst) {
    std::memcpy(dst, p.data() + first, n * sizeof(std::uint32_t));
  };
}

TEST(AuditFast, PlainRowsEqualTheElementwisePath) {
  const std::vector<double> xs = inputs(3 * kChunk + 1234);
  const std::vector<std::string> names = {"binary16",         "bfloat16",      "float8_e4m3fn",
                                          "float8_e5m2",      "float4_e2m1fn", "float8_e4m3fnuz",
                                          "e3m4:fnuz:bias=5", "e5m2:fn:nosub"};
  std::vector<ConvertOptions> opts(5);
  opts[1].rounding = Rounding::sr;
  opts[1].seed = 99;
  opts[2].overflow = Overflow::saturate;
  opts[2].rounding = Rounding::rtz;
  opts[3].subnormals = {true, true};
  opts[4].rounding = Rounding::rup;
  opts[4].tininess = Tininess::before_rounding;
  for (const ConvertOptions& opt : opts) {
    AuditConfig cfg;
    for (const auto& n : names) cfg.formats.push_back(format_by_name(n));
    cfg.options = opt;
    cfg.role = Role::weight;
    cfg.per_tensor_scaling = false;
    cfg.mx = false;
    std::vector<ConversionStats> want;
    for (const FormatSpec& f : cfg.formats) want.push_back(reference(f, xs, opt));
    TensorMeta meta;
    meta.name = "t";
    meta.count = xs.size();
    meta.shape = {xs.size()};
    meta.row_length = xs.size();
    const ValueStream values = [&](const ValueSink& sink) { sink(std::span<const double>(xs)); };
    const std::vector<std::uint32_t> bits = patterns(xs);
    for (KernelIsa k : {KernelIsa::scalar, KernelIsa::avx2, KernelIsa::avx512}) {
      if (!kernel_available(k)) continue;
      set_kernel_override(k);
      for (unsigned threads : {1u, 2u, 3u}) {
        cfg.threads = threads;
        // Both entry points: binary64 values, and binary32 patterns read by position.
        for (const bool binary32 : {false, true}) {
          const TensorAudit got = binary32 ? audit_tensor_binary32(meta, reader_of(bits), cfg)
                                           : audit_tensor(meta, values, cfg);
          ASSERT_EQ(got.rows.size(), cfg.formats.size());
          for (std::size_t i = 0; i < cfg.formats.size(); ++i) {
            SCOPED_TRACE(names[i] + " " + std::string(to_string(opt.rounding)) + " kernel " +
                         std::string(to_string(k)) + " threads " + std::to_string(threads) +
                         (binary32 ? " binary32" : " binary64"));
            expect_same(got.rows[i].stats, want[i]);
          }
        }
      }
    }
    set_kernel_override(std::nullopt);
  }
}

// Chunk boundaries and extreme mixes through the binary32 path: tensors of 1, 7, 8 elements, one
// short of, exactly, and one past a chunk, two chunks and a bit; all zeros, all NaN and
// infinities, all binary32 subnormals, all beyond E4M3's range. Oracle: as above, add() per
// element over the fixed chunks.
TEST(AuditFast, Binary32PathAtChunkBoundariesAndExtremes) {
  const std::vector<std::string> names = {"binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2"};
  std::mt19937_64 rng(5);
  std::vector<std::vector<double>> cases;
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{8}, kChunk - 1, kChunk,
                        kChunk + 1, 2 * kChunk + 17})
    cases.push_back(inputs(n));
  auto filled = [&](std::size_t n, auto gen) {
    std::vector<double> v(n);
    for (double& x : v) x = gen();
    return v;
  };
  cases.push_back(filled(kChunk + 9, [&] { return (rng() & 1) ? -0.0 : 0.0; }));
  cases.push_back(filled(kChunk + 9, [&] {
    return (rng() & 1) ? std::numeric_limits<double>::quiet_NaN()
                       : ((rng() & 1) ? -HUGE_VAL : HUGE_VAL);
  }));
  cases.push_back(filled(kChunk + 9, [&] {  // binary32 subnormals (field 0), both signs
    return double(std::bit_cast<float>(static_cast<std::uint32_t>(rng() & 0x807fffffu) | 1u));
  }));
  cases.push_back(filled(kChunk + 9, [&] {  // beyond 448 and 57344, up to binary32's max
    return (rng() & 1 ? -1.0 : 1.0) * double(std::bit_cast<float>(static_cast<std::uint32_t>(
                                          0x43e00001u + rng() % (0x7f7fffffu - 0x43e00001u))));
  }));
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const std::vector<double>& xs = cases[ci];
    const std::vector<std::uint32_t> bits = patterns(xs);
    AuditConfig cfg;
    for (const auto& n : names) cfg.formats.push_back(format_by_name(n));
    cfg.role = Role::weight;
    cfg.per_tensor_scaling = false;
    cfg.mx = false;
    TensorMeta meta;
    meta.name = "t";
    meta.count = xs.size();
    meta.shape = {xs.size()};
    meta.row_length = xs.size();
    for (KernelIsa k : {KernelIsa::scalar, KernelIsa::avx512}) {
      if (!kernel_available(k)) continue;
      set_kernel_override(k);
      for (unsigned threads : {1u, 2u}) {
        cfg.threads = threads;
        const TensorAudit got = audit_tensor_binary32(meta, reader_of(bits), cfg);
        ASSERT_EQ(got.rows.size(), names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
          SCOPED_TRACE("case " + std::to_string(ci) + " (" + std::to_string(xs.size()) +
                       " values) " + names[i] + " kernel " + std::string(to_string(k)) +
                       " threads " + std::to_string(threads));
          expect_same(got.rows[i].stats, reference(cfg.formats[i], xs, cfg.options));
        }
      }
    }
    set_kernel_override(std::nullopt);
  }
}

// The whole audit (range, every row: per-tensor and MX scaling, the loss-scale sweep of a
// gradient, the recommendation) through the binary32 path against the binary64 path, which
// the tests above and test_audit_stats hold to add() and the references. Oracle: the JSON
// text audit_json writes (every field, the numbers with 17 significant digits) and every bit of
// every row's statistics. Covers the range pass run first (scaling needs amax) and the
// values widened for the rows that take binary64.
TEST(AuditFast, Binary32PathEqualsBinary64PathWithScalingAndSweep) {
  const std::vector<double> xs = inputs(2 * kChunk + 100);
  const std::vector<std::uint32_t> bits = patterns(xs);
  const ValueStream values = [&](const ValueSink& sink) { sink(std::span<const double>(xs)); };
  TensorMeta meta;
  meta.name = "layer.grad";
  meta.count = xs.size();
  meta.shape = {xs.size() / 100, 100};
  meta.row_length = 100;
  for (const bool scaled : {false, true}) {
    AuditConfig cfg;
    for (const char* n : {"binary16", "float8_e4m3fn", "float8_e5m2"})
      cfg.formats.push_back(format_by_name(n));
    cfg.per_tensor_scaling = scaled;
    cfg.mx = scaled;
    cfg.recommend = Budget{};
    for (unsigned threads : {1u, 2u}) {
      cfg.threads = threads;
      const TensorAudit a = audit_tensor(meta, values, cfg);
      const TensorAudit b = audit_tensor_binary32(meta, reader_of(bits), cfg);
      SCOPED_TRACE(std::string(scaled ? "scaled" : "plain") + " threads " +
                   std::to_string(threads));
      ASSERT_EQ(a.rows.size(), b.rows.size());
      for (std::size_t i = 0; i < a.rows.size(); ++i) expect_same(a.rows[i].stats, b.rows[i].stats);
      ASSERT_TRUE(b.loss_scale.has_value());
      EXPECT_EQ(report::audit_json({a}, cfg, {}), report::audit_json({b}, cfg, {}));
    }
  }
}

// Which targets the terms kernel decodes by widening a binary32 / binary16 pattern instead of a
// table gather (plain_rows_fast.hpp): decided from the decode table alone. Oracle: the formats'
// definitions (bfloat16 = binary32's upper 16 bits, E5M2 = binary16's upper 8 bits, OCP OFP8
// 5.1; E4M3 and a no-subnormal E5M2 are neither). The widened values themselves are held to
// add() by the tests above.
TEST(AuditFast, PrefixDecodeIsChosenFromTheTable) {
  using D = detail::FastPlainTarget::Decode;
  const ConvertOptions opt;
  for (auto [name, want, shift] :
       {std::tuple{"bfloat16", D::binary32_prefix, 16},
        std::tuple{"binary16", D::binary16_prefix, 0},
        std::tuple{"float8_e5m2", D::binary16_prefix, 8}, std::tuple{"float8_e4m3fn", D::table, 0},
        std::tuple{"e5m2:fn:nosub", D::table, 0}}) {
    const detail::FastPlainTarget t(format_by_name(name), opt);
    ASSERT_TRUE(t.supported()) << name;
    EXPECT_EQ(t.decode(), want) << name;
    if (want != D::table) {
      EXPECT_EQ(t.decode_shift(), shift) << name;
    }
  }
}

// The documented order of the four sums (conversion_stats.hpp, kSumLanes): element i of a
// ConversionStats goes to lane i mod 8, the lanes are combined as ((l0+l1)+(l2+l3))+((l4+l5)+
// (l6+l7)), and merged objects add in merge order. Oracle: that formula written out here with
// plain loops over the error terms.
TEST(AuditFast, SumsFollowTheDocumentedLaneOrder) {
  const FormatSpec f = format_by_name("binary16");
  std::mt19937_64 rng(3);
  std::normal_distribution<double> nd;
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{1003}}) {
    ConversionStats st;
    double lane_err[8] = {}, lane_x2[8] = {}, lane_e2[8] = {}, lane_r2[8] = {};
    for (std::size_t i = 0; i < n; ++i) {
      const double x = std::ldexp(nd(rng), static_cast<int>(rng() % 40) - 20);
      const double q = static_cast<float>(x * (1 + 1e-3 * nd(rng)));
      st.add(f, x, Encoded{0x3c00, Flags::inexact}, q);
      const double err = std::fabs(x - q), rel = err / std::fabs(x);
      lane_err[i % 8] += err;
      lane_x2[i % 8] += x * x;
      lane_e2[i % 8] += err * err;
      lane_r2[i % 8] += rel * rel;
    }
    auto combine = [](const double* l) {
      return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
    };
    ConversionStats total;
    total.merge(st);
    total.merge(st);
    for (auto [got, lanes, name] : {std::tuple{total.sum_abs_err, lane_err, "sum_abs_err"},
                                    std::tuple{total.signal_power, lane_x2, "signal_power"},
                                    std::tuple{total.noise_power, lane_e2, "noise_power"},
                                    std::tuple{total.sum_sq_rel_err, lane_r2, "sum_sq_rel_err"}}) {
      const double one = combine(lanes);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(got), std::bit_cast<std::uint64_t>(one + one))
          << name << " n=" << n;
    }
    EXPECT_EQ(std::bit_cast<std::uint64_t>(st.mean_abs_err()),
              std::bit_cast<std::uint64_t>(combine(lane_err) / double(n)));
  }
}

// The range oracle: one value classified with <cmath> (isnan, isinf, fabs, ilogb).
void classify_into(RangeSummary& want, double x) {
  ++want.count;
  if (std::isnan(x)) {
    ++want.nan;
  } else if (std::isinf(x)) {
    ++want.inf;
  } else if (x == 0) {
    ++want.zero;
  } else {
    want.amax = std::max(want.amax, std::fabs(x));
    if (want.min_nonzero == 0 || std::fabs(x) < want.min_nonzero) want.min_nonzero = std::fabs(x);
    ++want.histogram[std::ilogb(x)];
  }
}

void expect_same_range(const RangeSummary& got, const RangeSummary& want) {
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.nan, want.nan);
  EXPECT_EQ(got.inf, want.inf);
  EXPECT_EQ(got.zero, want.zero);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(got.amax), std::bit_cast<std::uint64_t>(want.amax));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(got.min_nonzero),
        std::bit_cast<std::uint64_t>(want.min_nonzero));
  EXPECT_EQ(got.histogram, want.histogram);
}

// The range pass (range_scan.cpp, portable and AVX-512) against a classification of each value
// with <cmath> (isnan, isinf, fabs, ilogb), on binary64 values of every class, binary64
// subnormals included, in spans whose lengths are not multiples of 8.
TEST(AuditFast, RangePassEqualsClassification) {
  std::mt19937_64 rng(11);
  std::vector<double> xs(100003);
  for (double& x : xs) {
    switch (rng() % 6) {
      case 0:
        x = std::bit_cast<double>(rng());
        break;  // any pattern
      case 1:
        x = std::bit_cast<double>(rng() & 0x800fffffffffffffULL);
        break;  // subnormal / 0
      case 2:
        x = (rng() & 1) ? -0.0 : 0.0;
        break;
      case 3:
        x = (rng() & 1) ? -HUGE_VAL : std::numeric_limits<double>::quiet_NaN();
        break;
      default:
        x = std::ldexp(double(rng() >> 11), static_cast<int>(rng() % 200) - 150);
    }
  }
  RangeSummary want;
  for (const double x : xs) classify_into(want, x);
  TensorMeta meta;
  meta.name = "t";
  meta.count = xs.size();
  meta.shape = {xs.size()};
  meta.row_length = xs.size();
  const ValueStream values = [&](const ValueSink& sink) {
    for (std::size_t i = 0; i < xs.size(); i += 4099)
      sink(std::span<const double>(xs).subspan(i, std::min<std::size_t>(4099, xs.size() - i)));
  };
  AuditConfig cfg;
  cfg.formats.push_back(format_by_name("binary16"));
  cfg.role = Role::weight;
  cfg.per_tensor_scaling = false;
  cfg.mx = false;
  for (KernelIsa k : {KernelIsa::scalar, KernelIsa::avx512}) {
    if (!kernel_available(k)) continue;
    set_kernel_override(k);
    const RangeSummary got = audit_tensor(meta, values, cfg).range;
    SCOPED_TRACE(std::string(to_string(k)));
    expect_same_range(got, want);
  }
  set_kernel_override(std::nullopt);
}

// The range from binary32 patterns (range_scan.cpp's add_binary32, portable and AVX-512, in the
// statistics pass and in a pass of its own) against the same classification with <cmath> of
// the values widened: every binary32 class, subnormals of every binade included, a length that
// is not a multiple of 16, 1 and 2 threads.
TEST(AuditFast, Binary32RangeEqualsClassification) {
  std::mt19937_64 rng(13);
  std::vector<std::uint32_t> bits(3 * kChunk + 4099);
  for (std::uint32_t& b : bits) {
    switch (rng() % 5) {
      case 0:
        b = static_cast<std::uint32_t>(rng());
        break;  // any pattern
      case 1:
        b = static_cast<std::uint32_t>(rng() >> (rng() % 32)) & 0x807fffffu;
        break;  // subnormal / 0
      case 2:
        b = (rng() & 1) ? 0x80000000u : 0u;
        break;
      case 3:
        b = (rng() & 1) ? 0xff800000u : 0x7fc00001u;
        break;
      default:
        b = std::bit_cast<std::uint32_t>(
            static_cast<float>(std::ldexp(double(rng() >> 40), int(rng() % 60) - 40)));
    }
  }
  RangeSummary want;
  for (const std::uint32_t b : bits) classify_into(want, std::bit_cast<float>(b));
  ASSERT_LT(want.histogram.begin()->first, -126);  // binary32 subnormals are in the data
  TensorMeta meta;
  meta.name = "t";
  meta.count = bits.size();
  meta.shape = {bits.size()};
  meta.row_length = bits.size();
  for (const bool range_first : {false, true}) {
    AuditConfig cfg;
    cfg.formats.push_back(format_by_name(range_first ? "float8_e4m3fn" : "binary16"));
    cfg.role = Role::weight;
    cfg.per_tensor_scaling = range_first;  // amax scaling of an 8-bit format: range pass first
    cfg.mx = false;
    for (KernelIsa k : {KernelIsa::scalar, KernelIsa::avx512}) {
      if (!kernel_available(k)) continue;
      set_kernel_override(k);
      for (unsigned threads : {1u, 2u}) {
        cfg.threads = threads;
        const RangeSummary got = audit_tensor_binary32(meta, reader_of(bits), cfg).range;
        SCOPED_TRACE(std::string(to_string(k)) + " threads " + std::to_string(threads) +
                     (range_first ? " range first" : " in the statistics pass"));
        expect_same_range(got, want);
      }
    }
    set_kernel_override(std::nullopt);
  }
}

}  // namespace
}  // namespace fpaudit::audit
