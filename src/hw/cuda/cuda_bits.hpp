// Bit patterns in, bit patterns out: the helpers the conversion table (conversions.def) uses to
// call NVIDIA's conversion functions on raw encodings. Compiled twice, by the host compiler for
// the headers' host implementations (host_paths.cpp) and by nvcc for the device kernels
// (kernels/conversions.cu), so the same expression is audited on both sides.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>

#include <cstring>

#if defined(__CUDACC__)
#define FPAUDIT_CUDA_HD __host__ __device__ inline
#else
#define FPAUDIT_CUDA_HD inline
#endif

namespace fpaudit_cuda_bits {

using u8 = unsigned char;
using u16 = unsigned short;
using u32 = unsigned int;
using u64 = unsigned long long;

FPAUDIT_CUDA_HD float f32(u32 x) {
  float f;
  memcpy(&f, &x, sizeof f);
  return f;
}
FPAUDIT_CUDA_HD double f64(u64 x) {
  double d;
  memcpy(&d, &x, sizeof d);
  return d;
}
FPAUDIT_CUDA_HD __half_raw f16raw(u16 x) {
  __half_raw r;
  r.x = x;
  return r;
}
FPAUDIT_CUDA_HD __half f16(u16 x) { return __half(f16raw(x)); }
FPAUDIT_CUDA_HD __nv_bfloat16_raw bf16raw(u16 x) {
  __nv_bfloat16_raw r;
  r.x = x;
  return r;
}
FPAUDIT_CUDA_HD __nv_bfloat16 bf16(u16 x) { return __nv_bfloat16(bf16raw(x)); }

FPAUDIT_CUDA_HD u32 bits(float f) {
  u32 x;
  memcpy(&x, &f, sizeof x);
  return x;
}
FPAUDIT_CUDA_HD u16 bits(__half h) { return static_cast<__half_raw>(h).x; }
FPAUDIT_CUDA_HD u16 bits(__half_raw r) { return r.x; }
FPAUDIT_CUDA_HD u16 bits(__nv_bfloat16 b) { return static_cast<__nv_bfloat16_raw>(b).x; }
FPAUDIT_CUDA_HD u16 bits(__nv_bfloat16_raw r) { return r.x; }

}  // namespace fpaudit_cuda_bits
