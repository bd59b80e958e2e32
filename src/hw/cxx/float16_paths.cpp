// The compiler's _Float16 casts as paths, in the three builds of float16_kernels.hpp. The cast
// itself is C++23 [conv.double] / C 6.3.1.5: a value not exactly representable is rounded by
// the current rounding mode, so every path here runs with the default MXCSR (RNE) and is
// documented as IEEE 754 round-to-nearest-even with subnormals and NaN payloads kept.
#include "../backends.hpp"
#include "../x86/mxcsr.hpp"
#include "float16_kernels.hpp"

namespace fpaudit::hw {

#if !FPAUDIT_HW_X86

void register_cxx_paths(PathRegistry&) {}  // the three builds are x86 flag sets

#else

namespace {

using x86::kMxcsrDefault;
using x86::run_with_mxcsr;

struct Build {
  const char* suffix;  // path name suffix
  const char* how;     // how the file was compiled
  const char* f32_to_f16;
  const char* f16_to_f32;
  const char* f64_to_f16;
  const char* f16_to_f64;
  const char* why_missing;  // the build's kWhyMissing
  std::function<bool(std::string*)> cpu;
  void (*k_f32_to_f16)(const void*, void*, std::size_t);
  void (*k_f16_to_f32)(const void*, void*, std::size_t);
  void (*k_f64_to_f16)(const void*, void*, std::size_t);
  void (*k_f16_to_f64)(const void*, void*, std::size_t);
};

void add_build(PathRegistry& r, const Build& b) {
  const auto available = built_and(b.why_missing, b.cpu);
  const std::string prefix = "(_Float16) cast built " + std::string(b.how) + ": ";
  const ConvertOptions rne = documented_options(Rounding::rne);
  const std::string narrow = ", rounding by MXCSR.RC (run with the default MXCSR 0x1F80: RNE), "
                             "subnormals kept, NaN quieted, payload truncated";
  const std::string widen = ", exact, NaN quieted, payload kept";
  r.add(make_path(std::string("cxx.f32_to_f16.") + b.suffix, "binary32", "binary16",
                  prefix + b.f32_to_f16 + narrow, rne, available, b.k_f32_to_f16));
  r.add(make_path(std::string("cxx.f16_to_f32.") + b.suffix, "binary16", "binary32",
                  prefix + b.f16_to_f32 + widen, rne, available, b.k_f16_to_f32));
  r.add(make_path(std::string("cxx.f64_to_f16.") + b.suffix, "binary64", "binary16",
                  prefix + b.f64_to_f16 + narrow + " (one rounding, no double rounding via f32)",
                  rne, available, b.k_f64_to_f16));
  r.add(make_path(std::string("cxx.f16_to_f64.") + b.suffix, "binary16", "binary64",
                  prefix + b.f16_to_f64 + widen, rne, available, b.k_f16_to_f64));
}

}  // namespace

void register_cxx_paths(PathRegistry& r) {
  auto any_cpu = [](std::string*) { return true; };
  add_build(r, {"soft", "without -mf16c/-mavx512fp16", "libgcc __truncsfhf2", "libgcc __extendhfsf2",
                "libgcc __truncdfhf2", "libgcc __extendhfdf2", cxx::soft::kWhyMissing, any_cpu,
                run_with_mxcsr<kMxcsrDefault, cxx::soft::f32_to_f16>,
                run_with_mxcsr<kMxcsrDefault, cxx::soft::f16_to_f32>,
                run_with_mxcsr<kMxcsrDefault, cxx::soft::f64_to_f16>,
                run_with_mxcsr<kMxcsrDefault, cxx::soft::f16_to_f64>});
  add_build(r, {"f16c", "with -mf16c", "VCVTPS2PH imm8 = 4", "VCVTPH2PS", "libgcc __truncdfhf2",
                "libgcc __extendhfdf2", cxx::f16c::kWhyMissing, needs_f16c(),
                run_with_mxcsr<kMxcsrDefault, cxx::f16c::f32_to_f16>,
                run_with_mxcsr<kMxcsrDefault, cxx::f16c::f16_to_f32>,
                run_with_mxcsr<kMxcsrDefault, cxx::f16c::f64_to_f16>,
                run_with_mxcsr<kMxcsrDefault, cxx::f16c::f16_to_f64>});
  add_build(r, {"avx512fp16", "with -mavx512fp16", "VCVTSS2SH", "VCVTSH2SS", "VCVTSD2SH",
                "VCVTSH2SD", cxx::avx512fp16::kWhyMissing, needs_avx512_fp16(),
                run_with_mxcsr<kMxcsrDefault, cxx::avx512fp16::f32_to_f16>,
                run_with_mxcsr<kMxcsrDefault, cxx::avx512fp16::f16_to_f32>,
                run_with_mxcsr<kMxcsrDefault, cxx::avx512fp16::f64_to_f16>,
                run_with_mxcsr<kMxcsrDefault, cxx::avx512fp16::f16_to_f64>});
}

#endif  // FPAUDIT_HW_X86

}  // namespace fpaudit::hw
