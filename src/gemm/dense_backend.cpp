#include "dense_backend.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "parallel.hpp"

namespace fpaudit::gemm::detail {
namespace {

// CBLAS enumerators (cblas.h): CblasRowMajor = 101, CblasNoTrans = 111. OpenBLAS's default
// build uses 32-bit integers (blasint = int).
using CblasDgemm = void (*)(int, int, int, int, int, int, double, const double*, int,
                            const double*, int, double, double*, int);
using SetThreads = void (*)(int);
using GetThreads = int (*)();

struct Blas {
  CblasDgemm dgemm = nullptr;
  SetThreads set_threads = nullptr;
  GetThreads get_threads = nullptr;
  std::string name;
  std::mutex mutex;  // openblas_set_num_threads is process-wide: one call at a time
};

Blas& blas() {
  static Blas* b = [] {
    auto* r = new Blas;
    if (const char* env = std::getenv("FPAUDIT_NO_BLAS"); env && *env && std::strcmp(env, "0") != 0)
      return r;
    for (const char* lib : {"libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0"}) {
      void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
      if (!h) continue;
      auto f = reinterpret_cast<CblasDgemm>(dlsym(h, "cblas_dgemm"));
      if (!f) {
        dlclose(h);
        continue;
      }
      r->dgemm = f;
      r->set_threads = reinterpret_cast<SetThreads>(dlsym(h, "openblas_set_num_threads"));
      r->get_threads = reinterpret_cast<GetThreads>(dlsym(h, "openblas_get_num_threads"));
      r->name = lib;
      break;  // the handle stays open for the life of the process
    }
    return r;
  }();
  return *b;
}

void run_blas(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda,
              const double* b, std::size_t ldb, double* c, std::size_t ldc, unsigned threads) {
  Blas& lib = blas();
  std::lock_guard<std::mutex> lock(lib.mutex);
  int saved = 0;
  if (lib.set_threads && lib.get_threads) {
    saved = lib.get_threads();
    lib.set_threads(static_cast<int>(threads));
  }
  lib.dgemm(101, 111, 111, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0, a,
            static_cast<int>(lda), b, static_cast<int>(ldb), 0.0, c, static_cast<int>(ldc));
  if (lib.set_threads && lib.get_threads) lib.set_threads(saved);
}

// ---- the built-in kernel: BLIS-style packing, an 8 x 16 register tile ----
constexpr std::size_t MR = 8, NR = 16, KC = 256, NC = 1024;
typedef double v8d __attribute__((vector_size(64)));

// C tile (MR x NR) += Ap (kc x MR, packed) * Bp (kc x NR, packed). Compiled for AVX-512,
// AVX2 and baseline x86-64, chosen at load time (GCC function multiversioning).
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void micro_kernel(std::size_t kc, const double* ap, const double* bp, double* c, std::size_t ldc,
                  std::size_t mr, std::size_t nr) {
  v8d acc[MR][2] = {};
  for (std::size_t p = 0; p < kc; ++p) {
    v8d b0, b1;
    std::memcpy(&b0, bp + p * NR, sizeof b0);
    std::memcpy(&b1, bp + p * NR + 8, sizeof b1);
    for (std::size_t r = 0; r < MR; ++r) {
      const double av = ap[p * MR + r];
      acc[r][0] += av * b0;
      acc[r][1] += av * b1;
    }
  }
  for (std::size_t r = 0; r < mr; ++r)
    for (std::size_t j = 0; j < nr; ++j) c[r * ldc + j] += acc[r][j / 8][j % 8];
}

}  // namespace

DenseGemmFn blas_dgemm() { return blas().dgemm ? &run_blas : nullptr; }
std::string loaded_blas_name() { return blas().name; }

void builtin_dgemm(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda,
                   const double* b, std::size_t ldb, double* c, std::size_t ldc, unsigned threads) {
  for (std::size_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0);
  if (k == 0) return;
  const std::size_t row_blocks = (m + MR - 1) / MR;
  for (std::size_t jc = 0; jc < n; jc += NC) {
    const std::size_t nc = std::min(NC, n - jc);
    const std::size_t panels = (nc + NR - 1) / NR;
    for (std::size_t pc = 0; pc < k; pc += KC) {
      const std::size_t kc = std::min(KC, k - pc);
      // Pack B[pc:pc+kc, jc:jc+nc] into NR-wide panels, zero-padded.
      std::vector<double> bpack(panels * kc * NR, 0.0);
      for (std::size_t q = 0; q < panels; ++q)
        for (std::size_t p = 0; p < kc; ++p)
          for (std::size_t j = 0; j < NR && q * NR + j < nc; ++j)
            bpack[(q * kc + p) * NR + j] = b[(pc + p) * ldb + jc + q * NR + j];
      parallel_ranges(row_blocks, threads, [&](std::size_t rb0, std::size_t rb1) {
        std::vector<double> apack(kc * MR);
        for (std::size_t rb = rb0; rb < rb1; ++rb) {
          const std::size_t i0 = rb * MR, mr = std::min(MR, m - i0);
          for (std::size_t p = 0; p < kc; ++p)
            for (std::size_t r = 0; r < MR; ++r)
              apack[p * MR + r] = r < mr ? a[(i0 + r) * lda + pc + p] : 0.0;
          for (std::size_t q = 0; q < panels; ++q)
            micro_kernel(kc, apack.data(), bpack.data() + q * kc * NR, c + i0 * ldc + jc + q * NR,
                         ldc, mr, std::min(NR, nc - q * NR));
        }
      });
    }
  }
}

}  // namespace fpaudit::gemm::detail
