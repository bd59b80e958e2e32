// Runtime dispatch of the bulk binary32 kernels (include/fpaudit/codec/bulk_f32.hpp).
#include "fpaudit/codec/bulk_f32.hpp"

#include <atomic>
#include <stdexcept>
#include <string>

#include "f32_kernels.hpp"
#include "fpaudit/hw/cpu_features.hpp"

namespace fpaudit {

std::string_view to_string(KernelIsa k) {
  switch (k) {
    case KernelIsa::scalar:
      return "scalar";
    case KernelIsa::avx2:
      return "avx2";
    case KernelIsa::avx512:
      return "avx512";
  }
  return "?";
}

bool kernel_available(KernelIsa k, std::string* why) {
  using hw::CpuFeature;
  switch (k) {
    case KernelIsa::scalar:
      return true;
    case KernelIsa::avx2:
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
      // cpu_supports(avx) covers the OS's YMM state (XCR0); AVX2 itself is CPUID leaf 7 EBX bit 5.
      if (!hw::cpu_supports(CpuFeature::avx, why)) return false;
      if (!__builtin_cpu_supports("avx2")) {
        if (why) *why = "CPU lacks avx2";
        return false;
      }
      return true;
#else
      if (why) *why = "not an x86-64 build";
      return false;
#endif
    case KernelIsa::avx512:
      return hw::cpu_supports_all(
          {CpuFeature::avx512f, CpuFeature::avx512bw, CpuFeature::avx512dq, CpuFeature::avx512vl},
          why);
  }
  return false;
}

namespace {
// -1: automatic; otherwise a KernelIsa.
std::atomic<int> g_override{-1};

KernelIsa best_kernel() {
  static const KernelIsa best = kernel_available(KernelIsa::avx512) ? KernelIsa::avx512
                                : kernel_available(KernelIsa::avx2) ? KernelIsa::avx2
                                                                    : KernelIsa::scalar;
  return best;
}
}  // namespace

KernelIsa active_kernel() {
  const int o = g_override.load(std::memory_order_relaxed);
  return o < 0 ? best_kernel() : static_cast<KernelIsa>(o);
}

void set_kernel_override(std::optional<KernelIsa> k) {
  std::string why;
  if (k && !kernel_available(*k, &why))
    throw std::invalid_argument("kernel " + std::string(to_string(*k)) + " unavailable: " + why);
  g_override.store(k ? static_cast<int>(*k) : -1, std::memory_order_relaxed);
}

bool bulk_f32_supported(const FormatSpec& to, const ConvertOptions& opt) {
  simd::F32Plan plan;
  return simd::make_f32_plan(to, opt, plan);
}

Flags convert_f32_bulk(KernelIsa isa, const FormatSpec& to, const std::uint32_t* in, void* out,
                       std::size_t n, const ConvertOptions& opt, std::uint64_t first_index) {
  simd::F32Plan plan;
  if (!simd::make_f32_plan(to, opt, plan))
    throw std::invalid_argument("convert_f32_bulk: binary32 -> " + to.name +
                                " is not handled by the bulk kernels");
  std::uint32_t flags = 0;
  switch (isa) {
    case KernelIsa::scalar:
      flags = simd::convert_f32_scalar(plan, in, out, n, first_index);
      break;
    case KernelIsa::avx2:
      flags = simd::convert_f32_avx2(plan, in, out, n, first_index);
      break;
    case KernelIsa::avx512:
      flags = simd::convert_f32_avx512(plan, in, out, n, first_index);
      break;
  }
  return Flags(static_cast<std::uint8_t>(flags));
}

}  // namespace fpaudit
