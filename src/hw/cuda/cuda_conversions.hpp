// NVIDIA's conversion functions (conversions.def) as a table shared by the two CUDA backends:
// the headers' host implementations (host_paths.cpp, paths cuda.host.NAME) and the same calls
// compiled by nvcc into kernels (device_paths.cpp, paths cuda.device.NAME). Both sides are
// documented by the same row: the API is one, its documentation is one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "fpaudit/hw/path.hpp"

namespace fpaudit::hw::cuda {

struct Conversion {
  const char* id;    // kernel suffix: fpaudit_cuda_<id>
  const char* api;   // "__float2half_rz", "__nv_cvt_float_to_fp8.e4m3.satfinite"
  const char* from;  // registered format names
  const char* to;
  std::size_t in_size, out_size;  // bytes per element: storage_bytes() of from and to
  Rounding rounding;              // the documented semantics, as the reference's options
  Overflow overflow;
  std::uint64_t (*nan_rule)(std::uint64_t);  // ConversionPath::documented_nan, or nullptr
  const char* semantics;                     // one line, citing the header
  void (*host_run)(const void* in, void* out, std::size_t n);  // the header's host code
  // The same host code under a caller's non-default MXCSR (x86; elsewhere equal to host_run):
  // rounding toward zero (0x7F80), and DAZ + FTZ (0x9FC0, what -ffast-math's startup code sets).
  void (*host_run_mxcsr_rz)(const void* in, void* out, std::size_t n);
  void (*host_run_mxcsr_daz_ftz)(const void* in, void* out, std::size_t n);
};

// Every row of conversions.def, in its order.
inline constexpr std::size_t kConversionCount = 0
#define X(...) +1
#include "conversions.def"
#undef X
    ;

std::span<const Conversion> conversions();  // host_paths.cpp

// Whether the row's host code computes with host floating-point arithmetic ((float)x on a
// double, a + shifter), so that its result depends on the caller's MXCSR. Read from the
// headers; tests/test_cuda_paths.cpp proves the list complete by running every row under other
// MXCSR values. These rows also get paths cuda.host.NAME.mxcsr_rz / .mxcsr_daz_ftz.
bool uses_host_floating_point(const Conversion& c);

// The path for one row, documented by the row (options + NaN rule + semantics line).
ConversionPath make_cuda_path(const Conversion& c, std::string name, std::string semantics,
                              std::function<bool(std::string*)> available,
                              void (*run)(const void*, void*, std::size_t));

void register_host_paths(PathRegistry& r);      // host_paths.cpp: cuda.host.*
void register_device_paths(PathRegistry& r);    // device_paths.cpp: cuda.device.*
void register_cublaslt_paths(PathRegistry& r);  // cublaslt_paths.cpp: cuda.cublaslt.* (GEMM)

}  // namespace fpaudit::hw::cuda
