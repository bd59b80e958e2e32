#include "driver.hpp"

#include <cuda.h>  // types and signatures only: the functions are looked up with dlsym
#include <dlfcn.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

#if defined(FPAUDIT_CUDA_FATBIN)
#include "fpaudit_cuda_fatbin.h"  // generated: bin2c of kernels/conversions.cu's fatbin
#endif

namespace fpaudit::hw::cuda {

namespace {

#define FPAUDIT_STR2(x) #x
#define FPAUDIT_STR(x) FPAUDIT_STR2(x)

// The driver entry points fpaudit uses. cuda.h maps some names to versioned symbols
// (cuMemAlloc -> cuMemAlloc_v2); FPAUDIT_STR expands the macro, so dlsym asks for the symbol
// the header declares.
struct Api {
#define FPAUDIT_CU_FUNCTIONS(F)                                                              \
  F(cuInit)                                                                                  \
  F(cuDriverGetVersion)                                                                      \
  F(cuDeviceGetCount) F(cuDeviceGet) F(cuDeviceGetName) F(cuDeviceGetAttribute)              \
      F(cuDevicePrimaryCtxRetain) F(cuCtxSetCurrent) F(cuCtxSynchronize) F(cuModuleLoadData) \
          F(cuModuleGetFunction) F(cuMemAlloc) F(cuMemFree) F(cuMemcpyHtoD) F(cuMemcpyDtoH)  \
              F(cuLaunchKernel) F(cuGetErrorName)
#define FPAUDIT_CU_MEMBER(fn) decltype(&fn) fn##_ = nullptr;
  FPAUDIT_CU_FUNCTIONS(FPAUDIT_CU_MEMBER)
#undef FPAUDIT_CU_MEMBER
};

struct State {
  bool ready = false;
  std::string why;
  std::string description;
  int sm = 0;
  Api api;
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  std::mutex launch;
};

std::string error_text(const Api& api, CUresult r) {
  const char* name = nullptr;
  if (api.cuGetErrorName_ && api.cuGetErrorName_(r, &name) == CUDA_SUCCESS && name) return name;
  return "CUresult " + std::to_string(static_cast<int>(r));
}

// Loads the driver, picks device 0, retains its primary context and loads the kernels; on any
// failure records why and leaves ready false.
void load(State& s) {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* e = dlerror();
    s.why = std::string("no CUDA driver: ") + (e ? e : "dlopen(libcuda.so.1) failed");
    return;
  }
  Api& a = s.api;
#define FPAUDIT_CU_LOAD(fn)                                                           \
  a.fn##_ = reinterpret_cast<decltype(&fn)>(dlsym(lib, FPAUDIT_STR(fn)));             \
  if (a.fn##_ == nullptr) {                                                           \
    s.why = "CUDA driver lacks " FPAUDIT_STR(fn) " (driver older than the toolkit?)"; \
    return;                                                                           \
  }
  FPAUDIT_CU_FUNCTIONS(FPAUDIT_CU_LOAD)
#undef FPAUDIT_CU_LOAD
  auto failed = [&](const char* call, CUresult r) {
    s.why = std::string(call) + " failed: " + error_text(a, r);
    return false;
  };
  auto ok = [&](const char* call, CUresult r) { return r == CUDA_SUCCESS || failed(call, r); };
  if (!ok("cuInit", a.cuInit_(0))) return;
  int count = 0;
  if (!ok("cuDeviceGetCount", a.cuDeviceGetCount_(&count))) return;
  if (count == 0) {
    s.why = "no CUDA device (cuDeviceGetCount = 0)";
    return;
  }
  CUdevice dev = 0;
  if (!ok("cuDeviceGet", a.cuDeviceGet_(&dev, 0))) return;
  char name[256] = {};
  int major = 0, minor = 0, version = 0;
  if (!ok("cuDeviceGetName", a.cuDeviceGetName_(name, sizeof name - 1, dev))) return;
  if (!ok("cuDeviceGetAttribute",
          a.cuDeviceGetAttribute_(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)))
    return;
  if (!ok("cuDeviceGetAttribute",
          a.cuDeviceGetAttribute_(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev)))
    return;
  if (!ok("cuDriverGetVersion", a.cuDriverGetVersion_(&version))) return;
  s.sm = major * 10 + minor;
  s.description = std::string(name) + ", sm_" + std::to_string(major * 10 + minor) + ", driver " +
                  std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
  if (!ok("cuDevicePrimaryCtxRetain", a.cuDevicePrimaryCtxRetain_(&s.context, dev))) return;
  if (!ok("cuCtxSetCurrent", a.cuCtxSetCurrent_(s.context))) return;
#if defined(FPAUDIT_CUDA_FATBIN)
  // bin2c's array has byte alignment; the driver reads the fatbin header as 8-byte words.
  std::vector<std::uint64_t> image((sizeof fpaudit_cuda_fatbin + 7) / 8);
  std::memcpy(image.data(), fpaudit_cuda_fatbin, sizeof fpaudit_cuda_fatbin);
  if (CUresult r = a.cuModuleLoadData_(&s.module, image.data()); r != CUDA_SUCCESS) {
    s.why = "the conversion kernels do not load on " + s.description +
            " (cuModuleLoadData: " + error_text(a, r) + "; built for " FPAUDIT_CUDA_ARCHS ")";
    return;
  }
  s.ready = true;
#else
  s.why = "built without nvcc: no device kernels (CUDA headers only)";
#endif
}

State& state() {
  static State s;
  static std::once_flag once;
  std::call_once(once, [] { load(s); });
  return s;
}

const State& ready_state() {
  State& s = state();
  if (!s.ready) throw std::runtime_error("CUDA device unavailable: " + s.why);
  return s;
}

void check(const char* call, CUresult r) {
  if (r != CUDA_SUCCESS)
    throw std::runtime_error(std::string(call) + " failed: " + error_text(state().api, r));
}

}  // namespace

bool device_ready(std::string* why) {
  const State& s = state();
  if (!s.ready && why) *why = s.why;
  return s.ready;
}

std::string device_description() { return state().description; }

int device_compute_capability() { return state().ready ? state().sm : 0; }

void make_context_current() {
  const State& s = ready_state();
  check("cuCtxSetCurrent", s.api.cuCtxSetCurrent_(s.context));
}

void synchronize() {
  make_context_current();
  check("cuCtxSynchronize", state().api.cuCtxSynchronize_());
}

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  make_context_current();
  CUdeviceptr p = 0;
  check("cuMemAlloc", state().api.cuMemAlloc_(&p, bytes == 0 ? 1 : bytes));
  ptr_ = p;
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_ != 0) state().api.cuMemFree_(static_cast<CUdeviceptr>(ptr_));
}

void DeviceBuffer::upload(const void* host, std::size_t bytes) {
  if (bytes > bytes_) throw std::logic_error("DeviceBuffer::upload: more bytes than allocated");
  make_context_current();
  check("cuMemcpyHtoD", state().api.cuMemcpyHtoD_(static_cast<CUdeviceptr>(ptr_), host, bytes));
}

void DeviceBuffer::download(void* host, std::size_t bytes) const {
  if (bytes > bytes_) throw std::logic_error("DeviceBuffer::download: more bytes than allocated");
  make_context_current();
  check("cuMemcpyDtoH", state().api.cuMemcpyDtoH_(host, static_cast<CUdeviceptr>(ptr_), bytes));
}

void run_elementwise(const char* id, const void* in, std::size_t in_size, void* out,
                     std::size_t out_size, std::size_t n) {
  State& s = state();
  if (!s.ready) throw std::runtime_error("CUDA device unavailable: " + s.why);
  if (n == 0) return;
  std::lock_guard<std::mutex> lock(s.launch);
  make_context_current();
  CUfunction f = nullptr;
  const std::string name = std::string("fpaudit_cuda_") + id;
  check(("cuModuleGetFunction(" + name + ")").c_str(),
        s.api.cuModuleGetFunction_(&f, s.module, name.c_str()));
  DeviceBuffer din(in_size * n), dout(out_size * n);
  din.upload(in, in_size * n);
  CUdeviceptr pin = reinterpret_cast<CUdeviceptr>(din.get());
  CUdeviceptr pout = reinterpret_cast<CUdeviceptr>(dout.get());
  unsigned long long count = n;
  void* args[] = {&pin, &pout, &count};
  const unsigned threads = 256;
  const unsigned blocks = static_cast<unsigned>((n + threads - 1) / threads);
  check("cuLaunchKernel",
        s.api.cuLaunchKernel_(f, blocks, 1, 1, threads, 1, 1, 0, nullptr, args, nullptr));
  check("cuCtxSynchronize", s.api.cuCtxSynchronize_());
  dout.download(out, out_size * n);
}

}  // namespace fpaudit::hw::cuda
