// cuBLASLt GEMMs (CUDA 13): D = alpha * scale_a * scale_b * (A x B) [* scale_d for FP8 D], with
// the options a caller of cublasLtMatmul sets: per-tensor FP8 scales (A, B, D), the D amax
// output, CUBLASLT_MATMUL_DESC_FAST_ACCUM, and the block-scaled modes of Blackwell (MXFP8:
// E4M3/E5M2 with an E8M0 scale per 32 along K, CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0; NVFP4:
// E2M1 with an E4M3 scale per 16, VEC16_UE4M3). libcublasLt.so.N is opened at run time
// (dlopen), like the driver (driver.hpp): no link-time dependency.
//
// The plain cases (no scales) are also registered as GemmPaths (cuda.cublaslt.*, gemm_path.hpp)
// so `fpaudit hw check` holds them to a tensor-core model preset; the scaled variants are run
// through this interface by tests/gpu_cublaslt.cpp.
//
// Layout: cuBLASLt's FP8 kernels need "TN" (A transposed, B not, column-major), so this code
// takes A row-major M x K (= column-major K x M, op T) and B column-major K x N (each column of
// B contiguous along K), and returns D row-major M x N.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::hw::cuda {

enum class LtScaling : std::uint8_t {
  none,        // BF16 / FP16 inputs
  per_tensor,  // FP8 inputs, one binary32 scale per tensor
               // (CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F)
  mxfp8,       // FP8 inputs, E8M0 scale per 32 along K (VEC32_UE8M0; sm_100+)
  nvfp4,       // E2M1 inputs, E4M3 scale per 16 along K (VEC16_UE4M3; sm_100+)
};

struct LtGemm {
  std::string name;  // "cuda.cublaslt.fp8.e4m3_e4m3.f32.fast_accum"
  FormatSpec a, b;   // bfloat16, binary16, float8_e4m3fn, float8_e5m2, float4_e2m1fn
  FormatSpec d;      // binary32, bfloat16 or float8_e4m3fn (FP8 D takes the D scale)
  LtScaling scaling = LtScaling::none;
  bool fast_accum = false;  // CUBLASLT_MATMUL_DESC_FAST_ACCUM (FP8 only)
  std::string semantics;    // one line
};

struct LtInputs {
  std::size_t M = 0, N = 0, K = 0;
  const void* a = nullptr;  // row-major M x K, storage_bytes(a) containers (E2M1: one a byte)
  const void* b = nullptr;  // column-major K x N: column j is K contiguous elements
  float alpha = 1.0f;
  float scale_a = 1.0f, scale_b = 1.0f, scale_d = 1.0f;  // per_tensor (scale_d: FP8 D only)
  // Block scales (mxfp8, nvfp4): A's as M x ceil(K/block) row-major, B's as N x ceil(K/block)
  // row-major (one per row of A / column of B and K block), one byte each (E8M0 or E4M3).
  // Reordered here into cuBLASLt's tiled layout.
  const std::uint8_t* a_block_scales = nullptr;
  const std::uint8_t* b_block_scales = nullptr;
};

struct LtOutput {
  std::vector<std::uint64_t> d;  // M x N row-major, bit patterns of LtGemm::d
  float amax_d = 0;              // CUBLASLT_MATMUL_DESC_AMAX_D_POINTER (FP8 D only)
  bool has_amax = false;
};

// Whether cuBLASLt can run here (driver and device ready, libcublasLt.so.N of the toolkit loads).
bool cublaslt_ready(std::string* why = nullptr);

// The cuBLASLt GEMMs this build knows, plain and scaled; `requires_sm` says what they need.
std::vector<LtGemm> cublaslt_gemms();
int required_sm(const LtGemm& g);  // 80 (BF16/FP16), 89 (FP8), 100 (MXFP8, NVFP4)

// The device's compute capability as major*10+minor (0 when no device).
int device_sm();

// Runs one GEMM. Throws std::invalid_argument for a shape or scale the mode cannot take (K not
// a multiple of 16 / 32 for FP8 / block modes), std::runtime_error when cuBLASLt fails or finds
// no algorithm (with its status).
LtOutput run_cublaslt(const LtGemm& g, const LtInputs& in);

// The offset of scale (row r, K block c) in cuBLASLt's block-scale layout ("1D block scaling
// factors layout", cuBLAS docs): 128 x 4 tiles of 512 bytes, row-major over tiles, inside a tile
// (r % 32) * 16 + (r % 128) / 32 * 4 + c % 4. `blocks` = number of K blocks (columns).
std::size_t block_scale_offset(std::size_t r, std::size_t c, std::size_t blocks);
std::size_t block_scale_bytes(std::size_t rows, std::size_t blocks);  // padded to whole tiles

}  // namespace fpaudit::hw::cuda
