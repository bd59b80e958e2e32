// Runtime detection of the x86 instruction-set extensions the conversion paths need: CPUID for
// what the CPU implements, XGETBV (XCR0) for whether the OS saves the register state the
// instructions use (Intel SDM Vol. 1, 13.3 and 15.2: AVX needs XCR0 bits 1-2, AVX-512 bits 5-7).
// Nothing here executes an instruction it asks about, so asking is safe on any machine.
//
// The environment variable FPAUDIT_HW_DISABLE (a comma-separated list of the feature names
// below, or "all") reports features as missing, so the "unavailable" paths of the tools and
// tests can be exercised on a machine that has everything.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace fpaudit::hw {

enum class CpuFeature : std::uint8_t {
  avx,
  f16c,
  avx512f,
  avx512bw,
  avx512dq,
  avx512vl,
  avx512_bf16,
  avx512_fp16,
  amx_tile,  // CPUID.(7,0):EDX[24]; state: XCR0 bits 17-18 (XTILECFG, XTILEDATA)
  amx_bf16,  // CPUID.(7,0):EDX[22]
};

// The /proc/cpuinfo spelling: "f16c", "avx512_bf16", ...
std::string_view to_string(CpuFeature f);

// True when the CPU has f and the OS has enabled its register state. Otherwise false, and *why
// (when non-null) gets one line: "CPU lacks avx512_bf16", "OS has not enabled AVX-512 register
// state (XCR0 = 0x7)", "avx512_bf16 disabled by FPAUDIT_HW_DISABLE", "not an x86-64 build".
bool cpu_supports(CpuFeature f, std::string* why = nullptr);

// All of them; *why names the first one missing.
bool cpu_supports_all(std::initializer_list<CpuFeature> fs, std::string* why = nullptr);

}  // namespace fpaudit::hw
