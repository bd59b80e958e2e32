// The arithmetic path check (include/fpaudit/hw/op_check.hpp). Operand tuples are packed in one
// 64-bit word (operand k in bits 16k..16k+15); threads take blocks of tuples from a shared
// counter, and each keeps its own tally and the examples at the smallest positions, so the
// result does not depend on the thread count.
#include "fpaudit/hw/op_check.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fpaudit/arith/arith.hpp"

namespace fpaudit::hw {
namespace {

std::uint64_t pack(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
  return a | (b << 16) | (c << 32);
}

// Boundary operands of f: see the header. `small` keeps fewer binades (for triples).
std::vector<std::uint64_t> boundary_operands(const FormatSpec& f, bool small) {
  std::vector<std::uint64_t> v;
  const std::uint64_t m = f.mantissa_mask(), one_field = static_cast<std::uint64_t>(f.bias);
  auto add = [&](std::uint64_t mag) {
    v.push_back(mag);
    v.push_back(mag | f.sign_bit());
  };
  for (std::uint64_t x : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, m - 1, m,
                          m + 1, m + 2})
    add(x);
  const std::uint64_t top = f.max_exponent_field() - 1;
  for (std::uint64_t e = 1; e <= top; ++e) {
    if (small && !(e <= 2 || e + 2 >= top || (e + 1 >= one_field && e <= one_field + 1) ||
                   e == one_field / 2 || e == one_field + one_field / 2))
      continue;
    for (std::uint64_t frac : {std::uint64_t{0}, std::uint64_t{1}, (m + 1) / 2, m})
      add((e << f.mantissa_bits) | frac);
  }
  add(f.inf_bits());
  add(f.inf_bits() | ((m + 1) / 2));      // quiet NaN
  add(f.inf_bits() | ((m + 1) / 2) | 1);  // quiet NaN, payload 1
  add(f.inf_bits() | 1);                  // signalling NaN
  add(f.inf_bits() | (m >> 1));           // signalling NaN, all payload bits
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<std::uint64_t> operand_tuples(const OpPath& p, int arity, std::uint64_t seed,
                                          std::string& described) {
  const FormatSpec& f = p.format;
  std::vector<std::uint64_t> t;
  std::mt19937_64 rng(seed);
  const std::uint64_t mask = f.mask();
  if (arity == 2) {
    const auto s = boundary_operands(f, false);
    for (std::uint64_t a : s)
      for (std::uint64_t b : s) t.push_back(pack(a, b));
    for (int i = 0; i < (1 << 20); ++i) t.push_back(pack(rng() & mask, rng() & mask));
    described = std::to_string(s.size()) + "^2 boundary pairs + 2^20 random pairs";
  } else {
    const auto s = boundary_operands(f, true);
    for (std::uint64_t a : s)
      for (std::uint64_t b : s)
        for (std::uint64_t c : s) t.push_back(pack(a, b, c));
    for (int i = 0; i < (1 << 20); ++i)
      t.push_back(pack(rng() & mask, rng() & mask, rng() & mask));
    // Near cancellation: c = -(a x b rounded) moved by up to 2 ulps.
    for (int i = 0; i < (1 << 16); ++i) {
      const std::uint64_t a = rng() & mask, b = rng() & mask;
      const std::uint64_t ab = mul(f, a, b, ConvertOptions{}).bits;
      if (f.is_nan(ab) || f.is_inf(ab)) continue;
      std::uint64_t c = ab ^ f.sign_bit();
      const int move = static_cast<int>(rng() % 5) - 2;
      const std::uint64_t mag = c & f.magnitude_mask();
      if (move < 0 && mag >= static_cast<std::uint64_t>(-move)) c -= static_cast<std::uint64_t>(-move);
      if (move > 0 && mag + move < f.inf_bits()) c += static_cast<std::uint64_t>(move);
      t.push_back(pack(a, b, c));
    }
    described = std::to_string(s.size()) + "^3 boundary triples + 2^20 random + 2^16 "
                "near-cancelling triples";
  }
  return t;
}

struct Tally {
  std::uint64_t total = 0;
  std::array<std::uint64_t, kMismatchClassCount> by_class{};
  std::array<std::vector<std::pair<std::uint64_t, MismatchExample>>, kMismatchClassCount> ex{};
  void add(MismatchClass c, std::uint64_t pos, const MismatchExample& e, std::size_t keep) {
    ++total;
    const int i = static_cast<int>(c);
    ++by_class[i];
    if (ex[i].size() < keep) ex[i].emplace_back(pos, e);
  }
};

MismatchTally merge(std::vector<Tally>& ts, std::size_t keep) {
  MismatchTally out;
  for (int c = 0; c < kMismatchClassCount; ++c) {
    std::vector<std::pair<std::uint64_t, MismatchExample>> all;
    for (Tally& t : ts) {
      out.by_class[c] += t.by_class[c];
      all.insert(all.end(), t.ex[c].begin(), t.ex[c].end());
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < all.size() && i < keep; ++i) out.examples[c].push_back(all[i].second);
  }
  for (Tally& t : ts) out.total += t.total;
  return out;
}

// documented_op_result(p, ops) given the IEEE result r of the same operation, for a path whose
// documented options are IEEE's: the path's NaN rules applied to r (as path.cpp applies them).
std::uint64_t documented_nan_fixup(const OpPath& p, std::span<const std::uint64_t> ops, std::uint64_t r) {
  const FormatSpec& f = p.format;
  if (!f.is_nan(r)) return r;
  return documented_op_result(p, ops);  // NaN results are rare: the general rule
}

}  // namespace

OpCheckResult check_op_path(const OpPath& p, const OpCheckOptions& opt) {
  std::string why;
  if (!path_available(p, &why))
    throw std::invalid_argument("path " + p.name + " is unavailable here: " + why);
  if (p.format.width() > 16)
    throw std::invalid_argument("hw check: " + p.name + " works on " + p.format.name +
                                "; arithmetic checks take formats of at most 16 bits");
  const OpInfo* op = find_operation(p.operation);
  if (!op) throw std::invalid_argument(p.name + ": unknown operation " + p.operation);
  const int arity = op->arity;
  if (opt.exhaustive && arity == 3)
    throw std::invalid_argument("--exhaustive: " + p.name + " has three operands (2^48 triples)");
  const auto start = std::chrono::steady_clock::now();

  OpCheckResult r;
  r.path = p.name;
  std::vector<std::uint64_t> list;
  std::uint64_t total;
  if (arity == 1) {
    total = std::uint64_t{1} << p.format.width();
    r.input_set = "all 2^" + std::to_string(p.format.width()) + " " + p.format.name + " operands";
  } else if (arity == 2 && opt.exhaustive) {
    total = std::uint64_t{1} << (2 * p.format.width());
    r.input_set = "all 2^" + std::to_string(2 * p.format.width()) + " " + p.format.name + " pairs";
  } else {
    list = operand_tuples(p, arity, opt.seed, r.input_set);
    total = list.size();
  }
  const unsigned w = static_cast<unsigned>(p.format.width());
  auto tuple_at = [&](std::uint64_t i) {
    if (!list.empty()) return list[i];
    return arity == 1 ? i : pack(i >> w, i & p.format.mask());  // exhaustive pairs, a major
  };

  const ConvertOptions ieee{};
  const FormatSpec& f = p.format;
  const bool ieee_rounding = p.documented.rounding == Rounding::rne && !p.documented.subnormals.daz &&
                             !p.documented.subnormals.ftz && !p.documented.nan.canonical &&
                             p.documented.overflow == Overflow::ieee &&
                             p.documented.tininess == Tininess::after_rounding;
  // DAZ and FTZ are recognised relative to the configuration `base` the expected result came
  // from: the result equals base's with subnormal operands read as zero, or tiny results flushed.
  auto classify = [&](std::span<const std::uint64_t> ops, const ConvertOptions& base,
                      std::uint64_t expected, std::uint64_t got) {
    // The value classes first (NaN, saturation, rounding direction): a directed rounding can
    // coincide with a DAZ or FTZ result near zero, and is then reported as what it is.
    // The classifier's signed zero follows its input's sign: give it the expected result's.
    const MismatchClass c = classify_mismatch(f, expected & f.sign_bit(), f, expected, got);
    if (c != MismatchClass::other && c != MismatchClass::output_flushed_to_zero) return c;
    // FTZ before DAZ: a tiny product of a subnormal operand is zero under either.
    ConvertOptions o = base;
    o.subnormals.ftz = true;
    if (got == op->apply(f, ops, o).bits) return MismatchClass::output_flushed_to_zero;
    o = base;
    o.subnormals.daz = true;
    if (got == op->apply(f, ops, o).bits) return MismatchClass::input_denormal_as_zero;
    return c;
  };

  constexpr std::size_t kBlock = 1 << 16;
  const unsigned threads = std::clamp(opt.threads, 1u, 256u);
  std::vector<Tally> t_ieee(threads), t_doc(threads);
  std::atomic<std::uint64_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](unsigned t) {
    std::vector<std::uint16_t> in[3];
    for (auto& v : in) v.resize(kBlock);
    std::vector<std::uint16_t> out(kBlock);
    for (;;) {
      const std::uint64_t first = next.fetch_add(1) * kBlock;
      if (first >= total) return;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, total - first));
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t tup = tuple_at(first + i);
        for (int k = 0; k < arity; ++k) in[k][i] = static_cast<std::uint16_t>(tup >> (16 * k));
      }
      const void* operands[3] = {in[0].data(), in[1].data(), in[2].data()};
      p.run(operands, out.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t ops[3];
        for (int k = 0; k < arity; ++k) ops[k] = in[k][i];
        const std::span<const std::uint64_t> s(ops, static_cast<std::size_t>(arity));
        const std::uint64_t got = out[i], e = op->apply(f, s, ieee).bits;
        // Documented rounding and subnormals as IEEE's: only the NaN rules can differ, so the
        // documented result follows from e without a second reference computation.
        const std::uint64_t d = ieee_rounding ? documented_nan_fixup(p, s, e) : documented_op_result(p, s);
        const std::uint64_t packed = pack(ops[0], arity > 1 ? ops[1] : 0, arity > 2 ? ops[2] : 0);
        if (got != e)
          t_ieee[t].add(classify(s, ieee, e, got), first + i, {packed, e, got}, opt.examples_per_class);
        if (got != d)
          t_doc[t].add(classify(s, p.documented, d, got), first + i, {packed, d, got},
                       opt.examples_per_class);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        work(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next.store(~std::uint64_t{0} / 2 / kBlock);
      }
    });
  for (std::thread& th : pool) th.join();
  if (error) std::rethrow_exception(error);
  r.inputs = total;
  r.vs_ieee = merge(t_ieee, opt.examples_per_class);
  r.vs_documented = merge(t_doc, opt.examples_per_class);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace fpaudit::hw
