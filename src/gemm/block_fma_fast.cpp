// The block-FMA model's fast evaluator (detail::fast_dot; include/fpaudit/gemm/block_fma.hpp).
//
// The same steps as the readable evaluator in block_fma.cpp (step names B0-B9 of
// docs/TENSOR_CORES.md 1), restricted at plan time to the case that makes up a GEMM of
// ordinary data, where every sum fits a 64-bit integer exactly:
//   * every operand significand below 2^31, so a product is below 2^62;
//   * the rounding into acc (frmode, and c_rounding when c is added last) is one that
//     FastRounder's inline case takes (rne, rtz), and every rounded value is a normal number
//     below acc's top binade (then finish()'s overflow and flush steps do nothing);
//   * global / late-sum / odd-even: truncating alignment without product normalisation or input
//     flushing, and a grid narrow enough that terms + 1 aligned addends (and the late add's 7
//     extra bits) fit 63 bits: fraction_bits + 9 + bit_width(terms + 1) <= 62;
//   * pairwise: every product exact in acc (no rounding of a leaf), each two-operand sum exact
//     in 64 bits before its one rounding;
//   * exact: the block's addends span at most 62 - bit_width(terms + 1) bits.
// How it is fast: the running value is a 16-byte struct of plain integers (Val) passed in
// registers instead of an ExactValue; the block size is a compile-time constant for the presets'
// 2, 4, 8, 16 and 32 (loops unrolled; the pairwise tree written out with its leaves made where
// they are summed); each aligned product takes one shift; the pairwise path rounds into binary32
// with its constants known at compile time (FastRounder::round_normal_with: FastRounder's own
// rule, proven equal to encode() in tests/test_gemm_exact.cpp).
// A block whose data leave the case above (a product to round, a sum too wide, a result to flush
// or overflow, the product limit, an infinite running value) is recomputed whole by the readable
// evaluator (detail::reference_block), which is exact for every input; a last instruction that
// K does not fill goes to it too. So the two give the same bits by construction, and
// tests/test_block_fma_fast.cpp compares them on every preset and on data made to leave the case.
#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <new>  // placement new of the pairwise leaves (no zero-filled array per block)
#include <type_traits>

#include "block_fma_internal.hpp"
#include "round_fast.hpp"

namespace fpaudit::gemm::detail {
namespace {

// A running value or a block result: a zero (signed), a finite sig x 2^exp, or +-inf / NaN
// (the model's own, which carry no payload: ExactValue::inf / quiet_nan). A finite value made
// here has sig < 2^precision of acc (fast_dot checks that c does). A Val of class kBail: the
// fast case does not take the block (the caller hands it to the
// readable evaluator). 16 bytes, returned in two registers: the values never go through memory.
constexpr auto kBailClass = static_cast<ValueClass>(4);  // past ValueClass's own four
struct Val {
  std::uint64_t sig = 0;
  std::int32_t exp = 0;
  ValueClass cls = ValueClass::zero;
  bool neg = false;
  bool bail() const { return cls == kBailClass; }
};
constexpr Val kBail{0, 0, kBailClass, false};
// A leaf of the pairwise tree, written before it is read (no zero-filled array per block).
struct LeafSlot {
  alignas(Val) unsigned char bytes[sizeof(Val)];
};

Val val_of(const ExactValue& v) {
  Val r;
  r.cls = v.cls;
  r.neg = v.negative;
  if (v.cls == ValueClass::finite) {
    r.sig = v.sig;
    r.exp = v.exp;
  }
  return r;
}

ExactValue exact_of(Val v) {  // by value: a Val whose address is taken lives in memory
  switch (v.cls) {
    case ValueClass::finite:
      return ExactValue::finite(v.neg, v.sig, v.exp);
    case ValueClass::inf:
      return ExactValue::inf(v.neg);
    case ValueClass::nan:
      return ExactValue::quiet_nan(v.neg);
    case ValueClass::zero:
      break;
  }
  return ExactValue::zero(v.neg);
}

Val zero(bool neg) {
  Val r;
  r.neg = neg;
  return r;
}

int floor_log2(const Val& v) { return v.exp + 63 - std::countl_zero(v.sig); }
std::int64_t signed_of(bool neg, std::uint64_t m) {
  return neg ? -static_cast<std::int64_t>(m) : static_cast<std::int64_t>(m);
}
std::uint64_t magnitude(std::int64_t s) {
  return s < 0 ? 0 - static_cast<std::uint64_t>(s) : static_cast<std::uint64_t>(s);
}

ConvertOptions with_rounding(Rounding r) {
  ConvertOptions o;
  o.rounding = r;
  return o;
}

constexpr std::size_t kMaxPairwiseTerms = 64;
constexpr std::size_t kMaxExactTerms = 64;

// The binary tree of acc additions of block_fma.cpp tree() (node [lo, hi) = [lo, mid) + [mid,
// hi), mid = lo + ceil((hi - lo) / 2)) as a list of (lo, mid) in post-order, for block sizes not
// known at compile time: evaluated in place, a node's sum goes to leaf lo, where its left child
// left its own.
struct TreeSchedule {
  std::uint8_t lo[kMaxPairwiseTerms], mid[kMaxPairwiseTerms];
  std::size_t size = 0;
  void build(std::size_t l, std::size_t h) {
    if (h - l == 1) return;
    const std::size_t m = l + (h - l + 1) / 2;
    build(l, m);
    build(m, h);
    lo[size] = static_cast<std::uint8_t>(l);
    mid[size] = static_cast<std::uint8_t>(m);
    ++size;
  }
};

// What one dot product's blocks need, computed once per call.
struct Plan {
  Plan(const BlockFma& p_, const FormatSpec& acc, Rounding frmode_)
      : p(p_),
        frmode(frmode_),
        o_fr(with_rounding(frmode_)),
        o_c(with_rounding(p_.c_rounding)),
        r_fr(acc, o_fr),
        r_c(acc, o_c),
        n(static_cast<std::size_t>(p_.terms)),
        fb(p_.fraction_bits),
        m(acc.mantissa_bits),
        acc_emin(acc.emin()),
        acc_emax(acc.emax()),
        acc_precision(acc.precision()),
        c_emin(std::min(-126, acc_emin)) {}
  const BlockFma& p;
  Rounding frmode;
  ConvertOptions o_fr, o_c;
  FastRounder r_fr, r_c;
  std::size_t n;  // products per block
  int fb, m, acc_emin, acc_emax, acc_precision, c_emin;
  TreeSchedule tree;  // pairwise path
};

// finish() for its common case (B7): (-1)^neg mag 2^lsb, mag != 0, rounded by `r` to a normal
// number below acc's top binade; false for anything else.
template <class R>
[[gnu::always_inline]] inline Val round_to([[maybe_unused]] const Plan& P, const R& r, bool neg,
                                           std::uint64_t mag, int lsb) {
  FastRounder::Normal n;
  if (!r.round_normal(mag, lsb, false, n)) return kBail;
  return {n.kept, n.e - r.mantissa_bits(), ValueClass::finite, neg};
}

// FastRounder's fast case for binary32 (the acc of every AMD preset and of most NVIDIA ones),
// its constants known at compile time (FastRounder::round_normal_with: the same rule).
struct Binary32Rounder {
  static constexpr int kM = 23, kEmin = -126, kEmax = 127;
  bool rne;
  static bool fits(const FormatSpec& f, const FastRounder& r) {
    return r.enabled() && f.mantissa_bits == kM && f.emin() == kEmin && f.emax() == kEmax;
  }
  [[gnu::always_inline]] bool round_normal(std::uint64_t sig, int exp, bool sticky,
                                           FastRounder::Normal& out) const {
    return FastRounder::round_normal_with(kM, kEmin, kEmax, rne, sig, exp, sticky, out);
  }
  static constexpr int mantissa_bits() { return kM; }
  static constexpr int emin() { return kEmin; }
  static constexpr int emax() { return kEmax; }
};

// K&M B0 (c side): c takes part unless it is zero, or below acc's normal range when results
// flush (block_fma.cpp c_present).
[[gnu::always_inline]] inline bool c_present(const Plan& P, Val c) {
  return c.cls == ValueClass::finite && !(P.p.flush_results && floor_log2(c) < P.acc_emin);
}

// K&M B2's cheap bound (block_fma.cpp block()): a product that may reach 2^(emax + 1) leaves
// the block to the readable evaluator, which decides it exactly.
[[gnu::always_inline]] inline bool may_hit_limit(const Plan& P, const BlockOperand& u,
                                                 const BlockOperand& v) {
  return P.p.product_limit && u.sig != 0 && v.sig != 0 && u.e + v.e + 1 >= P.acc_emax + 1;
}

// Where a block's products are: j-th at ix(j), j < ix.size(P). Consecutive positions
// (interleave 0) with the block size N known at compile time (the presets' 2 ... 32, so the
// loops unroll) or not (N = 0), or an instruction's position list.
template <std::size_t N>
struct Run {
  static constexpr std::size_t kTerms = N;
  std::size_t base;
  std::size_t operator()(std::size_t j) const { return base + j; }
};
struct Positions {
  static constexpr std::size_t kTerms = 0;
  std::size_t k0;
  const std::size_t* pos;
  std::size_t operator()(std::size_t j) const { return k0 + pos[j]; }
};
template <class Ix>
[[gnu::always_inline]] inline std::size_t terms(const Plan& P) {
  return Ix::kTerms ? Ix::kTerms : P.n;
}

// B3, B5, B6 (block_fma.cpp products_sum): the products at j = start, start + stride, ... < n,
// plus c when given (exponent e_c), truncated to the grid 2^(e - fraction_bits) of their largest
// exponent e (at least min_exponent) and summed.
struct Partial {
  std::int64_t sum = 0;
  int e = 0;
  int count = 0;       // nonzero addends
  bool limit = false;  // may_hit_limit for one of them
};

template <class Ix>
[[gnu::always_inline]] inline Partial partial(const Plan& P, const BlockOperand* a,
                                              const BlockOperand* b, Ix ix, std::size_t start,
                                              std::size_t stride, const Val* c, int e_c) {
  Partial r;
  int e = c ? std::max(P.p.min_exponent, e_c) : P.p.min_exponent;
  int count = c ? 1 : 0;
  bool limit = false;
  const std::size_t n = terms<Ix>(P);
#pragma GCC unroll 32
  for (std::size_t j = start; j < n; j += stride) {  // branch-free: zero products leave e
    const std::size_t k = ix(j);
    const bool nz = (a[k].sig != 0) & (b[k].sig != 0);
    const int ek = a[k].e + b[k].e;
    e = nz && ek > e ? ek : e;
    count += nz;
    limit |= nz & (ek + 1 >= P.acc_emax + 1);
  }
  const int grid = e - P.fb;
  std::int64_t sum = 0;
  if (c) {
    const int sh = grid - c->exp;
    const std::uint64_t q = sh <= 0 ? c->sig << -sh : sh < 64 ? c->sig >> sh : 0;
    sum = signed_of(c->neg, q);
  }
  // A nonzero product p 2^lsb is below 2^(e + 2), so its lsb is at most fraction_bits + 2
  // above the grid: p << (fb + 2) (below 2^63, takes() checks) then one right shift by
  // sh + fb + 2 >= 0 puts it on the grid, truncated. A zero product's lsb can sit anywhere:
  // a negative shift count wraps to a huge unsigned one, clamped to 63 like any count past 62
  // (p << (fb + 2) < 2^63 then shifts to 0).
  const unsigned left = static_cast<unsigned>(P.fb + 2);
#pragma GCC unroll 32
  for (std::size_t j = start; j < n; j += stride) {
    const std::size_t k = ix(j);
    const std::uint64_t p = a[k].sig * b[k].sig;  // 0 for a zero operand
    const unsigned right =
        std::min(static_cast<unsigned>(grid - (a[k].lsb + b[k].lsb)) + left, 63u);
    const auto q = static_cast<std::int64_t>((p << left) >> right);
    const std::int64_t neg = -static_cast<std::int64_t>(a[k].neg != b[k].neg);
    sum += (q ^ neg) - neg;
  }
  r.sum = sum;
  r.e = e;
  r.count = count;
  r.limit = limit && P.p.product_limit;
  return r;
}

// NVIDIA: every product and c aligned to one exponent, one sum, one rounding (block_global).
template <class Ix>
Val block_global(const Plan& P, const BlockOperand* a, const BlockOperand* b, Ix ix, Val c) {
  const bool has_c = c_present(P, c);
  const Partial s = partial(P, a, b, ix, 0, 1, has_c ? &c : nullptr,
                            has_c ? std::max(floor_log2(c), P.c_emin) : 0);
  if (s.limit) return kBail;
  if (s.count == 0 || s.sum == 0) {  // B1, B6: +0
    return zero(false);
  }
  return round_to(P, P.r_fr, s.sum < 0, magnitude(s.sum), s.e - P.fb);
}

// The late two-operand add of c to a partial sum s in units of 2^(e_s - fraction_bits)
// (block_fma.cpp add_c_late, K&M [G]:516-585), in 64 bits.
[[gnu::always_inline]] inline Val add_c_late(const Plan& P, std::int64_t s, int e_s, Val c,
                                             bool odd_even) {
  int fb = P.fb;
  std::uint64_t ci = 0;
  int e_c = P.p.zero_c_exponent_126 ? -126 : -1024;
  if (c_present(P, c)) {
    e_c = std::max(floor_log2(c), P.c_emin);
    ci = shift_right<std::uint64_t>(c.sig, (e_c - fb) - c.exp, false, Rounding::rtz);
  }
  const int e = std::max(e_s, e_c);
  int sh = e_s > e_c ? e_s - e_c : e_c - e_s;
  if (sh > 532) sh = 0;
  if (e_s < e) {
    ci <<= 7;
    fb += 7;
    const bool neg = s < 0;
    s = signed_of(neg, shift_right<std::uint64_t>(magnitude(s) << 7, sh, neg, P.p.align_rounding));
  } else if (e_c < e) {
    Rounding mode = P.p.align_rounding;
    if (odd_even && mode == Rounding::rdown && e_c < e - 25) mode = Rounding::rtz;
    ci = shift_right<std::uint64_t>(ci, sh, c.neg, mode);
  }
  const std::int64_t sum = s + signed_of(c.neg, ci);
  if (sum == 0) {
    return zero(false);
  }
  return round_to(P, P.r_fr, sum < 0, magnitude(sum), e - fb);
}

// CDNA3 16-bit: products aligned and summed, then c by the late add (block_late_sum).
template <class Ix>
Val block_late_sum(const Plan& P, const BlockOperand* a, const BlockOperand* b, Ix ix, Val c) {
  const Partial s = partial(P, a, b, ix, 0, 1, nullptr, 0);
  if (s.limit) return kBail;
  if (s.count == 0 && !c_present(P, c)) {  // B1
    return zero(false);
  }
  return add_c_late(P, s.sum, s.e, c, false);
}

// CDNA3 fp8: odd and even positions summed apart, combined, then c (block_odd_even).
template <class Ix>
Val block_odd_even(const Plan& P, const BlockOperand* a, const BlockOperand* b, Ix ix, Val c) {
  std::int64_t s[2];
  int e[2];
  for (std::size_t half = 0; half < 2; ++half) {
    const Partial p = partial(P, a, b, ix, half, 2, nullptr, 0);
    if (p.limit) return kBail;
    const std::size_t slots = (terms<Ix>(P) - half + 1) / 2;
    s[half] = p.sum;
    e[half] = static_cast<std::size_t>(p.count) < slots ? std::max(p.e, -1024) : p.e;
  }
  const int big = e[0] >= e[1] ? 0 : 1, small = 1 - big;
  int sh = e[big] - e[small];
  if (sh > 532) sh = 0;
  const bool neg = s[small] < 0;
  const std::int64_t sum =
      s[big] +
      signed_of(neg, shift_right<std::uint64_t>(magnitude(s[small]), sh, neg, P.p.align_rounding));
  return add_c_late(P, sum, e[big], c, true);
}

// add_two below with a zero operand: x + 0 is x's one-term sum, rounded; 0 + 0 as IEEE 6.3.
// Out of line: rare, and kept out of the code of every block that inlines add_two.
template <class R>
[[gnu::noinline]] Val add_zero(const Plan& P, const R& r, Val u, Val v) {
  if (u.cls != ValueClass::finite && v.cls != ValueClass::finite) return zero(u.neg && v.neg);
  const Val& x = u.cls == ValueClass::finite ? u : v;
  return round_to(P, r, x.neg, x.sig, x.exp);
}

// add_two for two zero or finite values (IEEE 6.3 signs for exact zeros), when their exact sum
// fits 63 bits: both significands are below 2^precision, so exponents at most
// 62 - precision apart. x + 0 is x's one-term sum, rounded (block_fma.cpp add_two).
template <class R>
[[gnu::always_inline]] inline Val add_two(const Plan& P, const R& r, Rounding mode, const Val& u,
                                          const Val& v) {
  if (u.cls != ValueClass::finite || v.cls != ValueClass::finite) [[unlikely]]
    return add_zero(P, r, u, v);
  const int limit = 61 - r.mantissa_bits();  // 62 - precision
  if (static_cast<unsigned>(u.exp - v.exp + limit) > static_cast<unsigned>(2 * limit))
    return kBail;  // |u.exp - v.exp| > limit
  const int lo = std::min(u.exp, v.exp);
  const std::int64_t sum =
      signed_of(u.neg, u.sig << (u.exp - lo)) + signed_of(v.neg, v.sig << (v.exp - lo));
  if (sum == 0) return zero(mode == Rounding::rdown);  // exact cancellation
  return round_to(P, r, sum < 0, magnitude(sum), lo);
}

// block_fma.cpp flush(): a finite value below acc's normal range is a zero when results flush.
[[gnu::always_inline]] inline Val flush(const Plan& P, const Val& v) {
  return v.cls == ValueClass::finite && !c_present(P, v) ? zero(v.neg) : v;
}

// CDNA2 leaf j: the product rounded to acc (block_pairwise), here only when that is exact (a
// normal number of at most `precision` bits); a zero (signed) for a zero or flushed operand.
// No product-limit check (block_fma.cpp block()): a product that reaches 2^(emax + 1) is not
// exact in acc, so its block goes to the readable evaluator; on every other block the readable
// one finds no such product and goes on as here.
template <class Ix, class R>
[[gnu::always_inline]] inline Val leaf(const Plan& P, const R& r, const BlockOperand* a,
                                       const BlockOperand* b, Ix ix, std::size_t j) {
  const std::size_t k = ix(j);
  const BlockOperand& u = a[k];
  const BlockOperand& v = b[k];
  const std::uint64_t p = u.sig * v.sig;  // 0 for a zero operand
  const int lsb = u.lsb + v.lsb, bits = static_cast<int>(std::bit_width(p));
  const int top = lsb + bits - 1;
  const bool neg = u.neg != v.neg;
  if (p == 0 || (P.p.flush_inputs && (u.subnormal || v.subnormal))) return zero(neg);
  if (bits > r.mantissa_bits() + 1 ||
      static_cast<unsigned>(top - r.emin()) >= static_cast<unsigned>(r.emax() - r.emin()))
    return kBail;  // not a normal number of acc: its rounding is the readable evaluator's
  return {p, lsb, ValueClass::finite, neg};
}

// The tree of block_fma.cpp tree() over leaves [Lo, Hi), block size known at compile time:
// unrolled, every value in registers. A sum made here is a zero or a normal number (round_to),
// which block_fma.cpp's flush() of every sum leaves alone.
template <std::size_t Lo, std::size_t Hi, class Ix, class R>
[[gnu::always_inline]] inline Val tree(const Plan& P, const R& r, const BlockOperand* a,
                                       const BlockOperand* b, Ix ix) {
  if constexpr (Hi - Lo == 1) {
    return leaf(P, r, a, b, ix, Lo);
  } else {
    constexpr std::size_t kMid = Lo + (Hi - Lo + 1) / 2;
    const Val x = tree<Lo, kMid>(P, r, a, b, ix);
    if (x.bail()) return kBail;
    const Val y = tree<kMid, Hi>(P, r, a, b, ix);
    if (y.bail()) return kBail;
    return add_two(P, r, P.frmode, x, y);
  }
}

// CDNA2: products rounded to acc, a binary tree of acc additions, then c (block_pairwise).
// R: the rounder into acc (FastRounder, or Binary32Rounder when acc is binary32).
template <class Ix, class R>
Val block_pairwise(const Plan& P, const R& r, const BlockOperand* a, const BlockOperand* b, Ix ix,
                   Val c) {
  Val t;
  if constexpr (Ix::kTerms != 0) {
    t = tree<0, Ix::kTerms>(P, r, a, b, ix);
  } else {  // any block size: the leaves in an array, the tree from P.tree's schedule
    LeafSlot slots[kMaxPairwiseTerms];
    Val* leaves = reinterpret_cast<Val*>(slots);
    for (std::size_t j = 0; j < P.n; ++j) {
      new (&leaves[j]) Val(leaf(P, r, a, b, ix, j));
      if (leaves[j].bail()) return kBail;
    }
    for (std::size_t i = 0; i < P.tree.size; ++i) {
      Val& x = leaves[P.tree.lo[i]];
      x = add_two(P, r, P.frmode, x, leaves[P.tree.mid[i]]);
      if (x.bail()) return kBail;
    }
    t = leaves[0];
  }
  if (t.bail()) return kBail;
  return add_two(P, r, P.frmode, t, flush(P, c));
}

// CDNA1: the exact sum of the products and c, rounded once (block_exact), in 64 bits. One pass
// over the products (kept in registers when the block size is known), one over what it kept.
template <class Ix>
Val block_exact(const Plan& P, const BlockOperand* a, const BlockOperand* b, Ix ix, Val c) {
  const bool has_c = c_present(P, c);
  const std::size_t n = terms<Ix>(P);
  std::uint64_t prod[Ix::kTerms ? Ix::kTerms : kMaxExactTerms];
  int lsb[Ix::kTerms ? Ix::kTerms : kMaxExactTerms];
  bool neg[Ix::kTerms ? Ix::kTerms : kMaxExactTerms];
  int lo = INT_MAX, hi = INT_MIN;
#pragma GCC unroll 32
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t k = ix(j);
    if (may_hit_limit(P, a[k], b[k])) return kBail;
    const bool nz =
        a[k].sig != 0 && b[k].sig != 0 && !(P.p.flush_inputs && (a[k].subnormal || b[k].subnormal));
    prod[j] = nz ? a[k].sig * b[k].sig : 0;
    lsb[j] = a[k].lsb + b[k].lsb;
    neg[j] = a[k].neg != b[k].neg;
    lo = nz ? std::min(lo, lsb[j]) : lo;
    hi = nz ? std::max(hi, lsb[j] + static_cast<int>(std::bit_width(prod[j]))) : hi;
  }
  if (has_c) {
    lo = std::min(lo, c.exp);
    hi = std::max(hi, c.exp + static_cast<int>(std::bit_width(c.sig)));
  }
  if (lo == INT_MAX) return zero(false);  // no products, no c
  if (hi - lo + static_cast<int>(std::bit_width(n + 1)) > 62) return kBail;
  std::int64_t sum = has_c ? signed_of(c.neg, c.sig << (c.exp - lo)) : 0;
#pragma GCC unroll 32
  for (std::size_t j = 0; j < n; ++j)  // a zero product: 0, shifted by a clamped count
    sum += signed_of(neg[j], prod[j] << std::min(static_cast<unsigned>(lsb[j] - lo), 63u));
  if (sum == 0) return zero(P.frmode == Rounding::rdown);
  return round_to(P, P.r_fr, sum < 0, magnitude(sum), lo);
}

// Whether the fast evaluator takes this model (the plan-time half of the conditions above).
bool takes(const BlockFma& p, const Plan& P, std::uint64_t sig_or) {
  if (sig_or >= (std::uint64_t{1} << 31) || !P.r_fr.enabled()) return false;
  if (p.c_entry == AddendEntry::last && !P.r_c.enabled()) return false;
  switch (p.path) {
    case BlockPath::global:
    case BlockPath::late_sum:
    case BlockPath::odd_even:
      return p.alignment == FusedAlignment::truncate && !p.normalise_products && !p.flush_inputs &&
             p.fraction_bits >= 0 &&
             p.fraction_bits + 9 + std::bit_width(static_cast<unsigned>(p.terms) + 1) <= 62 &&
             2 * std::bit_width(sig_or) + p.fraction_bits + 2 <= 63;  // partial()'s one shift
    case BlockPath::pairwise:
      return P.n <= kMaxPairwiseTerms;
    case BlockPath::exact:
      return P.n <= kMaxExactTerms;
  }
  return false;
}

// The chain along K (block_fma.cpp chain()) with blocks from `blk`, at positions Ix; whole
// instructions only (a last, partial one goes to the readable evaluator).
template <class Ix, class Block>
ExactValue chain(const Plan& P, const FormatSpec& acc, const BlockOperand* a, const BlockOperand* b,
                 std::size_t K, const ExactValue& c, BlockFmaWorkspace& ws, Block blk) {
  const BlockFma& p = P.p;
  const std::size_t kinst = static_cast<std::size_t>(ws.built_k);
  const bool aligned = p.c_entry == AddendEntry::aligned;
  Val run = val_of(c);
  for (std::size_t k0 = 0; k0 < K; k0 += kinst) {
    if (k0 + kinst > K) return reference_chain(p, acc, P.frmode, a, b, K, k0, exact_of(run), ws);
    Val v = aligned ? run : zero(false);
    for (std::size_t g = 0; g < ws.groups.size(); ++g) {
      Val r = kBail;
      if (v.cls == ValueClass::zero || v.cls == ValueClass::finite) {
        if constexpr (std::is_same_v<Ix, Positions>)
          r = blk(Positions{k0, ws.groups[g].data()}, v);
        else
          r = blk(Ix{k0 + g * P.n}, v);  // groups are consecutive runs (build_groups)
      }
      if (r.bail())
        r = val_of(reference_block(p, acc, P.frmode, a, b, ws.groups[g], k0, K, exact_of(v), ws));
      v = r;
    }
    if (!aligned) {
      Val r = kBail;
      if (v.cls <= ValueClass::finite && run.cls <= ValueClass::finite)
        r = add_two(P, P.r_c, p.c_rounding, v, run);
      if (r.bail()) r = val_of(reference_add_last(p, acc, P.frmode, exact_of(v), exact_of(run)));
      v = r;
    }
    run = v;
  }
  return exact_of(run);
}

}  // namespace

bool fast_dot(const BlockFma& p, const FormatSpec& acc, Rounding frmode, const BlockOperand* a,
              const BlockOperand* b, std::size_t K, const ExactValue& c, std::uint64_t sig_or,
              BlockFmaWorkspace& ws, ExactValue& out) {
  if (c.cls == ValueClass::inf || c.cls == ValueClass::nan || c.sticky) return false;
  Plan P(p, acc, frmode);
  if (!takes(p, P, sig_or)) return false;
  // add_two's bound (pairwise, c added last) holds for c too.
  if ((p.path == BlockPath::pairwise || p.c_entry == AddendEntry::last) &&
      c.cls == ValueClass::finite && static_cast<int>(std::bit_width(c.sig)) > P.acc_precision)
    return false;
  if (p.path == BlockPath::pairwise) P.tree.build(0, P.n);
  auto with = [&](auto block) {
    auto blk = [&](auto ix, Val v) { return block(P, a, b, ix, v); };
    if (p.interleave != 0) {
      out = chain<Positions>(P, acc, a, b, K, c, ws, blk);
      return true;
    }
    switch (P.n) {  // the presets' block sizes, unrolled
      case 2:
        out = chain<Run<2>>(P, acc, a, b, K, c, ws, blk);
        break;
      case 4:
        out = chain<Run<4>>(P, acc, a, b, K, c, ws, blk);
        break;
      case 8:
        out = chain<Run<8>>(P, acc, a, b, K, c, ws, blk);
        break;
      case 16:
        out = chain<Run<16>>(P, acc, a, b, K, c, ws, blk);
        break;
      case 32:
        out = chain<Run<32>>(P, acc, a, b, K, c, ws, blk);
        break;
      default:
        out = chain<Run<0>>(P, acc, a, b, K, c, ws, blk);
    }
    return true;
  };
  switch (p.path) {
    case BlockPath::global:
      return with([](const Plan& q, const BlockOperand* x, const BlockOperand* y, auto ix, Val v) {
        return block_global(q, x, y, ix, v);
      });
    case BlockPath::late_sum:
      return with([](const Plan& q, const BlockOperand* x, const BlockOperand* y, auto ix, Val v) {
        return block_late_sum(q, x, y, ix, v);
      });
    case BlockPath::odd_even:
      return with([](const Plan& q, const BlockOperand* x, const BlockOperand* y, auto ix, Val v) {
        return block_odd_even(q, x, y, ix, v);
      });
    case BlockPath::pairwise:
      if (Binary32Rounder::fits(acc, P.r_fr)) {
        const Binary32Rounder r32{P.r_fr.rne()};
        return with([r32](const Plan& q, const BlockOperand* x, const BlockOperand* y, auto ix,
                          Val v) { return block_pairwise(q, r32, x, y, ix, v); });
      }
      return with([](const Plan& q, const BlockOperand* x, const BlockOperand* y, auto ix, Val v) {
        return block_pairwise(q, q.r_fr, x, y, ix, v);
      });
    case BlockPath::exact:
      return with([](const Plan& q, const BlockOperand* x, const BlockOperand* y, auto ix, Val v) {
        return block_exact(q, x, y, ix, v);
      });
  }
  return false;
}

}  // namespace fpaudit::gemm::detail
