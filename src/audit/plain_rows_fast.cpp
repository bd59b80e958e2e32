#include "plain_rows_fast.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/cpu_features.hpp"

namespace fpaudit::audit::detail {

FastPlainTarget::FastPlainTarget(const FormatSpec& f, const ConvertOptions& opt)
    : f_(f), opt_(opt) {
  // DAZ in convert_double is binary64's: a binary32 subnormal is a binary64 normal and is never
  // flushed. The kernels' DAZ is binary32's, so it stays off here.
  opt_.subnormals.daz = false;
  supported_ = bulk_f32_supported(f_, opt_);
  if (!supported_) return;
  auto t = std::make_shared<std::vector<double>>(std::size_t{1} << f.width());
  for (std::size_t c = 0; c < t->size(); ++c) (*t)[c] = to_double(f, c);
  values_ = std::move(t);
  // Does every code decode as the binary32 / binary16 pattern code << shift?
  auto same = [](double a, double b) {
    return (std::isnan(a) && std::isnan(b)) ||
           std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
  };
  auto prefix_of = [&](int width, const auto& value_of_pattern) {
    if (f.width() > width) return false;
    const int shift = width - f.width();
    for (std::uint64_t c = 0; c < values_->size(); ++c)
      if (!same((*values_)[c], value_of_pattern(c << shift))) return false;
    decode_shift_ = shift;
    return true;
  };
  const FormatSpec half = format_by_name("binary16");
  if (prefix_of(32, [](std::uint64_t p) {
        return double(std::bit_cast<float>(static_cast<std::uint32_t>(p)));
      }))
    decode_ = Decode::binary32_prefix;
  else if (prefix_of(16, [&](std::uint64_t p) { return to_double(half, p); }))
    decode_ = Decode::binary16_prefix;
}

bool as_binary32(std::span<const double> xs, std::vector<std::uint32_t>& out) {
  out.resize(xs.size());
  // Branch-free (one verdict for the whole chunk) so that the loop vectorises.
  bool all = true;
  const double* __restrict x = xs.data();
  std::uint32_t* __restrict o = out.data();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const float f = static_cast<float>(x[i]);
    all &= (static_cast<double>(f) == x[i]) | (x[i] != x[i]);
    o[i] = std::bit_cast<std::uint32_t>(f);
  }
  return all;
}

namespace {

constexpr std::size_t kBlock = 512;  // a multiple of kSumLanes: lanes restart at every block

// Per target and block: the terms of the four sums (zero for elements outside the error
// statistics: adding +0 to a lane of non-negative terms that started at +0 changes no bit).
struct Terms {
  double err[kBlock], x2[kBlock], e2[kBlock], r2[kBlock], rel[kBlock], ulps[kBlock];
};

struct Geometry {
  std::uint64_t mag_mask, min_normal, max_finite;
  bool subnormals;
  int emin, emax, m;
  double max_value;
  FastPlainTarget::Decode decode;
  int decode_shift;
};

// Eight doubles, one per lane of ConversionStats' sums (GCC/Clang vector extension: the
// addition is lane by lane, never reassociated, whatever the instruction set).
typedef double Lanes __attribute__((vector_size(kSumLanes * sizeof(double))));

// The four lane sums of a target (plain arrays: no over-aligned type crosses a function
// boundary).
struct LaneAcc {
  double abs_err[kSumLanes], sq_rel[kSumLanes], signal[kSumLanes], noise[kSumLanes];
};

// sums[i mod 8] += v[i] for i < n (n a multiple of 8 except in a chunk's last block, whose
// tail goes lane by lane).
inline __attribute__((always_inline)) void lane_add(double* sums, const double* v, std::size_t n) {
  Lanes acc;
  std::memcpy(&acc, sums, sizeof acc);
  std::size_t i = 0;
  for (; i + kSumLanes <= n; i += kSumLanes) {
    Lanes x;
    std::memcpy(&x, v + i, sizeof x);
    acc += x;
  }
  std::memcpy(sums, &acc, sizeof acc);
  for (std::size_t l = 0; i < n; ++i, ++l) sums[l] += v[i];
}

// The maximum of non-negative doubles, compared as integers (the same order; vectorisable).
inline __attribute__((always_inline)) std::uint64_t max_bits(std::uint64_t m, const double* v,
                                                             std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::bit_cast<std::uint64_t>(v[i]));
  return m;
}

// Element-wise and order-free: the value, the error terms, the counters and the maxima, then the
// block's terms added into the lane sums. Writes the block indices of the elements that may have
// saturated (the largest finite magnitude for a finite input beyond it; the caller asks
// encode()) to cand and returns how many.
template <class Code>
inline __attribute__((always_inline)) std::uint64_t terms_body(
    const Geometry& g, const double* xs, const Code* codes, const double* values, std::size_t n,
    Terms& t, ConversionStats& st, LaneAcc& acc, std::uint64_t& max_abs, std::uint64_t& max_ulp,
    std::uint64_t& max_rel, std::uint16_t* cand) {
  std::uint64_t nan_in = 0, inf_in = 0, zero_in = 0, ovf_inf = 0, ovf_nan = 0, inexact = 0,
                exact = 0, under = 0, sub = 0, valid_n = 0, rel_n = 0, sat = 0;
  const double* __restrict xv = xs;
  const Code* __restrict cv = codes;
  const double* __restrict vv = values;
  double* __restrict t_err = t.err;
  double* __restrict t_rel = t.rel;
  double* __restrict t_ulps = t.ulps;
  double* __restrict t_x2 = t.x2;
  double* __restrict t_e2 = t.e2;
  double* __restrict t_r2 = t.r2;
  const std::uint64_t mag_mask = g.mag_mask, min_normal = g.min_normal, max_finite = g.max_finite;
  const bool subnormals = g.subnormals;
  const int emin = g.emin, emax = g.emax, m = g.m;
  const double max_value = g.max_value;
  // The decode first, on its own (a gather into a local array, which nothing else can alias).
  double qv[kBlock];
  for (std::size_t i = 0; i < n; ++i) qv[i] = vv[cv[i]];
  for (std::size_t i = 0; i < n; ++i) {
    const double x = xv[i];
    const std::uint64_t code = cv[i];
    const double q = qv[i];
    // Branch-free (bitwise & on bools, unconditional division by a safe divisor) so that the
    // compiler vectorises the loop.
    const bool xfin = std::isfinite(x), qfin = std::isfinite(q), valid = xfin & qfin, nz = x != 0;
    nan_in += std::isnan(x);
    inf_in += std::isinf(x);
    zero_in += x == 0;
    ovf_inf += xfin & std::isinf(q);
    ovf_nan += xfin & std::isnan(q);
    const std::uint64_t mag = code & mag_mask;
    inexact += valid & (q != x);
    exact += valid & (q == x);
    under += valid & nz & (q == 0);
    sub += valid & subnormals & (mag != 0) & (mag < min_normal);
    sat += valid & (mag == max_finite) & (std::fabs(x) > max_value);
    valid_n += valid;
    rel_n += valid & nz;
    const double err = valid ? std::fabs(x - q) : 0.0;
    // ulp_at(f, x) = 2^(clamp(binade of |x|, emin, emax) - m); |x| is a binary32 value (a normal
    // binary64 or zero), and dividing by a power of two is multiplying by its exact inverse.
    const int binade = static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff) - 1023;
    const int e = std::min(std::max(binade, emin), emax) - m;
    const double inv_ulp = std::bit_cast<double>(static_cast<std::uint64_t>(1023 - e) << 52);
    const double quotient = err / (valid & nz ? std::fabs(x) : 1.0);
    const double rel = valid & nz ? quotient : 0.0;
    t_err[i] = err;
    t_x2[i] = valid ? x * x : 0.0;
    t_e2[i] = err * err;
    t_r2[i] = rel * rel;
    t_rel[i] = rel;
    t_ulps[i] = err * inv_ulp;
  }
  max_abs = max_bits(max_abs, t_err, n);
  max_ulp = max_bits(max_ulp, t_ulps, n);
  max_rel = max_bits(max_rel, t_rel, n);
  lane_add(acc.abs_err, t_err, n);
  lane_add(acc.sq_rel, t_r2, n);
  lane_add(acc.signal, t_x2, n);
  lane_add(acc.noise, t_e2, n);
  st.count += n;
  st.nan_in += nan_in;
  st.inf_in += inf_in;
  st.zero_in += zero_in;
  st.overflow_inf += ovf_inf;
  st.overflow_nan += ovf_nan;
  st.inexact += inexact;
  st.exact += exact;
  st.underflow_to_zero += under;
  st.subnormal_out += sub;
  st.err_count += valid_n;
  st.rel_count += rel_n;
  std::uint64_t nc = 0;
  if (sat != 0)
    for (std::size_t i = 0; i < n; ++i)
      if (std::isfinite(xv[i]) && std::isfinite(qv[i]) && (cv[i] & mag_mask) == max_finite &&
          std::fabs(xv[i]) > max_value)
        cand[nc++] = static_cast<std::uint16_t>(i);
  return nc;
}

template <class Code>
std::uint64_t terms_plain(const Geometry& g, const double* xs, const Code* codes,
                          const double* values, std::size_t n, Terms& t, ConversionStats& st,
                          LaneAcc& acc, std::uint64_t& a, std::uint64_t& u, std::uint64_t& r,
                          std::uint16_t* cand) {
  return terms_body(g, xs, codes, values, n, t, st, acc, a, u, r, cand);
}
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// fp-contract=off: g++ contracts a*b+c into an FMA by default in C++ (any -std), which would
// skip the rounding of the product (rel * rel, x * x) that ConversionStats::add does.
#define FPAUDIT_AVX512 \
  __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"), optimize("fp-contract=off")))
// g++ 12 warns that the intrinsics' own placeholder operands are uninitialised (a false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// What a block's elements share across the targets, computed once per block (x_block): the
// values as binary64 (exact), |x|, 1/|x| (correctly rounded; inf for 0), x * x (rounded once),
// floor(log2|x|) by VGETEXPPD (-inf for 0), per vector of eight the lanes that are finite and
// the lanes that are nonzero (both 0 past the block's end), and the block's NaN, infinity and
// zero counts (which every target's stats take as they are: they depend on x alone).
struct XBlock {
  alignas(64) double x[kBlock];
  alignas(64) double ax[kBlock];
  alignas(64) double inv[kBlock];
  alignas(64) double x2[kBlock];
  alignas(64) double gexp[kBlock];
  std::uint8_t fin[kBlock / 8], nz[kBlock / 8];
  std::uint64_t nan = 0, inf = 0, zero = 0;
  double amax = 0;  // the largest finite |x| (0 if none)
};

FPAUDIT_AVX512 void x_block(const std::uint32_t* f32, std::size_t n, XBlock& xb) {
  const __m512d abs_mask = _mm512_castsi512_pd(_mm512_set1_epi64(0x7fffffffffffffffLL));
  std::uint64_t nan = 0, inf = 0, zero = 0;
  __m512d amax = _mm512_setzero_pd();
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 live = n - i >= 8 ? 0xff : static_cast<__mmask8>((1u << (n - i)) - 1);
    // VCVTPS2PD: exact; a NaN stays a NaN, which is all add() looks at.
    const __m512d x = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm256_maskz_loadu_epi32(live, f32 + i)));
    const __m512d ax = _mm512_and_pd(x, abs_mask);
    _mm512_store_pd(xb.x + i, x);
    _mm512_store_pd(xb.ax + i, ax);
    _mm512_store_pd(xb.inv + i, _mm512_div_pd(_mm512_set1_pd(1.0), ax));
    _mm512_store_pd(xb.x2 + i, _mm512_mul_pd(x, x));
    _mm512_store_pd(xb.gexp + i, _mm512_getexp_pd(x));
    // VFPCLASSPD (SDM): imm8 bit 0 QNaN, 1 +0, 2 -0, 3 +inf, 4 -inf, 7 SNaN.
    const __mmask8 xnan = _mm512_fpclass_pd_mask(x, 0x81) & live;
    const __mmask8 xinf = _mm512_fpclass_pd_mask(x, 0x18) & live;
    const __mmask8 xzero = _mm512_fpclass_pd_mask(x, 0x06) & live;
    const __mmask8 fin = live & ~(xnan | xinf);
    amax = _mm512_mask_max_pd(amax, fin, amax, ax);
    xb.fin[i / 8] = static_cast<std::uint8_t>(fin);
    xb.nz[i / 8] = static_cast<std::uint8_t>(live & ~xzero);
    nan += static_cast<unsigned>(std::popcount(static_cast<unsigned>(xnan)));
    inf += static_cast<unsigned>(std::popcount(static_cast<unsigned>(xinf)));
    zero += static_cast<unsigned>(std::popcount(static_cast<unsigned>(xzero)));
  }
  xb.nan = nan;
  xb.inf = inf;
  xb.zero = zero;
  xb.amax = _mm512_reduce_max_pd(amax);
}

// The results of finite inputs that are subnormal in the target (0 < magnitude < the smallest
// normal's), counted on the codes, 64 (or 32) at a time: a code in that range is a finite value,
// so "finite x" is the whole of add()'s condition (x and q finite).
template <class Code>
FPAUDIT_AVX512 std::uint64_t count_subnormal_codes(const Geometry& g, const XBlock& xb,
                                                   const Code* codes, std::size_t n) {
  constexpr std::size_t kLanes = 64 / sizeof(Code);
  std::uint64_t total = 0;
  for (std::size_t j = 0; j < n; j += kLanes) {
    const std::size_t left = n - j;
    std::uint64_t fin = 0;
    std::memcpy(&fin, xb.fin + j / 8, kLanes / 8);  // bit l: element j + l is finite
    if constexpr (sizeof(Code) == 1) {
      const __mmask64 live = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
      const __m512i mag = _mm512_and_si512(_mm512_maskz_loadu_epi8(live, codes + j),
                                           _mm512_set1_epi8(static_cast<char>(g.mag_mask)));
      const __mmask64 sub =
          _mm512_cmplt_epu8_mask(_mm512_sub_epi8(mag, _mm512_set1_epi8(1)),
                                 _mm512_set1_epi8(static_cast<char>(g.min_normal - 1)));
      total += static_cast<unsigned>(std::popcount(sub & live & fin));
    } else {
      const __mmask32 live = left >= 32 ? ~__mmask32{0} : (__mmask32{1} << left) - 1;
      const __m512i mag = _mm512_and_si512(_mm512_maskz_loadu_epi16(live, codes + j),
                                           _mm512_set1_epi16(static_cast<short>(g.mag_mask)));
      const __mmask32 sub =
          _mm512_cmplt_epu16_mask(_mm512_sub_epi16(mag, _mm512_set1_epi16(1)),
                                  _mm512_set1_epi16(static_cast<short>(g.min_normal - 1)));
      total += static_cast<unsigned>(std::popcount(sub & live & static_cast<std::uint32_t>(fin)));
    }
  }
  return total;
}

// One target's counters over a block that depend on its results (the others follow from
// XBlock's counts; see terms_avx512).
struct TargetCounts {
  std::uint64_t ovf_inf = 0, ovf_nan = 0, zero_bad = 0, inexact = 0, under = 0, sub = 0;
};

// terms_body written for AVX-512, eight elements (one vector of lanes) at a time, everything
// kept in registers: the same quantities, element by element, as terms_body (the tests hold
// both equal to ConversionStats::add), with the x-only work taken from the XBlock. Per element:
// q by a gather from the table of every code's value; valid (x and q finite), |x - q| and the
// products rounded once each (no FMA: every product is rounded before it is added), the ulp
// as floor(log2|x|) clamped to [emin, emax] and VSCALEFPD (err * 2^(m - e), the same correctly
// rounded product as multiplying by the exact power of two). A finite x whose q is not finite
// (overflow to infinity or NaN) is rare: such vectors are counted on a side branch, and the
// per-element counts of valid and nonzero-valid elements follow from the class counts.
// MaySaturate: some finite |x| of the block exceeds the target's largest finite value (else no
// element can saturate and the candidates are not looked for). Subnormal results are counted
// on the codes (count_subnormal_codes).
template <class Code, bool MaySaturate, FastPlainTarget::Decode D>
FPAUDIT_AVX512 std::uint64_t terms_avx512(const Geometry& g, const XBlock& xb, const Code* codes,
                                          const double* values, std::size_t n, TargetCounts& tc,
                                          LaneAcc& acc, std::uint64_t& max_abs,
                                          std::uint64_t& max_ulp, std::uint64_t& max_rel,
                                          std::uint16_t* cand) {
  const __m512i zero = _mm512_setzero_si512();
  __m512i c_inexact = zero, c_under = zero;
  std::uint64_t nc = 0;
  __m512d s_err = _mm512_loadu_pd(acc.abs_err), s_r2 = _mm512_loadu_pd(acc.sq_rel),
          s_x2 = _mm512_loadu_pd(acc.signal), s_e2 = _mm512_loadu_pd(acc.noise);
  __m512d m_abs = _mm512_castsi512_pd(_mm512_set1_epi64(static_cast<long long>(max_abs)));
  __m512d m_ulp = _mm512_castsi512_pd(_mm512_set1_epi64(static_cast<long long>(max_ulp)));
  __m512d m_rel = _mm512_castsi512_pd(_mm512_set1_epi64(static_cast<long long>(max_rel)));
  const __m512i one = _mm512_set1_epi64(1);
  const __m512d max_value = _mm512_set1_pd(g.max_value);
  const __m512d emin = _mm512_set1_pd(g.emin), emax = _mm512_set1_pd(g.emax);
  const __m512d mbits = _mm512_set1_pd(g.m);
  const __m512d abs_mask = _mm512_castsi512_pd(_mm512_set1_epi64(0x7fffffffffffffffLL));
  const __m128i shift = _mm_cvtsi32_si128(g.decode_shift);
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 fin = xb.fin[i / 8], nz = xb.nz[i / 8];
    const __mmask8 live = n - i >= 8 ? 0xff : static_cast<__mmask8>((1u << (n - i)) - 1);
    const __m512d x = _mm512_load_pd(xb.x + i);
    // Lanes outside `fin` (and past the end) get q = 0; every use below is masked by fin.
    __m512d q;
    if constexpr (D == FastPlainTarget::Decode::table) {
      __m512i code;
      if constexpr (sizeof(Code) == 1)
        code = _mm512_cvtepu8_epi64(_mm_maskz_loadu_epi8(live, codes + i));
      else
        code = _mm512_cvtepu16_epi64(_mm_maskz_loadu_epi16(live, codes + i));
      q = _mm512_mask_i64gather_pd(_mm512_setzero_pd(), fin, code, values, 8);
    } else if constexpr (D == FastPlainTarget::Decode::binary32_prefix) {
      __m256i p;
      if constexpr (sizeof(Code) == 1)
        p = _mm256_cvtepu8_epi32(_mm_maskz_loadu_epi8(live, codes + i));
      else
        p = _mm256_cvtepu16_epi32(_mm_maskz_loadu_epi16(live, codes + i));
      p = _mm256_sll_epi32(p, shift);
      q = _mm512_maskz_cvtps_pd(fin, _mm256_castsi256_ps(p));  // exact
    } else {
      __m128i p;
      if constexpr (sizeof(Code) == 1)
        p = _mm_cvtepu8_epi16(_mm_maskz_loadu_epi8(live, codes + i));
      else
        p = _mm_maskz_loadu_epi16(live, codes + i);
      p = _mm_sll_epi16(p, shift);
      // VCVTPH2PS, VCVTPS2PD: both exact (binary16 -> binary32 -> binary64).
      q = _mm512_maskz_cvtps_pd(fin, _mm256_maskz_cvtph_ps(0xff, p));
    }
    const __mmask8 qbad = _mm512_fpclass_pd_mask(q, 0x99);  // NaN or infinity
    const __mmask8 bad = fin & qbad;
    if (bad != 0) {  // rare: a finite x overflowed to infinity or NaN
      const __mmask8 qinf = _mm512_fpclass_pd_mask(q, 0x18);
      tc.ovf_inf += static_cast<unsigned>(std::popcount(static_cast<unsigned>(bad & qinf)));
      tc.ovf_nan += static_cast<unsigned>(std::popcount(static_cast<unsigned>(bad & ~qinf)));
      tc.zero_bad += static_cast<unsigned>(std::popcount(static_cast<unsigned>(bad & ~nz)));
    }
    const __mmask8 valid = fin & ~qbad;
    const __mmask8 vnz = valid & nz;
    c_inexact = _mm512_mask_add_epi64(c_inexact, _mm512_mask_cmp_pd_mask(valid, q, x, _CMP_NEQ_OQ),
                                      c_inexact, one);
    c_under =
        _mm512_mask_add_epi64(c_under, _mm512_mask_fpclass_pd_mask(vnz, q, 0x06), c_under, one);
    const __m512d ax = _mm512_load_pd(xb.ax + i);
    // Saturation candidates: |x| beyond the largest finite value with a finite result (a
    // superset of the saturated elements: encode() decides each, as add() takes its flag).
    if constexpr (MaySaturate)
      for (unsigned sat = _mm512_mask_cmp_pd_mask(valid, ax, max_value, _CMP_GT_OQ); sat != 0;
           sat &= sat - 1)
        cand[nc++] = static_cast<std::uint16_t>(i + static_cast<unsigned>(std::countr_zero(sat)));
    const __m512d err = _mm512_and_pd(_mm512_maskz_sub_pd(valid, x, q), abs_mask);
    // rel = err / |x| without a division per target: y = 1/|x| (one VDIVPD per element, shared by
    // all targets), q0 = err * y, r = err - q0 |x| (exact: a few ulps of q0 times a 24-bit |x|),
    // rel = RN(q0 + r y). q0 + r y is within 2^-100 (relative) of err/|x|, and err/|x|, with |x|
    // a binary32, is never within 2^-77 of a midpoint between doubles (nor on one), so both
    // round to the same double (Markstein's correction; Muller et al., Handbook of
    // Floating-Point Arithmetic, 2nd ed., 4.7). Checked against VDIVPD on 1.6e8 pairs, and by
    // test_audit_fast against ConversionStats::add.
    const __m512d y = _mm512_load_pd(xb.inv + i);
    const __m512d q0 = _mm512_mul_pd(err, y);
    const __m512d rem = _mm512_fnmadd_pd(q0, ax, err);
    const __m512d rel = _mm512_maskz_fmadd_pd(vnz, rem, y, q0);
    // max(getexp, emin) first: VMAXPD returns its second operand when the first is NaN.
    const __m512d e = _mm512_min_pd(_mm512_max_pd(_mm512_load_pd(xb.gexp + i), emin), emax);
    const __m512d ulps = _mm512_scalef_pd(err, _mm512_sub_pd(mbits, e));
    s_err = _mm512_add_pd(s_err, err);
    // Masked: an invalid lane keeps its sum, as adding add()'s +0 would.
    s_x2 = _mm512_mask_add_pd(s_x2, valid, s_x2, _mm512_load_pd(xb.x2 + i));
    s_e2 = _mm512_add_pd(s_e2, _mm512_mul_pd(err, err));
    s_r2 = _mm512_add_pd(s_r2, _mm512_mul_pd(rel, rel));
    // Non-negative, never NaN: VMAXPD orders them as the integer compare of terms_body does.
    m_abs = _mm512_max_pd(m_abs, err);
    m_ulp = _mm512_max_pd(m_ulp, ulps);
    m_rel = _mm512_max_pd(m_rel, rel);
  }
  _mm512_storeu_pd(acc.abs_err, s_err);
  _mm512_storeu_pd(acc.sq_rel, s_r2);
  _mm512_storeu_pd(acc.signal, s_x2);
  _mm512_storeu_pd(acc.noise, s_e2);
  max_abs = std::bit_cast<std::uint64_t>(_mm512_reduce_max_pd(m_abs));
  max_ulp = std::bit_cast<std::uint64_t>(_mm512_reduce_max_pd(m_ulp));
  max_rel = std::bit_cast<std::uint64_t>(_mm512_reduce_max_pd(m_rel));
  tc.inexact += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(c_inexact));
  tc.under += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(c_under));
  return nc;
}

// A block's counters into a target's stats. valid = finite x minus finite x with q not finite;
// nonzero valid = valid minus the zeros among them (every zero x is finite).
void add_counts(ConversionStats& st, std::size_t n, const XBlock& xb, const TargetCounts& tc) {
  const std::uint64_t valid = n - xb.nan - xb.inf - tc.ovf_inf - tc.ovf_nan;
  st.count += n;
  st.nan_in += xb.nan;
  st.inf_in += xb.inf;
  st.zero_in += xb.zero;
  st.overflow_inf += tc.ovf_inf;
  st.overflow_nan += tc.ovf_nan;
  st.inexact += tc.inexact;
  st.exact += valid - tc.inexact;  // valid: x and q finite, so equal or not
  st.underflow_to_zero += tc.under;
  st.subnormal_out += tc.sub;
  st.err_count += valid;
  st.rel_count += valid - (xb.zero - tc.zero_bad);
}
#pragma GCC diagnostic pop
#undef FPAUDIT_AVX512
#endif

// Follows the bulk kernels' dispatch (set_kernel_override included), so the tests reach both
// builds of the terms loop.
bool use_avx512() { return active_kernel() == KernelIsa::avx512; }

}  // namespace

void add_plain_fast(std::span<const FastPlainTarget* const> targets, const std::uint32_t* f32,
                    std::size_t count, std::uint64_t first,
                    std::span<ConversionStats* const> stats) {
  const std::size_t nt = targets.size();
  thread_local std::vector<std::vector<std::uint8_t>> codes;  // scratch, as in process()
  if (codes.size() < nt) codes.resize(nt);
  std::vector<Geometry> geo(nt);
  for (std::size_t k = 0; k < nt; ++k) {
    const FastPlainTarget& t = *targets[k];
    const FormatSpec& f = t.format();
    codes[k].resize(count * storage_bytes(f));
    convert_f32_bulk(active_kernel(), f, f32, codes[k].data(), count, t.options(), first);
    geo[k] = {f.magnitude_mask(),
              std::uint64_t{1} << f.mantissa_bits,
              f.max_finite_bits(),
              f.has_subnormals,
              f.emin(),
              f.emax(),
              f.mantissa_bits,
              t.values()[f.max_finite_bits()],
              t.decode(),
              t.decode_shift()};
  }
  std::vector<std::uint64_t> max_abs(nt, 0), max_ulp(nt, 0), max_rel(nt, 0);
  std::uint16_t cand[kBlock];
  // The lane sums, rotated so that element i of the chunk lands in lane (count + i) mod 8 of
  // the stats, as add() would put it.
  std::vector<LaneAcc> acc(nt);
  std::vector<std::size_t> lane0(nt);
  auto rotate = [&](double* v, const LaneSum& s, std::size_t base) {
    for (std::size_t l = 0; l < kSumLanes; ++l) v[l] = s.lane[(base + l) % kSumLanes];
  };
  for (std::size_t k = 0; k < nt; ++k) {
    const ConversionStats& st = *stats[k];
    lane0[k] = st.count % kSumLanes;
    rotate(acc[k].abs_err, st.lanes_abs_err, lane0[k]);
    rotate(acc[k].sq_rel, st.lanes_sq_rel_err, lane0[k]);
    rotate(acc[k].signal, st.lanes_signal, lane0[k]);
    rotate(acc[k].noise, st.lanes_noise, lane0[k]);
  }
  // One block of one target at a time: the terms stay in L1.
  thread_local const std::unique_ptr<Terms> terms_buffer = std::make_unique<Terms>();
  Terms& terms = *terms_buffer;
  const bool avx512 = use_avx512();
  double x[kBlock];  // the block's values as binary64 (exact), shared by the targets
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  thread_local const std::unique_ptr<XBlock> x_buffer = std::make_unique<XBlock>();
  XBlock& xb = *x_buffer;
#endif
  for (std::size_t b = 0; b < count; b += kBlock) {
    const std::size_t n = std::min(kBlock, count - b);
    const double* xv = x;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (avx512) {
      x_block(f32 + b, n, xb);
      xv = xb.x;
    } else
#endif
      for (std::size_t i = 0; i < n; ++i) x[i] = std::bit_cast<float>(f32[b + i]);
    for (std::size_t k = 0; k < nt; ++k) {
      const bool wide = storage_bytes(targets[k]->format()) == 2;
      const double* v = targets[k]->values().data();
      const std::uint8_t* c8 = codes[k].data() + b * (wide ? 2 : 1);
      const auto* c16 = reinterpret_cast<const std::uint16_t*>(c8);
      std::uint64_t nc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
      if (avx512) {
        TargetCounts tc;
        const Geometry& g = geo[k];
        using Decode = FastPlainTarget::Decode;
        auto run = [&](auto code, auto may_saturate) {
          using Code = std::remove_cv_t<std::remove_pointer_t<decltype(code)>>;
          constexpr bool sat = decltype(may_saturate)::value;
          if (g.subnormals) tc.sub = count_subnormal_codes<Code>(g, xb, code, n);
          auto go = [&](auto kernel) {
            return kernel(g, xb, code, v, n, tc, acc[k], max_abs[k], max_ulp[k], max_rel[k], cand);
          };
          switch (g.decode) {
            case Decode::binary32_prefix:
              return go(terms_avx512<Code, sat, Decode::binary32_prefix>);
            case Decode::binary16_prefix:
              return go(terms_avx512<Code, sat, Decode::binary16_prefix>);
            case Decode::table:
              break;
          }
          return go(terms_avx512<Code, sat, Decode::table>);
        };
        const bool may_saturate = xb.amax > g.max_value;
        if (wide)
          nc = may_saturate ? run(c16, std::true_type{}) : run(c16, std::false_type{});
        else
          nc = may_saturate ? run(c8, std::true_type{}) : run(c8, std::false_type{});
        add_counts(*stats[k], n, xb, tc);
      } else
#endif
        nc = wide ? terms_plain(geo[k], x, c16, v, n, terms, *stats[k], acc[k], max_abs[k],
                                max_ulp[k], max_rel[k], cand)
                  : terms_plain(geo[k], x, c8, v, n, terms, *stats[k], acc[k], max_abs[k],
                                max_ulp[k], max_rel[k], cand);
      // Saturation (overflow to a finite result) is possible only for these candidates; they
      // take encode()'s flags.
      for (std::size_t c = 0; c < nc; ++c) {
        const std::size_t i = b + cand[c];
        if (convert_double(xv[cand[c]], targets[k]->format(), targets[k]->options(), first + i)
                .flags.has(Flags::overflow))
          ++stats[k]->saturated;
      }
    }
  }
  for (std::size_t k = 0; k < nt; ++k) {
    ConversionStats& st = *stats[k];
    for (std::size_t l = 0; l < kSumLanes; ++l) {
      const std::size_t to = (lane0[k] + l) % kSumLanes;
      st.lanes_abs_err.lane[to] = acc[k].abs_err[l];
      st.lanes_sq_rel_err.lane[to] = acc[k].sq_rel[l];
      st.lanes_signal.lane[to] = acc[k].signal[l];
      st.lanes_noise.lane[to] = acc[k].noise[l];
    }
    st.max_abs_err = std::max(st.max_abs_err, std::bit_cast<double>(max_abs[k]));
    st.max_ulp_err = std::max(st.max_ulp_err, std::bit_cast<double>(max_ulp[k]));
    st.max_rel_err = std::max(st.max_rel_err, std::bit_cast<double>(max_rel[k]));
  }
}

}  // namespace fpaudit::audit::detail
