// The backends that contribute conversion paths: one registration function each, called in this
// order by conversion_paths() (src/hw/path.cpp). A backend lives in its own directory under
// src/hw/. To add one that needs a toolkit (CUDA: src/hw/cuda/, built by a CMake block only when
// the toolkit is found, which also defines FPAUDIT_HW_CUDA), declare its function here under
// that macro and list it in src/hw/backends.cpp; the registry, the checker and the CLI need no
// change.
#pragma once

#include <string>
#include <string_view>

#include "fpaudit/hw/path.hpp"

namespace fpaudit::hw {

// A path from registered format names (binary32, binary16, bfloat16, binary64); the fields not
// given keep ConversionPath's defaults (no NaN rule beyond documented.nan).
ConversionPath make_path(std::string name, std::string_view from, std::string_view to,
                         std::string semantics, ConvertOptions documented,
                         std::function<bool(std::string*)> available,
                         void (*run)(const void*, void*, std::size_t));

// Availability checks for the x86 extensions the backends use (CPUID and XCR0, cpu_features.hpp):
// the features a kernel's target attribute or a file's -m flags enable.
std::function<bool(std::string*)> needs_f16c();         // avx, f16c
std::function<bool(std::string*)> needs_avx512_fp16();  // avx512f, avx512bw, avx512vl, avx512_fp16
std::function<bool(std::string*)> needs_avx512_bf16();  // avx512f, avx512_bf16

// A file built with per-file ISA flags exports kWhyMissing: empty when it was compiled as
// intended, else the reason. This check reports that reason first, then asks `cpu`.
std::function<bool(std::string*)> built_and(const char* why_missing,
                                            std::function<bool(std::string*)> cpu);

// ConvertOptions with the given rounding and subnormal handling, IEEE overflow (7.4), tininess
// after rounding, NaN propagated (6.2.3): how the documented semantics are usually stated.
ConvertOptions documented_options(Rounding r, bool daz = false, bool ftz = false);

void register_x86_paths(PathRegistry& r);    // src/hw/x86/x86_paths.cpp: instructions
void register_cxx_paths(PathRegistry& r);    // src/hw/cxx/float16_paths.cpp: _Float16 casts
void register_eigen_paths(PathRegistry& r);  // src/hw/cxx/eigen_paths.cpp: Eigen::half, bfloat16
void register_x86_op_paths(PathRegistry& r);       // src/hw/x86/op_paths.cpp: AVX512-FP16 arithmetic
void register_x86_gemm_paths(PathRegistry& r);     // src/hw/x86/gemm_paths.cpp: VDPBF16PS, AMX
void register_openblas_paths(PathRegistry& r);     // src/hw/lib/openblas_paths.cpp (dlopen)
void register_onednn_paths(PathRegistry& r);       // src/hw/lib/onednn_paths.cpp (FPAUDIT_HAVE_DNNL)
void register_eigen_gemm_paths(PathRegistry& r);   // src/hw/cxx/eigen_gemm_paths.cpp
#ifdef FPAUDIT_HW_CUDA
void register_cuda_paths(PathRegistry& r);  // src/hw/cuda/ (built only with a CUDA toolkit)
#endif

// Every backend's registration function, in listing order.
void register_all_backends(PathRegistry& r);

}  // namespace fpaudit::hw
