// Exhaustive self-check of the bulk kernels: all 2^32 binary32 patterns through the dispatched
// fast path (convert_f32_bulk with the best variant this CPU runs) against the hardware's own
// conversion instructions, an implementation that shares nothing with fpaudit's:
//   binary16, RNE: F16C VCVTPS2PH (Intel SDM Vol. 2A; MXCSR-independent immediate rounding
//     control 0 = nearest even). It keeps the NaN payload's top bits and sets the quiet bit, as
//     IEEE 754-2019 6.2.3 and fpaudit's default NaN policy do.
//   bfloat16, RNE: AVX512-BF16 VCVTNEPS2BF16 (SDM Vol. 2A), which treats binary32 subnormal
//     inputs as zero whatever MXCSR.DAZ says: compared with fpaudit under --subnormals daz.
// and, for the narrow formats (where most vectors of real data take the kernels' finite path:
// per-lane quantum, overflow, tininess), against convert_float(), the scalar encode() path,
// which long_exhaustive_f32 holds equal to a table-driven oracle on all 2^32 inputs:
//   float8_e4m3fn, RNE by default; FPAUDIT_LONG_BULK_FORMATS (comma-separated format names) and
//   FPAUDIT_LONG_BULK_MODES (rne, rna, rtz, rup, rdown, rno) choose others. Results bit for bit,
//   flags OR-ed per block of 2^16. About 45 s per format and mode on 2 threads.
// Label `long`; 2 threads (FPAUDIT_LONG_THREADS). Prints the wall time of each sweep. Skips
// (with the reason) where the CPU lacks the instruction.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/cpu_features.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#define LONG_X86 1
#endif

namespace fpaudit {
namespace {

#if LONG_X86
__attribute__((target("avx,f16c"))) void f16c(const std::uint32_t* in, std::uint16_t* out,
                                              std::size_t n) {
  for (std::size_t i = 0; i < n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(reinterpret_cast<const float*>(in + i)), 0));
}
__attribute__((target("avx512f,avx512bf16"))) void bf16(const std::uint32_t* in, std::uint16_t* out,
                                                        std::size_t n) {
  for (std::size_t i = 0; i < n; i += 16) {
    const __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(reinterpret_cast<const float*>(in + i)));
    std::memcpy(out + i, &h, sizeof h);
  }
}
#endif

unsigned threads() {
  if (const char* e = std::getenv("FPAUDIT_LONG_THREADS"))
    return static_cast<unsigned>(std::max(1, std::atoi(e)));
  return 2;
}

using HwFn = void (*)(const std::uint32_t*, std::uint16_t*, std::size_t);
// Writes the reference results of n inputs (storage_bytes each); returns their flags OR-ed, or
// nullopt where the reference has no flags (the instructions).
using RefFn = std::function<std::optional<std::uint8_t>(const std::uint32_t*, unsigned char*,
                                                        std::size_t, std::uint64_t)>;

void sweep(const std::string& format, const ConvertOptions& opt, const RefFn& ref,
           const std::string& label) {
  const FormatSpec f = format_by_name(format);
  const std::size_t ob = storage_bytes(f);
  constexpr std::size_t kBlock = 1 << 16;
  std::atomic<std::uint64_t> next{0}, mismatches{0}, flag_mismatches{0};
  std::atomic<std::uint32_t> first_bad{0};
  const auto t0 = std::chrono::steady_clock::now();
  auto work = [&] {
    std::vector<std::uint32_t> in(kBlock);
    std::vector<unsigned char> got(kBlock * ob), want(kBlock * ob);
    for (;;) {
      const std::uint64_t start = next.fetch_add(kBlock);
      if (start >= (std::uint64_t{1} << 32)) return;
      for (std::size_t i = 0; i < kBlock; ++i) in[i] = static_cast<std::uint32_t>(start + i);
      const Flags fl =
          convert_f32_bulk(active_kernel(), f, in.data(), got.data(), kBlock, opt, start);
      const std::optional<std::uint8_t> want_fl = ref(in.data(), want.data(), kBlock, start);
      if (want_fl && *want_fl != fl.bits) ++flag_mismatches;
      for (std::size_t i = 0; i < kBlock; ++i)
        if (std::memcmp(&got[i * ob], &want[i * ob], ob) != 0 && mismatches.fetch_add(1) == 0)
          first_bad = in[i];
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads(); ++t) pool.emplace_back(work);
  for (auto& th : pool) th.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing   ] %s: 2^32 inputs, kernel %s, %u threads: %.2f s\n", label.c_str(),
              std::string(to_string(active_kernel())).c_str(), threads(), s);
  EXPECT_EQ(mismatches.load(), 0u)
      << label << ": first mismatch at input 0x" << std::hex << first_bad.load();
  EXPECT_EQ(flag_mismatches.load(), 0u) << label << ": blocks whose flags differ";
}

RefFn instruction(HwFn hw) {
  return [hw](const std::uint32_t* in, unsigned char* out, std::size_t n,
              std::uint64_t) -> std::optional<std::uint8_t> {
    std::vector<std::uint16_t> tmp(n);
    hw(in, tmp.data(), n);
    std::memcpy(out, tmp.data(), n * sizeof(std::uint16_t));
    return std::nullopt;
  };
}

std::vector<std::string> env_list(const char* name, const char* fallback) {
  const char* e = std::getenv(name);
  std::stringstream ss(e && *e ? e : fallback);
  std::vector<std::string> items;
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

TEST(LongBulkF32, Binary16AgainstF16C) {
#if LONG_X86
  std::string why;
  if (!hw::cpu_supports_all({hw::CpuFeature::avx, hw::CpuFeature::f16c}, &why)) GTEST_SKIP() << why;
  sweep("binary16", ConvertOptions{}, instruction(f16c), "binary16");
#else
  GTEST_SKIP() << "not an x86-64 build";
#endif
}

TEST(LongBulkF32, Bfloat16AgainstVcvtneps2bf16) {
#if LONG_X86
  std::string why;
  if (!hw::cpu_supports_all({hw::CpuFeature::avx512f, hw::CpuFeature::avx512_bf16}, &why))
    GTEST_SKIP() << why;
  ConvertOptions daz;
  daz.subnormals.daz = true;  // the instruction reads binary32 subnormals as zero (SDM)
  sweep("bfloat16", daz, instruction(bf16), "bfloat16");
#else
  GTEST_SKIP() << "not an x86-64 build";
#endif
}

TEST(LongBulkF32, NarrowFormatsAgainstConvertFloat) {
  for (const std::string& format : env_list("FPAUDIT_LONG_BULK_FORMATS", "float8_e4m3fn"))
    for (const std::string& mode : env_list("FPAUDIT_LONG_BULK_MODES", "rne")) {
      const FormatSpec f = format_by_name(format);
      ConvertOptions opt;
      opt.rounding = parse_rounding(mode);
      const std::size_t ob = storage_bytes(f);
      const RefFn ref = [&](const std::uint32_t* in, unsigned char* out, std::size_t n,
                            std::uint64_t first) -> std::optional<std::uint8_t> {
        std::uint8_t all = 0;
        for (std::size_t i = 0; i < n; ++i) {
          const Encoded e = convert_float(std::bit_cast<float>(in[i]), f, opt, first + i);
          std::memcpy(out + i * ob, &e.bits, ob);  // little-endian host
          all |= e.flags.bits;
        }
        return all;
      };
      sweep(format, opt, ref, format + " " + mode);
    }
}

}  // namespace
}  // namespace fpaudit
