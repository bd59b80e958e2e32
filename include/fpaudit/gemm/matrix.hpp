// A GEMM operand as stored by a kernel: element bit patterns of one format in memory, a layout,
// and the scale factors that multiply its elements (per tensor, or per block along K as OCP MX
// and NVFP4 define them). Everything downstream (exact GEMM, accumulation models) reads operands
// through decode_operand, which applies the scales exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::gemm {

enum class Layout : std::uint8_t { row_major, col_major };

// Scale factors along K, one per `block` consecutive K elements (OCP MX v1.0 6: an E8M0 scale
// per 32 elements; NVFP4: an E4M3 scale per 16). For A (M x K) the scales form an
// M x ceil(K/block) matrix, for B (K x N) a ceil(K/block) x N matrix, in `layout` with leading
// dimension `ld` (0: packed). Every element is multiplied by its block's scale exactly: an
// E8M0 scale is a power of two (an exponent shift), an E4M3 scale a small integer times a power
// of two, so the scaled element is still an exact integer times a power of two.
struct BlockScales {
  FormatSpec format;          // float8_e8m0fnu (MX), float8_e4m3fn (NVFP4), or any format
  int block = 32;             // K elements per scale
  const void* data = nullptr;  // storage_bytes(format) little-endian containers
  Layout layout = Layout::row_major;
  std::size_t ld = 0;
};

struct MatrixOperand {
  FormatSpec format;
  const void* data = nullptr;  // storage_bytes(format) little-endian containers
  Layout layout = Layout::row_major;
  std::size_t ld = 0;  // leading dimension in elements (0: packed)
  std::optional<BlockScales> block_scales;
  // Multiplies the whole operand (cuBLASLt's A/B scale; NVFP4's binary32 tensor scale). Applied
  // once to the exact sum, so it never rounds. Must be finite.
  ExactValue tensor_scale = ExactValue::finite(false, 1, 0);
  // Subnormal elements read as zero (x86 MXCSR.DAZ), before scaling.
  bool daz = false;
};

// One element after decoding and block scaling: finite values are sig x 2^exp with the sign in
// sig (|sig| < 2^62); every class keeps its sign in `negative` too; a NaN keeps its payload
// (left-aligned, as ExactValue::nan_payload) in sig and its signaling flag. 16 bytes.
struct DecodedElement {
  std::int64_t sig = 0;
  std::int32_t exp = 0;
  ValueClass cls = ValueClass::zero;
  bool negative = false;
  bool signaling = false;
  ExactValue value() const;
  static DecodedElement from(const ExactValue& v);  // v exact, |sig| < 2^62 when finite
};

// A decoded operand in a fixed orientation (element (r, c) is entry r * cols + c). Formats of at
// most 16 bits without block scales keep the bit patterns (`codes`) and one decoded entry per
// pattern (`table`); otherwise every element is stored decoded (`data`).
struct DecodedMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<DecodedElement> data;
  std::vector<std::uint16_t> codes;
  std::vector<DecodedElement> table;
  const DecodedElement& at(std::size_t r, std::size_t c) const {
    return codes.empty() ? data[r * cols + c] : table[codes[r * cols + c]];
  }
};

// The raw bit pattern of element (r, c) of a rows x cols operand (scales not applied).
std::uint64_t element_bits(const MatrixOperand& m, std::size_t rows, std::size_t cols,
                           std::size_t r, std::size_t c);

// Decodes A (is_a: M x K, scales per row block along K) or B (K x N, scales per column block
// along K), applying block scales exactly (not the tensor scale). rows x cols is the operand's
// logical shape. Threads: 0 = hardware concurrency. Throws std::invalid_argument when a scaled
// significand would exceed 62 bits or a leading dimension is too small.
DecodedMatrix decode_operand(const MatrixOperand& m, std::size_t rows, std::size_t cols,
                             bool is_a, unsigned threads = 0);

}  // namespace fpaudit::gemm
