// Case generation (include/fpaudit/vectors/generate.hpp).
#include "fpaudit/vectors/generate.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"

namespace fpaudit::vectors {
namespace {

using Emit = std::function<void(std::span<const std::uint64_t>)>;

void sort_unique(std::vector<std::uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::uint64_t pattern(const FormatSpec& f, bool negative, std::int64_t exponent_field,
                      std::uint64_t significand) {
  return (negative ? f.sign_bit() : 0) |
         (static_cast<std::uint64_t>(exponent_field) << f.mantissa_bits) |
         (significand & f.mantissa_mask());
}

// Exponent fields x significands x signs, clamped to the format's fields.
std::vector<std::uint64_t> cross(const FormatSpec& f, std::vector<std::int64_t> exponents,
                                 std::vector<std::uint64_t> significands) {
  const auto top = static_cast<std::int64_t>(f.max_exponent_field());
  std::vector<std::uint64_t> out;
  for (std::int64_t e : exponents) {
    if (e < 0 || e > top) continue;
    for (std::uint64_t m : significands) {
      if (m > f.mantissa_mask()) continue;
      out.push_back(pattern(f, false, e, m));
      if (f.is_signed) out.push_back(pattern(f, true, e, m));
    }
  }
  return out;
}

std::vector<std::uint64_t> significand_set(const FormatSpec& f) {
  const std::uint64_t mask = f.mantissa_mask();
  const std::uint64_t half = f.mantissa_bits > 0 ? std::uint64_t{1} << (f.mantissa_bits - 1) : 0;
  return {0, 1, 2, half, half + 1, mask > 0 ? mask - 1 : 0, mask};
}

// Operand sets for three-operand functions: small enough to cube.
std::vector<std::uint64_t> small_patterns(const FormatSpec& f) {
  const auto top = static_cast<std::int64_t>(f.max_exponent_field());
  std::vector<std::uint64_t> out =
      cross(f, {0, 1, f.bias - 1, f.bias, top - 1, top}, {0, 1, f.mantissa_mask()});
  sort_unique(out);
  return out;
}

// The next value above the positive finite pattern t, as a double: the next pattern's value, or
// past the largest finite value the step an unbounded exponent would give (the overflow
// threshold's other end, CONVERSION_RULES.md overflow).
double next_up(const FormatSpec& t, std::uint64_t bits) {
  if (bits == t.max_finite_bits())
    return to_double(t, bits) + std::ldexp(1.0, t.emax() - t.mantissa_bits);
  return to_double(t, bits + 1);
}

std::uint64_t source_pattern(const FormatSpec& s, double x) {
  ConvertOptions toward_zero;
  toward_zero.rounding = Rounding::rtz;
  return convert_double(x, s, toward_zero).bits;
}

void add_with_neighbours(const FormatSpec& s, std::uint64_t p, std::vector<std::uint64_t>& out) {
  const std::uint64_t sign = p & s.sign_bit(), mag = p & s.magnitude_mask();
  for (int d = -2; d <= 2; ++d) {
    const auto m = static_cast<std::int64_t>(mag) + d;
    if (m < 0 || static_cast<std::uint64_t>(m) > s.magnitude_mask()) continue;
    const std::uint64_t q = static_cast<std::uint64_t>(m) | sign;
    out.push_back(q);
    if (s.is_signed) out.push_back(q ^ s.sign_bit());
  }
}

std::vector<std::uint64_t> conversion_operands(const Function& fn, Level level) {
  const FormatSpec &s = fn.operands[0], &t = fn.results[0];
  std::vector<std::uint64_t> out = structural_patterns(s, level);
  const int all_targets_up_to = level == Level::one ? 8 : 16;
  std::vector<std::uint64_t> targets;
  if (t.width() <= all_targets_up_to) {
    for (std::uint64_t b = 0; b <= t.magnitude_mask(); ++b) targets.push_back(b);
  } else {
    for (std::uint64_t b : structural_patterns(t, level))
      if (!t.is_negative(b)) targets.push_back(b);
  }
  for (std::uint64_t b : targets) {
    if (t.is_nan(b) || t.is_inf(b)) continue;
    const double v = to_double(t, b), up = next_up(t, b);
    if (!std::isfinite(v) || !std::isfinite(up)) continue;
    add_with_neighbours(s, source_pattern(s, v), out);
    add_with_neighbours(s, source_pattern(s, v + (up - v) / 2), out);
  }
  sort_unique(out);
  return out;
}

// A random pattern of f: one draw in four from `pool`, otherwise uniform bits.
std::uint64_t random_operand(std::mt19937_64& rng, const FormatSpec& f,
                             const std::vector<std::uint64_t>& pool) {
  const std::uint64_t r = rng();
  if ((r & 3) == 0 && !pool.empty()) return pool[(r >> 2) % pool.size()];
  return rng() & f.mask();
}

// ---- block quantisers: lines of binary32 values ----

std::uint64_t f32_bits(const FormatSpec& f32, double x) {
  return convert_double(x, f32, ConvertOptions{}).bits;
}

// A block led by `amax` (element 0), the others amax times ratios in (-1, 1) from rng.
void emit_block(const Function& fn, std::mt19937_64& rng, double amax, std::vector<double> fixed,
                const Emit& emit) {
  const FormatSpec& f32 = fn.operands[0];
  std::vector<std::uint64_t> ops(fn.operands.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    double x;
    if (i < fixed.size()) {
      x = fixed[i];
    } else if (i == 0) {
      x = amax;
    } else {
      // ratio in (-1, 1) with a random binade spread of up to 2^-24: small elements underflow.
      const double u = static_cast<double>(rng() >> 11) * 0x1p-53;
      x = amax * (2 * u - 1) * std::ldexp(1.0, -static_cast<int>(rng() % 25));
    }
    ops[i] = f32_bits(f32, x);
  }
  emit(ops);
}

void generate_blocks(const Function& fn, const GenerateOptions& opt, std::uint64_t count,
                     const Emit& emit) {
  std::mt19937_64 rng(opt.seed);
  const double inf = std::numeric_limits<double>::infinity();
  emit_block(fn, rng, 0, std::vector<double>(fn.operands.size(), 0.0), emit);
  emit_block(fn, rng, 1, {std::nan("")}, emit);
  emit_block(fn, rng, 1, {inf}, emit);
  emit_block(fn, rng, 1, {1, -inf}, emit);
  const std::vector<int> exponents =
      opt.level == Level::one
          ? std::vector<int>{-149, -133, -127, -126, -100, -20, -1, 0, 1, 20, 100, 126, 127}
          : [] {
              std::vector<int> all;
              for (int e = -149; e <= 127; ++e) all.push_back(e);
              return all;
            }();
  // Significands where floor, ceil, even and rceil disagree (docs/SCALING.md 2.1).
  const double significands[] = {1.0, 1.5, 1.75, 1.8125, 1.875, 1.9375, 1.99999988079071044921875};
  for (int e : exponents)
    for (double m : significands) emit_block(fn, rng, std::ldexp(m, e), {}, emit);
  for (std::uint64_t i = 0; i < count; ++i) {
    const int e = static_cast<int>(rng() % 277) - 149;
    const double m = 1 + static_cast<double>(rng() >> 11) * 0x1p-53;
    emit_block(fn, rng, std::ldexp(m, e), {}, emit);
  }
}

// ---- dot products: lines of a_0..a_{K-1}, b_0..b_{K-1} ----

// A finite value of f near 1 (exponent within +-4 binades, random significand and sign), so
// that products overlap and their sum rounds (the accumulation order is what a model fixes).
std::uint64_t moderate(std::mt19937_64& rng, const FormatSpec& f) {
  const std::uint64_t r = rng();
  const std::int64_t top = static_cast<std::int64_t>(f.max_exponent_field()) - 1;
  const std::int64_t e = std::clamp<std::int64_t>(f.bias + static_cast<std::int64_t>(r % 9) - 4, 1,
                                                  std::max<std::int64_t>(top, 1));
  std::uint64_t p = pattern(f, f.is_signed && ((r >> 8) & 1), e, rng());
  if (f.is_nan(p) || f.is_inf(p)) p = pattern(f, false, std::min<std::int64_t>(e, 1), 0);
  return p & f.mask();
}

void generate_dots(const Function& fn, const GenerateOptions& opt, std::uint64_t count,
                   const Emit& emit) {
  const FormatSpec& f = fn.operands[0];
  const std::size_t k = fn.operands.size() / 2;
  const std::vector<std::uint64_t> pool = structural_patterns(f, opt.level);
  std::mt19937_64 rng(opt.seed);
  std::vector<std::uint64_t> ops(2 * k);
  const std::uint64_t one = static_cast<std::uint64_t>(f.bias) << f.mantissa_bits;
  // Structured lines: each structural pattern against ones (it must come through the sum
  // unchanged or be rounded once into the accumulator), then against itself (squares: overflow,
  // underflow of products, NaN and infinity propagation, inf - inf).
  for (std::uint64_t p : pool) {
    for (std::size_t i = 0; i < k; ++i) {
      ops[i] = i == 0 ? p : moderate(rng, f);
      ops[k + i] = i == 0 ? one : moderate(rng, f);
    }
    emit(ops);
    for (std::size_t i = 0; i < k; ++i) ops[i] = ops[k + i] = p;
    emit(ops);
  }
  // Cancellation: x_i and -x_i in turn against ones, plus one small term that survives only
  // where the accumulator keeps it.
  for (std::uint64_t n = 0; n < 16 && f.is_signed; ++n) {
    for (std::size_t i = 0; i < k; ++i) {
      ops[i] = i % 2 == 0 ? moderate(rng, f) : ops[i - 1] ^ f.sign_bit();
      ops[k + i] = one;
    }
    if (k % 2 == 1) ops[k - 1] = pool[rng() % pool.size()];
    emit(ops);
  }
  for (std::uint64_t n = 0; n < count; ++n) {
    for (std::uint64_t& x : ops)
      x = (rng() & 7) == 0 ? pool[rng() % pool.size()] : moderate(rng, f);
    emit(ops);
  }
}

}  // namespace

Level parse_level(std::string_view s) {
  if (s == "1") return Level::one;
  if (s == "2") return Level::two;
  if (s == "exhaustive") return Level::exhaustive;
  throw std::invalid_argument("unknown level \"" + std::string(s) +
                              "\" (expected 1, 2, exhaustive)");
}

std::vector<std::uint64_t> structural_patterns(const FormatSpec& f, Level level) {
  const auto top = static_cast<std::int64_t>(f.max_exponent_field());
  const std::int64_t b = f.bias, m = f.mantissa_bits;
  std::vector<std::int64_t> exponents = {
      0, 1, 2, b - 1, b, b + 1, b - m, b + m, b - m - 1, b + m + 1, top - 2, top - 1, top};
  if (level != Level::one) {
    if (f.exponent_bits <= 5) {
      for (std::int64_t e = 0; e <= top; ++e) exponents.push_back(e);
    } else {
      for (std::int64_t i = 1; i < 16; ++i) exponents.push_back(top * i / 16);
    }
  }
  std::vector<std::uint64_t> out = cross(f, exponents, significand_set(f));
  for (std::uint64_t p : {f.min_positive_bits(), f.max_finite_bits(), f.max_finite_bits() - 1,
                          f.default_nan_bits()}) {
    out.push_back(p & f.mask());
    if (f.is_signed) out.push_back((p | f.sign_bit()) & f.mask());
  }
  sort_unique(out);
  return out;
}

void generate_cases(const Function& fn, const GenerateOptions& opt, const Emit& emit) {
  const bool block =
      fn.kind == FunctionKind::mx_quantize || fn.kind == FunctionKind::nvfp4_quantize;
  if (opt.level == Level::exhaustive) {
    int bits = 0;
    for (const FormatSpec& f : fn.operands) bits += f.width();
    if (block || bits > 24)
      throw std::invalid_argument(fn.name + ": exhaustive needs at most 2^24 cases, but its " +
                                  std::to_string(fn.operands.size()) + " operands span 2^" +
                                  std::to_string(bits));
    std::vector<std::uint64_t> ops(fn.operands.size());
    for (std::uint64_t i = 0; i < (std::uint64_t{1} << bits); ++i) {
      // The first operand varies slowest, as nested loops over the operands would.
      std::uint64_t rest = i;
      for (std::size_t k = ops.size(); k-- > 0;) {
        ops[k] = rest & fn.operands[k].mask();
        rest >>= fn.operands[k].width();
      }
      emit(ops);
    }
    return;
  }
  const std::uint64_t count = opt.count.value_or(opt.level == Level::one ? 1000 : 100000);
  if (block) return generate_blocks(fn, opt, count, emit);
  if (fn.kind == FunctionKind::dot) return generate_dots(fn, opt, count, emit);

  std::vector<std::uint64_t> pool;
  if (fn.kind == FunctionKind::conversion) {
    pool = conversion_operands(fn, opt.level);
    for (std::uint64_t p : pool) emit(std::span<const std::uint64_t>(&p, 1));
  } else {
    const FormatSpec& f = fn.operands[0];
    pool = structural_patterns(f, opt.level);
    const std::vector<std::uint64_t> set = fn.arity() == 3 ? small_patterns(f) : pool;
    std::vector<std::uint64_t> ops(fn.operands.size());
    // Nested loops over the set, first operand slowest.
    std::vector<std::size_t> at(ops.size(), 0);
    while (true) {
      for (std::size_t k = 0; k < ops.size(); ++k) ops[k] = set[at[k]];
      emit(ops);
      std::size_t k = ops.size();
      while (k > 0 && ++at[k - 1] == set.size()) at[--k] = 0;
      if (k == 0) break;
    }
  }
  std::mt19937_64 rng(opt.seed);
  std::vector<std::uint64_t> ops(fn.operands.size());
  for (std::uint64_t i = 0; i < count; ++i) {
    for (std::size_t k = 0; k < ops.size(); ++k) ops[k] = random_operand(rng, fn.operands[k], pool);
    emit(ops);
  }
}

}  // namespace fpaudit::vectors
