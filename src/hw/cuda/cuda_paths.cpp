// The CUDA backend (built when CMake finds a CUDA toolkit, FPAUDIT_WITH_CUDA): NVIDIA's
// conversion functions as their headers' host code (cuda.host.*, run anywhere) and as device
// code (cuda.device.*, available only with a driver and a GPU), and cuBLASLt GEMMs
// (cuda.cublaslt.*, GPU only). docs/CUDA.md.
#include "../backends.hpp"
#include "cuda_conversions.hpp"

namespace fpaudit::hw {

void register_cuda_paths(PathRegistry& r) {
  cuda::register_host_paths(r);
  cuda::register_device_paths(r);
  cuda::register_cublaslt_paths(r);
}

}  // namespace fpaudit::hw
