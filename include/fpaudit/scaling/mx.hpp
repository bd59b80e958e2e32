// OCP Microscaling (MX v1.0) block quantization: k elements share one E8M0 scale X = 2^s, and
// each element is stored as P_i = quantize(V_i / X) in a narrow element format.
//
// The shared exponent s comes from the block's amax under a named ScaleRule (the OCP reference
// rule and the three alternatives deployed in torchao / cuBLAS). Every exponent computation is
// exact (integer exponent extraction and significand comparisons on the binary64 value), and
// V_i / X is formed exactly (an exponent shift), so each element is rounded exactly once.
// The rules and their sources are in docs/SCALING.md section 2.
//
// This header is also the scaling stage's umbrella: it brings in the per-tensor amax scale
// (amax.hpp) and NVFP4 (nvfp4.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"
#include "fpaudit/scaling/amax.hpp"
#include "fpaudit/scaling/nvfp4.hpp"

namespace fpaudit::scaling {

// How the shared exponent s is derived from the block's amax (emax = the element format's
// largest binade exponent f.emax(), max = its largest finite value, m = its mantissa bits).
// Before clamping to the E8M0 range [-127, 127]:
enum class ScaleRule : std::uint8_t {
  floor,  // s = floor(log2(amax)) - emax. OCP MX v1.0 6.3 (the reference conversion) and
          // torchao ScaleCalculationMode.FLOOR. The block max can clip: amax / X lies in
          // [2^emax, 2^(emax+1)), above max whenever amax's significand exceeds max's.
  ceil,   // s = ceil(log2(amax)) - emax. torchao CEIL (exponent + 1 if the significand is
          // not exactly 1). Never clips; may waste one binade.
  even,   // s = floor(log2(RNA_{m+1}(amax))) - emax, where RNA_{m+1} rounds amax to the
          // element's precision (m + 1 bits), ties away: torchao EVEN adds half an element ulp
          // to amax's bits and drops the mantissa. So s = floor rule + 1 exactly when amax's
          // significand is >= 2 - 2^-(m+1). Can still clip (E4M3: significands in (1.8125, 1.9375)).
  rceil,  // s = ceil(log2(amax / max)): the smallest s with amax <= max * 2^s. cuBLAS "1D block
          // quantization" UE8M0 rule, NVIDIA cvt.rp.satfinite.ue8m0x2.f32, torchao RCEIL.
          // Never clips, never wastes a binade.
};

std::string_view to_string(ScaleRule r);
// "floor" | "ceil" | "even" | "rceil" (case-insensitive); throws std::invalid_argument listing them.
ScaleRule parse_scale_rule(std::string_view s);

struct MxSpec {
  std::string name;        // "mxfp8_e4m3", ... (free text for custom specs)
  FormatSpec element;      // the element format (any signed format; MX uses the five below)
  int block_size = 32;     // k (MX v1.0 Table 1: 32 for every concrete format)
  ScaleRule rule = ScaleRule::floor;
  // Element rounding. RNE: NVIDIA cvt.rn, torchao (torch casts). RNA (ties away): the
  // microxcaling reference's default round='nearest'. Stochastic rounding uses `seed` and the
  // element index passed to quantize_mx_block. Elements always saturate (Overflow::saturate).
  Rounding element_rounding = Rounding::rne;
  int sr_bits = 16;
  std::uint64_t seed = 0;
};

// The five concrete MX formats of OCP MX v1.0 Table 1 (MXINT8 aside), block 32, ScaleRule::floor,
// RNE: mxfp8_e4m3 (float8_e4m3fn), mxfp8_e5m2 (float8_e5m2), mxfp6_e2m3 (float6_e2m3fn),
// mxfp6_e3m2 (float6_e3m2fn), mxfp4_e2m1 (float4_e2m1fn).
std::vector<MxSpec> standard_mx_formats();

// The E8M0 NaN scale (MX v1.0 5.4.1): the whole block decodes as NaN.
inline constexpr std::uint8_t kE8M0Nan = 0xFF;
// scale_exponent reported with the NaN scale (0xFF - 127).
inline constexpr int kNanScaleExponent = 128;

struct MxBlockResult {
  std::uint8_t scale_bits = 0;  // E8M0: s + 127, or 0xFF (NaN) for a block holding NaN or inf
  int scale_exponent = 0;       // s in [-127, 127]; kNanScaleExponent with the NaN scale
  unsigned clipped = 0;  // elements whose |V_i / X|, rounded, exceeded the element's max finite
                         // (saturated to max finite)
  unsigned flushed = 0;  // nonzero finite V_i whose element is zero
  bool nan_scale() const { return scale_bits == kE8M0Nan; }
};

// Quantizes one block (block.size() <= spec.block_size; a short block is a partial block at the
// end of a row). Element i's bits go to element_bits_out[i] (element_bits_out.size() >=
// block.size()); first_index is element 0's stochastic-rounding index.
//
// Special values (docs/SCALING.md 2.3): zero amax (all elements +-0) gives s = -127 (0x00, the
// smallest scale, as the E8M0 conversion of 0 gives and torchao produces for every rule); any
// NaN or infinite V_i gives the NaN scale 0xFF and every element the element format's NaN
// (or +max finite where it has none), i.e. what torchao's data * NaN followed by the cast gives.
// Throws std::invalid_argument when the block or output sizes do not fit.
MxBlockResult quantize_mx_block(const MxSpec& spec, std::span<const double> block,
                                std::span<std::uint64_t> element_bits_out,
                                std::uint64_t first_index = 0);

// X * P: the element's exact value times 2^s, as binary64 (exact for the five MX element
// formats and every scale). NaN when scale_bits is 0xFF (MX v1.0: a NaN scale makes the whole
// block NaN) or the element is NaN; infinity for an infinite element.
double dequantize_mx(const MxSpec& spec, std::uint8_t scale_bits, std::uint64_t element_bits);

// The shared exponent s of a block with this amax (a magnitude: NaN or inf gives
// kNanScaleExponent), clamped to [-127, 127]. Exposed for the tests and for what-if reports.
int mx_scale_exponent(const FormatSpec& element, ScaleRule rule, double amax);

}  // namespace fpaudit::scaling
