// The unscaled cuBLASLt GEMMs (cublaslt_gemm.hpp) as GEMM paths, so `fpaudit hw check` holds
// them to a tensor-core model preset (gemm::model_presets, docs/GEMM.md) and to the exact GEMM.
// The presets are the H100 ones (Khattak & Mikaitis' H100TC.m, which their B200TC.m shares for
// FP16/BF16); on another GPU the check still reports the distance from exact.
#include <cstring>
#include <vector>

#include "cublaslt_gemm.hpp"
#include "cuda_conversions.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/hw/gemm_path.hpp"

namespace fpaudit::hw::cuda {

namespace {

// The documented model of each unscaled path: FP16/BF16 fused blocks of 16 products (nvidia-h100-fp16-fp32 / -bf16-fp32);
// FP8 with fast accumulation: the whole K in the tensor core's e8m13 accumulator (nvidia-h100-fp8-fp32);
// FP8 without it: cuBLASLt promotes partial sums to binary32 at an undocumented interval, taken
// as DeepSeek-V3's 128 (an assumption a GPU run confirms or refutes).
std::string model_for(const LtGemm& g) {
  if (g.scaling == LtScaling::none)
    return g.a.name == "bfloat16" ? "nvidia-h100-bf16-fp32" : "nvidia-h100-fp16-fp32";
  return g.fast_accum ? "nvidia-h100-fp8-fp32" : "deepseek-v3-fp8";
}

}  // namespace

void register_cublaslt_paths(PathRegistry& r) {
  for (const LtGemm& g : cublaslt_gemms()) {
    if (g.scaling == LtScaling::mxfp8 || g.scaling == LtScaling::nvfp4) continue;  // need scales
    if (g.d.name != "binary32") continue;
    GemmPath p;
    p.name = g.name;
    p.a = g.a;
    p.b = g.b;
    p.out = g.d;
    p.semantics = g.semantics + " (cublasLtMatmul, unit scales; model: " + model_for(g) + ")";
    p.model = model_for(g);
    const int sm = required_sm(g);
    p.available = [sm](std::string* why) {
      if (!cublaslt_ready(why)) return false;
      if (device_sm() < sm) {
        if (why)
          *why =
              "needs sm_" + std::to_string(sm) + ", the GPU is sm_" + std::to_string(device_sm());
        return false;
      }
      return true;
    };
    p.run = [g](std::size_t M, std::size_t N, std::size_t K, const void* A, const void* B,
                void* C) -> std::string {
      // cuBLASLt's FP8 kernels want M, N and K in multiples of 16: the operands are padded with
      // zeros (exact zero products appended to each dot product; the extra rows and columns of
      // D are dropped). A stays row-major (Mp x Kp); B becomes column-major (Np columns of Kp).
      const std::size_t q = g.scaling == LtScaling::none ? 1 : 16;
      const std::size_t Mp = (M + q - 1) / q * q, Np = (N + q - 1) / q * q,
                        Kp = (K + q - 1) / q * q;
      const std::size_t ea = storage_bytes(g.a), eb = storage_bytes(g.b);
      // Zero is the all-zero pattern in every input format used here.
      std::vector<unsigned char> a(Mp * Kp * ea, 0), bt(Np * Kp * eb, 0);
      const auto* sa = static_cast<const unsigned char*>(A);
      const auto* sb = static_cast<const unsigned char*>(B);
      for (std::size_t i = 0; i < M; ++i) std::memcpy(&a[i * Kp * ea], &sa[i * K * ea], K * ea);
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t j = 0; j < N; ++j)
          std::memcpy(&bt[(j * Kp + k) * eb], &sb[(k * N + j) * eb], eb);
      LtInputs in;
      in.M = Mp;
      in.N = Np;
      in.K = Kp;
      in.a = a.data();
      in.b = bt.data();
      const LtOutput out = run_cublaslt(g, in);
      const std::size_t ob = storage_bytes(g.d);
      auto* dst = static_cast<unsigned char*>(C);
      for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j)
          std::memcpy(dst + (i * N + j) * ob, &out.d[i * Np + j], ob);
      return "cuBLASLt on sm_" + std::to_string(device_sm()) +
             (q > 1 ? ", padded to " + std::to_string(Mp) + "x" + std::to_string(Np) + "x" +
                          std::to_string(Kp)
                    : "");
    };
    r.add(std::move(p));
  }
}

}  // namespace fpaudit::hw::cuda
