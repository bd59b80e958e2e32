// Per-tensor amax scaling (docs/SCALING.md section 1).
#include "fpaudit/scaling/amax.hpp"

#include <cmath>
#include <limits>

#include "binade.hpp"
#include "fpaudit/codec/decode.hpp"

namespace fpaudit::scaling {
namespace {
bool scalable(double amax) { return std::isfinite(amax) && amax != 0; }
}  // namespace

double amax_scale(const FormatSpec& f, double amax) {
  // TE recipe_common.cuh compute_scale_from_amax: amax 0, inf or NaN keeps the scale at 1.
  if (!scalable(amax)) return 1.0;
  const double scale = to_double(f, f.max_finite_bits()) / std::fabs(amax);  // one RNE rounding
  // Only a subnormal amax overflows the quotient; TE clamps its binary32 scale to FLT_MAX.
  return std::isinf(scale) ? std::numeric_limits<double>::max() : scale;
}

int amax_scale_pow2_exponent(const FormatSpec& f, double amax) {
  if (!scalable(amax)) return 0;
  // max / amax = (1.M / 1.A) * 2^(emax - E) with 1.M / 1.A in (1/2, 2): the floor of its log2 is
  // emax - E, less one exactly when amax's significand exceeds max's.
  const detail::Binade a = detail::binade_of(amax);
  const detail::Binade m = detail::max_finite_binade(f);
  return m.exp - a.exp - (a.frac > m.frac ? 1 : 0);
}

}  // namespace fpaudit::scaling
