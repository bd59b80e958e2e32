// A Kulisch-style exact accumulator: a wide two's-complement fixed-point number that holds a sum
// of products without any rounding, then rounds ONCE into any format through encode().
//
// Kulisch, "Computer Arithmetic and Validity" (2nd ed., de Gruyter 2013), ch. 7: a fixed-point
// register covering the whole exponent range of the products, plus guard bits for the carries of
// up to 2^g terms, makes every dot product exact. Here the register is an array of 32-bit digits
// kept in int64 words, so an addition only adds into three words (no carry chain): the carries
// are settled lazily, at the latest every 2^30 additions, before any word can overflow.
//
// Width (product_range): for inputs of formats a and b, every finite product is an integer
// multiple of 2^(qmin_a + qmin_b) (qmin = the quantum of the smallest subnormal, emin - M) and is
// below 2^(emax_a + 1 + emax_b + 1); a sum of at most 2^g products is below 2^(that + g).
// E.g. binary16 x binary16 with g = 32: lsb 2^-48, msb 2^64: 112 bits (4 digits);
// bfloat16 x bfloat16: 2^-266 .. 2^288 (18 digits); binary32 x binary32: 2^-298 .. 2^288.
#pragma once

#include <cstdint>
#include <vector>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::gemm {

__extension__ typedef unsigned __int128 UInt128;  // GCC/Clang builtin: an exact 64 x 64 product

// Values held are integer multiples of 2^lsb_exponent with magnitude below 2^msb_exponent.
struct AccumulatorRange {
  int lsb_exponent = 0;
  int msb_exponent = 64;
};

// The range that holds every sum of at most 2^guard_bits products of a value of format a times
// a value of format b, each product also scaled by 2^s for s in [scale_lo, scale_hi] (block
// scale exponents; 0 when there are none).
AccumulatorRange product_range(const FormatSpec& a, const FormatSpec& b, int guard_bits = 32,
                               int scale_lo = 0, int scale_hi = 0);

// The exact sum of a stream of products (or of exact values), with IEEE 754-2019 special-value
// rules for the sum as a whole: a NaN term, inf - inf or 0 x inf makes the sum NaN; otherwise
// an infinite term makes it that infinity. The finite part is exact.
class ExactAccumulator {
 public:
  explicit ExactAccumulator(AccumulatorRange range);

  void clear();

  // Adds a x b (exact). Finite products must lie in the range (std::out_of_range otherwise).
  void add_product(const ExactValue& a, const ExactValue& b);
  // Adds an exact value (v.sticky must be false; std::invalid_argument otherwise).
  void add(const ExactValue& v);
  // Adds (-1)^negative x magnitude x 2^exponent. Bits below the range's lsb throw.
  void add_scaled(bool negative, std::uint64_t magnitude, int exponent);
  void add_scaled(bool negative, UInt128 magnitude, int exponent);

  // Multiplies the held sum by an exact value (a per-tensor scale), exactly: the register grows.
  void multiply(const ExactValue& factor);

  // The sum as an ExactValue: top 64 bits plus a sticky bit for everything below, which
  // encode() rounds exactly as it would round the exact sum (every mode but sr needs only the
  // round and sticky bits; sr needs sr_bits exact bits below the target's last place, which 64
  // bits give for every format of at most 64 - sr_bits significant bits).
  // An exactly zero sum: if no nonzero term was added, the IEEE sum of the zero terms'
  // signs (-0 only if every term was -0, or with roundTowardNegative if any was); after
  // cancellation, +0 (-0 under roundTowardNegative) (IEEE 754-2019 6.3).
  ExactValue value(Rounding mode = Rounding::rne) const;

  // encode(f, value(opt.rounding), opt, index), plus the invalid flag for inf - inf and 0 x inf.
  Encoded round(const FormatSpec& f, const ConvertOptions& opt, std::uint64_t index = 0) const;

  bool invalid() const { return invalid_; }  // inf - inf or 0 x inf occurred
  std::uint64_t terms() const { return terms_; }

 private:
  void settle() const;  // propagates the lazy carries: every word but the top in [0, 2^32)
  std::vector<std::uint32_t> magnitude(bool* negative) const;  // settled, as sign + digits
  void note_zero(bool negative);

  int lsb_;
  mutable std::vector<std::int64_t> words_;  // digit i weighs 2^(lsb_ + 32 i)
  mutable std::uint32_t pending_ = 0;        // additions since the last settle
  std::uint64_t terms_ = 0;
  bool nonzero_seen_ = false;
  bool pos_zero_ = false, neg_zero_ = false;  // zero terms seen, by sign
  bool pos_inf_ = false, neg_inf_ = false, invalid_ = false;
  bool nan_ = false;
  ExactValue first_nan_{};
};

}  // namespace fpaudit::gemm
