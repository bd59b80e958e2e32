// The generic block-FMA model's one evaluator (include/fpaudit/gemm/block_fma.hpp). Every sum is
// formed exactly in integers (a block's aligned addends in a 128-bit register; wider exact sums
// in an ExactAccumulator); every rounding is encode() (codec/encode.hpp). Step names B0-B9 follow
// docs/TENSOR_CORES.md 1, which cites the lines of Khattak & Mikaitis' Generic_BFMA_TC.m / GEMM.m
// that each step restates.
#include "fpaudit/gemm/block_fma.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <stdexcept>

#include "block_fma_internal.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/encode.hpp"
#include "fpaudit/gemm/exact_accumulator.hpp"
#include "round_fast.hpp"

namespace fpaudit::gemm {
namespace {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;
using Term = BlockFmaWorkspace::Term;

int bitlen(u128 v) {
  const auto hi = static_cast<std::uint64_t>(v >> 64);
  return hi ? 128 - std::countl_zero(hi) : 64 - std::countl_zero(static_cast<std::uint64_t>(v));
}

int floor_log2(const ExactValue& v) { return v.exp + 63 - std::countl_zero(v.sig); }

// (-1)^neg x mag x 2^exp, mag != 0, as its top 64 bits and a sticky bit (all encode() needs).
ExactValue exact_of(bool neg, u128 mag, int exp) {
  const int sh = std::max(0, bitlen(mag) - 64);
  const bool sticky = sh > 0 && (mag & ((static_cast<u128>(1) << sh) - 1)) != 0;
  return ExactValue::finite(neg, static_cast<std::uint64_t>(mag >> sh), exp + sh, sticky);
}

// d = s field by field: a whole-struct copy of a value just built field by field is a wide load
// of narrow stores (a store-forwarding stall on x86, a third of the time of a small block).
void set(ExactValue& d, const ExactValue& s) {
  d.cls = s.cls;
  d.negative = s.negative;
  d.sig = s.sig;
  d.exp = s.exp;
  d.sticky = s.sticky;
  d.nan_payload = s.nan_payload;
  d.signaling = s.signaling;
}

u128 shift_right(u128 mag, int sh, bool neg, Rounding mode) {
  return detail::shift_right<u128>(mag, sh, neg, mode);
}

// One addend cut to the grid (K&M B5): mag x 2^lsb over units of 2^grid.
u128 align(const Term& t, int grid, FusedAlignment how) {
  const int sh = grid - t.lsb;
  if (sh <= 0) return t.mag << -sh;  // exact: addends lie at most a few bits above the grid's top
  switch (how) {
    case FusedAlignment::truncate:
      return sh >= 128 ? 0 : t.mag >> sh;
    case FusedAlignment::sticky: {
      const u128 q = sh >= 128 ? 0 : t.mag >> sh;
      const bool lost = sh >= 128 ? t.mag != 0 : (t.mag & ((static_cast<u128>(1) << sh) - 1)) != 0;
      return q | (lost ? 1 : 0);  // the grid has one extra bit: its last bit is the sticky OR
    }
    case FusedAlignment::rne:
      return shift_right(t.mag, sh, false, Rounding::rne);
  }
  return 0;
}

i128 signed_of(bool neg, u128 m) { return neg ? -static_cast<i128>(m) : static_cast<i128>(m); }
u128 magnitude(i128 s) { return s < 0 ? 0 - static_cast<u128>(s) : static_cast<u128>(s); }

ConvertOptions with_rounding(Rounding r) {
  ConvertOptions o;
  o.rounding = r;
  return o;
}

struct Ctx {
  Ctx(const BlockFma& p_, const FormatSpec& acc_, Rounding frmode_)
      : p(p_),
        acc(acc_),
        frmode(frmode_),
        c_emin(std::min(-126, acc_.emin())),
        o_fr(with_rounding(frmode_)),
        o_rne(with_rounding(Rounding::rne)),
        o_c(with_rounding(p_.c_rounding)),
        r_fr(acc_, o_fr),
        r_rne(acc_, o_rne),
        r_c(acc_, o_c),
        field_mask((std::uint64_t{1} << acc_.exponent_bits) - 1),
        acc_emin(acc_.emin()),
        acc_emax(acc_.emax()),
        acc_precision(acc_.precision()) {}
  // products_sum in 64-bit integers: truncating alignment, no per-product exponent adjustment,
  // and every aligned addend below 2^(fraction_bits + 2) with terms + 1 of them fitting 63 bits
  // (set per dot product by block_fma_dot, which also checks that significands fit 32 bits).
  bool fast = false;
  const BlockFma& p;
  const FormatSpec& acc;
  Rounding frmode;
  int c_emin;  // c's alignment exponent floor: its binary32 encoding's (K&M B4)
  // encode() with these options; the inline case proven equal to it (round_fast.hpp).
  ConvertOptions o_fr, o_rne, o_c;
  detail::FastRounder r_fr, r_rne, r_c;
  std::uint64_t field_mask;
  int acc_emin, acc_emax, acc_precision;  // cached: FormatSpec computes them
};

// decode(acc, bits), inline for normal values (exponent field neither 0 nor all ones).
[[gnu::always_inline]] inline ExactValue unpack(const Ctx& x, std::uint64_t bits) {
  const int m = x.acc.mantissa_bits;
  const std::uint64_t field = (bits >> m) & x.field_mask;
  if (field == 0 || field == x.field_mask) return decode(x.acc, bits);
  return ExactValue::finite((bits & x.acc.sign_bit()) != 0,
                            (bits & x.acc.mantissa_mask()) | (std::uint64_t{1} << m),
                            static_cast<int>(field) - x.acc.bias - m);
}

// B7-B9: round the exact block value into acc; overflow is +-inf in every mode (B8); flushed
// results are +0 (B9).
[[gnu::always_inline]] inline ExactValue finish(const Ctx& x, const ExactValue& v, Rounding mode) {
  if (v.cls != ValueClass::finite) return ExactValue::zero(false);
  const detail::FastRounder* r = mode == x.frmode         ? &x.r_fr
                                 : mode == Rounding::rne  ? &x.r_rne
                                 : mode == x.p.c_rounding ? &x.r_c
                                                          : nullptr;
  const Encoded e =
      r ? r->round(v.negative, v.sig, v.exp, v.sticky, 0) : encode(x.acc, v, with_rounding(mode));
  if (x.p.overflow_to_inf && e.flags.has(Flags::overflow) && x.acc.has_inf)
    return ExactValue::inf(v.negative);
  const ExactValue result = unpack(x, e.bits);
  if (x.p.flush_results && result.cls == ValueClass::finite && floor_log2(result) < x.acc_emin)
    return ExactValue::zero(false);
  return result;
}

// The exact sum of terms (their own lsb's; no alignment), rounded once with `mode`; +0 if zero.
ExactValue round_exact_sum(const Ctx& x, const Term* t, std::size_t n, Rounding mode) {
  if (n == 0) return ExactValue::zero(false);
  int lo = t[0].lsb, hi = t[0].lsb + bitlen(t[0].mag);
  for (std::size_t i = 1; i < n; ++i) {
    lo = std::min(lo, t[i].lsb);
    hi = std::max(hi, t[i].lsb + bitlen(t[i].mag));
  }
  if (hi - lo + std::bit_width(n) <= 126) {  // fits a 128-bit register with its carries
    i128 s = 0;
    for (std::size_t i = 0; i < n; ++i) s += signed_of(t[i].neg, t[i].mag << (t[i].lsb - lo));
    if (s == 0) return ExactValue::zero(mode == Rounding::rdown);
    return finish(x, exact_of(s < 0, magnitude(s), lo), mode);
  }
  ExactAccumulator a({lo, hi + 64});
  for (std::size_t i = 0; i < n; ++i) a.add_scaled(t[i].neg, t[i].mag, t[i].lsb);
  const ExactValue v = a.value(mode);
  if (v.cls == ValueClass::zero) return ExactValue::zero(mode == Rounding::rdown);
  return finish(x, v, mode);
}

Term term_of(const ExactValue& v, int e) {
  return {static_cast<u128>(v.sig), v.exp, e, v.negative};
}

// K&M B0 (c side): a c below acc's normal range is 0 when results flush.
bool c_present(const Ctx& x, const ExactValue& c) {
  if (c.cls != ValueClass::finite) return false;
  return !(x.p.flush_results && floor_log2(c) < x.acc_emin);
}

// The two-operand unnormalised add of c to a partial sum (K&M late partial sum, [G]:516-585):
// s (signed) in units of 2^(e_s - fraction_bits).
ExactValue add_c_late(const Ctx& x, i128 s, int e_s, const ExactValue& c, bool odd_even) {
  const BlockFma& p = x.p;
  int fb = p.fraction_bits;
  u128 ci = 0;
  int e_c = p.zero_c_exponent_126 ? -126 : -1024;
  const bool c_neg = c.negative;
  if (c_present(x, c)) {
    e_c = std::max(floor_log2(c), x.c_emin);
    const int sh = (e_c - fb) - c.exp;  // |c| in units of 2^(e_c - fb)
    ci = shift_right(c.sig, sh, false, Rounding::rtz);
  }
  const int e = std::max(e_s, e_c);
  int sh = e_s > e_c ? e_s - e_c : e_c - e_s;
  if (sh > 532) sh = 0;  // as K&M do (reached only when the other operand is 0)
  if (e_s < e) {         // c is larger: 7 extra bits, then the partial sum is shifted with armode
    ci <<= 7;
    fb += 7;
    const bool neg = s < 0;
    s = signed_of(neg, shift_right(magnitude(s) << 7, sh, neg, p.align_rounding));
  } else if (e_c < e) {
    Rounding mode = p.align_rounding;
    // Odd/even path: no 'rd' adjustment for a c far below the sum (K&M [G]:565-567).
    if (odd_even && mode == Rounding::rdown && e_c < e - 25) mode = Rounding::rtz;
    ci = shift_right(ci, sh, c_neg, mode);
  }
  const i128 sum = s + signed_of(c_neg, ci);
  if (sum == 0) return ExactValue::zero(false);
  return finish(x, exact_of(sum < 0, magnitude(sum), e - fb), x.frmode);
}

// Products of the positions `pos` (offsets from k0; positions at or past K are zero padding).
// Fills ws.terms with the nonzero products (K&M B0, B3); returns false when prd_limit decides
// the block (result in *special).
// Positions pos[start], pos[start + stride], ...
bool gather_products(const Ctx& x, const BlockOperand* a, const BlockOperand* b,
                     const std::vector<std::size_t>& pos, std::size_t start, std::size_t stride,
                     std::size_t k0, std::size_t K, BlockFmaWorkspace& ws, ExactValue* special) {
  ws.terms.clear();
  bool big_pos = false, big_neg = false;
  for (std::size_t j = start; j < pos.size(); j += stride) {
    const std::size_t k = k0 + pos[j];
    if (k >= K) continue;
    const BlockOperand& u = a[k];
    const BlockOperand& v = b[k];
    if (u.cls != ValueClass::finite || v.cls != ValueClass::finite) continue;
    if (x.p.flush_inputs && (u.subnormal || v.subnormal)) continue;
    Term t{static_cast<u128>(u.sig) * v.sig, u.lsb + v.lsb, u.e + v.e, u.neg != v.neg};
    if (x.p.normalise_products || x.p.product_limit) {
      const int top = t.lsb + bitlen(t.mag) - 1;  // floor(log2 |product|)
      if (x.p.normalise_products && top >= t.e + 1) ++t.e;
      if (x.p.product_limit && top >= x.acc_emax + 1) (t.neg ? big_neg : big_pos) = true;
    }
    ws.terms.push_back(t);
  }
  if (big_pos || big_neg) {  // K&M B2: +inf whatever the products' sign; NaN if both occur
    *special = big_pos && big_neg ? ExactValue::quiet_nan(false) : ExactValue::inf(false);
    return false;
  }
  return true;
}

// Aligned fixed-point sum of terms [0, n) (K&M B5-B6) at grid 2^(emax - fb - extra).
i128 aligned_sum(const Term* t, std::size_t n, int grid, FusedAlignment how) {
  i128 s = 0;
  for (std::size_t i = 0; i < n; ++i) s += signed_of(t[i].neg, align(t[i], grid, how));
  return s;
}

int max_exponent(const Term* t, std::size_t n, int floor) {
  int e = floor;
  for (std::size_t i = 0; i < n; ++i) e = std::max(e, t[i].e);
  return e;
}

// A partial sum: `sum` in units of 2^(e - fraction_bits - extra), e = the alignment exponent
// E_max (at least min_exponent), over `count` nonzero addends (K&M B5-B6).
struct Partial {
  i128 sum = 0;
  int e = 0;
  std::size_t count = 0;
};

// The products at pos[start], pos[start + stride], ... (offsets from k0; at or past K: zero
// padding), plus c when given (its exponent e_c), aligned and summed.
Partial products_sum(const Ctx& x, const BlockOperand* a, const BlockOperand* b,
                     const std::vector<std::size_t>& pos, std::size_t start, std::size_t stride,
                     std::size_t k0, std::size_t K, BlockFmaWorkspace& ws, const ExactValue* c,
                     int e_c) {
  Partial r;
  const int fb = x.p.fraction_bits;
  if (x.fast) {
    // 64-bit integers (Ctx::fast says when they are exact): two passes, no stored terms. A group
    // of consecutive positions is walked directly (the common case; no index vector).
    const bool run = stride == 1 && start == 0 && pos.back() - pos.front() + 1 == pos.size();
    const std::size_t lo = k0 + pos.front(), hi = std::min(K, k0 + pos.back() + 1);
    int e = c ? std::max(x.p.min_exponent, e_c) : x.p.min_exponent;
    std::size_t count = c ? 1 : 0;
    auto scan = [&](std::size_t k) {  // branch-free: zero products leave e alone
      const bool nz = (a[k].sig != 0) & (b[k].sig != 0);
      const int ek = a[k].e + b[k].e;
      e = nz && ek > e ? ek : e;
      count += nz;
    };
    if (run) {
      for (std::size_t k = lo; k < hi; ++k) scan(k);
    } else {
      for (std::size_t j = start; j < pos.size(); j += stride)
        if (k0 + pos[j] < K) scan(k0 + pos[j]);
    }
    const int grid = e - fb;
    std::int64_t sum = 0;
    if (c) {
      const int sh = grid - c->exp;
      const std::uint64_t q = sh <= 0 ? c->sig << -sh : sh < 64 ? c->sig >> sh : 0;
      sum = c->negative ? -static_cast<std::int64_t>(q) : static_cast<std::int64_t>(q);
    }
    auto add = [&](std::size_t k) {                 // branch-free; p < 2^62, so p >> 63 is 0
      const std::uint64_t p = a[k].sig * b[k].sig;  // 0 for a zero operand
      const int sh = grid - (a[k].lsb + b[k].lsb);
      // A zero product's lsb can sit far below the grid: clamp both shifts to 63 (p is then 0,
      // and a shift of 64 or more would be undefined).
      const int left = sh < -63 ? 63 : sh < 0 ? -sh : 0, right = sh > 63 ? 63 : sh > 0 ? sh : 0;
      const auto q = static_cast<std::int64_t>((p << left) >> right);
      const std::int64_t neg = -static_cast<std::int64_t>(a[k].neg != b[k].neg);
      sum += (q ^ neg) - neg;
    };
    if (run) {
      for (std::size_t k = lo; k < hi; ++k) add(k);
    } else {
      for (std::size_t j = start; j < pos.size(); j += stride)
        if (k0 + pos[j] < K) add(k0 + pos[j]);
    }
    r.sum = sum;
    r.e = e;
    r.count = count;
    return r;
  }
  ExactValue special;
  gather_products(x, a, b, pos, start, stride, k0, K, ws, &special);  // prd_limit: block()
  if (c) ws.terms.push_back(term_of(*c, e_c));
  const std::size_t n = ws.terms.size();
  const int extra = x.p.alignment == FusedAlignment::sticky ? 1 : 0;
  r.e = max_exponent(ws.terms.data(), n, x.p.min_exponent);
  r.sum = aligned_sum(ws.terms.data(), n, r.e - fb - extra, x.p.alignment);
  r.count = n;
  return r;
}

[[gnu::always_inline]] inline ExactValue block_global(const Ctx& x, const BlockOperand* a,
                                                      const BlockOperand* b,
                                                      const std::vector<std::size_t>& pos,
                                                      std::size_t k0, std::size_t K,
                                                      BlockFmaWorkspace& ws, const ExactValue& c) {
  const bool has_c = c_present(x, c);
  const Partial s = products_sum(x, a, b, pos, 0, 1, k0, K, ws, has_c ? &c : nullptr,
                                 has_c ? std::max(floor_log2(c), x.c_emin) : 0);
  if (s.count == 0 || s.sum == 0) return ExactValue::zero(false);  // B1, B6: +0
  const int extra = x.p.alignment == FusedAlignment::sticky ? 1 : 0;
  return finish(x, exact_of(s.sum < 0, magnitude(s.sum), s.e - x.p.fraction_bits - extra),
                x.frmode);
}

ExactValue block_late_sum(const Ctx& x, const BlockOperand* a, const BlockOperand* b,
                          const std::vector<std::size_t>& pos, std::size_t k0, std::size_t K,
                          BlockFmaWorkspace& ws, const ExactValue& c) {
  const Partial s = products_sum(x, a, b, pos, 0, 1, k0, K, ws, nullptr, 0);
  if (s.count == 0 && !c_present(x, c)) return ExactValue::zero(false);  // B1
  return add_c_late(x, s.sum, s.e, c, false);
}

ExactValue block_odd_even(const Ctx& x, const BlockOperand* a, const BlockOperand* b,
                          const std::vector<std::size_t>& pos, std::size_t k0, std::size_t K,
                          BlockFmaWorkspace& ws, const ExactValue& c) {
  // Zero products are kept (exponent -1024); 1-based odd positions form one half, even the other.
  i128 s[2];
  int e[2];
  for (std::size_t half = 0; half < 2; ++half) {
    const Partial p = products_sum(x, a, b, pos, half, 2, k0, K, ws, nullptr, 0);
    const std::size_t slots = (pos.size() - half + 1) / 2;
    s[half] = p.sum;
    e[half] = p.count < slots ? std::max(p.e, -1024) : p.e;  // a zero product's exponent
  }
  const int big = e[0] >= e[1] ? 0 : 1, small = 1 - big;
  int sh = e[big] - e[small];
  if (sh > 532) sh = 0;
  const bool neg = s[small] < 0;
  const i128 sum =
      s[big] + signed_of(neg, shift_right(magnitude(s[small]), sh, neg, x.p.align_rounding));
  return add_c_late(x, sum, e[big], c, true);
}

// x + y, each a value of acc, rounded with `mode` (IEEE 6.3 signs for exact zeros).
ExactValue add_two(const Ctx& x, const ExactValue& u, const ExactValue& v, Rounding mode) {
  if (u.cls == ValueClass::inf || v.cls == ValueClass::inf) {
    if (u.cls == ValueClass::inf && v.cls == ValueClass::inf && u.negative != v.negative)
      return ExactValue::quiet_nan(false);
    return u.cls == ValueClass::inf ? u : v;
  }
  if (u.cls != ValueClass::finite && v.cls != ValueClass::finite)
    return ExactValue::zero(u.negative && v.negative);
  if (u.cls == ValueClass::finite && v.cls == ValueClass::finite) {
    const int lo = std::min(u.exp, v.exp), du = u.exp - lo, dv = v.exp - lo;
    if (du <= 62 && dv <= 62) {  // both aligned below 2^126: one exact 128-bit sum
      const i128 sum = signed_of(u.negative, static_cast<u128>(u.sig) << du) +
                       signed_of(v.negative, static_cast<u128>(v.sig) << dv);
      if (sum == 0) return ExactValue::zero(mode == Rounding::rdown);
      return finish(x, exact_of(sum < 0, magnitude(sum), lo), mode);
    }
  }
  const Term t[2] = {term_of(u, 0), term_of(v, 0)};
  if (u.cls != ValueClass::finite) return round_exact_sum(x, t + 1, 1, mode);
  if (v.cls != ValueClass::finite) return round_exact_sum(x, t, 1, mode);
  return round_exact_sum(x, t, 2, mode);
}

ExactValue flush(const Ctx& x, const ExactValue& v) {
  return c_present(x, v) || v.cls != ValueClass::finite ? v : ExactValue::zero(v.negative);
}

ExactValue tree(const Ctx& x, const std::vector<ExactValue>& l, std::size_t lo, std::size_t hi) {
  if (hi - lo == 1) return l[lo];
  const std::size_t mid = lo + (hi - lo + 1) / 2;
  return flush(x, add_two(x, tree(x, l, lo, mid), tree(x, l, mid, hi), x.frmode));
}

// CDNA2: products rounded to acc (RNE, K&M `single(a.*b)`), flushed when results flush, then a
// binary tree of acc additions, then c (K&M [G]:357-484).
ExactValue block_pairwise(const Ctx& x, const BlockOperand* a, const BlockOperand* b,
                          const std::vector<std::size_t>& pos, std::size_t k0, std::size_t K,
                          const ExactValue& c, BlockFmaWorkspace& ws) {
  std::vector<ExactValue>& leaves = ws.leaves;
  leaves.assign(pos.size(), ExactValue::zero(false));
  for (std::size_t j = 0; j < pos.size(); ++j) {
    const std::size_t k = k0 + pos[j];
    ExactValue& p = leaves[j];  // filled field by field (see set())
    if (k < K) {
      const BlockOperand& u = a[k];
      const BlockOperand& v = b[k];
      p.negative = u.neg != v.neg;
      if (u.cls == ValueClass::finite && v.cls == ValueClass::finite &&
          !(x.p.flush_inputs && (u.subnormal || v.subnormal))) {
        const Term t{static_cast<u128>(u.sig) * v.sig, u.lsb + v.lsb, 0, u.neg != v.neg};
        const int bits = bitlen(t.mag), top = t.lsb + bits - 1;
        if (bits <= x.acc_precision && top >= x.acc_emin &&
            top < x.acc_emax) {  // exact: no rounding
          p.cls = ValueClass::finite;
          p.sig = static_cast<std::uint64_t>(t.mag);
          p.exp = t.lsb;
        } else {
          set(p, flush(x, round_exact_sum(x, &t, 1, Rounding::rne)));
        }
      }
    }
  }
  if (leaves.empty()) return flush(x, c);
  return flush(x, add_two(x, tree(x, leaves, 0, leaves.size()), flush(x, c), x.frmode));
}

ExactValue block_exact(const Ctx& x, const BlockOperand* a, const BlockOperand* b,
                       const std::vector<std::size_t>& pos, std::size_t k0, std::size_t K,
                       BlockFmaWorkspace& ws, const ExactValue& c) {
  const bool has_c = c_present(x, c);
  if (x.fast) {  // the exact sum in 64 bits when the addends span at most 62 - log2(n) bits
    int lo = INT_MAX, hi = INT_MIN;
    for (std::size_t i : pos) {
      const std::size_t k = k0 + i;
      if (k >= K || a[k].sig == 0 || b[k].sig == 0) continue;
      const std::uint64_t p = a[k].sig * b[k].sig;
      lo = std::min(lo, a[k].lsb + b[k].lsb);
      hi = std::max(hi, a[k].lsb + b[k].lsb + static_cast<int>(std::bit_width(p)));
    }
    if (has_c) {
      lo = std::min(lo, c.exp);
      hi = std::max(hi, c.exp + static_cast<int>(std::bit_width(c.sig)));
    }
    if (lo == INT_MAX) return ExactValue::zero(false);  // no products, c = 0
    if (hi - lo + std::bit_width(pos.size() + 1) <= 62) {
      std::int64_t sum = 0;
      for (std::size_t i : pos) {
        const std::size_t k = k0 + i;
        // Zero products are skipped as in the span above: their lsb is outside [lo, hi], and
        // shifting them could exceed 63 bits.
        if (k >= K || a[k].sig == 0 || b[k].sig == 0) continue;
        const auto q =
            static_cast<std::int64_t>((a[k].sig * b[k].sig) << (a[k].lsb + b[k].lsb - lo));
        sum += a[k].neg != b[k].neg ? -q : q;
      }
      if (has_c) {
        const auto q = static_cast<std::int64_t>(c.sig << (c.exp - lo));
        sum += c.negative ? -q : q;
      }
      if (sum == 0) return ExactValue::zero(x.frmode == Rounding::rdown);  // as round_exact_sum
      return finish(x, exact_of(sum < 0, magnitude(sum), lo), x.frmode);
    }
  }
  ExactValue special;
  gather_products(x, a, b, pos, 0, 1, k0, K, ws, &special);
  if (has_c) ws.terms.push_back(term_of(c, 0));
  return round_exact_sum(x, ws.terms.data(), ws.terms.size(), x.frmode);
}

// One block: the products at positions `pos` of the instruction starting at k0, plus c.
[[gnu::always_inline]] inline ExactValue block(const Ctx& x, const BlockOperand* a,
                                               const BlockOperand* b,
                                               const std::vector<std::size_t>& pos, std::size_t k0,
                                               std::size_t K, const ExactValue& c,
                                               BlockFmaWorkspace& ws) {
  if (c.cls == ValueClass::inf || c.cls == ValueClass::nan) return c;  // stays non-finite
  ExactValue special;
  // K&M B2 (prd_limit) and the exact path need every product; the others gather their own.
  bool check_limit = false;
  if (x.p.product_limit) {  // cheap bound first: |a b| < 2^(e_a + e_b + 2)
    for (std::size_t i : pos)
      if (k0 + i < K && a[k0 + i].sig != 0 && b[k0 + i].sig != 0 &&
          a[k0 + i].e + b[k0 + i].e + 1 >= x.acc_emax + 1)
        check_limit = true;
  }
  if (check_limit && !gather_products(x, a, b, pos, 0, 1, k0, K, ws, &special)) return special;
  switch (x.p.path) {
    case BlockPath::global:
      return block_global(x, a, b, pos, k0, K, ws, c);
    case BlockPath::late_sum:
      return block_late_sum(x, a, b, pos, k0, K, ws, c);
    case BlockPath::odd_even:
      return block_odd_even(x, a, b, pos, k0, K, ws, c);
    case BlockPath::pairwise:
      return block_pairwise(x, a, b, pos, k0, K, c, ws);
    case BlockPath::exact:
      return block_exact(x, a, b, pos, k0, K, ws, c);
  }
  return c;
}

void build_groups(const BlockFma& p, BlockFmaWorkspace& ws) {
  const std::size_t n = static_cast<std::size_t>(p.terms);
  const std::size_t kinst = p.instruction_k > 0 ? static_cast<std::size_t>(p.instruction_k) : n;
  const std::size_t groups = kinst / n;
  ws.groups.assign(groups, {});
  ws.built_terms = p.terms;
  ws.built_k = static_cast<int>(kinst);
  ws.built_interleave = p.interleave;
  for (std::size_t i = 0; i < kinst; ++i) {
    const std::size_t g =
        p.interleave > 0 ? (i / static_cast<std::size_t>(p.interleave)) % groups : i / n;
    ws.groups[g].push_back(i);
  }
}

// The chain along K from the instruction starting at k0, running value `run` (K&M GEMM.m).
ExactValue chain(const Ctx& x, const BlockOperand* a, const BlockOperand* b, std::size_t K,
                 std::size_t k0, const ExactValue& c, BlockFmaWorkspace& ws) {
  const std::size_t kinst = static_cast<std::size_t>(ws.built_k);
  ExactValue run = c;
  for (; k0 < K; k0 += kinst) {
    ExactValue v;  // +0
    if (x.p.c_entry == AddendEntry::aligned) set(v, run);
    for (const auto& g : ws.groups) set(v, block(x, a, b, g, k0, K, v, ws));
    if (x.p.c_entry == AddendEntry::last) set(v, add_two(x, v, run, x.p.c_rounding));
    set(run, v);
  }
  return run;
}

}  // namespace

std::string_view to_string(FusedAlignment a) {
  switch (a) {
    case FusedAlignment::truncate:
      return "truncate";
    case FusedAlignment::sticky:
      return "sticky";
    case FusedAlignment::rne:
      return "rne";
  }
  return "?";
}

std::string_view to_string(BlockPath p) {
  switch (p) {
    case BlockPath::global:
      return "global";
    case BlockPath::late_sum:
      return "late-sum";
    case BlockPath::odd_even:
      return "odd-even";
    case BlockPath::pairwise:
      return "pairwise";
    case BlockPath::exact:
      return "exact";
  }
  return "?";
}

std::string_view to_string(AddendEntry e) {
  switch (e) {
    case AddendEntry::aligned:
      return "aligned";
    case AddendEntry::last:
      return "last";
  }
  return "?";
}

BlockOperand block_operand(const ExactValue& v, int emin) {
  BlockOperand o;
  o.cls = v.cls;
  o.neg = v.negative;
  if (v.cls == ValueClass::finite) {
    o.sig = v.sig;
    o.lsb = v.exp;
    const int fl = floor_log2(v);
    o.e = std::max(fl, emin);
    o.subnormal = fl < emin;
  }
  return o;
}

ExactValue block_fma_dot(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                         const BlockOperand* a, const BlockOperand* b, std::size_t K,
                         const ExactValue& c, BlockFmaWorkspace& ws,
                         const std::uint64_t* finite_sig_or, BlockFmaEvaluator evaluator) {
  // Special values over every product and c (K&M GEMM.m step 4).
  bool pinf = false, ninf = false, nan = c.cls == ValueClass::nan;
  std::uint64_t sig_or = finite_sig_or ? *finite_sig_or : 0;
  for (std::size_t k = 0; k < (finite_sig_or ? 0 : K) && !nan; ++k) {
    const ValueClass u = a[k].cls, v = b[k].cls;
    sig_or |= a[k].sig | b[k].sig;
    if (u == ValueClass::finite && v == ValueClass::finite) continue;
    if (u == ValueClass::nan || v == ValueClass::nan)
      nan = true;
    else if ((u == ValueClass::inf && v == ValueClass::zero) ||
             (u == ValueClass::zero && v == ValueClass::inf))
      nan = true;
    else if (u == ValueClass::inf || v == ValueClass::inf)
      (a[k].neg != b[k].neg ? ninf : pinf) = true;
  }
  if (nan) return c.cls == ValueClass::nan ? c : ExactValue::quiet_nan(false);
  if (c.cls == ValueClass::inf) (c.negative ? ninf : pinf) = true;
  if (pinf && ninf) return ExactValue::quiet_nan(false);
  if (pinf || ninf) return ExactValue::inf(ninf);

  const std::size_t n = static_cast<std::size_t>(p.terms);
  const std::size_t kinst = p.instruction_k > 0 ? static_cast<std::size_t>(p.instruction_k) : n;
  if (p.terms < 1 || kinst % n != 0)
    throw std::invalid_argument("block-FMA model: instruction_k must be a multiple of terms >= 1");
  if (ws.built_terms != p.terms || ws.built_k != static_cast<int>(kinst) ||
      ws.built_interleave != p.interleave)
    build_groups(p, ws);

  if (evaluator == BlockFmaEvaluator::fast) {
    ExactValue out;
    if (detail::fast_dot(p, acc, frmode, a, b, K, c, sig_or, ws, out)) return out;
  }
  Ctx x(p, acc, frmode);
  x.fast = evaluator == BlockFmaEvaluator::fast && sig_or < (std::uint64_t{1} << 32) &&
           p.alignment == FusedAlignment::truncate &&
           (!p.normalise_products || p.path == BlockPath::exact) && !p.flush_inputs &&
           p.fraction_bits + 2 + std::bit_width(static_cast<unsigned>(p.terms) + 1) <= 62;
  return chain(x, a, b, K, 0, c, ws);
}

namespace detail {

ExactValue reference_block(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                           const BlockOperand* a, const BlockOperand* b,
                           const std::vector<std::size_t>& pos, std::size_t k0, std::size_t K,
                           const ExactValue& c, BlockFmaWorkspace& ws) {
  const Ctx x(p, acc, frmode);
  return block(x, a, b, pos, k0, K, c, ws);
}

ExactValue reference_add_last(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                              const ExactValue& t, const ExactValue& c) {
  const Ctx x(p, acc, frmode);
  return add_two(x, t, c, p.c_rounding);
}

ExactValue reference_chain(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                           const BlockOperand* a, const BlockOperand* b, std::size_t K,
                           std::size_t k0, const ExactValue& run, BlockFmaWorkspace& ws) {
  const Ctx x(p, acc, frmode);
  return chain(x, a, b, K, k0, run, ws);
}

}  // namespace detail

}  // namespace fpaudit::gemm
