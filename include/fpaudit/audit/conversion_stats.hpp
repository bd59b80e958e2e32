// What one conversion (a tensor into a format under one policy) does to the values: counts by
// outcome and error statistics. Mergeable: partial results of fixed-size chunks are merged in
// chunk order, so the totals do not depend on how many threads produced them.
#pragma once

#include <array>
#include <cstdint>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::audit {

// The four sums (|err|, x^2, err^2, rel^2) are defined in a fixed order that vectorises:
// within one ConversionStats that receives add() calls (in the audit: one chunk of 32768
// elements), element number i (counted by `count` before it) is added to lane i mod 8 of a
// partial sum; the eight lanes are combined as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))
// when the chunk is merged (merge(), or the accessors), and chunks are merged in chunk order.
// The order depends on neither the thread count nor the kernel variant.
inline constexpr int kSumLanes = 8;

struct LaneSum {
  std::array<double, kSumLanes> lane{};  // all +0: adding +0 to a lane changes no bit
  double total() const {
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) +
           ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  }
};

struct ConversionStats {
  // ---- counts ----
  std::uint64_t count = 0;              // elements seen
  std::uint64_t nan_in = 0;             // NaN inputs
  std::uint64_t inf_in = 0;             // infinite inputs
  std::uint64_t zero_in = 0;            // +-0 inputs
  std::uint64_t exact = 0;              // finite inputs represented exactly
  std::uint64_t inexact = 0;            // finite inputs that were rounded
  std::uint64_t overflow_inf = 0;       // finite input became infinity
  std::uint64_t overflow_nan = 0;       // finite input became NaN (formats without infinity)
  std::uint64_t saturated = 0;          // finite input clamped to max finite
  std::uint64_t underflow_to_zero = 0;  // nonzero finite input became zero
  std::uint64_t subnormal_out = 0;      // results that are subnormal
  // ---- error accumulators, over finite inputs with finite results ----
  // The sums below hold merged chunks; the lanes hold the chunk being added to (see kSumLanes).
  double max_abs_err = 0;
  double sum_abs_err = 0;
  std::uint64_t err_count = 0;  // elements in the error statistics
  double max_rel_err = 0;       // over nonzero inputs
  double sum_sq_rel_err = 0;
  std::uint64_t rel_count = 0;
  double max_ulp_err = 0;   // |x - q| in units of the target's ulp at x
  double signal_power = 0;  // sum x^2
  double noise_power = 0;   // sum (x - q)^2
  LaneSum lanes_abs_err, lanes_sq_rel_err, lanes_signal, lanes_noise;

  // Records one element: x the exact input (as binary64, which holds every auditable input
  // exactly), r the encoding of x * scale in `target`, q the result brought back to x's scale
  // (decoded / scale). Ulp errors are measured in the scaled domain, where the format's grid is.
  void add(const FormatSpec& target, double x, const Encoded& r, double q, double scale = 1.0);
  // Adds other (its lanes combined first) to this (its own lanes combined first).
  void merge(const ConversionStats& other);
  // Combines the lanes into the sums (sum += combined lanes; lanes = 0).
  void fold_lanes();

  // The sums including the lanes not yet folded.
  double total_abs_err() const { return sum_abs_err + lanes_abs_err.total(); }
  double total_sq_rel_err() const { return sum_sq_rel_err + lanes_sq_rel_err.total(); }
  double total_signal_power() const { return signal_power + lanes_signal.total(); }
  double total_noise_power() const { return noise_power + lanes_noise.total(); }

  double mean_abs_err() const { return err_count ? total_abs_err() / double(err_count) : 0.0; }
  double rms_rel_err() const;
  double sqnr_db() const;  // +inf when there is no error at all
};

// The target's ulp at |x| (IEEE 754-2019 2.1: quantum of x's binade, clamped at the subnormal
// quantum and at the largest binade).
double ulp_at(const FormatSpec& f, double x);

}  // namespace fpaudit::audit
