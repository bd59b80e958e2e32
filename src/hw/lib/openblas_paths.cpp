// OpenBLAS as GEMM paths, loaded at run time with dlopen (as src/gemm/dense_backend.cpp loads
// cblas_dgemm), so nothing links against a BLAS and a machine without one lists the paths as
// unavailable:
//   openblas.sbgemm          cblas_sbgemm, bfloat16 x bfloat16 -> binary32, where the installed
//                            library exports it (OpenBLAS >= 0.3.10 built with BUILD_BFLOAT16);
//   openblas.sgemm.bf16 / .f16   cblas_sgemm on bfloat16 / binary16 inputs widened to binary32
//                            (exactly: every bf16 and f16 value is a binary32 value).
// OpenBLAS runs with one thread here (openblas_set_num_threads), so its K order cannot depend
// on the thread count; the threads setting is process-wide, so calls are serialised.
#include <dlfcn.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "../backends.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"

// The accumulation model that reproduces cblas_sgemm (found by tests/test_hw_gemm.cpp sweeps;
// docs/HARDWARE.md); refined below when measured.
constexpr const char* FPAUDIT_OPENBLAS_SGEMM_MODEL = "sequential:acc=binary32,fma=1";

namespace fpaudit::hw {
namespace {

// cblas.h: CblasRowMajor = 101, CblasNoTrans = 111; blasint = int in Debian's build.
using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*,
                            int, float, float*, int);
using CblasSbgemm = void (*)(int, int, int, int, int, int, float, const std::uint16_t*, int,
                             const std::uint16_t*, int, float, float*, int);
using SetThreads = void (*)(int);
using GetThreads = int (*)();

struct OpenBlas {
  std::string name, why;  // the library loaded, or why none was
  CblasSgemm sgemm = nullptr;
  CblasSbgemm sbgemm = nullptr;
  SetThreads set_threads = nullptr;
  GetThreads get_threads = nullptr;
  std::mutex mutex;
};

OpenBlas& openblas() {
  static OpenBlas* lib = [] {
    auto* r = new OpenBlas;
    for (const char* name : {"libopenblas.so.0", "libopenblas.so"}) {
      void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (!h) continue;
      r->name = name;
      r->sgemm = reinterpret_cast<CblasSgemm>(dlsym(h, "cblas_sgemm"));
      r->sbgemm = reinterpret_cast<CblasSbgemm>(dlsym(h, "cblas_sbgemm"));
      r->set_threads = reinterpret_cast<SetThreads>(dlsym(h, "openblas_set_num_threads"));
      r->get_threads = reinterpret_cast<GetThreads>(dlsym(h, "openblas_get_num_threads"));
      return r;  // the handle stays open for the life of the process
    }
    r->why = "no OpenBLAS library could be loaded (libopenblas.so.0)";
    return r;
  }();
  return *lib;
}

// Runs f with OpenBLAS set to one thread, restoring the caller's setting.
template <class F>
void single_threaded(OpenBlas& lib, F&& f) {
  std::lock_guard<std::mutex> lock(lib.mutex);
  const int saved = lib.get_threads ? lib.get_threads() : 0;
  if (lib.set_threads) lib.set_threads(1);
  f();
  if (lib.set_threads && saved > 0) lib.set_threads(saved);
}

int as_int(std::size_t v) {
  if (v > 0x7FFFFFFF) throw std::runtime_error("OpenBLAS: dimension exceeds its 32-bit integers");
  return static_cast<int>(v);
}

std::string run_sbgemm(std::size_t M, std::size_t N, std::size_t K, const void* A, const void* B,
                       void* C) {
  OpenBlas& lib = openblas();
  single_threaded(lib, [&] {
    lib.sbgemm(101, 111, 111, as_int(M), as_int(N), as_int(K), 1.0f,
               static_cast<const std::uint16_t*>(A), as_int(K),
               static_cast<const std::uint16_t*>(B), as_int(N), 0.0f, static_cast<float*>(C),
               as_int(N));
  });
  return lib.name;
}

// bfloat16 and binary16 patterns widened to binary32 exactly (the decode of a 16-bit format).
template <bool Bf16>
std::vector<float> widen(const void* data, std::size_t n) {
  static const FormatSpec from = format_by_name(Bf16 ? "bfloat16" : "binary16");
  static const FormatSpec to = format_by_name("binary32");
  const auto* src = static_cast<const std::uint16_t*>(data);
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    if constexpr (Bf16) {
      bits = std::uint32_t{src[i]} << 16;  // bfloat16 is the top half of binary32
    } else {
      bits = static_cast<std::uint32_t>(convert(from, src[i], to, ConvertOptions{}).bits);
    }
    std::memcpy(&out[i], &bits, 4);
  }
  return out;
}

template <bool Bf16>
std::string run_sgemm(std::size_t M, std::size_t N, std::size_t K, const void* A, const void* B,
                      void* C) {
  const std::vector<float> a = widen<Bf16>(A, M * K), b = widen<Bf16>(B, K * N);
  OpenBlas& lib = openblas();
  single_threaded(lib, [&] {
    lib.sgemm(101, 111, 111, as_int(M), as_int(N), as_int(K), 1.0f, a.data(), as_int(K),
              b.data(), as_int(N), 0.0f, static_cast<float*>(C), as_int(N));
  });
  return lib.name;
}

std::function<bool(std::string*)> needs(const char* symbol) {
  return [symbol](std::string* why) {
    OpenBlas& lib = openblas();
    if (lib.name.empty()) {
      if (why) *why = lib.why;
      return false;
    }
    const bool ok = std::strcmp(symbol, "cblas_sbgemm") == 0 ? lib.sbgemm != nullptr : lib.sgemm != nullptr;
    if (!ok && why)
      *why = lib.name + " does not export " + symbol +
             (std::strcmp(symbol, "cblas_sbgemm") == 0 ? " (built without BUILD_BFLOAT16)" : "");
    return ok;
  };
}

GemmPath blas_path(std::string name, const char* in, std::string semantics, std::string model,
                   const char* symbol,
                   std::string (*run)(std::size_t, std::size_t, std::size_t, const void*,
                                      const void*, void*)) {
  GemmPath p;
  p.name = std::move(name);
  p.a = p.b = format_by_name(in);
  p.out = format_by_name("binary32");
  p.semantics = std::move(semantics);
  p.model = std::move(model);
  p.available = needs(symbol);
  p.run = run;
  return p;
}

}  // namespace

void register_openblas_paths(PathRegistry& r) {
  r.add(blas_path("openblas.sbgemm", "bfloat16",
                  "cblas_sbgemm, bf16 x bf16 -> f32, one thread; accumulation order is the "
                  "kernel's (not documented by OpenBLAS)",
                  "", "cblas_sbgemm", run_sbgemm));
  const char* sgemm_text =
      " widened exactly to f32, cblas_sgemm with one thread (SkylakeX kernel on AVX-512): per C "
      "element binary32 FMAs in K order within K blocks, the blocks added into C (measured, "
      "docs/HARDWARE.md; OpenBLAS does not document it)";
  r.add(blas_path("openblas.sgemm.bf16", "bfloat16", std::string("bf16 inputs") + sgemm_text,
                  FPAUDIT_OPENBLAS_SGEMM_MODEL, "cblas_sgemm", run_sgemm<true>));
  r.add(blas_path("openblas.sgemm.f16", "binary16", std::string("f16 inputs") + sgemm_text,
                  FPAUDIT_OPENBLAS_SGEMM_MODEL, "cblas_sgemm", run_sgemm<false>));
}

}  // namespace fpaudit::hw
