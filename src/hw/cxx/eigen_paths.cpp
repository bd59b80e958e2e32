// Eigen 3.4's Eigen::half and Eigen::bfloat16 conversions as paths (Eigen/src/Core/arch/Default/
// Half.h and BFloat16.h). This file is compiled like the rest of the library (baseline x86-64,
// no F16C), so Eigen takes its portable code:
//   half(float)      float_to_half_rtne: RNE by integer adds, except that subnormal results use
//                    a float addition of a magic constant ("as long as FP addition is
//                    round-to-nearest-even this just works"), so it needs MXCSR = RNE without
//                    DAZ/FTZ; every NaN becomes 0x7E00 with the input's sign.
//   float(half)      half_to_float: exponent rebias by integer adds, subnormals renormalised by a
//                    float subtraction (exact); NaN bits moved up, so a signalling NaN stays
//                    signalling (no quiet bit set).
//   bfloat16(float)  float_to_bfloat16_rtne<false>: (x + 0x7FFF + x[16]) >> 16 on the bits: RNE
//                    including subnormals; every NaN becomes 0x7FC0 with the input's sign.
//   float(bfloat16)  bit placement (x << 16): exact; NaN not quieted.
// When the library is built with F16C enabled (EIGEN_HAS_FP16_C), half uses _cvtss_sh(x, 0) and
// _cvtsh_ss instead (VCVTPS2PH / VCVTPH2PS), which keep NaN payloads and quiet them; the
// documented semantics below follow whichever code was compiled.
#include <cstdint>
#include <cstring>

#include "../backends.hpp"
#include "../elementwise.hpp"
#include "../x86/mxcsr.hpp"

#if defined(FPAUDIT_HAVE_EIGEN)
#include <Eigen/Core>
#endif

namespace fpaudit::hw {

#if !defined(FPAUDIT_HAVE_EIGEN)

void register_eigen_paths(PathRegistry& r) {
  auto missing = [](std::string* why) {
    if (why) *why = "built without Eigen 3 (find_package(Eigen3) found none)";
    return false;
  };
  auto none = [](const void*, void*, std::size_t) {};
  const ConvertOptions rne = documented_options(Rounding::rne);
  r.add(make_path("eigen.half.from_f32", "binary32", "binary16", "Eigen::half(float)", rne, missing,
                  none));
  r.add(make_path("eigen.half.to_f32", "binary16", "binary32", "float(Eigen::half)", rne, missing,
                  none));
  r.add(make_path("eigen.bfloat16.from_f32", "binary32", "bfloat16", "Eigen::bfloat16(float)", rne,
                  missing, none));
  r.add(make_path("eigen.bfloat16.to_f32", "bfloat16", "binary32", "float(Eigen::bfloat16)", rne,
                  missing, none));
}

#else

namespace {

using Eigen::numext::bit_cast;
std::uint16_t half_from_f32(float x) { return bit_cast<std::uint16_t>(Eigen::half(x)); }
float half_to_f32(std::uint16_t h) { return static_cast<float>(bit_cast<Eigen::half>(h)); }
std::uint16_t bfloat16_from_f32(float x) { return bit_cast<std::uint16_t>(Eigen::bfloat16(x)); }
float bfloat16_to_f32(std::uint16_t b) { return static_cast<float>(bit_cast<Eigen::bfloat16>(b)); }

// Documented NaN results (see the file comment).
std::uint64_t canonical_half_nan_with_sign(std::uint64_t f32) {
  return ((f32 >> 16) & 0x8000) | 0x7E00;
}
std::uint64_t canonical_bfloat16_nan_with_sign(std::uint64_t f32) {
  return ((f32 >> 16) & 0x8000) | 0x7FC0;
}
std::uint64_t half_nan_moved_unquieted(std::uint64_t f16) {
  return ((f16 & 0x8000) << 16) | 0x7F800000 | ((f16 & 0x3FF) << 13);
}
std::uint64_t bfloat16_nan_moved_unquieted(std::uint64_t bf16) { return (bf16 & 0xFFFF) << 16; }

void add(PathRegistry& r, const char* name, const char* from, const char* to, std::string text,
         std::uint64_t (*nan)(std::uint64_t), void (*run)(const void*, void*, std::size_t)) {
  ConversionPath p = make_path(
      name, from, to, std::move(text), documented_options(Rounding::rne),
      [](std::string*) { return true; }, run);
  p.documented_nan = nan;
  r.add(std::move(p));
}

#if FPAUDIT_HW_X86
template <x86::Kernel K>
void with_default_mxcsr(const void* in, void* out, std::size_t n) {
  x86::run_with_mxcsr<x86::kMxcsrDefault, K>(in, out, n);
}
#else
template <void (*K)(const void*, void*, std::size_t)>
void with_default_mxcsr(const void* in, void* out, std::size_t n) {
  K(in, out, n);
}
#endif

}  // namespace

void register_eigen_paths(PathRegistry& r) {
#if defined(EIGEN_HAS_FP16_C)
  add(r, "eigen.half.from_f32", "binary32", "binary16",
      "Eigen 3.4 half(float) with F16C: _cvtss_sh(x, 0) = VCVTPS2PH RNE; NaN quieted, payload "
      "truncated (Eigen Half.h)",
      nullptr, with_default_mxcsr<convert_each<float, std::uint16_t, half_from_f32> >);
  add(r, "eigen.half.to_f32", "binary16", "binary32",
      "Eigen 3.4 float(half) with F16C: _cvtsh_ss = VCVTPH2PS: exact; NaN quieted (Eigen Half.h)",
      nullptr, with_default_mxcsr<convert_each<std::uint16_t, float, half_to_f32> >);
#else
  add(r, "eigen.half.from_f32", "binary32", "binary16",
      "Eigen 3.4 half(float), portable code: RNE, subnormals kept (float add under the default "
      "MXCSR); every NaN -> 0x7E00 with the input's sign (Eigen Half.h float_to_half_rtne)",
      canonical_half_nan_with_sign,
      with_default_mxcsr<convert_each<float, std::uint16_t, half_from_f32> >);
  add(r, "eigen.half.to_f32", "binary16", "binary32",
      "Eigen 3.4 float(half), portable code: exact; NaN payload moved up without quieting, an sNaN "
      "stays signalling (Eigen Half.h half_to_float)",
      half_nan_moved_unquieted,
      with_default_mxcsr<convert_each<std::uint16_t, float, half_to_f32> >);
#endif
  add(r, "eigen.bfloat16.from_f32", "binary32", "bfloat16",
      "Eigen 3.4 bfloat16(float): RNE by integer add, subnormals kept; every NaN -> 0x7FC0 with "
      "the "
      "input's sign (Eigen BFloat16.h float_to_bfloat16_rtne<false>)",
      canonical_bfloat16_nan_with_sign, convert_each<float, std::uint16_t, bfloat16_from_f32>);
  add(r, "eigen.bfloat16.to_f32", "bfloat16", "binary32",
      "Eigen 3.4 float(bfloat16): bits << 16, exact; NaN not quieted, an sNaN stays signalling "
      "(Eigen BFloat16.h bfloat16_to_float)",
      bfloat16_nan_moved_unquieted, convert_each<std::uint16_t, float, bfloat16_to_f32>);
}

#endif  // FPAUDIT_HAVE_EIGEN

}  // namespace fpaudit::hw
