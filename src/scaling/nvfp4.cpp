// NVFP4 quantization, emulating NVIDIA TransformerEngine bit for bit (docs/SCALING.md section 3).
//
// Sources (NVIDIA/TransformerEngine; line numbers as counted in those commits' files):
//  [C] transformer_engine/common/cast/nvfp4/core_nvfp4.cuh @ 0718c016863048464893666999f6ae0cb64918db
//      compute_global_encode_scaling_factor_FP4 (lines 120-134), quantization_SF::
//      compute_decoding_scaling_factor (62-70), quantization_and_transposition_SF:: (41-54, adds
//      fminf(S_dec_b, FLT_MAX) before the cast: the same bits, since the saturating E4M3 cast maps
//      +inf to 448 too), compute_scaling_coefficient<float> (144-150).
//  [Q] transformer_engine/common/cast/nvfp4/quantize_transpose_nvfp4.cuh
//      @ 00b8d306c9f101303de5c11a11c86c705811d629, quantize_transpose_nvfp4_kernel: block amax by
//      fmaxf(block_amax, fabsf(elt)) from 0 (NaN elements are skipped), S_dec = 1.0 / S_enc,
//      block_scale_inverse = fminf(1.0f / (float(S_dec_b_fp8) * S_dec), FLT_MAX), and
//      ptx::mul_cvt_fp32_to_fp4_4x: mul.f32x2 then cvt.rn.satfinite.e2m1x2.f32.
// Every binary32 operation TE performs is formed exactly here (exact_product, an exact integer
// quotient) and rounded once to binary32 with encode (RNE, IEEE overflow, subnormals kept:
// the device defaults without fast-math or ftz), never with host float arithmetic, so the
// result does not depend on the host's FPU mode or compiler flags.
#include "fpaudit/scaling/nvfp4.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/encode.hpp"
#include "fpaudit/codec/exact_product.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::scaling {
namespace {

// GCC/Clang builtin, for the exact quotient (a typedef: `using` would trip -Wpedantic).
__extension__ typedef unsigned __int128 u128;  // NOLINT(modernize-use-using)

struct Formats {
  FormatSpec binary32 = format_by_name("binary32");
  FormatSpec binary64 = format_by_name("binary64");
  FormatSpec e4m3 = format_by_name("float8_e4m3fn");  // the block scale (OFP8 E4M3, max 448)
  FormatSpec e2m1 = format_by_name("float4_e2m1fn");  // the elements (MX v1.0 FP4 E2M1, max 6)
};
const Formats& formats() {
  static const Formats f;
  return f;
}
const FormatSpec& binary32() { return formats().binary32; }
const FormatSpec& binary64() { return formats().binary64; }
const FormatSpec& e4m3() { return formats().e4m3; }
const FormatSpec& e2m1() { return formats().e2m1; }

constexpr float kFltMax = std::numeric_limits<float>::max();

float round32(const ExactValue& v) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(encode(binary32(), v, ConvertOptions{}).bits));
}

// a / b for finite nonzero a, b: a 62..64-bit quotient with the remainder as sticky bit,
// enough for one correct rounding to any format of at most 61 significant bits.
ExactValue exact_quotient(const ExactValue& a, const ExactValue& b) {
  const int la = 64 - std::countl_zero(a.sig);
  const int lb = 64 - std::countl_zero(b.sig);
  const int k = 63 + lb - la;  // 0..126: (a.sig << k) has 63 + lb bits
  const u128 num = static_cast<u128>(a.sig) << k;
  const u128 q = num / b.sig;  // in [2^62, 2^64)
  const bool rem = (num % b.sig) != 0;
  return ExactValue::finite(a.negative != b.negative, static_cast<std::uint64_t>(q),
                            a.exp - b.exp - k, rem || a.sticky || b.sticky);
}

// binary32 a * b and a / b, round-to-nearest-even (IEEE 754-2019 5.4.1, 6.1, 6.2).
float mul32(float a, float b) { return round32(exact_product(from_float(a), from_float(b))); }

float div32(float a, float b) {
  const ExactValue x = from_float(a);
  const ExactValue y = from_float(b);
  const bool neg = x.negative != y.negative;
  if (x.cls == ValueClass::nan || y.cls == ValueClass::nan) return std::numeric_limits<float>::quiet_NaN();
  if ((x.cls == ValueClass::inf && y.cls == ValueClass::inf) ||
      (x.cls == ValueClass::zero && y.cls == ValueClass::zero))
    return std::numeric_limits<float>::quiet_NaN();
  if (x.cls == ValueClass::inf || y.cls == ValueClass::zero) return round32(ExactValue::inf(neg));
  if (x.cls == ValueClass::zero || y.cls == ValueClass::inf) return round32(ExactValue::zero(neg));
  return round32(exact_quotient(x, y));
}

// CUDA fminf (C99 7.12.12.3): a NaN operand is ignored.
float fmin32(float a, float b) {
  if (std::isnan(a)) return b;
  if (std::isnan(b)) return a;
  return b < a ? b : a;
}

float to_f32(double x) { return round32(from_double(x)); }

ConvertOptions satfinite_rn() {  // cvt.rn.satfinite (PTX ISA, cvt): RNE, overflow to max finite
  ConvertOptions opt;
  opt.rounding = Rounding::rne;
  opt.overflow = Overflow::saturate;
  return opt;
}

double exact_to_double(const ExactValue& v) {
  return std::bit_cast<double>(encode(binary64(), v, ConvertOptions{}).bits);
}

}  // namespace

NvFp4TensorScale nvfp4_tensor_scale(double amax_tensor) {
  NvFp4TensorScale t;
  t.amax = to_f32(std::fabs(amax_tensor));
  // [C] 120-134: fp8_max * fp4_max / global_amax, i.e. fp32(2688 / amax) (448 * 6 is exact);
  // fminf(., FLT_MAX) turns the inf of amax = 0 into FLT_MAX (and a NaN quotient, from a NaN
  // amax, into FLT_MAX: fminf ignores NaN); then amax == 0 or a zero quotient (amax = inf)
  // gives 1.
  float g = fmin32(div32(448.0f * 6.0f, t.amax), kFltMax);
  if (t.amax == 0.0f || g == 0.0f) g = 1.0f;
  t.encode = g;
  // [Q]: S_dec = 1.0 / S_enc, evaluated in binary64 and narrowed: the same bits as the binary32
  // quotient (double rounding of a quotient is innocuous when 53 >= 2 * 24 + 2; Figueroa,
  // "When is double rounding innocuous?", SIGNUM 1995).
  t.decode = div32(1.0f, g);
  return t;
}

NvFp4BlockResult quantize_nvfp4_block(const NvFp4TensorScale& tensor, std::span<const double> block,
                                      std::span<std::uint64_t> out) {
  if (block.size() > kNvFp4BlockSize)
    throw std::invalid_argument("NVFP4 block of " + std::to_string(block.size()) +
                                " values exceeds the block size 16");
  if (out.size() < block.size())
    throw std::invalid_argument("NVFP4 element output holds " + std::to_string(out.size()) +
                                " values, block has " + std::to_string(block.size()));
  NvFp4BlockResult r;

  // The kernel reads binary32 (a bf16/fp16 input is widened exactly). Block amax: [Q]
  // block_amax = fmaxf(block_amax, fabsf(elt)) starting from 0, so NaN elements are skipped.
  std::array<float, kNvFp4BlockSize> x{};
  float block_amax = 0.0f;
  for (std::size_t i = 0; i < block.size(); ++i) {
    x[i] = to_f32(block[i]);
    if (!std::isnan(x[i])) block_amax = std::fmax(block_amax, std::fabs(x[i]));
  }

  // [C] 62-70: S_dec_b_fp8 = fp8e4m3(block_amax * (S_enc * fp4_max_inv)), fp4_max_inv the
  // binary32 constant 1.0f / 6.0f (0x3E2AAAAB); fp8e4m3(float) is __nv_cvt_float_to_fp8 with
  // __NV_SATFINITE, i.e. cvt.rn.satfinite.e4m3x2.f32.
  const float rcp6 = div32(1.0f, 6.0f);
  const float s_dec_b = mul32(block_amax, mul32(tensor.encode, rcp6));
  const std::uint64_t scale = encode(e4m3(), from_float(s_dec_b), satfinite_rn()).bits;
  r.scale_bits = static_cast<std::uint8_t>(scale);
  const bool zero_scale = e4m3().is_zero(scale);

  // [C] 144-150 / [Q]: block_scale_inverse = fminf(1.0f / (float(S_dec_b_fp8) * S_dec), FLT_MAX).
  // A zero scale makes the quotient inf, clamped to FLT_MAX.
  const float scale_f = to_f32(to_double(e4m3(), scale));  // exact: E4M3 is a subset of binary32
  const float inv = fmin32(div32(1.0f, mul32(scale_f, tensor.decode)), kFltMax);

  // [Q] mul_cvt_fp32_to_fp4_4x: mul.f32 (RN) then cvt.rn.satfinite.e2m1x2.f32.
  for (std::size_t i = 0; i < block.size(); ++i) {
    const float p = mul32(x[i], inv);
    const Encoded e = encode(e2m1(), from_float(p), satfinite_rn());
    out[i] = e.bits;
    const bool nonzero_input = block[i] != 0 && std::isfinite(block[i]);
    if (nonzero_input && (zero_scale || e2m1().is_zero(e.bits))) ++r.flushed;
    else if (!zero_scale && !std::isnan(x[i]) && (e.flags.has(Flags::overflow) || std::isinf(p)))
      ++r.clipped;
  }
  return r;
}

double nvfp4_block_scale_value(const NvFp4TensorScale& tensor, std::uint8_t scale_bits) {
  return exact_to_double(exact_product(decode(e4m3(), scale_bits), from_float(tensor.decode)));
}

double dequantize_nvfp4(const NvFp4TensorScale& tensor, std::uint8_t scale_bits,
                        std::uint64_t element_bits) {
  const ExactValue scale = exact_product(decode(e4m3(), scale_bits), from_float(tensor.decode));
  return exact_to_double(exact_product(decode(e2m1(), element_bits), scale));
}

}  // namespace fpaudit::scaling
