// CPUID / XGETBV feature detection (Intel SDM Vol. 2A, CPUID: leaf 1 ECX, leaf 7 subleaf 0
// EBX/EDX, leaf 7 subleaf 1 EAX; Vol. 1 13.3 for XCR0). Detected once, then read-only.
#include "fpaudit/hw/cpu_features.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define FPAUDIT_HW_X86 1
#endif

namespace fpaudit::hw {
namespace {

constexpr int kFeatureCount = 10;

struct Detected {
  bool cpu[kFeatureCount] = {};       // CPUID says the CPU implements it
  bool disabled[kFeatureCount] = {};  // named in FPAUDIT_HW_DISABLE
  bool avx_state = false;             // XCR0 bits 1-2 (XMM, YMM)
  bool avx512_state = false;          // XCR0 bits 5-7 (opmask, ZMM_Hi256, Hi16_ZMM)
  bool amx_state = false;             // XCR0 bits 17-18 (XTILECFG, XTILEDATA)
  std::uint64_t xcr0 = 0;
};

int index(CpuFeature f) { return static_cast<int>(f); }

bool needs_amx_state(CpuFeature f) { return f == CpuFeature::amx_tile || f == CpuFeature::amx_bf16; }

bool needs_avx512_state(CpuFeature f) {
  return f != CpuFeature::avx && f != CpuFeature::f16c && !needs_amx_state(f);
}

#if FPAUDIT_HW_X86
std::uint64_t read_xcr0() {
  // XGETBV with ECX = 0; only legal when CPUID.1:ECX.OSXSAVE[bit 27] is set (checked by caller).
  std::uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (std::uint64_t{hi} << 32) | lo;
}
#endif

void read_disable_list(Detected& d) {
  const char* env = std::getenv("FPAUDIT_HW_DISABLE");
  if (env == nullptr) return;
  const std::string list = env;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    for (int i = 0; i < kFeatureCount; ++i)
      if (name == "all" || name == to_string(static_cast<CpuFeature>(i))) d.disabled[i] = true;
    start = end + 1;
  }
}

Detected detect() {
  Detected d;
  read_disable_list(d);
#if FPAUDIT_HW_X86
  unsigned a = 0, b = 0, c = 0, x = 0;
  const unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 1) return d;
  __cpuid_count(1, 0, a, b, c, x);
  const bool osxsave = (c >> 27) & 1;
  d.cpu[index(CpuFeature::avx)] = (c >> 28) & 1;
  d.cpu[index(CpuFeature::f16c)] = (c >> 29) & 1;
  if (osxsave) {
    d.xcr0 = read_xcr0();
    d.avx_state = (d.xcr0 & 0x6) == 0x6;
    d.avx512_state = d.avx_state && (d.xcr0 & 0xE0) == 0xE0;
    d.amx_state = (d.xcr0 & 0x60000) == 0x60000;
  }
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, x);
    const unsigned max_subleaf = a;
    d.cpu[index(CpuFeature::avx512f)] = (b >> 16) & 1;
    d.cpu[index(CpuFeature::avx512dq)] = (b >> 17) & 1;
    d.cpu[index(CpuFeature::avx512bw)] = (b >> 30) & 1;
    d.cpu[index(CpuFeature::avx512vl)] = (b >> 31) & 1;
    d.cpu[index(CpuFeature::avx512_fp16)] = (x >> 23) & 1;
    d.cpu[index(CpuFeature::amx_bf16)] = (x >> 22) & 1;
    d.cpu[index(CpuFeature::amx_tile)] = (x >> 24) & 1;
    if (max_subleaf >= 1) {
      __cpuid_count(7, 1, a, b, c, x);
      d.cpu[index(CpuFeature::avx512_bf16)] = (a >> 5) & 1;
    }
  }
#endif
  return d;
}

const Detected& detected() {
  static const Detected d = detect();
  return d;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string_view to_string(CpuFeature f) {
  switch (f) {
    case CpuFeature::avx: return "avx";
    case CpuFeature::f16c: return "f16c";
    case CpuFeature::avx512f: return "avx512f";
    case CpuFeature::avx512bw: return "avx512bw";
    case CpuFeature::avx512dq: return "avx512dq";
    case CpuFeature::avx512vl: return "avx512vl";
    case CpuFeature::avx512_bf16: return "avx512_bf16";
    case CpuFeature::avx512_fp16: return "avx512_fp16";
    case CpuFeature::amx_tile: return "amx_tile";
    case CpuFeature::amx_bf16: return "amx_bf16";
  }
  return "?";
}

bool cpu_supports(CpuFeature f, std::string* why) {
  auto fail = [why](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
#if !FPAUDIT_HW_X86
  (void)f;
  return fail("not an x86-64 build");
#else
  const Detected& d = detected();
  const std::string name(to_string(f));
  if (d.disabled[index(f)]) return fail(name + " disabled by FPAUDIT_HW_DISABLE");
  if (!d.cpu[index(f)]) return fail("CPU lacks " + name);
  if (!d.avx_state) return fail("OS has not enabled AVX register state (XCR0 = " + hex(d.xcr0) + ")");
  if (needs_amx_state(f) && !d.amx_state)
    return fail("OS has not enabled AMX tile state (XCR0 = " + hex(d.xcr0) + ")");
  if (needs_avx512_state(f) && !d.avx512_state)
    return fail("OS has not enabled AVX-512 register state (XCR0 = " + hex(d.xcr0) + ")");
  return true;
#endif
}

bool cpu_supports_all(std::initializer_list<CpuFeature> fs, std::string* why) {
  for (CpuFeature f : fs)
    if (!cpu_supports(f, why)) return false;
  return true;
}

}  // namespace fpaudit::hw
