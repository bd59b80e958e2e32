// The CUDA driver API, loaded at run time (dlopen "libcuda.so.1"), and the conversion kernels
// embedded in the library as a fatbin (built by nvcc from kernels/conversions.cu).
//
// Nothing links against libcuda or libcudart: a machine without the NVIDIA driver (or without
// a GPU, or with a GPU the fatbin has no code for) runs fpaudit and sees the device paths as
// unavailable, with the reason, never a crash. The primary context of device 0 is used, so
// libraries that use the runtime API (cuBLASLt) share it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fpaudit::hw::cuda {

// Whether the device side can run here; on false, *why says why in one line ("no CUDA driver:
// libcuda.so.1: cannot open shared object file", "no CUDA device (cuDeviceGetCount = 0)").
// Loads the driver and the kernels once (thread-safe).
bool device_ready(std::string* why = nullptr);

// "NVIDIA H100 80GB HBM3, sm_90, driver 13.0" (device_ready() only).
std::string device_description();

// Device 0's compute capability as major * 10 + minor (90 for H100); 0 when not ready.
int device_compute_capability();

// Runs kernel fpaudit_cuda_<id>(const In* in, Out* out, unsigned long long n) on device 0 over
// n elements of in_size / out_size bytes each. Throws std::runtime_error naming the driver call
// that failed. Serialised (one launch at a time); device_ready() must be true.
void run_elementwise(const char* id, const void* in, std::size_t in_size, void* out,
                     std::size_t out_size, std::size_t n);

// Device memory on device 0's primary context (for the cuBLASLt code). Throws
// std::runtime_error on failure.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void upload(const void* host, std::size_t bytes);
  void download(void* host, std::size_t bytes) const;
  void* get() const { return reinterpret_cast<void*>(ptr_); }
  std::size_t size() const { return bytes_; }

 private:
  std::uint64_t ptr_ = 0;  // CUdeviceptr
  std::size_t bytes_ = 0;
};

// Makes device 0's primary context current on the calling thread and waits for it to finish.
void make_context_current();
void synchronize();

}  // namespace fpaudit::hw::cuda
