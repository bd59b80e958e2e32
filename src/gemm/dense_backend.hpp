// The binary64 GEMM the exact engine runs on slices (exact there: see exact_gemm.hpp). Two
// implementations with one signature: OpenBLAS's cblas_dgemm, loaded at run time with dlopen
// (so neither the library nor its users link against a BLAS), and a built-in blocked kernel.
#pragma once

#include <cstddef>
#include <string>

namespace fpaudit::gemm::detail {

// C[m x n] = A[m x k] * B[k x n], all row-major with leading dimensions lda, ldb, ldc.
using DenseGemmFn = void (*)(std::size_t m, std::size_t n, std::size_t k, const double* a,
                             std::size_t lda, const double* b, std::size_t ldb, double* c,
                             std::size_t ldc, unsigned threads);

// nullptr when no OpenBLAS could be loaded.
DenseGemmFn blas_dgemm();
std::string loaded_blas_name();

void builtin_dgemm(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda,
                   const double* b, std::size_t ldb, double* c, std::size_t ldc, unsigned threads);

}  // namespace fpaudit::gemm::detail
