// Per-tensor amax scaling, the FP8 training recipes' scale: multiply a tensor by `scale` before
// converting it so that its largest magnitude lands on the format's largest finite value.
// The rules, with sources, are in docs/SCALING.md section 1.
#pragma once

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::scaling {

// max_finite(f) / amax, rounded once to binary64 (round-to-nearest-even, the host's default
// mode; nothing else rounds here). amax 0, infinite or NaN gives 1 (no scaling), as
// TransformerEngine's compute_scale_from_amax keeps the scale at 1 for those; a negative amax
// is read as |amax|. A quotient that overflows binary64 (amax subnormal) is clamped to the
// largest finite binary64, as TE clamps to FLT_MAX.
//
// The scale is itself a rounded number: amax * scale = max_finite * (1 + d) with |d| <= 2^-53.
// Converting x * scale (formed exactly, then rounded once into f) therefore rounds amax to
// max_finite in every nearest mode, but a directed mode that rounds away from zero (rup, rno)
// can push amax one step past max_finite (overflow, or saturation). TE computes the scale in
// binary32 (__fdiv_rn(max, amax)), so its scale can differ from this one in the last 29 bits.
double amax_scale(const FormatSpec& f, double amax);

// k = floor(log2(max_finite(f) / amax)), computed exactly (exponent extraction and a
// comparison of significands, no floating log2), so scaling by 2^k is an exact exponent shift
// and amax * 2^k <= max_finite < amax * 2^(k+1): the largest power-of-two scale that does not
// overflow. amax 0, infinite or NaN gives 0; a negative amax is read as |amax|.
int amax_scale_pow2_exponent(const FormatSpec& f, double amax);

}  // namespace fpaudit::scaling
