// The accumulation models' one evaluator. Every intermediate result is an exactly formed sum or
// product (256-bit integer arithmetic below) rounded by encode() into the model's format, then
// read back with decode(): the model's state is always a value of its format.
#include "fpaudit/gemm/models.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <climits>
#include <cstdint>
#include <stdexcept>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_accumulator.hpp"
#include "fpaudit/gemm/tensor_core_presets.hpp"
#include "parallel.hpp"

namespace fpaudit::gemm {
namespace {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

int bitlen128(u128 v) {
  const auto hi = static_cast<std::uint64_t>(v >> 64);
  return hi ? 128 - std::countl_zero(hi) : 64 - std::countl_zero(static_cast<std::uint64_t>(v));
}

// A value for exact arithmetic: finite values are sig x 2^exp with a 128-bit significand
// (an exact product of two ExactValues).
struct Val {
  ValueClass cls = ValueClass::zero;
  bool neg = false;
  u128 sig = 0;
  int exp = 0;
  ExactValue nan{};  // cls == nan: the NaN (payload)
};

Val from_exact(const ExactValue& v) {
  Val r;
  r.cls = v.cls;
  r.neg = v.negative;
  if (v.cls == ValueClass::finite) {
    r.sig = v.sig;
    r.exp = v.exp;
  }
  if (v.cls == ValueClass::nan) r.nan = v;
  return r;
}

// ---- 256-bit helpers: 4 little-endian limbs ----
using U256 = std::array<std::uint64_t, 4>;

void add_at(U256& acc, u128 v, int off) {  // acc += v << off (fits by construction)
  const int q = off / 64, r = off % 64;
  const auto lo = static_cast<std::uint64_t>(v), hi = static_cast<std::uint64_t>(v >> 64);
  const std::uint64_t parts[3] = {lo << r, r ? (hi << r) | (lo >> (64 - r)) : hi,
                                  r ? hi >> (64 - r) : 0};
  unsigned char carry = 0;
  for (int i = q; i < 4; ++i) {
    const std::uint64_t p = i - q < 3 ? parts[i - q] : 0;
    const u128 s = static_cast<u128>(acc[i]) + p + carry;
    acc[i] = static_cast<std::uint64_t>(s);
    carry = static_cast<unsigned char>(s >> 64);
  }
}

bool sub_in_place(U256& a, const U256& b) {  // a -= b; returns the borrow out
  unsigned char borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 d = static_cast<u128>(a[i]) - b[i] - borrow;
    a[i] = static_cast<std::uint64_t>(d);
    borrow = static_cast<unsigned char>((d >> 64) != 0);
  }
  return borrow != 0;
}

void negate(U256& a) {
  unsigned char carry = 1;
  for (auto& x : a) {
    const u128 s = static_cast<u128>(~x) + carry;
    x = static_cast<std::uint64_t>(s);
    carry = static_cast<unsigned char>(s >> 64);
  }
}

// |a| (bit 0 weighs 2^lsb) with extra sticky, as an ExactValue.
ExactValue normalise(const U256& a, int lsb, bool neg, bool sticky) {
  int top = 3;
  while (top >= 0 && a[top] == 0) --top;
  const int bits = 64 * top + (64 - std::countl_zero(a[top]));
  if (bits <= 64) return ExactValue::finite(neg, a[0], lsb, sticky);
  const int drop = bits - 64, q = drop / 64, r = drop % 64;
  const std::uint64_t sig = r == 0 ? a[q] : (a[q] >> r) | (a[q + 1] << (64 - r));
  for (int i = 0; i < q; ++i) sticky = sticky || a[i] != 0;
  if (r != 0) sticky = sticky || (a[q] & ((std::uint64_t{1} << r) - 1)) != 0;
  return ExactValue::finite(neg, sig, lsb + drop, sticky);
}

// x + y for finite nonzero x, y: exact, as 64 bits + sticky (IEEE 6.3 for an exact zero).
ExactValue add_finite(const Val& x, const Val& y, Rounding mode) {
  const int tx = x.exp + bitlen128(x.sig), ty = y.exp + bitlen128(y.sig);
  const Val& big = tx >= ty ? x : y;
  const Val& small = tx >= ty ? y : x;
  const int off_big = 250 - bitlen128(big.sig);
  const int lsb = big.exp - off_big;
  U256 a{}, b{};
  add_at(a, big.sig, off_big);
  bool lost = false;
  const int off_small = small.exp - lsb;
  if (off_small >= 0) {
    add_at(b, small.sig, off_small);
  } else if (-off_small < 128) {
    const int s = -off_small;
    add_at(b, small.sig >> s, 0);
    lost = (small.sig & ((static_cast<u128>(1) << s) - 1)) != 0;
  } else {
    lost = true;  // entirely below the window (the window holds >= 122 bits below big's top)
  }
  bool neg = big.neg;
  if (big.neg == small.neg) {
    add_at(a, static_cast<u128>(0), 0);
    // a += b
    unsigned char carry = 0;
    for (int i = 0; i < 4; ++i) {
      const u128 s = static_cast<u128>(a[i]) + b[i] + carry;
      a[i] = static_cast<std::uint64_t>(s);
      carry = static_cast<unsigned char>(s >> 64);
    }
  } else {
    if (sub_in_place(a, b)) {  // |small| > |big| (possible only when nothing was lost)
      negate(a);
      neg = !neg;
    }
    if (lost) {  // true value is a - f, 0 < f < 1 (in units of the lsb): (a - 1) + (1 - f)
      U256 one{1, 0, 0, 0};
      sub_in_place(a, one);
    }
  }
  if ((a[0] | a[1] | a[2] | a[3]) == 0 && !lost) return ExactValue::zero(mode == Rounding::rdown);
  return normalise(a, lsb, neg, lost);
}

// ---- one model's arithmetic context ----
struct Arith {
  const FormatSpec* f;
  ConvertOptions opt;  // rounding, ftz; tininess after rounding (x86, SoftFloat 8086-SSE)
  bool daz;
  bool x86_nan;  // invalid operations give the x86 "QNaN floating-point indefinite" (sign set)

  ExactValue default_nan() const { return ExactValue::quiet_nan(x86_nan); }
  // The value read as an operand: DAZ flushes values below the format's normal range.
  ExactValue in(const ExactValue& v) const {
    if (daz && v.cls == ValueClass::finite && v.exp + 63 - std::countl_zero(v.sig) < f->emin())
      return ExactValue::zero(v.negative);
    return v;
  }
  ExactValue round(const ExactValue& v) const {
    const Encoded e = encode(*f, v, opt);
    return decode(*f, e.bits);
  }
  // round(x + y) with IEEE special-value rules; x, y already read (DAZ applied).
  ExactValue sum(const Val& x, const Val& y) const {
    if (x.cls == ValueClass::nan) return x.nan;
    if (y.cls == ValueClass::nan) return y.nan;
    if (x.cls == ValueClass::inf || y.cls == ValueClass::inf) {
      if (x.cls == ValueClass::inf && y.cls == ValueClass::inf && x.neg != y.neg) return default_nan();
      return ExactValue::inf(x.cls == ValueClass::inf ? x.neg : y.neg);
    }
    if (x.cls == ValueClass::zero && y.cls == ValueClass::zero)
      return ExactValue::zero(x.neg == y.neg ? x.neg : opt.rounding == Rounding::rdown);
    if (x.cls == ValueClass::zero || y.cls == ValueClass::zero) {
      const Val& v = x.cls == ValueClass::zero ? y : x;
      // A nonzero value of at most 128 bits: round it (it may be a product).
      if ((v.sig >> 64) == 0) return round(ExactValue::finite(v.neg, static_cast<std::uint64_t>(v.sig), v.exp));
      const int sh = bitlen128(v.sig) - 64;
      const bool sticky = (v.sig & ((static_cast<u128>(1) << sh) - 1)) != 0;
      return round(ExactValue::finite(v.neg, static_cast<std::uint64_t>(v.sig >> sh), v.exp + sh, sticky));
    }
    return round(add_finite(x, y, opt.rounding));
  }
  Val product(const ExactValue& a, const ExactValue& b, ExactValue* special) const {
    Val p;
    p.neg = a.negative != b.negative;
    if (a.cls == ValueClass::nan || b.cls == ValueClass::nan) {
      *special = a.cls == ValueClass::nan ? a : b;
      p.cls = ValueClass::nan;
      p.nan = *special;
      return p;
    }
    if ((a.cls == ValueClass::inf && b.cls == ValueClass::zero) ||
        (a.cls == ValueClass::zero && b.cls == ValueClass::inf)) {
      p.cls = ValueClass::nan;
      p.nan = default_nan();
      return p;
    }
    if (a.cls == ValueClass::inf || b.cls == ValueClass::inf) {
      p.cls = ValueClass::inf;
      return p;
    }
    if (a.cls == ValueClass::zero || b.cls == ValueClass::zero) return p;  // signed zero
    p.cls = ValueClass::finite;
    p.sig = static_cast<u128>(a.sig) * b.sig;
    p.exp = a.exp + b.exp;
    return p;
  }
  // round(c + a b): one rounding (FMA). NaN operands in priority a, b, c.
  ExactValue fma(const ExactValue& a0, const ExactValue& b0, const ExactValue& c0) const {
    const ExactValue a = in(a0), b = in(b0), c = in(c0);
    ExactValue nan;
    if (a.cls == ValueClass::nan) return a;
    if (b.cls == ValueClass::nan) return b;
    const Val p = product(a, b, &nan);
    if (c.cls == ValueClass::nan) return c;
    return sum(p, from_exact(c));
  }
  // round(c + round(a b)): multiply and add rounded separately.
  ExactValue mul_add(const ExactValue& a, const ExactValue& b, const ExactValue& c) const {
    const ExactValue p = mul(a, b);
    return sum(from_exact(in(c)), from_exact(in(p)));
  }
  ExactValue mul(const ExactValue& a0, const ExactValue& b0) const {
    const ExactValue a = in(a0), b = in(b0);
    ExactValue nan;
    const Val p = product(a, b, &nan);
    if (p.cls == ValueClass::nan) return p.nan;
    return sum(p, Val{ValueClass::zero, p.neg});  // p + (same-signed zero) = round(p)
  }
  ExactValue add(const ExactValue& x, const ExactValue& y) const {
    return sum(from_exact(in(x)), from_exact(in(y)));
  }
};

Arith arith_for(const FormatSpec& f, Rounding r, Subnormals s, bool x86) {
  Arith a{&f, {}, s.daz, x86};
  a.opt.rounding = r;
  a.opt.subnormals.ftz = s.ftz;
  return a;
}

// ---- the kinds ----

ExactValue run_sequential(const Arith& ar, bool fma, std::span<const ExactValue> a,
                          std::span<const ExactValue> b, std::size_t lo, std::size_t hi,
                          ExactValue acc) {
  for (std::size_t k = lo; k < hi; ++k) acc = fma ? ar.fma(a[k], b[k], acc) : ar.mul_add(a[k], b[k], acc);
  return acc;
}

ExactValue run_tree(const Arith& ar, const std::vector<ExactValue>& leaves, std::size_t lo,
                    std::size_t hi) {
  if (hi - lo == 1) return leaves[lo];
  const std::size_t mid = lo + (hi - lo + 1) / 2;
  return ar.add(run_tree(ar, leaves, lo, mid), run_tree(ar, leaves, mid, hi));
}

struct InputClamp {
  int emin_a, emin_b;
};

// The block-FMA model on ExactValue vectors [lo, hi) (one routine: block_fma_dot).
ExactValue run_fused(const AccumulationModel& m, InputClamp clamp, std::span<const ExactValue> a,
                     std::span<const ExactValue> b, std::size_t lo, std::size_t hi,
                     const ExactValue& c) {
  std::vector<BlockOperand> x(hi - lo), y(hi - lo);
  for (std::size_t k = lo; k < hi; ++k) {
    x[k - lo] = block_operand(a[k], clamp.emin_a);
    y[k - lo] = block_operand(b[k], clamp.emin_b);
  }
  BlockFmaWorkspace ws;
  return block_fma_dot(m.block, m.acc, m.rounding, x.data(), y.data(), hi - lo, c, ws);
}

ExactValue evaluate(const AccumulationModel& m, std::span<const ExactValue> a,
                    std::span<const ExactValue> b, InputClamp clamp, const ExactValue& c0) {
  const std::size_t K = a.size();
  switch (m.kind) {
    case ModelKind::sequential: {
      const Arith ar = arith_for(m.acc, m.rounding, m.subnormals, false);
      return run_sequential(ar, m.fma, a, b, 0, K, c0);
    }
    case ModelKind::pairwise: {
      const Arith ar = arith_for(m.acc, m.rounding, m.subnormals, false);
      if (K == 0) return c0;
      const std::size_t leaf = static_cast<std::size_t>(std::max(1, m.leaf));
      std::vector<ExactValue> leaves;
      for (std::size_t k = 0; k < K; k += leaf)
        leaves.push_back(run_sequential(ar, m.fma, a, b, k, std::min(K, k + leaf), ExactValue::zero(false)));
      const ExactValue t = run_tree(ar, leaves, 0, leaves.size());
      return c0.cls == ValueClass::zero && !c0.negative ? t : ar.add(t, c0);
    }
    case ModelKind::blocked: {
      const Arith inner = arith_for(m.acc, m.rounding, m.subnormals, false);
      const Arith outer = arith_for(m.outer, m.outer_rounding, m.subnormals, false);
      const std::size_t chunk = static_cast<std::size_t>(std::max(1, m.chunk));
      ExactValue acc2 = c0;
      for (std::size_t k = 0; k < K; k += chunk) {
        const std::size_t hi = std::min(K, k + chunk);
        const ExactValue part = m.inner_fused
                                    ? run_fused(m, clamp, a, b, k, hi, ExactValue::zero(false))
                                    : run_sequential(inner, m.fma, a, b, k, hi, ExactValue::zero(false));
        acc2 = outer.add(acc2, part);
      }
      return acc2;
    }
    case ModelKind::fused: return run_fused(m, clamp, a, b, 0, K, c0);
    case ModelKind::vdpbf16ps: {
      const Arith ar = arith_for(m.acc, Rounding::rne, {true, true}, true);
      ExactValue acc = c0;
      const ExactValue zero = ExactValue::zero(false);
      for (std::size_t k = 0; k < K; k += 2) {
        const ExactValue& alo = a[k];
        const ExactValue& blo = b[k];
        const ExactValue& ahi = k + 1 < K ? a[k + 1] : zero;
        const ExactValue& bhi = k + 1 < K ? b[k + 1] : zero;
        // SDM VDPBF16PS: NaN priority src1 low, src2 low, src1 high, src2 high, srcdest.
        const ExactValue* first_nan = nullptr;
        for (const ExactValue* v : std::initializer_list<const ExactValue*>{&alo, &blo, &ahi, &bhi, &acc})
          if (!first_nan && v->cls == ValueClass::nan) first_nan = v;
        if (first_nan) {
          acc = ar.round(*first_nan);  // quieted, payload kept
          continue;
        }
        acc = ar.fma(ahi, bhi, acc);  // odd element first
        acc = ar.fma(alo, blo, acc);
      }
      return acc;
    }
    case ModelKind::amx_bf16: {
      const Arith ar = arith_for(m.acc, Rounding::rne, {true, true}, true);
      const std::size_t step = m.amx_k <= 0 ? std::max<std::size_t>(K, 1)
                                            : static_cast<std::size_t>(m.amx_k);
      ExactValue c = c0;
      for (std::size_t k0 = 0; k0 < K; k0 += step) {
        const std::size_t k1 = std::min(K, k0 + step);
        ExactValue even = ExactValue::zero(false), odd = ExactValue::zero(false);
        for (std::size_t k = k0; k < k1; k += 2) {
          even = ar.fma(a[k], b[k], even);
          if (k + 1 < k1) odd = ar.fma(a[k + 1], b[k + 1], odd);
        }
        c = ar.add(c, ar.add(even, odd));
      }
      return c;
    }
  }
  return ExactValue::zero(false);
}

// ---- presets and parsing ----

AccumulationModel base(ModelKind k) {
  AccumulationModel m;
  m.kind = k;
  m.name = std::string(to_string(k));
  m.acc = format_by_name("binary32");
  m.outer = format_by_name("binary32");
  m.source = "fpaudit definition (docs/GEMM.md 3)";
  if (k == ModelKind::vdpbf16ps || k == ModelKind::amx_bf16) {
    m.subnormals = {true, true};
    m.source = k == ModelKind::vdpbf16ps ? "Intel SDM, VDPBF16PS pseudo-code"
                                         : "Intel SDM, TDPBF16PS pseudo-code";
    m.inputs = {"bfloat16"};
  }
  if (k == ModelKind::fused)
    m.source = "Khattak & Mikaitis generic block-FMA model (ACM TACO, doi 10.1145/3830409), after "
               "Fasi, Higham, Mikaitis, Pranesh, PeerJ CS 7:e330 (2021)";
  if (k == ModelKind::blocked) m.acc = format_by_name("binary32");
  return m;
}

}  // namespace

std::string_view to_string(ModelKind k) {
  switch (k) {
    case ModelKind::sequential: return "sequential";
    case ModelKind::pairwise: return "pairwise";
    case ModelKind::blocked: return "blocked";
    case ModelKind::fused: return "fused";
    case ModelKind::vdpbf16ps: return "vdpbf16ps";
    case ModelKind::amx_bf16: return "amx-bf16";
  }
  return "?";
}

std::vector<AccumulationModel> model_presets() {
  std::vector<AccumulationModel> v;
  {
    AccumulationModel m = base(ModelKind::sequential);
    m.name = "sequential-fp32-fma";
    m.source = "definition: a K-order loop with a binary32 accumulator and FMA (e.g. a naive "
               "kernel compiled with FMA contraction)";
    v.push_back(m);
    m.name = "sequential-fp32";
    m.fma = false;
    m.source = "definition: a K-order loop with a binary32 accumulator, product and sum rounded "
               "separately (no FMA contraction)";
    v.push_back(m);
  }
  {
    AccumulationModel m = base(ModelKind::pairwise);
    m.name = "pairwise-fp32";
    m.source = "definition: binary32 tree summation over leaves of 8 sequential FMAs";
    v.push_back(m);
  }
  for (auto& p : tensor_core_presets()) v.push_back(std::move(p));
  {
    AccumulationModel m = device_preset("nvidia-h100", format_by_name("float8_e4m3fn"),
                                        format_by_name("binary32"));
    m.kind = ModelKind::blocked;
    m.inner_fused = true;
    m.chunk = 128;
    m.outer = format_by_name("binary32");
    m.outer_rounding = Rounding::rne;
    m.name = "deepseek-v3-fp8";
    m.device.clear();
    m.notes.clear();
    m.source = "DeepSeek-V3 technical report (arXiv:2412.19437) 3.3.2: partial sums over N_C = "
               "128 on the H800 tensor cores, promoted to binary32 on CUDA cores; inner block "
               "parameters: nvidia-h100-fp8-fp32 (" + m.source + ")";
    v.push_back(m);
  }
  v.push_back(base(ModelKind::vdpbf16ps));
  v.push_back(base(ModelKind::amx_bf16));
  v.back().name = "amx-bf16";
  return v;
}

namespace {

std::string format_name(const FormatSpec& f) { return f.name.empty() ? fpaudit::describe(f) : f.name; }

int parse_int(std::string_view spec, std::string_view key, std::string_view v) {
  int x = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size())
    throw std::invalid_argument("model \"" + std::string(spec) + "\": " + std::string(key) +
                                " expects an integer, got \"" + std::string(v) + "\"");
  return x;
}

template <class E, std::size_t N>
E parse_enum(std::string_view spec, std::string_view key, std::string_view v, const E (&all)[N]) {
  std::string names;
  for (E e : all) {
    if (to_string(e) == v) return e;
    names += (names.empty() ? "" : ", ") + std::string(to_string(e));
  }
  throw std::invalid_argument("model \"" + std::string(spec) + "\": " + std::string(key) +
                              " expects one of " + names + ", got \"" + std::string(v) + "\"");
}

constexpr FusedAlignment kAlignments[] = {FusedAlignment::truncate, FusedAlignment::sticky,
                                          FusedAlignment::rne};
constexpr BlockPath kPaths[] = {BlockPath::global, BlockPath::late_sum, BlockPath::odd_even,
                                BlockPath::pairwise, BlockPath::exact};
constexpr AddendEntry kEntries[] = {AddendEntry::aligned, AddendEntry::last};

bool parse_bool(std::string_view spec, std::string_view key, std::string_view v) {
  if (v == "1" || v == "true" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "no") return false;
  throw std::invalid_argument("model \"" + std::string(spec) + "\": " + std::string(key) +
                              " expects 0 or 1, got \"" + std::string(v) + "\"");
}

}  // namespace

AccumulationModel parse_model(std::string_view spec) {
  const auto colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  AccumulationModel m;
  bool found = false;
  for (const auto& p : model_presets())
    if (p.name == name) {
      m = p;
      found = true;
    }
  if (!found) {
    for (ModelKind k : {ModelKind::sequential, ModelKind::pairwise, ModelKind::blocked,
                        ModelKind::fused, ModelKind::vdpbf16ps, ModelKind::amx_bf16})
      if (to_string(k) == name) {
        m = base(k);
        found = true;
      }
  }
  if (!found) {
    std::string names;
    for (const auto& p : model_presets()) names += (names.empty() ? "" : ", ") + p.name;
    throw std::invalid_argument("unknown model \"" + std::string(name) +
                                "\" (kinds: sequential, pairwise, blocked, fused, vdpbf16ps, "
                                "amx-bf16; presets: " + names + ")");
  }
  if (colon == std::string_view::npos) return m;
  std::string_view rest = spec.substr(colon + 1);
  bool changed = false;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view kv = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos)
      throw std::invalid_argument("model \"" + std::string(spec) + "\": expected key=value, got \"" +
                                  std::string(kv) + "\"");
    const std::string_view k = kv.substr(0, eq), v = kv.substr(eq + 1);
    changed = true;
    if (k == "acc") m.acc = format_by_name(v);
    else if (k == "rounding") m.rounding = parse_rounding(v);
    else if (k == "fma") m.fma = parse_bool(spec, k, v);
    else if (k == "daz") m.subnormals.daz = parse_bool(spec, k, v);
    else if (k == "ftz") m.subnormals.ftz = parse_bool(spec, k, v);
    else if (k == "leaf") m.leaf = parse_int(spec, k, v);
    else if (k == "chunk") m.chunk = parse_int(spec, k, v);
    else if (k == "outer") m.outer = format_by_name(v);
    else if (k == "outer_rounding") m.outer_rounding = parse_rounding(v);
    else if (k == "inner") {
      if (v == "fused") m.inner_fused = true;
      else if (v == "sequential") m.inner_fused = false;
      else throw std::invalid_argument("model \"" + std::string(spec) + "\": inner expects sequential or fused");
    } else if (k == "terms") m.block.terms = parse_int(spec, k, v);
    else if (k == "fraction_bits") m.block.fraction_bits = parse_int(spec, k, v);
    else if (k == "neab") m.block.fraction_bits = 23 + parse_int(spec, k, v);
    else if (k == "alignment") m.block.alignment = parse_enum(spec, k, v, kAlignments);
    else if (k == "path") m.block.path = parse_enum(spec, k, v, kPaths);
    else if (k == "armode") m.block.align_rounding = parse_rounding(v);
    else if (k == "normalise_products") m.block.normalise_products = parse_bool(spec, k, v);
    else if (k == "min_exponent") m.block.min_exponent = parse_int(spec, k, v);
    else if (k == "zero_c_exponent_126") m.block.zero_c_exponent_126 = parse_bool(spec, k, v);
    else if (k == "product_limit") m.block.product_limit = parse_bool(spec, k, v);
    else if (k == "flush_inputs") m.block.flush_inputs = parse_bool(spec, k, v);
    else if (k == "flush_results") m.block.flush_results = parse_bool(spec, k, v);
    else if (k == "overflow_to_inf") m.block.overflow_to_inf = parse_bool(spec, k, v);
    else if (k == "instruction_k") m.block.instruction_k = parse_int(spec, k, v);
    else if (k == "interleave") m.block.interleave = parse_int(spec, k, v);
    else if (k == "c_entry") m.block.c_entry = parse_enum(spec, k, v, kEntries);
    else if (k == "c_rounding") m.block.c_rounding = parse_rounding(v);
    else if (k == "amx_k") m.amx_k = parse_int(spec, k, v);
    else
      throw std::invalid_argument("model \"" + std::string(spec) + "\": unknown parameter \"" +
                                  std::string(k) + "\"");
  }
  if (m.leaf < 1 || m.chunk < 1 || m.block.terms < 1 || m.amx_k < 0 || m.amx_k % 2 != 0)
    throw std::invalid_argument("model \"" + std::string(spec) +
                                "\": leaf, chunk, terms must be >= 1 and amx_k even");
  if (m.block.instruction_k < 0 || m.block.instruction_k % m.block.terms != 0 || m.block.interleave < 0)
    throw std::invalid_argument("model \"" + std::string(spec) +
                                "\": instruction_k must be a multiple of terms, interleave >= 0");
  if (m.block.fraction_bits < 0 || m.block.fraction_bits > 60)
    throw std::invalid_argument("model \"" + std::string(spec) + "\": fraction_bits must be 0..60");
  if (changed) m.name = std::string(spec);
  return m;
}

std::string describe(const AccumulationModel& m) {
  std::string s = std::string(to_string(m.kind)) + ":acc=" + format_name(m.acc) +
                  ",rounding=" + std::string(to_string(m.rounding)) +
                  ",daz=" + (m.subnormals.daz ? "1" : "0") + ",ftz=" + (m.subnormals.ftz ? "1" : "0");
  switch (m.kind) {
    case ModelKind::sequential: s += std::string(",fma=") + (m.fma ? "1" : "0"); break;
    case ModelKind::pairwise:
      s += std::string(",fma=") + (m.fma ? "1" : "0") + ",leaf=" + std::to_string(m.leaf);
      break;
    case ModelKind::blocked:
      s += ",chunk=" + std::to_string(m.chunk) + ",outer=" + format_name(m.outer) +
           ",outer_rounding=" + std::string(to_string(m.outer_rounding)) +
           ",inner=" + (m.inner_fused ? "fused" : "sequential");
      if (!m.inner_fused) s += std::string(",fma=") + (m.fma ? "1" : "0");
      [[fallthrough]];
    case ModelKind::fused:
      if (m.kind == ModelKind::fused || m.inner_fused) {
        const BlockFma& b = m.block;
        s += ",terms=" + std::to_string(b.terms) + ",fraction_bits=" + std::to_string(b.fraction_bits) +
             ",alignment=" + std::string(to_string(b.alignment)) + ",path=" + std::string(to_string(b.path)) +
             ",armode=" + std::string(to_string(b.align_rounding)) +
             ",normalise_products=" + (b.normalise_products ? "1" : "0") +
             ",min_exponent=" + std::to_string(b.min_exponent) +
             ",zero_c_exponent_126=" + (b.zero_c_exponent_126 ? "1" : "0") +
             ",product_limit=" + (b.product_limit ? "1" : "0") +
             ",flush_inputs=" + (b.flush_inputs ? "1" : "0") +
             ",flush_results=" + (b.flush_results ? "1" : "0") +
             ",overflow_to_inf=" + (b.overflow_to_inf ? "1" : "0") +
             ",instruction_k=" + std::to_string(b.instruction_k) +
             ",interleave=" + std::to_string(b.interleave) + ",c_entry=" + std::string(to_string(b.c_entry)) +
             ",c_rounding=" + std::string(to_string(b.c_rounding));
      }
      break;
    case ModelKind::vdpbf16ps: break;
    case ModelKind::amx_bf16: s += ",amx_k=" + std::to_string(m.amx_k); break;
  }
  return s;
}

Encoded model_dot(const AccumulationModel& m, std::span<const ExactValue> a,
                  std::span<const ExactValue> b, const FormatSpec& fa, const FormatSpec& fb,
                  const FormatSpec& out, const ConvertOptions& opt, std::uint64_t index) {
  if (a.size() != b.size()) throw std::invalid_argument("model_dot: vectors differ in length");
  const ExactValue v = evaluate(m, a, b, {fa.emin(), fb.emin()}, ExactValue::zero(false));
  return encode(out, v, opt, index);
}

Encoded model_dot(const AccumulationModel& m, std::span<const ExactValue> a,
                  std::span<const ExactValue> b, const FormatSpec& fa, const FormatSpec& fb,
                  const ExactValue& c, const FormatSpec& out, const ConvertOptions& opt,
                  std::uint64_t index) {
  if (a.size() != b.size()) throw std::invalid_argument("model_dot: vectors differ in length");
  const ExactValue v = evaluate(m, a, b, {fa.emin(), fb.emin()}, c);
  return encode(out, v, opt, index);
}

namespace {
// The tensor scales multiply the model's result (as a kernel's epilogue does), exactly.
ExactValue apply_tensor_scales(const ExactValue& v, const MatrixOperand& A, const MatrixOperand& B,
                               const ConvertOptions& opt) {
  ExactAccumulator acc({v.exp, v.exp + 70});
  acc.add(v.cls == ValueClass::finite ? ExactValue::finite(v.negative, v.sig, v.exp) : v);
  acc.multiply(A.tensor_scale);
  acc.multiply(B.tensor_scale);
  return acc.value(opt.rounding);
}
}  // namespace

std::vector<std::uint64_t> model_gemm(const AccumulationModel& m, std::size_t M, std::size_t N,
                                      std::size_t K, const MatrixOperand& A,
                                      const MatrixOperand& B, const FormatSpec& out,
                                      const ConvertOptions& opt, const GemmOptions& options,
                                      std::span<const std::size_t> elements) {
  const unsigned threads = detail::resolve_threads(options.threads);
  const DecodedMatrix da = decode_operand(A, M, K, true, threads);
  const DecodedMatrix db = decode_operand(B, K, N, false, threads);
  const std::size_t count = elements.empty() ? M * N : elements.size();
  for (std::size_t e : elements)
    if (e >= M * N) throw std::invalid_argument("model_gemm: element index out of range");
  std::vector<std::uint64_t> res(count);
  // The model sees the scaled elements; the tensor scales multiply its result (as a kernel's
  // epilogue does), rounded once into `out`.
  const bool scaled = !(A.tensor_scale.cls == ValueClass::finite && B.tensor_scale.cls == ValueClass::finite &&
                        A.tensor_scale.sig == (std::uint64_t{1} << std::countr_zero(A.tensor_scale.sig)) &&
                        B.tensor_scale.sig == (std::uint64_t{1} << std::countr_zero(B.tensor_scale.sig)) &&
                        !A.tensor_scale.negative && !B.tensor_scale.negative &&
                        A.tensor_scale.exp + std::countr_zero(A.tensor_scale.sig) == 0 &&
                        B.tensor_scale.exp + std::countr_zero(B.tensor_scale.sig) == 0);
  const InputClamp clamp{A.block_scales ? INT_MIN / 2 : A.format.emin(),
                         B.block_scales ? INT_MIN / 2 : B.format.emin()};
  if (m.kind == ModelKind::fused) {
    // The block-FMA hot loop: operands read once into BlockOperands (B by columns).
    // Per row / column: the OR of the significands, or all ones when a non-finite value occurs
    // (then block_fma_dot scans for special values itself).
    constexpr std::uint64_t kSpecial = ~std::uint64_t{0};
    auto summary = [](const BlockOperand* v, std::size_t n) {
      std::uint64_t o = 0;
      for (std::size_t k = 0; k < n; ++k) {
        if (v[k].cls == ValueClass::inf || v[k].cls == ValueClass::nan) return kSpecial;
        o |= v[k].sig;
      }
      return o;
    };
    std::vector<BlockOperand> bt(N * K);
    std::vector<std::uint64_t> bsum(N);
    detail::parallel_ranges(N, threads, [&](std::size_t j0, std::size_t j1) {
      for (std::size_t j = j0; j < j1; ++j) {
        for (std::size_t k = 0; k < K; ++k) bt[j * K + k] = block_operand(db.at(k, j).value(), clamp.emin_b);
        bsum[j] = summary(bt.data() + j * K, K);
      }
    });
    // Element idx = i N + j of the product into res[at_pos], row i given.
    auto element = [&](std::size_t idx, std::size_t at_pos, const BlockOperand* row,
                       std::uint64_t asum, BlockFmaWorkspace& ws) {
      const std::size_t j = idx % N;
      const std::uint64_t sig_or = asum | bsum[j];
      ExactValue v = block_fma_dot(m.block, m.acc, m.rounding, row, bt.data() + j * K, K,
                                   ExactValue::zero(false), ws, sig_or == kSpecial ? nullptr : &sig_or);
      if (scaled) v = apply_tensor_scales(v, A, B, opt);
      res[at_pos] = encode(out, v, opt, idx).bits;
    };
    if (elements.empty()) {
      // The whole matrix: A decoded once too, and each thread walks its elements a tile of
      // columns at a time, every row against the tile, so that the tile's columns stay in cache
      // (a BlockOperand is 24 bytes: one 1024-long column is 24 KB, all of a 1024 x 1024 B is
      // 24 MB). The order of the elements changes no result.
      std::vector<BlockOperand> at(M * K);
      std::vector<std::uint64_t> asums(M);
      detail::parallel_ranges(M, threads, [&](std::size_t i0, std::size_t i1) {
        for (std::size_t i = i0; i < i1; ++i) {
          for (std::size_t k = 0; k < K; ++k) at[i * K + k] = block_operand(da.at(i, k).value(), clamp.emin_a);
          asums[i] = summary(at.data() + i * K, K);
        }
      });
      constexpr std::size_t kTileBytes = 512 * 1024;
      const std::size_t tile = std::max<std::size_t>(1, kTileBytes / (std::max<std::size_t>(K, 1) * sizeof(BlockOperand)));
      detail::parallel_ranges(count, threads, [&](std::size_t e0, std::size_t e1) {
        BlockFmaWorkspace ws;
        const std::size_t i0 = e0 / N, i1 = (e1 - 1) / N + 1;
        for (std::size_t j0 = 0; j0 < N; j0 += tile)
          for (std::size_t i = i0; i < i1; ++i)
            for (std::size_t j = j0; j < std::min(N, j0 + tile); ++j) {
              const std::size_t idx = i * N + j;
              if (idx >= e0 && idx < e1) element(idx, idx, at.data() + i * K, asums[i], ws);
            }
      });
      return res;
    }
    detail::parallel_ranges(count, threads, [&](std::size_t e0, std::size_t e1) {
      std::vector<BlockOperand> row(K);
      std::size_t have_row = SIZE_MAX;
      std::uint64_t asum = 0;
      BlockFmaWorkspace ws;
      for (std::size_t e = e0; e < e1; ++e) {
        const std::size_t idx = elements[e];
        const std::size_t i = idx / N;
        if (i != have_row) {
          for (std::size_t k = 0; k < K; ++k) row[k] = block_operand(da.at(i, k).value(), clamp.emin_a);
          asum = summary(row.data(), K);
          have_row = i;
        }
        element(idx, e, row.data(), asum, ws);
      }
    });
    return res;
  }
  detail::parallel_ranges(count, threads, [&](std::size_t e0, std::size_t e1) {
    std::vector<ExactValue> x(K), y(K);
    for (std::size_t e = e0; e < e1; ++e) {
      const std::size_t idx = elements.empty() ? e : elements[e];
      const std::size_t i = idx / N, j = idx % N;
      for (std::size_t k = 0; k < K; ++k) {
        x[k] = da.at(i, k).value();
        y[k] = db.at(k, j).value();
      }
      ExactValue v = evaluate(m, x, y, clamp, ExactValue::zero(false));
      if (scaled) v = apply_tensor_scales(v, A, B, opt);
      res[e] = encode(out, v, opt, idx).bits;
    }
  });
  return res;
}

}  // namespace fpaudit::gemm
