#include "cublaslt_gemm.hpp"

#include <cublasLt.h>  // types and signatures only: the functions are looked up with dlsym
#include <dlfcn.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "driver.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"

#if !defined(FPAUDIT_CUBLASLT_SONAME)
#define FPAUDIT_CUBLASLT_SONAME "libcublasLt.so.13"  // CUDA 13 (CMake passes the toolkit's)
#endif

namespace fpaudit::hw::cuda {

namespace {

#define FPAUDIT_LT_FUNCTIONS(F)                                                              \
  F(cublasLtCreate)                                                                          \
  F(cublasLtDestroy)                                                                         \
  F(cublasLtGetVersion)                                                                      \
  F(cublasLtMatmulDescCreate) F(cublasLtMatmulDescDestroy) F(cublasLtMatmulDescSetAttribute) \
      F(cublasLtMatrixLayoutCreate) F(cublasLtMatrixLayoutDestroy)                           \
          F(cublasLtMatmulPreferenceCreate) F(cublasLtMatmulPreferenceDestroy)               \
              F(cublasLtMatmulPreferenceSetAttribute) F(cublasLtMatmulAlgoGetHeuristic)      \
                  F(cublasLtMatmul)

struct Lt {
#define FPAUDIT_LT_MEMBER(fn) decltype(&fn) fn##_ = nullptr;
  FPAUDIT_LT_FUNCTIONS(FPAUDIT_LT_MEMBER)
#undef FPAUDIT_LT_MEMBER
  cublasLtHandle_t handle = nullptr;
  bool ready = false;
  std::string why;
  std::mutex run;
};

Lt& lt() {
  static Lt l;
  static std::once_flag once;
  std::call_once(once, [] {
    if (!device_ready(&l.why)) return;
    void* lib = dlopen(FPAUDIT_CUBLASLT_SONAME, RTLD_NOW | RTLD_LOCAL);
#if defined(FPAUDIT_CUDA_LIBDIR)
    if (lib == nullptr)
      lib = dlopen(FPAUDIT_CUDA_LIBDIR "/" FPAUDIT_CUBLASLT_SONAME, RTLD_NOW | RTLD_LOCAL);
#endif
    if (lib == nullptr) {
      const char* e = dlerror();
      l.why = std::string("no cuBLASLt: ") + (e ? e : "dlopen(" FPAUDIT_CUBLASLT_SONAME ") failed");
      return;
    }
#define FPAUDIT_LT_LOAD(fn)                                   \
  l.fn##_ = reinterpret_cast<decltype(&fn)>(dlsym(lib, #fn)); \
  if (l.fn##_ == nullptr) {                                   \
    l.why = FPAUDIT_CUBLASLT_SONAME " lacks " #fn;            \
    return;                                                   \
  }
    FPAUDIT_LT_FUNCTIONS(FPAUDIT_LT_LOAD)
#undef FPAUDIT_LT_LOAD
    make_context_current();
    if (cublasStatus_t s = l.cublasLtCreate_(&l.handle); s != CUBLAS_STATUS_SUCCESS) {
      l.why = "cublasLtCreate failed: status " + std::to_string(static_cast<int>(s));
      return;
    }
    l.ready = true;
  });
  return l;
}

void check(const char* call, cublasStatus_t s) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(call) + " failed: cublasStatus_t " +
                             std::to_string(static_cast<int>(s)));
}

cudaDataType_t cuda_type(const FormatSpec& f) {
  if (f.name == "bfloat16") return CUDA_R_16BF;
  if (f.name == "binary16") return CUDA_R_16F;
  if (f.name == "binary32") return CUDA_R_32F;
  if (f.name == "float8_e4m3fn") return CUDA_R_8F_E4M3;
  if (f.name == "float8_e5m2") return CUDA_R_8F_E5M2;
  if (f.name == "float4_e2m1fn") return CUDA_R_4F_E2M1;
  throw std::invalid_argument("cuBLASLt has no type for " + f.name);
}

// One operand on the device: E2M1 elements are packed two a byte along K (element 2i in the
// low nibble), everything else is copied as stored.
std::vector<std::uint8_t> device_image(const FormatSpec& f, const void* data, std::size_t count) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  if (f.width() == 4) {
    std::vector<std::uint8_t> packed((count + 1) / 2, 0);
    for (std::size_t i = 0; i < count; ++i)
      packed[i / 2] |= static_cast<std::uint8_t>((p[i] & 0xF) << (i % 2 ? 4 : 0));
    return packed;
  }
  return std::vector<std::uint8_t>(p, p + count * storage_bytes(f));
}

// Block scales (rows x blocks, row-major, a byte each) in cuBLASLt's tiled layout.
std::vector<std::uint8_t> tiled_scales(const std::uint8_t* s, std::size_t rows,
                                       std::size_t blocks) {
  std::vector<std::uint8_t> out(block_scale_bytes(rows, blocks), 0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < blocks; ++c)
      out[block_scale_offset(r, c, blocks)] = s[r * blocks + c];
  return out;
}

}  // namespace

std::size_t block_scale_offset(std::size_t r, std::size_t c, std::size_t blocks) {
  const std::size_t col_tiles = (blocks + 3) / 4;
  const std::size_t tile = (r / 128) * col_tiles + c / 4;
  return tile * 512 + (r % 32) * 16 + (r % 128) / 32 * 4 + c % 4;
}

std::size_t block_scale_bytes(std::size_t rows, std::size_t blocks) {
  return ((rows + 127) / 128) * ((blocks + 3) / 4) * 512;
}

bool cublaslt_ready(std::string* why) {
  Lt& l = lt();
  if (!l.ready && why) *why = l.why;
  return l.ready;
}

int device_sm() { return device_compute_capability(); }

int required_sm(const LtGemm& g) {
  switch (g.scaling) {
    case LtScaling::none:
      return 80;
    case LtScaling::per_tensor:
      return 89;
    case LtScaling::mxfp8:
    case LtScaling::nvfp4:
      return 100;
  }
  return 100;
}

std::vector<LtGemm> cublaslt_gemms() {
  const FormatSpec bf16 = format_by_name("bfloat16"), f16 = format_by_name("binary16"),
                   f32 = format_by_name("binary32"), e4m3 = format_by_name("float8_e4m3fn"),
                   e5m2 = format_by_name("float8_e5m2"), e2m1 = format_by_name("float4_e2m1fn");
  std::vector<LtGemm> v;
  const char* acc = "CUBLAS_COMPUTE_32F: FP32 accumulation on the tensor cores";
  v.push_back({"cuda.cublaslt.bf16.f32", bf16, bf16, f32, LtScaling::none, false,
               std::string("bfloat16 x bfloat16 -> binary32, ") + acc});
  v.push_back({"cuda.cublaslt.f16.f32", f16, f16, f32, LtScaling::none, false,
               std::string("binary16 x binary16 -> binary32, ") + acc});
  for (bool fast : {false, true}) {
    const std::string suffix = fast ? ".fast_accum" : "";
    const std::string fa =
        fast ? "CUBLASLT_MATMUL_DESC_FAST_ACCUM = 1 (no periodic promotion)" : "FAST_ACCUM = 0";
    v.push_back({"cuda.cublaslt.fp8.e4m3_e4m3.f32" + suffix, e4m3, e4m3, f32, LtScaling::per_tensor,
                 fast, "E4M3 x E4M3 -> binary32, scale_a * scale_b, " + fa});
    v.push_back({"cuda.cublaslt.fp8.e4m3_e5m2.f32" + suffix, e4m3, e5m2, f32, LtScaling::per_tensor,
                 fast, "E4M3 x E5M2 -> binary32, scale_a * scale_b, " + fa});
    v.push_back({"cuda.cublaslt.fp8.e5m2_e4m3.f32" + suffix, e5m2, e4m3, f32, LtScaling::per_tensor,
                 fast, "E5M2 x E4M3 -> binary32, scale_a * scale_b, " + fa});
    v.push_back({"cuda.cublaslt.fp8.e4m3_e4m3.e4m3" + suffix, e4m3, e4m3, e4m3,
                 LtScaling::per_tensor, fast,
                 "E4M3 x E4M3 -> E4M3 D = scale_d * scale_a * scale_b * AB, amax_D, " + fa});
  }
  v.push_back({"cuda.cublaslt.mxfp8.e4m3.f32", e4m3, e4m3, f32, LtScaling::mxfp8, false,
               "MXFP8: E4M3 with an E8M0 scale per 32 along K (VEC32_UE8M0) -> binary32"});
  v.push_back({"cuda.cublaslt.nvfp4.e2m1.f32", e2m1, e2m1, f32, LtScaling::nvfp4, false,
               "NVFP4: E2M1 with an E4M3 scale per 16 along K (VEC16_UE4M3) -> binary32"});
  return v;
}

LtOutput run_cublaslt(const LtGemm& g, const LtInputs& in) {
  Lt& l = lt();
  if (!l.ready) throw std::runtime_error("cuBLASLt unavailable: " + l.why);
  const std::size_t M = in.M, N = in.N, K = in.K;
  const bool block = g.scaling == LtScaling::mxfp8 || g.scaling == LtScaling::nvfp4;
  const std::size_t block_k = g.scaling == LtScaling::nvfp4 ? 16 : 32;
  if (M == 0 || N == 0 || K == 0) throw std::invalid_argument("cuBLASLt GEMM: empty shape");
  if (g.scaling != LtScaling::none && K % 16 != 0)
    throw std::invalid_argument("cuBLASLt FP8/FP4 GEMM: K must be a multiple of 16");
  if (block && K % block_k != 0)
    throw std::invalid_argument("cuBLASLt block-scaled GEMM: K must be a multiple of the block");
  if (block && (!in.a_block_scales || !in.b_block_scales))
    throw std::invalid_argument("cuBLASLt block-scaled GEMM: block scales missing");

  std::lock_guard<std::mutex> lock(l.run);
  make_context_current();
  const bool fp8_d = g.d.width() == 8;

  // Descriptors are destroyed through the loaded function pointers (nothing is linked).
  cublasLtMatmulDesc_t d_raw = nullptr;
  check("cublasLtMatmulDescCreate",
        l.cublasLtMatmulDescCreate_(&d_raw, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  struct DescGuard {
    Lt& l;
    cublasLtMatmulDesc_t v;
    ~DescGuard() { l.cublasLtMatmulDescDestroy_(v); }
  } desc_guard{l, d_raw};
  auto set = [&](cublasLtMatmulDescAttributes_t attr, const void* value, std::size_t size) {
    check("cublasLtMatmulDescSetAttribute",
          l.cublasLtMatmulDescSetAttribute_(d_raw, attr, value, size));
  };
  const cublasOperation_t op_t = CUBLAS_OP_T, op_n = CUBLAS_OP_N;
  set(CUBLASLT_MATMUL_DESC_TRANSA, &op_t, sizeof op_t);
  set(CUBLASLT_MATMUL_DESC_TRANSB, &op_n, sizeof op_n);
  if (g.scaling != LtScaling::none) {
    const std::int8_t fast = g.fast_accum ? 1 : 0;
    set(CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast);
  }

  // Device buffers: operands, D (column-major M x N), C (beta = 0; bfloat16 for an FP8 D),
  // scales, amax, workspace.
  const std::vector<std::uint8_t> a_img = device_image(g.a, in.a, M * K);
  const std::vector<std::uint8_t> b_img = device_image(g.b, in.b, K * N);
  DeviceBuffer da(a_img.size()), db(b_img.size());
  da.upload(a_img.data(), a_img.size());
  db.upload(b_img.data(), b_img.size());
  const std::size_t d_bytes = M * N * storage_bytes(g.d);
  DeviceBuffer dd(d_bytes), dc(M * N * (fp8_d ? 2 : storage_bytes(g.d)));
  DeviceBuffer scales(4 * sizeof(float));
  const float scale_values[4] = {in.scale_a, in.scale_b, in.scale_d, 0.0f};
  scales.upload(scale_values, sizeof scale_values);
  auto* scale_ptr = static_cast<float*>(scales.get());
  std::vector<std::uint8_t> sa, sb;
  std::optional<DeviceBuffer> dsa, dsb;
  if (g.scaling == LtScaling::per_tensor) {
    const void* pa = scale_ptr + 0;
    const void* pb = scale_ptr + 1;
    set(CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &pa, sizeof pa);
    set(CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &pb, sizeof pb);
    if (fp8_d) {
      const void* pd = scale_ptr + 2;
      void* pamax = scale_ptr + 3;
      set(CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, &pd, sizeof pd);
      set(CUBLASLT_MATMUL_DESC_AMAX_D_POINTER, &pamax, sizeof pamax);
    }
  } else if (block) {
    const std::int32_t mode = g.scaling == LtScaling::mxfp8
                                  ? CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0
                                  : CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3;
    set(CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &mode, sizeof mode);
    set(CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &mode, sizeof mode);
    sa = tiled_scales(in.a_block_scales, M, K / block_k);
    sb = tiled_scales(in.b_block_scales, N, K / block_k);
    dsa.emplace(sa.size());
    dsb.emplace(sb.size());
    dsa->upload(sa.data(), sa.size());
    dsb->upload(sb.data(), sb.size());
    const void* pa = dsa->get();
    const void* pb = dsb->get();
    set(CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &pa, sizeof pa);
    set(CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &pb, sizeof pb);
  }

  struct Layout {
    Lt& l;
    cublasLtMatrixLayout_t v = nullptr;
    ~Layout() {
      if (v) l.cublasLtMatrixLayoutDestroy_(v);
    }
  };
  Layout la{l}, lb{l}, lc{l}, ld{l};
  check("cublasLtMatrixLayoutCreate(A)",
        l.cublasLtMatrixLayoutCreate_(&la.v, cuda_type(g.a), K, M, K));
  check("cublasLtMatrixLayoutCreate(B)",
        l.cublasLtMatrixLayoutCreate_(&lb.v, cuda_type(g.b), K, N, K));
  check("cublasLtMatrixLayoutCreate(C)",
        l.cublasLtMatrixLayoutCreate_(&lc.v, fp8_d ? CUDA_R_16BF : cuda_type(g.d), M, N, M));
  check("cublasLtMatrixLayoutCreate(D)",
        l.cublasLtMatrixLayoutCreate_(&ld.v, cuda_type(g.d), M, N, M));

  const std::size_t workspace_bytes = std::size_t{32} << 20;
  DeviceBuffer workspace(workspace_bytes);
  cublasLtMatmulPreference_t pref = nullptr;
  check("cublasLtMatmulPreferenceCreate", l.cublasLtMatmulPreferenceCreate_(&pref));
  struct PrefGuard {
    Lt& l;
    cublasLtMatmulPreference_t v;
    ~PrefGuard() { l.cublasLtMatmulPreferenceDestroy_(v); }
  } pref_guard{l, pref};
  check("cublasLtMatmulPreferenceSetAttribute",
        l.cublasLtMatmulPreferenceSetAttribute_(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                &workspace_bytes, sizeof workspace_bytes));
  cublasLtMatmulHeuristicResult_t heuristic{};
  int found = 0;
  check("cublasLtMatmulAlgoGetHeuristic",
        l.cublasLtMatmulAlgoGetHeuristic_(l.handle, d_raw, la.v, lb.v, lc.v, ld.v, pref, 1,
                                          &heuristic, &found));
  if (found == 0) throw std::runtime_error("cuBLASLt found no algorithm for " + g.name);
  const float beta = 0.0f;
  check("cublasLtMatmul",
        l.cublasLtMatmul_(l.handle, d_raw, &in.alpha, da.get(), la.v, db.get(), lb.v, &beta,
                          dc.get(), lc.v, dd.get(), ld.v, &heuristic.algo, workspace.get(),
                          workspace_bytes, nullptr));
  synchronize();

  std::vector<std::uint8_t> col_major(d_bytes);
  dd.download(col_major.data(), d_bytes);
  LtOutput out;
  const std::size_t ob = storage_bytes(g.d);
  out.d.resize(M * N);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &col_major[(j * M + i) * ob], ob);
      out.d[i * N + j] = bits;
    }
  if (g.scaling == LtScaling::per_tensor && fp8_d) {
    float back[4];
    scales.download(back, sizeof back);
    out.amax_d = back[3];
    out.has_amax = true;
  }
  return out;
}

}  // namespace fpaudit::hw::cuda
