// oneDNN matmul as a GEMM path: bfloat16 x bfloat16 -> binary32 (dnnl::matmul, row-major
// "ab" memory, beta = 0). oneDNN picks its kernel at run time (brgemm with AMX, AVX512-BF16, or
// a reference); the path reports what it dispatched to: the primitive's implementation string
// (impl_info_str, e.g. "brg:avx512_core_amx") and the library's effective ISA
// (dnnl_get_effective_cpu_isa). Built only when CMake finds oneDNN (FPAUDIT_HAVE_DNNL).
#include <stdexcept>

#include "../backends.hpp"
#include "fpaudit/format/registry.hpp"

#ifdef FPAUDIT_HAVE_DNNL
#include <dnnl.hpp>
#include <dnnl_debug.h>
#endif

namespace fpaudit::hw {

#ifndef FPAUDIT_HAVE_DNNL

void register_onednn_paths(PathRegistry& r) {
  GemmPath p;
  p.name = "onednn.matmul.bf16";
  p.a = p.b = format_by_name("bfloat16");
  p.out = format_by_name("binary32");
  p.semantics = "oneDNN matmul bf16 x bf16 -> f32";
  p.available = [](std::string* why) {
    if (why) *why = "built without oneDNN (CMake did not find libdnnl and dnnl.hpp)";
    return false;
  };
  p.run = [](std::size_t, std::size_t, std::size_t, const void*, const void*, void*) -> std::string {
    throw std::runtime_error("onednn.matmul.bf16: built without oneDNN");
  };
  r.add(std::move(p));
}

#else

namespace {

// The ISA oneDNN uses on this CPU, by name ("avx512_core_amx").
std::string effective_isa() {
  const dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
  switch (isa) {
    case dnnl_cpu_isa_all: return "all";
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "isa " + std::to_string(static_cast<int>(isa));
  }
}

std::string run_matmul(std::size_t M, std::size_t N, std::size_t K, const void* A, const void* B,
                       void* C) {
  using namespace dnnl;
  using dt = memory::data_type;
  using tag = memory::format_tag;
  try {
    static const engine eng(engine::kind::cpu, 0);
    stream s(eng);
    const auto dim = [](std::size_t v) { return static_cast<memory::dim>(v); };
    const memory::desc a_md({dim(M), dim(K)}, dt::bf16, tag::ab);
    const memory::desc b_md({dim(K), dim(N)}, dt::bf16, tag::ab);
    const memory::desc c_md({dim(M), dim(N)}, dt::f32, tag::ab);
    const matmul::primitive_desc pd(matmul::desc(a_md, b_md, c_md), eng);
    memory a(a_md, eng, const_cast<void*>(A)), b(b_md, eng, const_cast<void*>(B)), c(c_md, eng, C);
    matmul(pd).execute(s, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}});
    s.wait();
    return "impl " + std::string(pd.impl_info_str()) + ", ISA " + effective_isa();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN matmul failed: ") + e.what());
  }
}

}  // namespace

void register_onednn_paths(PathRegistry& r) {
  GemmPath p;
  p.name = "onednn.matmul.bf16";
  p.a = p.b = format_by_name("bfloat16");
  p.out = format_by_name("binary32");
  p.semantics = "oneDNN " + std::to_string(DNNL_VERSION_MAJOR) + "." +
                std::to_string(DNNL_VERSION_MINOR) +
                " matmul bf16 x bf16 -> f32, kernel chosen at run time (reported per run: "
                "impl and ISA); accumulation not documented by oneDNN";
  // Measured on this machine (docs/HARDWARE.md): the brgemm kernels accumulate as the
  // instructions they are built on, one instruction per K pair (VDPBF16PS) or per 32 K (AMX).
  p.model = "amx-bf16:amx_k=32";
  p.model_for_run = [](const std::string& note) -> std::string {
    if (note.find("avx512_core_amx_bf16") != std::string::npos) return "amx-bf16:amx_k=32";
    if (note.find("brg:avx512_core_bf16") != std::string::npos) return "vdpbf16ps";
    return "";
  };
  p.available = [](std::string* why) {
    try {
      const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
      return true;
    } catch (const dnnl::error& e) {
      if (why) *why = std::string("oneDNN has no CPU engine: ") + e.what();
      return false;
    }
  };
  p.run = run_matmul;
  r.add(std::move(p));
}

#endif

}  // namespace fpaudit::hw
