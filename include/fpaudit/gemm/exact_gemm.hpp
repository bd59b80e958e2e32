// The exact GEMM reference: D = round(sA * sB * sum_k A[i,k] * B[k,j]) with ONE rounding per
// element into any format and rounding mode (encode()), the block scales applied exactly to the
// elements and the tensor scales exactly to the sum. No intermediate result is ever rounded, so
// the reference is independent of summation order, blocking and thread count.
//
// How it is fast (docs/GEMM.md 2): every finite element is an integer times a power of two. Each
// row of A (column of B) is cut into bit slices of width w below the row's top bit; a slice is
// then an integer matrix with entries below 2^w, held exactly in binary64. With
// w_A + w_B + ceil(log2 K) <= 53 every partial sum of a product of two slices is an integer
// below 2^53, so a binary64 GEMM of two slices makes no rounding error in any summation order,
// FMA or not: it is exact. Slices that are mostly zero (the rare small elements below a row's
// main slice) go through a sparse kernel instead. The slice products are combined per element
// in an exact integer register and rounded once. The binary64 GEMM is OpenBLAS's cblas_dgemm
// when the library is found at run time (dlopen; nothing links against it), else a built-in
// blocked kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/gemm/matrix.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::gemm {

enum class Backend : std::uint8_t {
  automatic,  // sliced, with OpenBLAS's dgemm when available, else the built-in kernel
  blas,       // sliced, OpenBLAS dgemm (std::runtime_error when it cannot be loaded)
  builtin,    // sliced, built-in binary64 kernel
  scalar,     // one ExactAccumulator per element (slow; the engine's independent cross-check)
};

struct GemmOptions {
  unsigned threads = 0;  // 0: hardware concurrency
  Backend backend = Backend::automatic;
};

struct GemmResult {
  std::vector<std::uint64_t> bits;  // M x N, row-major, bit patterns of the output format
  Flags flags;                      // OR of every element's flags
  std::string backend;              // what ran: "openblas", "builtin", "scalar"
};

// Exact dot product of n pairs (ExactValues, any formats), rounded once into `out`.
Encoded exact_dot(std::span<const ExactValue> a, std::span<const ExactValue> b,
                  const FormatSpec& out, const ConvertOptions& opt, std::uint64_t index = 0);

// Exact dot product of two bit-pattern vectors of formats fa and fb.
Encoded exact_dot(const FormatSpec& fa, std::span<const std::uint64_t> a, const FormatSpec& fb,
                  std::span<const std::uint64_t> b, const FormatSpec& out,
                  const ConvertOptions& opt, std::uint64_t index = 0);

// A is M x K, B is K x N (logical shapes; storage per operand layout). Element (i, j) uses
// stochastic-rounding index i * N + j. opt.subnormals.ftz applies to the outputs; DAZ on the
// inputs is the operands' own `daz` field. Special values follow IEEE 754-2019 for the exact sum:
// a NaN operand gives NaN (the first NaN in k order, A before B, payload propagated), 0 x inf or
// inf - inf gives the default NaN with the invalid flag, otherwise an infinite product gives
// that infinity. An exactly zero sum is +0 unless every product is -0 (6.3), -0 under rdown.
GemmResult exact_gemm(std::size_t M, std::size_t N, std::size_t K, const MatrixOperand& A,
                      const MatrixOperand& B, const FormatSpec& out, const ConvertOptions& opt,
                      const GemmOptions& options = {});

// Whether OpenBLAS's cblas_dgemm could be loaded (and its name), for reports.
bool blas_available();
std::string blas_name();

}  // namespace fpaudit::gemm
