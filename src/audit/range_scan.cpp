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
#pragma GCC diagnostic pop
#endif

}  // namespace

std::uint64_t RangeScan::field_count(std::size_t f) const {
  std::uint64_t n = 0;
  for (std::size_t t = 0; t < kTables; ++t) n += tables[t * kFields + f];
  return n;
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
