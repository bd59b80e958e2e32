#include "fpaudit/audit/conversion_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fpaudit::audit {

double ulp_at(const FormatSpec& f, double x) {
  const double a = std::fabs(x);
  int e = f.emin();
  if (a >= std::ldexp(1.0, f.emin())) e = std::ilogb(a);
  e = std::min(e, f.emax());
  return std::ldexp(1.0, e - f.mantissa_bits);
}

void ConversionStats::add(const FormatSpec& target, double x, const Encoded& r, double q,
                          double scale) {
  const std::size_t lane = count % kSumLanes;
  ++count;
  if (std::isnan(x)) {
    ++nan_in;
    return;
  }
  if (std::isinf(x)) {
    ++inf_in;
    return;
  }
  if (x == 0) ++zero_in;
  const bool overflowed = r.flags.has(Flags::overflow);
  if (std::isinf(q)) {
    ++overflow_inf;
    return;
  }
  if (std::isnan(q)) {
    ++overflow_nan;
    return;
  }
  if (overflowed) ++saturated;
  if (r.flags.has(Flags::inexact)) ++inexact;
  else ++exact;
  if (x != 0 && q == 0) ++underflow_to_zero;
  if (target.is_subnormal(r.bits)) ++subnormal_out;

  const double err = std::fabs(x - q);
  ++err_count;
  max_abs_err = std::max(max_abs_err, err);
  lanes_abs_err.lane[lane] += err;
  max_ulp_err = std::max(max_ulp_err, err * scale / ulp_at(target, x * scale));
  lanes_signal.lane[lane] += x * x;
  lanes_noise.lane[lane] += err * err;
  if (x != 0) {
    const double rel = err / std::fabs(x);
    ++rel_count;
    max_rel_err = std::max(max_rel_err, rel);
    lanes_sq_rel_err.lane[lane] += rel * rel;
  }
}

void ConversionStats::fold_lanes() {
  sum_abs_err = total_abs_err();
  sum_sq_rel_err = total_sq_rel_err();
  signal_power = total_signal_power();
  noise_power = total_noise_power();
  lanes_abs_err = lanes_sq_rel_err = lanes_signal = lanes_noise = LaneSum{};
}

void ConversionStats::merge(const ConversionStats& o) {
  fold_lanes();
  count += o.count;
  nan_in += o.nan_in;
  inf_in += o.inf_in;
  zero_in += o.zero_in;
  exact += o.exact;
  inexact += o.inexact;
  overflow_inf += o.overflow_inf;
  overflow_nan += o.overflow_nan;
  saturated += o.saturated;
  underflow_to_zero += o.underflow_to_zero;
  subnormal_out += o.subnormal_out;
  max_abs_err = std::max(max_abs_err, o.max_abs_err);
  sum_abs_err += o.total_abs_err();
  err_count += o.err_count;
  max_rel_err = std::max(max_rel_err, o.max_rel_err);
  sum_sq_rel_err += o.total_sq_rel_err();
  rel_count += o.rel_count;
  max_ulp_err = std::max(max_ulp_err, o.max_ulp_err);
  signal_power += o.total_signal_power();
  noise_power += o.total_noise_power();
}

double ConversionStats::rms_rel_err() const {
  return rel_count ? std::sqrt(total_sq_rel_err() / double(rel_count)) : 0.0;
}

double ConversionStats::sqnr_db() const {
  const double signal = total_signal_power(), noise = total_noise_power();
  if (noise == 0) return std::numeric_limits<double>::infinity();
  if (signal == 0) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

}  // namespace fpaudit::audit
