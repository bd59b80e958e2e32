// The exact GEMM engine. Outline (docs/GEMM.md 2 has the argument for exactness):
//   1. decode both operands once (table lookup for formats of <= 16 bits), block scales folded in;
//   2. cut every row of A and column of B into bit slices below its top bit (slice widths with
//      w_A + w_B + ceil(log2 K) <= 53), each slice an integer matrix held exactly in binary64;
//      slices that are mostly zero are kept as sparse lists;
//   3. for each pair of slices, the binary64 product (dgemm for dense x dense, sparse kernels
//      otherwise), in row tiles; every one of these sums is exact;
//   4. per element, the slice products times their powers of two summed in a 192-bit integer
//      (or an ExactAccumulator when the spread is wider), times the tensor scales, rounded once.
// Elements whose row or column holds a NaN or an infinity, and exact zeros whose sign the slices
// cannot tell, are computed by the scalar path (one ExactAccumulator over k).
#include "fpaudit/gemm/exact_gemm.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "dense_backend.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/exact_product.hpp"
#include "fpaudit/gemm/exact_accumulator.hpp"
#include "parallel.hpp"
#include "round_fast.hpp"

namespace fpaudit::gemm {
namespace {

// FPAUDIT_GEMM_PROFILE=1 prints the time of each phase to stderr (development aid).
struct PhaseTimer {
  bool on = std::getenv("FPAUDIT_GEMM_PROFILE") != nullptr;
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  double cpu = thread_cpu_ms();
  static double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
  }
  void lap(const char* what) {
    if (!on) return;
    const auto now = std::chrono::steady_clock::now();
    const double c = thread_cpu_ms();
    std::fprintf(stderr, "gemm phase %-10s %8.2f ms wall %8.2f ms cpu (calling thread)\n", what,
                 std::chrono::duration<double, std::milli>(now - t).count(), c - cpu);
    t = now;
    cpu = c;
  }
};

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

int bit_length(std::uint64_t v) { return 64 - std::countl_zero(v); }
std::uint64_t magnitude(std::int64_t s) {
  return s < 0 ? 0 - static_cast<std::uint64_t>(s) : static_cast<std::uint64_t>(s);
}
int ceil_log2(std::uint64_t n) { return n <= 1 ? 0 : bit_length(n - 1); }

// ---------------------------------------------------------------------------------------------
// The scalar path: one exact accumulator per element.

AccumulatorRange data_range(const DecodedMatrix& a, const DecodedMatrix& b, std::size_t k) {
  int amin = INT_MAX, amax = INT_MIN, bmin = INT_MAX, bmax = INT_MIN;
  // Over the stored elements, or over every pattern of the table (a superset: still a bound).
  for (const auto& e : a.codes.empty() ? a.data : a.table)
    if (e.cls == ValueClass::finite) {
      amin = std::min(amin, e.exp);
      amax = std::max(amax, e.exp + bit_length(magnitude(e.sig)));
    }
  for (const auto& e : b.codes.empty() ? b.data : b.table)
    if (e.cls == ValueClass::finite) {
      bmin = std::min(bmin, e.exp);
      bmax = std::max(bmax, e.exp + bit_length(magnitude(e.sig)));
    }
  if (amin == INT_MAX || bmin == INT_MAX) return {0, 64};
  return {amin + bmin, amax + bmax + ceil_log2(k + 1) + 2};
}

// Element (i, j) of A x B, exactly, as an accumulator (tensor scales applied).
void scalar_element(const DecodedMatrix& a, const DecodedMatrix& b, std::size_t i, std::size_t j,
                    const ExactValue& sa, const ExactValue& sb, ExactAccumulator& acc) {
  acc.clear();
  const std::size_t k = a.cols;
  for (std::size_t p = 0; p < k; ++p) {
    const DecodedElement& x = a.at(i, p);
    const DecodedElement& y = b.at(p, j);
    if (x.cls == ValueClass::finite && y.cls == ValueClass::finite) {
      const u128 prod = static_cast<u128>(magnitude(x.sig)) * magnitude(y.sig);
      acc.add_scaled((x.sig < 0) != (y.sig < 0), prod, x.exp + y.exp);
    } else {
      acc.add_product(x.value(), y.value());
    }
  }
  if (!(sa.cls == ValueClass::finite && sa.sig == 1 && sa.exp == 0 && !sa.negative))
    acc.multiply(sa);
  if (!(sb.cls == ValueClass::finite && sb.sig == 1 && sb.exp == 0 && !sb.negative))
    acc.multiply(sb);
}

// The same value with trailing zero bits moved into the exponent (1.0f: sig 1, exp 0).
ExactValue normalized(ExactValue v) {
  if (v.cls == ValueClass::finite && v.sig != 0) {
    const int tz = std::countr_zero(v.sig);
    v.sig >>= tz;
    v.exp += tz;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Slicing.

// An uninitialised binary64 array (the slices are written in parallel, element by element, so
// the pages are first touched by the threads that use them).
struct DoubleBuffer {
  std::unique_ptr<double[]> p;
  void allocate(std::size_t n) { p.reset(new double[n]); }
  double* data() { return p.get(); }
  const double* data() const { return p.get(); }
  double& operator[](std::size_t i) { return p[i]; }
};

struct SparseEntry {
  std::uint32_t index;  // A: k; B: j
  double value;
};

struct Slice {
  bool present = false;  // some entry nonzero
  bool dense = false;
  DoubleBuffer dense_data;                       // A: M x K; B: K x N (row-major)
  std::vector<std::uint32_t> row_ptr;            // sparse: per storage row (A: i, B: k)
  std::vector<SparseEntry> entries;
  std::vector<std::uint32_t> nonempty_rows;      // sparse: storage rows with entries
  std::vector<std::uint8_t> line_has;            // per line (A row / B column): any entry
};

struct Sliced {
  int w = 0;
  std::vector<int> top;              // per line: every bit of the line lies below 2^top
  std::vector<std::uint8_t> special; // per line: holds a NaN or an infinity
  std::vector<Slice> slices;
};

struct LineInfo {
  std::vector<int> top, low;  // top bit (exclusive) and lowest bit exponent per line
  std::vector<std::uint8_t> special;
  // Zero-sign facts for exact zero sums: every element +-0; sign +1 (all elements positive-
  // signed), -1 (all negative), 0 (mixed).
  std::vector<std::uint8_t> all_zero;
  std::vector<std::int8_t> sign;
};

// Per-element facts, from the table when there is one: branch-free reductions over a line.
struct ElementFacts {
  int top, low;        // finite nonzero: bit range [low, top); otherwise INT_MIN / INT_MAX
  std::uint8_t flags;  // kNonzero | kSpecial | kNegative | kPositive
};
constexpr std::uint8_t kNonzero = 1, kSpecial = 2, kNegative = 4, kPositive = 8;

ElementFacts facts(const DecodedElement& e) {
  const std::uint8_t sign = e.negative ? kNegative : kPositive;
  if (e.cls == ValueClass::finite)
    return {e.exp + bit_length(magnitude(e.sig)), e.exp, static_cast<std::uint8_t>(kNonzero | sign)};
  if (e.cls == ValueClass::zero) return {INT_MIN, INT_MAX, sign};
  return {INT_MIN, INT_MAX, static_cast<std::uint8_t>(kNonzero | kSpecial | sign)};
}

// lines_are_rows: A (a line is a storage row); otherwise B (a line is a storage column).
LineInfo line_info(const DecodedMatrix& d, bool lines_are_rows, unsigned threads) {
  const std::size_t lines = lines_are_rows ? d.rows : d.cols;
  std::vector<ElementFacts> table;
  for (const auto& e : d.table) table.push_back(facts(e));
  const bool coded = !d.codes.empty();
  auto fact = [&](std::size_t idx) { return coded ? table[d.codes[idx]] : facts(d.data[idx]); };
  std::vector<int> top(lines, INT_MIN), low(lines, INT_MAX);
  std::vector<std::uint8_t> flags(lines, 0);
  if (lines_are_rows) {
    detail::parallel_ranges(d.rows, threads, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; ++r) {
        int t = INT_MIN, l = INT_MAX;
        std::uint8_t f = 0;
        for (std::size_t c = 0; c < d.cols; ++c) {
          const ElementFacts e = fact(r * d.cols + c);
          t = std::max(t, e.top);
          l = std::min(l, e.low);
          f |= e.flags;
        }
        top[r] = t;
        low[r] = l;
        flags[r] = f;
      }
    });
  } else {
    detail::parallel_ranges(d.cols, threads, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t r = 0; r < d.rows; ++r)
        for (std::size_t c = c0; c < c1; ++c) {
          const ElementFacts e = fact(r * d.cols + c);
          top[c] = std::max(top[c], e.top);
          low[c] = std::min(low[c], e.low);
          flags[c] |= e.flags;
        }
    });
  }
  LineInfo li;
  li.top = std::move(top);
  li.low = std::move(low);
  li.special.resize(lines);
  li.all_zero.resize(lines);
  li.sign.resize(lines);
  for (std::size_t l = 0; l < lines; ++l) {
    const std::uint8_t f = flags[l];
    li.special[l] = (f & kSpecial) != 0;
    li.all_zero[l] = (f & kNonzero) == 0;
    li.sign[l] = (f & kNegative) && (f & kPositive) ? 0 : ((f & kNegative) ? -1 : 1);
  }
  return li;
}

int max_span(const LineInfo& li) {
  int s = 0;
  for (std::size_t i = 0; i < li.top.size(); ++i)
    if (li.top[i] != INT_MIN) s = std::max(s, li.top[i] - li.low[i]);
  return s;
}

// Cuts each line into slices [top - (s+1) w, top - s w). Piece values are integers < 2^w.
Sliced slice_operand(const DecodedMatrix& d, bool lines_are_rows, const LineInfo& li, int w,
                     unsigned threads) {
  Sliced out;
  out.w = w;
  out.top = li.top;
  out.special = li.special;
  const std::size_t rows = d.rows, cols = d.cols;
  const std::size_t lines = lines_are_rows ? rows : cols;
  int nslices = 1;
  for (std::size_t l = 0; l < lines; ++l)
    if (li.top[l] != INT_MIN) nslices = std::max(nslices, (li.top[l] - li.low[l] + w - 1) / w);
  out.slices.resize(static_cast<std::size_t>(nslices));

  // Slice 0 is always dense; the pieces of lower slices are first collected per storage row.
  Slice& s0 = out.slices[0];
  s0.dense = true;
  s0.dense_data.allocate(rows * cols);
  struct Piece {
    std::uint32_t col;
    std::uint32_t slice;
    double value;
  };
  std::vector<std::vector<Piece>> lower(rows);
  // Table operands: each pattern's exact value as binary64 (formats of <= 16 bits fit), so an
  // element inside slice 0 is one multiplication by 2^-lo (exact: the result is an integer < 2^w).
  struct PatternValue {
    double value;
    int exp;
    bool finite;
  };
  std::vector<PatternValue> pv;
  pv.reserve(d.table.size());
  for (const auto& e : d.table) {
    // sig x 2^exp exactly: the exponent goes straight into the binary64 fields (|exp| is small
    // for the <= 16-bit formats that have a table; ldexp covers the rest).
    double v = 0.0;
    if (e.cls == ValueClass::finite) {
      const double s = static_cast<double>(e.sig);
      v = (e.exp > -1000 && e.exp < 1000) ? s * std::bit_cast<double>(static_cast<std::uint64_t>(1023 + e.exp) << 52)
                                          : std::ldexp(s, e.exp);
    }
    pv.push_back({v, e.exp, e.cls == ValueClass::finite});
  }
  // 2^-lo0 per line, when binary64 holds it (else the general path below).
  std::vector<double> line_scale(lines, 0.0);
  for (std::size_t l = 0; l < lines; ++l)
    if (li.top[l] != INT_MIN && std::abs(li.top[l] - w) < 900 && !pv.empty())
      line_scale[l] = std::ldexp(1.0, -(li.top[l] - w));
  detail::parallel_ranges(rows, threads, [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      double* dst = s0.dense_data.data() + r * cols;
      for (std::size_t c = 0; c < cols; ++c) {
        dst[c] = 0.0;
        const std::size_t line = lines_are_rows ? r : c;
        const int top = li.top[line];
        const int lo0 = top == INT_MIN ? 0 : top - w;  // INT_MIN: no finite nonzero element
        if (!pv.empty()) {
          const PatternValue& p = pv[d.codes[r * cols + c]];
          if (!p.finite) continue;
          if (p.exp >= lo0 && line_scale[line] != 0.0) {  // the whole element lies in slice 0
            dst[c] = p.value * line_scale[line];
            continue;
          }
        }
        const DecodedElement& e = d.at(r, c);
        if (e.cls != ValueClass::finite) continue;
        const std::uint64_t m = magnitude(e.sig);
        const int bl = bit_length(m);
        const bool neg = e.sig < 0;
        if (e.exp >= lo0) {
          const double v = static_cast<double>(m << (e.exp - lo0));
          dst[c] = neg ? -v : v;
          continue;
        }
        const int s_top = (top - (e.exp + bl)) / w;
        const int s_bot = (top - 1 - e.exp) / w;
        for (int s = s_top; s <= s_bot; ++s) {
          const int lo = top - (s + 1) * w, hi = top - s * w;
          const int from = std::max(lo, e.exp), to = std::min(hi, e.exp + bl);
          if (from >= to) continue;
          std::uint64_t piece = m >> (from - e.exp);
          if (to - from < 64) piece &= (std::uint64_t{1} << (to - from)) - 1;
          if (piece == 0) continue;
          const double v = std::ldexp(static_cast<double>(piece), from - lo);
          if (s == 0) dst[c] = neg ? -v : v;
          else lower[r].push_back({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(s), neg ? -v : v});
        }
      }
    }
  });
  for (std::size_t l = 0; l < lines; ++l)
    if (li.top[l] != INT_MIN) s0.present = true;

  // Lower slices: dense when more than 1/8 of the entries are nonzero, else sparse.
  std::vector<std::size_t> count(out.slices.size(), 0);
  for (const auto& v : lower)
    for (const auto& p : v) ++count[p.slice];
  for (std::size_t s = 1; s < out.slices.size(); ++s) {
    Slice& sl = out.slices[s];
    sl.present = count[s] > 0;
    if (!sl.present) continue;
    sl.line_has.assign(lines, 0);
    sl.dense = count[s] * 8 > rows * cols;
    if (sl.dense) {
      sl.dense_data.allocate(rows * cols);
      detail::parallel_ranges(rows, threads, [&](std::size_t r0, std::size_t r1) {
        std::fill(sl.dense_data.data() + r0 * cols, sl.dense_data.data() + r1 * cols, 0.0);
      });
    }
    else {
      sl.row_ptr.assign(rows + 1, 0);
      sl.entries.reserve(count[s]);
    }
  }
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t s = 1; s < out.slices.size(); ++s)
      if (out.slices[s].present && !out.slices[s].dense) out.slices[s].row_ptr[r] =
          static_cast<std::uint32_t>(out.slices[s].entries.size());
    // Pieces of one row arrive in column order per slice, so CSR rows come out sorted.
    for (const auto& p : lower[r]) {
      Slice& sl = out.slices[p.slice];
      sl.line_has[lines_are_rows ? r : p.col] = 1;
      if (sl.dense) sl.dense_data[r * cols + p.col] = p.value;
      else sl.entries.push_back({p.col, p.value});
    }
    std::vector<Piece>().swap(lower[r]);
  }
  for (std::size_t s = 1; s < out.slices.size(); ++s) {
    Slice& sl = out.slices[s];
    if (!sl.present || sl.dense) continue;
    sl.row_ptr[rows] = static_cast<std::uint32_t>(sl.entries.size());
    for (std::size_t r = 0; r < rows; ++r)
      if (sl.row_ptr[r + 1] > sl.row_ptr[r]) sl.nonempty_rows.push_back(static_cast<std::uint32_t>(r));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per-element exact combination of the slice products.

struct Term {
  std::int64_t value;  // exact integer (|value| < 2^53)
  int exp;
};

// sum of value * 2^exp over the terms, times the tensor scale (scale_sig * 2^scale_exp, sign
// folded into `negate`), as an ExactValue (64 bits + sticky). Returns false when the spread of
// the terms is too wide for 192 bits (the caller then uses an ExactAccumulator).
bool combine_terms(const Term* terms, int n, std::uint64_t scale_sig, int scale_exp, bool negate,
                   ExactValue& out) {
  int emin = INT_MAX, emax = INT_MIN;
  for (int t = 0; t < n; ++t) {
    emin = std::min(emin, terms[t].exp);
    emax = std::max(emax, terms[t].exp);
  }
  const int need = emax - emin + 54 + ceil_log2(static_cast<std::uint64_t>(n));
  if (need <= 126 && scale_sig == 1) {  // the common case: a 128-bit sum
    i128 sum = 0;
    for (int t = 0; t < n; ++t) sum += static_cast<i128>(terms[t].value) << (terms[t].exp - emin);
    if (sum == 0) {
      out = ExactValue::zero(false);
      return true;
    }
    const bool neg = sum < 0;
    const u128 mag = neg ? 0 - static_cast<u128>(sum) : static_cast<u128>(sum);
    const auto hi = static_cast<std::uint64_t>(mag >> 64), lo = static_cast<std::uint64_t>(mag);
    if (hi == 0) {
      out = ExactValue::finite(neg != negate, lo, emin + scale_exp);
    } else {
      const int sh = 64 - std::countl_zero(hi);  // bits to drop: 1..64
      const std::uint64_t sig = sh == 64 ? hi : (hi << (64 - sh)) | (lo >> sh);
      const bool sticky = sh == 64 ? lo != 0 : (lo << (64 - sh)) != 0;
      out = ExactValue::finite(neg != negate, sig, emin + scale_exp + sh, sticky);
    }
    return true;
  }
  // |sum| < n 2^(53 + spread) must stay below 2^191 (the sign bit of 192).
  if (need > 190) return false;
  // 192-bit two's complement: limbs l[0] (low) .. l[2].
  std::uint64_t l[3] = {0, 0, 0};
  for (int t = 0; t < n; ++t) {
    const int s = terms[t].exp - emin;
    const int q = s / 64, r = s % 64;
    const i128 v = static_cast<i128>(terms[t].value) * (static_cast<i128>(1) << r);  // < 2^117
    const auto lo = static_cast<std::uint64_t>(static_cast<u128>(v));
    const auto mid = static_cast<std::uint64_t>(static_cast<u128>(v) >> 64);
    const std::uint64_t ext = v < 0 ? ~std::uint64_t{0} : 0;
    const std::uint64_t parts[3] = {lo, mid, ext};
    unsigned char carry = 0;
    for (int i = q; i < 3; ++i) {
      const std::uint64_t p = parts[std::min(i - q, 2)];
      const u128 sum = static_cast<u128>(l[i]) + p + carry;
      l[i] = static_cast<std::uint64_t>(sum);
      carry = static_cast<unsigned char>(sum >> 64);
    }
  }
  bool neg = (l[2] >> 63) != 0;
  if (neg) {  // magnitude
    unsigned char borrow = 1;
    for (auto& x : l) {
      x = ~x;
      const u128 sum = static_cast<u128>(x) + borrow;
      x = static_cast<std::uint64_t>(sum);
      borrow = static_cast<unsigned char>(sum >> 64);
    }
  }
  if ((l[0] | l[1] | l[2]) == 0) {
    out = ExactValue::zero(false);
    return true;
  }
  // Magnitude (< 2^191) times the scale significand (< 2^64): up to 4 limbs.
  std::uint64_t m[4] = {l[0], l[1], l[2], 0};
  if (scale_sig != 1) {
    std::uint64_t carry = 0;
    for (int i = 0; i < 3; ++i) {
      const u128 p = static_cast<u128>(l[i]) * scale_sig + carry;
      m[i] = static_cast<std::uint64_t>(p);
      carry = static_cast<std::uint64_t>(p >> 64);
    }
    m[3] = carry;
  }
  int top = 3;
  while (m[top] == 0) --top;
  const int bl = bit_length(m[top]);
  // The top 64 bits start at bit (64 top + bl - 1) of the 256-bit number.
  const int hi_bit = 64 * top + bl;  // number of significant bits
  std::uint64_t sig;
  bool sticky = false;
  int lsb;
  if (hi_bit <= 64) {
    sig = m[0];
    lsb = 0;
  } else {
    const int shift = hi_bit - 64;  // bits dropped
    const int q = shift / 64, r = shift % 64;
    sig = r == 0 ? m[q] : (m[q] >> r) | (m[q + 1] << (64 - r));
    for (int i = 0; i < q; ++i) sticky = sticky || m[i] != 0;
    if (r != 0) sticky = sticky || (m[q] & ((std::uint64_t{1} << r) - 1)) != 0;
    lsb = shift;
  }
  out = ExactValue::finite(neg != negate, sig, emin + scale_exp + lsb, sticky);
  return true;
}

// ---------------------------------------------------------------------------------------------

struct Context {
  std::size_t M, N, K;
  const DecodedMatrix* a;
  const DecodedMatrix* b;
  ExactValue sa, sb;
  const FormatSpec* out;
  const ConvertOptions* opt;
  AccumulatorRange range;
};

Encoded scalar_result(const Context& cx, std::size_t i, std::size_t j, ExactAccumulator& acc) {
  scalar_element(*cx.a, *cx.b, i, j, cx.sa, cx.sb, acc);
  return acc.round(*cx.out, *cx.opt, i * cx.N + j);
}

void run_scalar(const Context& cx, unsigned threads, GemmResult& res) {
  std::vector<Flags> flags(threads);
  std::vector<std::uint8_t> fl(cx.M, 0);
  detail::parallel_ranges(cx.M, threads, [&](std::size_t i0, std::size_t i1) {
    ExactAccumulator acc(cx.range);
    std::uint8_t f = 0;
    for (std::size_t i = i0; i < i1; ++i)
      for (std::size_t j = 0; j < cx.N; ++j) {
        const Encoded e = scalar_result(cx, i, j, acc);
        res.bits[i * cx.N + j] = e.bits;
        f |= e.flags.bits;
      }
    fl[i0] = f;
  });
  for (auto f : fl) res.flags |= Flags(f);
}

void run_sliced(const Context& cx, detail::DenseGemmFn dense, unsigned threads, GemmResult& res) {
  const std::size_t M = cx.M, N = cx.N, K = cx.K;
  PhaseTimer timer;
  const LineInfo la = line_info(*cx.a, true, threads);
  const LineInfo lb = line_info(*cx.b, false, threads);
  // Slice widths: w_A + w_B <= 53 - ceil(log2 K) keeps every partial sum below 2^53.
  const int W = 53 - ceil_log2(K);
  const int span_a = max_span(la), span_b = max_span(lb);
  int wa, wb;
  if (span_a + span_b <= W) {
    wa = std::max(span_a, 1);
    wb = W - wa;
  } else if (span_a <= W / 2) {
    wa = std::max(span_a, 1);
    wb = W - wa;
  } else if (span_b <= W / 2) {
    wb = std::max(span_b, 1);
    wa = W - wb;
  } else {
    wa = W / 2;
    wb = W - wa;
  }
  const Sliced sa = slice_operand(*cx.a, true, la, wa, threads);
  const Sliced sb = slice_operand(*cx.b, false, lb, wb, threads);
  timer.lap("slice");
  const LineInfo& za = la;
  const LineInfo& zb = lb;

  // Tensor scales: folded into one significand when it fits 64 bits.
  const bool unit_scales = cx.sa.cls == ValueClass::finite && cx.sb.cls == ValueClass::finite &&
                           cx.sa.sig == 1 && cx.sb.sig == 1 && cx.sa.exp == 0 && cx.sb.exp == 0 &&
                           !cx.sa.negative && !cx.sb.negative;
  std::uint64_t scale_sig = 1;
  int scale_exp = 0;
  bool scale_neg = false, scale_simple = unit_scales;
  if (!unit_scales && cx.sa.cls == ValueClass::finite && cx.sb.cls == ValueClass::finite) {
    const u128 p = static_cast<u128>(cx.sa.sig) * cx.sb.sig;
    if ((p >> 64) == 0) {
      scale_sig = static_cast<std::uint64_t>(p);
      scale_exp = cx.sa.exp + cx.sb.exp;
      scale_neg = cx.sa.negative != cx.sb.negative;
      scale_simple = true;
    }
  }

  struct Pair {
    std::size_t s, t;
    bool dense;
  };
  std::vector<Pair> pairs;
  for (std::size_t s = 0; s < sa.slices.size(); ++s)
    for (std::size_t t = 0; t < sb.slices.size(); ++t)
      if (sa.slices[s].present && sb.slices[t].present)
        pairs.push_back({s, t, sa.slices[s].dense && sb.slices[t].dense});
  std::size_t dense_pairs = 0;
  for (const auto& p : pairs) dense_pairs += p.dense ? 1 : 0;

  // Row tiles: dense pair products of a tile take at most ~64 MiB.
  std::size_t mt = M;
  if (dense_pairs > 0) {
    const std::size_t budget = (std::size_t{64} << 20) / (8 * std::max<std::size_t>(N, 1) * dense_pairs);
    mt = std::min(M, std::max<std::size_t>(64, budget / 8 * 8));
  }
  std::vector<std::vector<double>> rbuf(dense_pairs);
  const detail::FastRounder rounder(*cx.out, *cx.opt);
  std::vector<std::uint8_t> row_flags(M, 0);

  for (std::size_t i0 = 0; i0 < M; i0 += mt) {
    const std::size_t rows = std::min(mt, M - i0);
    {
      std::size_t d = 0;
      for (const auto& p : pairs) {
        if (!p.dense) continue;
        rbuf[d].resize(rows * N);
        dense(rows, N, K, sa.slices[p.s].dense_data.data() + i0 * K, K,
              sb.slices[p.t].dense_data.data(), N, rbuf[d].data(), N, threads);
        ++d;
      }
    }
    timer.lap("dense");
    detail::parallel_ranges(rows, threads, [&](std::size_t r0, std::size_t r1) {
      std::vector<std::vector<double>> sparse_rows;  // one row buffer per sparse pair
      std::vector<const double*> row_src(pairs.size());
      std::vector<int> pair_exp(pairs.size());
      std::vector<Term> terms(pairs.size());
      std::vector<const double*> active_src(pairs.size());
      std::vector<int> active_exp(pairs.size()), active_shift(pairs.size());
      ExactAccumulator acc(cx.range);
      for (const auto& p : pairs)
        if (!p.dense) sparse_rows.emplace_back(N);
      for (std::size_t r = r0; r < r1; ++r) {
        const std::size_t i = i0 + r;
        std::uint8_t f = 0;
        // Products of the sparse pairs for this row.
        std::size_t d = 0, sp = 0;
        for (std::size_t pi = 0; pi < pairs.size(); ++pi) {
          const Pair& p = pairs[pi];
          if (p.dense) {
            row_src[pi] = rbuf[d++].data() + r * N;
            continue;
          }
          const Slice& as = sa.slices[p.s];
          const Slice& bs = sb.slices[p.t];
          double* rb = sparse_rows[sp++].data();
          row_src[pi] = nullptr;
          if (!as.dense) {
            if (!as.line_has[i]) continue;
            std::fill(rb, rb + N, 0.0);
            for (std::uint32_t e = as.row_ptr[i]; e < as.row_ptr[i + 1]; ++e) {
              const std::size_t k = as.entries[e].index;
              const double v = as.entries[e].value;
              if (bs.dense) {
                const double* brow = bs.dense_data.data() + k * N;
                for (std::size_t j = 0; j < N; ++j) rb[j] += v * brow[j];
              } else {
                for (std::uint32_t q = bs.row_ptr[k]; q < bs.row_ptr[k + 1]; ++q)
                  rb[bs.entries[q].index] += v * bs.entries[q].value;
              }
            }
          } else {  // dense A slice x sparse B slice
            std::fill(rb, rb + N, 0.0);
            const double* arow = as.dense_data.data() + i * K;
            for (const std::uint32_t k : bs.nonempty_rows) {
              const double v = arow[k];
              if (v == 0) continue;
              for (std::uint32_t q = bs.row_ptr[k]; q < bs.row_ptr[k + 1]; ++q)
                rb[bs.entries[q].index] += v * bs.entries[q].value;
            }
          }
          row_src[pi] = rb;
        }
        // A row without finite nonzero elements has no top (INT_MIN): its products are all
        // zeros (or specials, handled by the scalar path), and no term is ever formed.
        const int ta = sa.top[i] == INT_MIN ? 0 : sa.top[i];
        for (std::size_t pi = 0; pi < pairs.size(); ++pi)
          pair_exp[pi] = ta - static_cast<int>(pairs[pi].s + 1) * wa -
                         static_cast<int>(pairs[pi].t + 1) * wb;
        // The row's active pairs with fixed shifts relative to the lowest of them: each element
        // is then sum (R_p << shift_p) in 128 bits when the spread allows (the common case).
        int act = 0, emin = INT_MAX, emax = INT_MIN;
        for (std::size_t pi = 0; pi < pairs.size(); ++pi)
          if (row_src[pi]) {
            active_src[act] = row_src[pi];
            active_exp[act++] = pair_exp[pi];
            emin = std::min(emin, pair_exp[pi]);
            emax = std::max(emax, pair_exp[pi]);
          }
        for (int p = 0; p < act; ++p) active_shift[p] = active_exp[p] - emin;
        const bool fast_row = act > 0 && !sa.special[i] && scale_sig == 1 &&
                              emax - emin + 54 + ceil_log2(static_cast<std::uint64_t>(act)) <= 126;
        for (std::size_t j = 0; j < N; ++j) {
          const std::uint64_t index = i * N + j;
          Encoded e;
          if (fast_row && !sb.special[j]) {
            i128 sum = 0;
            bool any = false;
            for (int p = 0; p < act; ++p) {
              const double v = active_src[p][j];
              any |= v != 0;
              sum += static_cast<i128>(static_cast<std::int64_t>(v)) << active_shift[p];
            }
            if (sum != 0) {
              const bool neg = sum < 0;
              const u128 mag = neg ? 0 - static_cast<u128>(sum) : static_cast<u128>(sum);
              const auto hi = static_cast<std::uint64_t>(mag >> 64), lo = static_cast<std::uint64_t>(mag);
              const int e0 = emin + sb.top[j] + scale_exp;
              if (hi == 0) {
                e = rounder.round(neg != scale_neg, lo, e0, false, index);
              } else {
                const int sh = 64 - std::countl_zero(hi);
                const std::uint64_t sig = sh == 64 ? hi : (hi << (64 - sh)) | (lo >> sh);
                const bool sticky = sh == 64 ? lo != 0 : (lo << (64 - sh)) != 0;
                e = rounder.round(neg != scale_neg, sig, e0 + sh, sticky, index);
              }
              res.bits[index] = e.bits;
              f |= e.flags.bits;
              continue;
            }
            if (any) {  // cancellation of nonzero products: +0 (-0 under rdown), 6.3
              e = encode(*cx.out, ExactValue::zero(cx.opt->rounding == Rounding::rdown), *cx.opt, index);
              res.bits[index] = e.bits;
              f |= e.flags.bits;
              continue;
            }
          }
          if (sa.special[i] || sb.special[j] || !scale_simple) {
            e = scalar_result(cx, i, j, acc);
          } else {
            int n = 0;
            const int tb = sb.top[j];
            for (std::size_t pi = 0; pi < pairs.size(); ++pi) {
              if (!row_src[pi]) continue;
              const double v = row_src[pi][j];
              if (v == 0) continue;
              terms[n++] = {static_cast<std::int64_t>(v), pair_exp[pi] + tb};
            }
            ExactValue x;
            if (n == 1 && scale_sig == 1) {
              const std::int64_t v = terms[0].value;
              e = rounder.round((v < 0) != scale_neg, magnitude(v), terms[0].exp + scale_exp, false,
                                index);
            } else if (n > 0 && combine_terms(terms.data(), n, scale_sig, scale_exp, scale_neg, x)) {
              // A zero here is a cancellation of nonzero products: +0 (-0 under rdown), 6.3.
              if (x.cls == ValueClass::zero)
                e = encode(*cx.out, ExactValue::zero(cx.opt->rounding == Rounding::rdown), *cx.opt, index);
              else
                e = rounder.round(x.negative, x.sig, x.exp, x.sticky, index);
            } else if (n == 0 && (za.all_zero[i] || zb.all_zero[j]) &&
                       za.sign[i] * zb.sign[j] != 0) {
              // Every product is a zero of one sign: the sum is that zero (6.3), times the
              // scales' signs.
              const bool neg = (za.sign[i] * zb.sign[j] < 0) != (cx.sa.negative != cx.sb.negative);
              e = encode(*cx.out, ExactValue::zero(neg), *cx.opt, index);
            } else {
              e = scalar_result(cx, i, j, acc);  // zero products of mixed signs, or wide spread
            }
          }
          res.bits[index] = e.bits;
          f |= e.flags.bits;
        }
        row_flags[i] = f;
      }
    });
  }
  timer.lap("combine");
  for (auto f : row_flags) res.flags |= Flags(f);
}

}  // namespace

Encoded exact_dot(std::span<const ExactValue> a, std::span<const ExactValue> b,
                  const FormatSpec& out, const ConvertOptions& opt, std::uint64_t index) {
  if (a.size() != b.size()) throw std::invalid_argument("exact_dot: vectors differ in length");
  int lo = INT_MAX, hi = INT_MIN;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].cls == ValueClass::finite && b[i].cls == ValueClass::finite) {
      lo = std::min(lo, a[i].exp + b[i].exp);
      hi = std::max(hi, a[i].exp + b[i].exp + 128);
    }
  ExactAccumulator acc(lo == INT_MAX ? AccumulatorRange{0, 64}
                                     : AccumulatorRange{lo, hi + ceil_log2(a.size() + 1) + 2});
  for (std::size_t i = 0; i < a.size(); ++i) acc.add_product(a[i], b[i]);
  return acc.round(out, opt, index);
}

Encoded exact_dot(const FormatSpec& fa, std::span<const std::uint64_t> a, const FormatSpec& fb,
                  std::span<const std::uint64_t> b, const FormatSpec& out,
                  const ConvertOptions& opt, std::uint64_t index) {
  std::vector<ExactValue> x(a.size()), y(b.size());
  for (std::size_t i = 0; i < a.size(); ++i) x[i] = decode(fa, a[i]);
  for (std::size_t i = 0; i < b.size(); ++i) y[i] = decode(fb, b[i]);
  return exact_dot(x, y, out, opt, index);
}

GemmResult exact_gemm(std::size_t M, std::size_t N, std::size_t K, const MatrixOperand& A,
                      const MatrixOperand& B, const FormatSpec& out, const ConvertOptions& opt,
                      const GemmOptions& options) {
  out.validate();
  if (A.tensor_scale.cls == ValueClass::nan || B.tensor_scale.cls == ValueClass::nan)
    throw std::invalid_argument("exact_gemm: tensor scale is NaN");
  if (K >= (std::size_t{1} << 32)) throw std::invalid_argument("exact_gemm: K must be below 2^32");
  const unsigned threads = detail::resolve_threads(options.threads);
  GemmResult res;
  res.bits.assign(M * N, 0);
  if (M == 0 || N == 0) return res;
  PhaseTimer timer;
  const DecodedMatrix a = decode_operand(A, M, K, true, threads);
  const DecodedMatrix b = decode_operand(B, K, N, false, threads);
  timer.lap("decode");
  Context cx{M, N, K, &a, &b, normalized(A.tensor_scale), normalized(B.tensor_scale), &out, &opt,
             data_range(a, b, K)};

  detail::DenseGemmFn dense = nullptr;
  switch (options.backend) {
    case Backend::scalar: break;
    case Backend::builtin: dense = &detail::builtin_dgemm; break;
    case Backend::blas:
      dense = detail::blas_dgemm();
      if (!dense) throw std::runtime_error("exact_gemm: OpenBLAS (libopenblas.so.0) could not be loaded");
      break;
    case Backend::automatic:
      dense = detail::blas_dgemm();
      if (!dense) dense = &detail::builtin_dgemm;
      break;
  }
  // CBLAS takes 32-bit dimensions: larger problems run on the built-in kernel.
  constexpr std::size_t kIntMax = 0x7FFFFFFF;
  if (dense && dense != &detail::builtin_dgemm && (M > kIntMax || N > kIntMax || K > kIntMax))
    dense = &detail::builtin_dgemm;
  if (!dense || K == 0) {
    res.backend = "scalar";
    run_scalar(cx, threads, res);
  } else {
    res.backend = dense == &detail::builtin_dgemm ? "builtin" : "openblas";
    run_sliced(cx, dense, threads, res);
  }
  return res;
}

bool blas_available() { return detail::blas_dgemm() != nullptr; }
std::string blas_name() { return detail::loaded_blas_name(); }

}  // namespace fpaudit::gemm
