#include "range_scan.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "fpaudit/codec/bulk_f32.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

namespace fpaudit::audit::detail {
namespace {

constexpr std::uint64_t kInf = 0x7ff0000000000000;  // |x| above: NaN; at: infinity
constexpr std::uint64_t kAbs = ~(std::uint64_t{1} << 63);

// One element; field 0 with a != 0 (a binary64 subnormal, never a binary32 value) goes to the
// map by its binade, like every other value goes to its field.
inline void scan_one(RangeScan& r, double x) {
  const std::uint64_t a = std::bit_cast<std::uint64_t>(x) & kAbs;
  const std::uint64_t field = a >> 52;
  ++r.tables[field];
  r.nan += a > kInf;
  r.zero += a == 0;
  const bool finite = a < kInf;
  r.amax_bits = std::max(r.amax_bits, finite ? a : 0);
  r.min_bits = std::min(r.min_bits, finite && a != 0 ? a : ~std::uint64_t{0});
  if (field == 0 && a != 0) ++r.subnormal_binades[std::ilogb(x)];
}

// A binary32 pattern: the same classification as scan_one of its value widened. Binary32 fields
// 1..254 are binary64 fields 897..1150 (bias 127 -> 1023), field 255 is 2047, zero is field 0;
// a binary32 subnormal (field 0, bits b != 0, value b x 2^-149) is a binary64 normal in binade
// bit_width(b) - 1 - 149, i.e. field bit_width(b) + 873, counted in `tables`.
inline void scan_one32(RangeScan& r, std::uint32_t bits) {
  const std::uint32_t a = bits & 0x7fffffffu;
  const std::uint32_t field = a >> 23;
  if (field == 0 && a != 0) {
    ++r.tables[static_cast<std::size_t>(std::bit_width(a)) + 873];
  } else {
    ++r.tables32[field];
  }
  r.nan += a > 0x7f800000u;
  r.zero += a == 0;
  if (a < 0x7f800000u) {
    const std::uint64_t wide = std::bit_cast<std::uint64_t>(double(std::bit_cast<float>(a)));
    r.amax_bits = std::max(r.amax_bits, wide);
    if (a != 0) r.min_bits = std::min(r.min_bits, wide);
  }
}

// Binary32 magnitudes (bits) as binary64 magnitudes (bits): order-preserving for finite values.
inline std::uint64_t widened_bits(std::uint32_t a) {
  return std::bit_cast<std::uint64_t>(double(std::bit_cast<float>(a)));
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// g++ 12 warns that the intrinsics' own placeholder operands are uninitialised (a false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Eight at a time: masks and extremes in vector registers, the exponent fields counted from a
// vector store into eight tables (consecutive equal fields do not wait on each other's store).
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) void scan_avx512(
    RangeScan& r, const double* x, std::size_t n, std::uint64_t* tables) {
  const __m512i abs_mask = _mm512_set1_epi64(static_cast<long long>(kAbs));
  const __m512i inf = _mm512_set1_epi64(static_cast<long long>(kInf));
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi64(1);
  const __m512i lane_base =
      _mm512_set_epi64(7 * 2048, 6 * 2048, 5 * 2048, 4 * 2048, 3 * 2048, 2 * 2048, 2048, 0);
  __m512i c_nan = zero, c_zero = zero, amax = zero, amin = _mm512_set1_epi64(-1);
  std::size_t i = 0;
  alignas(64) std::uint64_t slot[8];
  for (; i + 8 <= n; i += 8) {
    const __m512i a = _mm512_and_si512(_mm512_loadu_si512(x + i), abs_mask);
    const __mmask8 is_nan = _mm512_cmpgt_epu64_mask(a, inf);
    const __mmask8 is_zero = _mm512_cmpeq_epu64_mask(a, zero);
    const __mmask8 finite = _mm512_cmplt_epu64_mask(a, inf);
    c_nan = _mm512_mask_add_epi64(c_nan, is_nan, c_nan, one);
    c_zero = _mm512_mask_add_epi64(c_zero, is_zero, c_zero, one);
    amax = _mm512_mask_max_epu64(amax, finite, amax, a);
    amin = _mm512_mask_min_epu64(amin, finite & ~is_zero, amin, a);
    const __m512i field = _mm512_srli_epi64(a, 52);
    if (_mm512_mask_cmpeq_epu64_mask(~is_zero, field, zero) != 0) {  // binary64 subnormals: rare
      for (std::size_t l = 0; l < 8; ++l) {
        const std::uint64_t b = std::bit_cast<std::uint64_t>(x[i + l]) & kAbs;
        if ((b >> 52) == 0 && b != 0) ++r.subnormal_binades[std::ilogb(x[i + l])];
      }
    }
    _mm512_store_si512(slot, _mm512_add_epi64(field, lane_base));
    for (std::size_t l = 0; l < 8; ++l) ++tables[slot[l]];
  }
  r.nan += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(c_nan));
  r.zero += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(c_zero));
  r.amax_bits = std::max(r.amax_bits, static_cast<std::uint64_t>(_mm512_reduce_max_epu64(amax)));
  r.min_bits = std::min(r.min_bits, static_cast<std::uint64_t>(_mm512_reduce_min_epu64(amin)));
  for (; i < n; ++i) scan_one(r, x[i]);
}

// The sum of sixteen 32-bit counts.
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) inline std::uint64_t sum_u32(
    __m512i c) {
  const __m512i lo = _mm512_cvtepu32_epi64(_mm512_castsi512_si256(c));
  const __m512i hi = _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(c, 1));
  return static_cast<std::uint64_t>(_mm512_reduce_add_epi64(_mm512_add_epi64(lo, hi)));
}

// Sixteen binary32 patterns at a time, as scan_avx512; a vector holding a binary32 subnormal
// (rare) goes element by element. Extremes are kept as binary32 bits (the same order).
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) void scan32_avx512(
    RangeScan& r, const std::uint32_t* x, std::size_t n) {
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff);
  const __m512i inf = _mm512_set1_epi32(0x7f800000);
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
  __m512i c_nan = zero, c_zero = zero, amax = zero, amin = _mm512_set1_epi32(-1);
  std::uint64_t* tables = r.tables32.data();
  std::size_t i = 0;
  // Counts in 32-bit lanes, folded every 2^20 vectors (no lane can wrap).
  std::size_t since_fold = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i a = _mm512_and_si512(_mm512_loadu_si512(x + i), abs_mask);
    const __m512i field = _mm512_srli_epi32(a, 23);
    const __mmask16 is_zero = _mm512_cmpeq_epu32_mask(a, zero);
    if (_mm512_mask_cmpeq_epu32_mask(~is_zero, field, zero) != 0) {  // binary32 subnormals: rare
      for (std::size_t l = 0; l < 16; ++l) scan_one32(r, x[i + l]);
      continue;
    }
    const __mmask16 finite = _mm512_cmplt_epu32_mask(a, inf);
    c_nan = _mm512_mask_add_epi32(c_nan, _mm512_cmpgt_epu32_mask(a, inf), c_nan, one);
    c_zero = _mm512_mask_add_epi32(c_zero, is_zero, c_zero, one);
    amax = _mm512_mask_max_epu32(amax, finite, amax, a);
    amin = _mm512_mask_min_epu32(amin, finite & ~is_zero, amin, a);
    // The 16 fields as bytes, taken out through two general registers (reloading a vector
    // store element by element stalled on store forwarding); element l counts in table l mod 8.
    const __m128i fields = _mm512_cvtepi32_epi8(field);
    const auto lo = static_cast<std::uint64_t>(_mm_cvtsi128_si64(fields));
    const auto hi = static_cast<std::uint64_t>(_mm_extract_epi64(fields, 1));
#pragma GCC unroll 8
    for (unsigned l = 0; l < 8; ++l) {
      ++tables[l * RangeScan::kFields32 + ((lo >> (8 * l)) & 0xff)];
      ++tables[l * RangeScan::kFields32 + ((hi >> (8 * l)) & 0xff)];
    }
    if (++since_fold == (std::size_t{1} << 20)) {
      r.nan += sum_u32(c_nan);
      r.zero += sum_u32(c_zero);
      c_nan = c_zero = zero;
      since_fold = 0;
    }
  }
  r.nan += sum_u32(c_nan);
  r.zero += sum_u32(c_zero);
  const auto hi = static_cast<std::uint32_t>(_mm512_reduce_max_epu32(amax));
  r.amax_bits = std::max(r.amax_bits, widened_bits(hi));
  const auto lo = static_cast<std::uint32_t>(_mm512_reduce_min_epu32(amin));
  if (lo != ~std::uint32_t{0}) r.min_bits = std::min(r.min_bits, widened_bits(lo));
  for (; i < n; ++i) scan_one32(r, x[i]);
}
#pragma GCC diagnostic pop
#endif

}  // namespace

std::uint64_t RangeScan::field_count(std::size_t f) const {
  std::uint64_t n = 0;
  for (std::size_t t = 0; t < kTables; ++t) n += tables[t * kFields + f];
  // The binary32 field that widens to binary64 field f (see scan_one32), if any.
  std::size_t f32 = kFields32;
  if (f == 0)
    f32 = 0;
  else if (f == kFields - 1)
    f32 = kFields32 - 1;
  else if (f >= 897 && f <= 1150)
    f32 = f - 896;
  if (f32 < kFields32)
    for (std::size_t t = 0; t < kTables; ++t) n += tables32[t * kFields32 + f32];
  return n;
}

void RangeScan::merge(const RangeScan& o) {
  count += o.count;
  nan += o.nan;
  zero += o.zero;
  amax_bits = std::max(amax_bits, o.amax_bits);
  min_bits = std::min(min_bits, o.min_bits);
  for (std::size_t i = 0; i < tables.size(); ++i) tables[i] += o.tables[i];
  for (std::size_t i = 0; i < tables32.size(); ++i) tables32[i] += o.tables32[i];
  for (const auto& [k, v] : o.subnormal_binades) subnormal_binades[k] += v;
}

void RangeScan::add_binary32(const std::uint32_t* bits, std::size_t n) {
  count += n;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (active_kernel() == KernelIsa::avx512) {
    scan32_avx512(*this, bits, n);
    return;
  }
#endif
  for (std::size_t i = 0; i < n; ++i) scan_one32(*this, bits[i]);
}

void RangeScan::add(std::span<const double> xs) {
  count += xs.size();
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (active_kernel() == KernelIsa::avx512) {
    scan_avx512(*this, xs.data(), xs.size(), tables.data());
    return;
  }
#endif
  for (const double x : xs) scan_one(*this, x);
}

}  // namespace fpaudit::audit::detail
