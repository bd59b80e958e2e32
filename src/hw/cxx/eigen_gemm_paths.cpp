// Eigen 3.4's GEMM with Eigen::half and Eigen::bfloat16 scalars as GEMM paths
// (C.noalias() = A * B on dynamic row-major matrices). This file is compiled like the rest of the
// library (baseline x86-64, no F16C/AVX-512), so Eigen has no packet type for these scalars and
// runs its general block-panel kernel (GeneralBlockPanelKernel.h) on scalars: every multiply and
// add is a binary32 operation rounded back to the scalar type (Half.h / BFloat16.h operator*,
// operator+: half(float(a) op float(b))). A product of two 11-bit (8-bit) significands is exact in
// binary32, and a binary32 sum of two such values rounded again to half (bfloat16) is the
// correctly rounded sum (24 >= 2 x 11 + 2, Figueroa's double-rounding condition), so each step is
// one rounding into the scalar type: the documented model is a sequential accumulation in that
// format without FMA. The kernel accumulates each depth block (kc) from zero and adds it into C;
// for K below kc that is one sequential sum. Run under the default MXCSR (Eigen's subnormal
// half conversion uses a float add).
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "../backends.hpp"
#include "../x86/mxcsr.hpp"
#include "fpaudit/format/registry.hpp"

#if defined(FPAUDIT_HAVE_EIGEN)
#include <Eigen/Core>
#endif

namespace fpaudit::hw {

namespace {

GemmPath eigen_gemm_path(std::string name, const char* format, std::string semantics,
                         std::string model) {
  GemmPath p;
  p.name = std::move(name);
  p.a = p.b = p.out = format_by_name(format);
  p.semantics = std::move(semantics);
  p.model = std::move(model);
  return p;
}

#if defined(FPAUDIT_HAVE_EIGEN)
template <class Scalar>
std::string run_eigen(std::size_t M, std::size_t N, std::size_t K, const void* A, const void* B,
                      void* C) {
  using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  static_assert(sizeof(Scalar) == 2);
  const auto m = static_cast<Eigen::Index>(M), n = static_cast<Eigen::Index>(N),
             k = static_cast<Eigen::Index>(K);
  const Eigen::Map<const Mat> a(static_cast<const Scalar*>(A), m, k);
  const Eigen::Map<const Mat> b(static_cast<const Scalar*>(B), k, n);
  Eigen::Map<Mat> c(static_cast<Scalar*>(C), m, n);
#if FPAUDIT_HW_X86
  const unsigned saved = _mm_getcsr();
  _mm_setcsr(x86::kMxcsrDefault);
#endif
  c.noalias() = a * b;
#if FPAUDIT_HW_X86
  _mm_setcsr(saved);
#endif
  return "";
}
#endif

}  // namespace

void register_eigen_gemm_paths(PathRegistry& r) {
  GemmPath h = eigen_gemm_path(
      "eigen.gemm.half", "binary16",
      "Eigen 3.4 C = A * B with Eigen::half scalars (scalar block-panel kernel): each product and "
      "sum rounded to half (RNE), per depth block from zero, K in order (Eigen Half.h, "
      "GeneralBlockPanelKernel.h)",
      "sequential:acc=binary16,fma=0");
  GemmPath bf = eigen_gemm_path(
      "eigen.gemm.bfloat16", "bfloat16",
      "Eigen 3.4 C = A * B with Eigen::bfloat16 scalars (scalar block-panel kernel): each product "
      "and sum rounded to bfloat16 (RNE), per depth block from zero, K in order (Eigen "
      "BFloat16.h, GeneralBlockPanelKernel.h)",
      "sequential:acc=bfloat16,fma=0");
#if defined(FPAUDIT_HAVE_EIGEN)
  auto any = [](std::string*) { return true; };
  h.available = any;
  bf.available = any;
  h.run = run_eigen<Eigen::half>;
  bf.run = run_eigen<Eigen::bfloat16>;
#else
  auto missing = [](std::string* why) {
    if (why) *why = "built without Eigen 3 (find_package(Eigen3) found none)";
    return false;
  };
  auto none = [](std::size_t, std::size_t, std::size_t, const void*, const void*,
                 void*) -> std::string { throw std::runtime_error("built without Eigen 3"); };
  h.available = bf.available = missing;
  h.run = bf.run = none;
#endif
  r.add(std::move(h));
  r.add(std::move(bf));
}

}  // namespace fpaudit::hw
