// NVFP4 (NVIDIA Blackwell): E2M1 elements in blocks of 16, one E4M3 scale per block, and a
// binary32 per-tensor scale. This emulates TransformerEngine's quantizer bit for bit: every
// step TE performs in binary32 is rounded here to binary32 (round-to-nearest-even, by the
// library's encode on exactly formed products and quotients, never by host float arithmetic),
// in TE's order. The steps, with file and line, are in docs/SCALING.md section 3 and in
// src/scaling/nvfp4.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace fpaudit::scaling {

inline constexpr std::size_t kNvFp4BlockSize = 16;

// The per-tensor (second-level) scale, all binary32 values.
struct NvFp4TensorScale {
  float amax = 0;    // the tensor's amax rounded to binary32
  float encode = 1;  // S_enc = 448 * 6 / amax (1 for amax 0 or inf; see nvfp4_tensor_scale)
  float decode = 1;  // S_dec = 1 / S_enc, rounded to binary32 (what the quantizer divides by)
};

// TE compute_global_encode_scaling_factor_FP4: S_enc = fp32(2688 / fp32(amax)), clamped to
// FLT_MAX; 1 when amax is 0 or the quotient is 0 (amax infinite or above FLT_MAX). A NaN amax
// gives FLT_MAX (TE's fminf(NaN, FLT_MAX) returns FLT_MAX). amax is a magnitude (|amax| used).
NvFp4TensorScale nvfp4_tensor_scale(double amax_tensor);

struct NvFp4BlockResult {
  std::uint8_t scale_bits = 0;  // the E4M3 (float8_e4m3fn) block decode scale
  unsigned clipped = 0;  // non-NaN elements saturated to +-6 (rounded past 6, or infinite)
                         // under a nonzero block scale
  unsigned flushed = 0;  // nonzero finite inputs that dequantize to zero (element 0, or the
                         // block scale rounded to E4M3 zero)
};

// Quantizes one block of at most 16 values (read as binary32, RNE, as TE reads its fp32 input;
// exact for fp32/bf16/fp16 sources). Element i (E2M1, float4_e2m1fn bits) goes to out[i].
// Throws std::invalid_argument when block.size() > 16 or out is too small.
NvFp4BlockResult quantize_nvfp4_block(const NvFp4TensorScale& tensor, std::span<const double> block,
                                      std::span<std::uint64_t> out);

// The block's decode multiplier E4M3(scale_bits) * S_dec, exact in binary64 (0 for a zero
// scale, NaN for the E4M3 NaN pattern).
double nvfp4_block_scale_value(const NvFp4TensorScale& tensor, std::uint8_t scale_bits);

// E2M1(element) * E4M3(scale) * S_dec, exact in binary64 (at most 30 significant bits). TE's
// dequantize kernel instead rounds fp32(fp32(scale * amax) * fp32(1/2688)) and the product to
// binary32, which can differ in the last bits (docs/SCALING.md 3.3).
double dequantize_nvfp4(const NvFp4TensorScale& tensor, std::uint8_t scale_bits,
                        std::uint64_t element_bits);

}  // namespace fpaudit::scaling
