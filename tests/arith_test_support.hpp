// Helpers shared by tests/test_arith_*.cpp: the rounding modes, operand sets, and a checker that
// runs one operation of the function table against the MPFR oracle (arith_mpfr_oracle.hpp) and
// reports the first mismatches with their operands in hex.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "arith_mpfr_oracle.hpp"
#include "arith_print.hpp"
#include "fpaudit/arith/arith.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"

namespace arith_test {

// The library names every arith test uses (test files say `using namespace arith_test;`).
using fpaudit::ConvertOptions;
using fpaudit::Encoded;
using fpaudit::Flags;
using fpaudit::format_by_name;
using fpaudit::FormatSpec;
using fpaudit::OpInfo;
using fpaudit::Rounding;

// Every mode whose result is a function of the operands alone (sr is tested with its draw).
inline const std::vector<Rounding> kDeterministicModes = {
    Rounding::rne, Rounding::rna, Rounding::rtz, Rounding::rup, Rounding::rdown, Rounding::rno};

inline const OpInfo& op_named(std::string_view name) {
  const OpInfo* op = fpaudit::find_operation(name);
  if (op == nullptr) throw std::invalid_argument("no operation " + std::string(name));
  return *op;
}

inline ConvertOptions with_mode(ConvertOptions opt, Rounding r) {
  opt.rounding = r;
  return opt;
}

// Runs op on operand tuples, comparing bits and flags with the oracle.
class Checker {
 public:
  Checker(arith_oracle::ArithOracle& oracle, const OpInfo& op, const ConvertOptions& opt)
      : oracle_(oracle), op_(op), opt_(opt) {}

  void check(std::span<const std::uint64_t> operands, std::uint64_t index = 0) {
    ++count_;
    const FormatSpec& f = oracle_.format();
    const Encoded got = op_.apply(f, operands, opt_, index);
    const Encoded want = oracle_.apply(op_.name, operands, opt_, index);
    if (got == want) return;
    if (++mismatches_ > 12) return;
    std::ostringstream m;
    m << f.name << '_' << op_.name << ' ' << fpaudit::to_string(opt_.rounding) << ' '
      << fpaudit::to_string(opt_.subnormals)
      << (opt_.tininess == fpaudit::Tininess::before_rounding ? " before" : "")
      << (opt_.overflow == fpaudit::Overflow::saturate ? " saturate" : "") << " index " << index
      << ':';
    for (std::uint64_t x : operands) m << ' ' << fpaudit::format_hex(f, x);
    m << "  got " << fpaudit::format_hex(f, got.bits) << ' ' << fpaudit::format_flags(got.flags)
      << "  expected " << fpaudit::format_hex(f, want.bits) << ' '
      << fpaudit::format_flags(want.flags) << '\n';
    messages_ += m.str();
  }

  void check2(std::uint64_t a, std::uint64_t b, std::uint64_t index = 0) {
    const std::uint64_t v[2] = {a, b};
    check(v, index);
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t mismatches() const { return mismatches_; }

  // One gtest failure listing the first mismatches (call once at the end).
  void report() const { EXPECT_EQ(mismatches_, 0u) << "of " << count_ << " cases\n" << messages_; }

 private:
  arith_oracle::ArithOracle& oracle_;
  const OpInfo& op_;
  ConvertOptions opt_;
  std::uint64_t count_ = 0, mismatches_ = 0;
  std::string messages_;
};

// Every pair (a, b) of a format's patterns (65536 for 8 bits) through op in each mode.
inline void exhaustive_pairs(const FormatSpec& f, std::string_view op_name,
                             const std::vector<Rounding>& modes, ConvertOptions base = {}) {
  arith_oracle::ArithOracle oracle(f);
  const OpInfo& op = op_named(op_name);
  const std::uint64_t n = std::uint64_t{1} << f.width();
  for (Rounding r : modes) {
    Checker c(oracle, op, with_mode(base, r));
    for (std::uint64_t a = 0; a < n; ++a)
      for (std::uint64_t b = 0; b < n; ++b) c.check2(a, b);
    c.report();
  }
}

// Boundary-rich operands of f (both signs): zeros, the smallest subnormals and the largest, the
// smallest normals, 1 and its neighbours, short significands (1.5, 1.25, 1.75: products and sums
// of these land on midpoints), all-ones significands (carry into the next binade), powers of two
// across the range, near sqrt(max) and sqrt(min normal), half of max, max and its neighbours,
// infinities and quiet / signaling NaNs with payloads (whatever of these f has).
inline std::vector<std::uint64_t> boundary_values(const FormatSpec& f) {
  const int M = f.mantissa_bits;
  const std::uint64_t mm = f.mantissa_mask(), top = f.max_exponent_field();
  std::vector<std::uint64_t> mags = {0, 1, 2, 3, mm, mm - 1, mm >> 1, (mm >> 1) + 1};
  auto at = [&](std::int64_t field, std::uint64_t mant) {
    if (field >= 0 && static_cast<std::uint64_t>(field) <= top)
      mags.push_back((static_cast<std::uint64_t>(field) << M) | (mant & mm));
  };
  const std::int64_t bias = f.bias;
  const std::int64_t fields[] = {1,
                                 2,
                                 3,
                                 bias - 1,
                                 bias,
                                 bias + 1,
                                 bias + 2,
                                 (static_cast<std::int64_t>(top) + 1) / 2,  // near sqrt(max)
                                 bias / 2,
                                 (bias + 1) / 2,  // near sqrt(min normal)
                                 static_cast<std::int64_t>(top) - 1,
                                 static_cast<std::int64_t>(top) - 2,
                                 static_cast<std::int64_t>(top)};
  const std::uint64_t h = M > 0 ? std::uint64_t{1} << (M - 1) : 0;
  const std::uint64_t mants[] = {0,
                                 1,
                                 2,
                                 3,
                                 h,
                                 h | (h >> 1),
                                 h >> 1,
                                 (h >> 1) | (h >> 2),
                                 mm,
                                 mm - 1,
                                 mm >> 1,
                                 0x5555555555555555ull,
                                 0xAAAAAAAAAAAAAAAAull};
  for (std::int64_t fl : fields)
    for (std::uint64_t m : mants) at(fl, m);
  mags.push_back(f.max_finite_bits());
  mags.push_back(f.max_finite_bits() - 1);
  mags.push_back(f.max_finite_bits() - 2);
  mags.push_back(f.max_finite_bits() >> 1);
  mags.push_back(f.min_positive_bits());
  std::vector<std::uint64_t> out;
  for (std::uint64_t m : mags) {
    m &= f.magnitude_mask();
    out.push_back(m);
    if (f.is_signed) out.push_back(m | f.sign_bit());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Random operands: a third uniformly random patterns, a third with exponent fields near a given
// one (cancellation in sums, results near a binade), a third with short significands (exact
// midpoints in products and sums).
class OperandSource {
 public:
  OperandSource(const FormatSpec& f, std::uint64_t seed) : f_(f), rng_(seed) {}

  std::uint64_t uniform() { return rng_() & f_.mask(); }

  std::uint64_t near(std::uint64_t other) {
    const int M = f_.mantissa_bits;
    const std::int64_t field = static_cast<std::int64_t>((other & f_.magnitude_mask()) >> M);
    const std::int64_t spread = std::uniform_int_distribution<int>(-(M + 3), M + 3)(rng_);
    const std::int64_t fl = std::clamp<std::int64_t>(
        field + spread, 0, static_cast<std::int64_t>(f_.max_exponent_field()));
    std::uint64_t bits = (static_cast<std::uint64_t>(fl) << M) | (rng_() & f_.mantissa_mask());
    if (rng_() & 1) bits |= f_.sign_bit();
    return bits & f_.mask();
  }

  std::uint64_t short_significand() {
    const int M = f_.mantissa_bits;
    const int keep = std::uniform_int_distribution<int>(0, std::min(M, 4))(rng_);
    const std::uint64_t mant =
        keep == 0 ? 0 : (rng_() & ((std::uint64_t{1} << keep) - 1)) << (M - keep);
    const std::uint64_t field = rng_() % (f_.max_exponent_field() + 1);
    std::uint64_t bits = (field << M) | mant;
    if (rng_() & 1) bits |= f_.sign_bit();
    return bits & f_.mask();
  }

  // One operand, choosing the kind at random; `other` steers `near`.
  std::uint64_t any(std::uint64_t other) {
    switch (rng_() % 3) {
      case 0: return uniform();
      case 1: return near(other);
      default: return short_significand();
    }
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  const FormatSpec& f_;
  std::mt19937_64 rng_;
};

}  // namespace arith_test
