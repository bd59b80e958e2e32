// OCP MX v1.0 block quantization (docs/SCALING.md section 2).
#include "fpaudit/scaling/mx.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "binade.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/encode.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::scaling {
namespace {

// E8M0 (MX v1.0 5.4.1): bias 127, 0x00 = 2^-127 ... 0xFE = 2^127, 0xFF = NaN.
constexpr int kE8M0Bias = 127;
constexpr int kMinScaleExponent = -127, kMaxScaleExponent = 127;

const FormatSpec& binary64() {
  static const FormatSpec f = format_by_name("binary64");
  return f;
}

ConvertOptions element_options(const MxSpec& spec) {
  ConvertOptions opt;
  opt.rounding = spec.element_rounding;
  opt.overflow = Overflow::saturate;  // MX v1.0 6.3: "clamping normal numbers"
  opt.sr_bits = spec.sr_bits;
  opt.seed = spec.seed;
  return opt;
}

}  // namespace

std::string_view to_string(ScaleRule r) {
  switch (r) {
    case ScaleRule::floor: return "floor";
    case ScaleRule::ceil: return "ceil";
    case ScaleRule::even: return "even";
    case ScaleRule::rceil: return "rceil";
  }
  return "?";
}

ScaleRule parse_scale_rule(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (ScaleRule r : {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil})
    if (lower == to_string(r)) return r;
  throw std::invalid_argument("unknown MX scale rule \"" + std::string(s) +
                              "\" (expected floor, ceil, even, rceil)");
}

std::vector<MxSpec> standard_mx_formats() {
  // OCP MX v1.0 Table 1: every concrete MX format has k = 32 and an E8M0 scale.
  const struct {
    const char* name;
    const char* element;
  } rows[] = {{"mxfp8_e4m3", "float8_e4m3fn"}, {"mxfp8_e5m2", "float8_e5m2"},
              {"mxfp6_e2m3", "float6_e2m3fn"}, {"mxfp6_e3m2", "float6_e3m2fn"},
              {"mxfp4_e2m1", "float4_e2m1fn"}};
  std::vector<MxSpec> out;
  for (const auto& r : rows) {
    MxSpec spec;
    spec.name = r.name;
    spec.element = format_by_name(r.element);
    out.push_back(std::move(spec));
  }
  return out;
}

int mx_scale_exponent(const FormatSpec& element, ScaleRule rule, double amax) {
  amax = std::fabs(amax);
  if (!std::isfinite(amax)) return kNanScaleExponent;
  // amax = 0: log2 is -inf under every rule, so the scale clamps to the smallest E8M0 value.
  if (amax == 0) return kMinScaleExponent;
  const detail::Binade a = detail::binade_of(amax);  // amax = 1.A * 2^E, exactly
  const int emax = element.emax();
  int s = 0;
  switch (rule) {
    case ScaleRule::floor:  // floor(log2(amax)) = E
      s = a.exp - emax;
      break;
    case ScaleRule::ceil:  // ceil(log2(amax)) = E, or E + 1 unless amax is a power of two
      s = a.exp + (a.frac != 0 ? 1 : 0) - emax;
      break;
    case ScaleRule::even: {
      // torchao EVEN adds 2^(22 - m) to amax's binary32 bits and keeps sign and exponent: the
      // exponent goes up by one exactly when the fraction 0.A >= 1 - 2^-(m+1). Same test here
      // on the 63-bit-aligned fraction (m <= 61, so the shift is >= 1).
      const std::uint64_t threshold =
          (std::uint64_t{1} << 63) - (std::uint64_t{1} << (62 - element.mantissa_bits));
      s = a.exp + (a.frac >= threshold ? 1 : 0) - emax;
      break;
    }
    case ScaleRule::rceil: {
      // The smallest s with amax <= max * 2^s: max = 1.M * 2^emax and 1.A, 1.M in [1, 2), so
      // s = E - emax when 1.A <= 1.M, else E - emax + 1.
      const detail::Binade m = detail::max_finite_binade(element);
      s = a.exp - emax + (a.frac > m.frac ? 1 : 0);
      break;
    }
  }
  // MX v1.0 5.4.1: E8M0 holds 2^-127 .. 2^127. Above 127 (amax >= 2^(128 + emax), beyond
  // binary32) fpaudit saturates the scale, so the elements saturate too; the microxcaling
  // reference returns a NaN scale there instead (docs/SCALING.md 2.3).
  return std::clamp(s, kMinScaleExponent, kMaxScaleExponent);
}

MxBlockResult quantize_mx_block(const MxSpec& spec, std::span<const double> block,
                                std::span<std::uint64_t> element_bits_out,
                                std::uint64_t first_index) {
  if (spec.block_size < 1)
    throw std::invalid_argument("MX block_size must be >= 1, got " + std::to_string(spec.block_size));
  if (block.size() > static_cast<std::size_t>(spec.block_size))
    throw std::invalid_argument("MX block of " + std::to_string(block.size()) +
                                " values exceeds block_size " + std::to_string(spec.block_size));
  if (element_bits_out.size() < block.size())
    throw std::invalid_argument("MX element output holds " + std::to_string(element_bits_out.size()) +
                                " values, block has " + std::to_string(block.size()));

  const FormatSpec& f = spec.element;
  const ConvertOptions opt = element_options(spec);
  MxBlockResult r;

  double amax = 0;
  bool special = false;  // a NaN or an infinity in the block
  for (double v : block) {
    if (!std::isfinite(v)) special = true;
    else amax = std::max(amax, std::fabs(v));
  }
  if (special) {
    // MX v1.0 5.4.1 / 6.3 leave Inf and NaN inputs to the implementation ("Infs and NaNs are
    // not clamped"). fpaudit follows torchao (non-finite amax -> scale 0xFF, then data * NaN is
    // cast) and microxcaling (NaN shared exponent): NaN scale, every element the element
    // format's NaN (formats without NaN: +max finite, as NVIDIA's cvt gives for NaN).
    r.scale_bits = kE8M0Nan;
    r.scale_exponent = kNanScaleExponent;
    const std::uint64_t nan_bits = encode(f, ExactValue::quiet_nan(false), opt).bits;
    std::fill_n(element_bits_out.begin(), block.size(), nan_bits);
    return r;
  }

  const int s = mx_scale_exponent(f, spec.rule, amax);
  r.scale_exponent = s;
  r.scale_bits = static_cast<std::uint8_t>(s + kE8M0Bias);
  for (std::size_t i = 0; i < block.size(); ++i) {
    // V_i / X = V_i * 2^-s: an exponent shift on the exact value, so the element is rounded
    // once (no double rounding, no binary32 underflow as in torchao's data * 2^-s).
    ExactValue v = from_double(block[i]);
    if (v.cls == ValueClass::finite) v.exp -= s;
    const Encoded e = encode(f, v, opt, first_index + i);
    element_bits_out[i] = e.bits;
    if (e.flags.has(Flags::overflow)) ++r.clipped;
    if (block[i] != 0 && f.is_zero(e.bits)) ++r.flushed;
  }
  return r;
}

double dequantize_mx(const MxSpec& spec, std::uint8_t scale_bits, std::uint64_t element_bits) {
  if (scale_bits == kE8M0Nan) return std::numeric_limits<double>::quiet_NaN();
  ExactValue v = decode(spec.element, element_bits);
  if (v.cls == ValueClass::finite) v.exp += static_cast<int>(scale_bits) - kE8M0Bias;
  return std::bit_cast<double>(encode(binary64(), v, ConvertOptions{}).bits);
}

}  // namespace fpaudit::scaling
