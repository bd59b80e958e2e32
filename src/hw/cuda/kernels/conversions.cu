// The conversion table (../conversions.def) as device kernels: each row's expression, the very
// call a CUDA program makes, compiled by nvcc for the GPU. On the device the headers use the
// cvt instructions where the architecture has them (cvt.rn.satfinite.e4m3x2.f32 from sm_89,
// cvt.rp.bf16.f32 from sm_90, cvt.*.e2m1x2 / ue8m0x2 on the sm_100 / sm_120 families) and
// their portable code elsewhere: the device paths audit whichever the GPU at hand runs.
// Built into a fatbin (CMake, FPAUDIT_WITH_CUDA) and loaded through the driver (../driver.cpp).
#include "../cuda_bits.hpp"

using namespace fpaudit_cuda_bits;

#define X(id, api, from, to, In, Out, expr, ...)                                            \
  extern "C" __global__ void fpaudit_cuda_##id(const In* in, Out* out, unsigned long long n) { \
    const unsigned long long i = blockIdx.x * static_cast<unsigned long long>(blockDim.x) +   \
                                 threadIdx.x;                                               \
    if (i < n) {                                                                            \
      const In x = in[i];                                                                   \
      out[i] = static_cast<Out>(expr);                                                      \
    }                                                                                       \
  }
#include "../conversions.def"
#undef X
