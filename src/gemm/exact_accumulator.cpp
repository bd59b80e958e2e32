#include "fpaudit/gemm/exact_accumulator.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "fpaudit/codec/exact_product.hpp"

namespace fpaudit::gemm {
namespace {

__extension__ typedef unsigned __int128 u128;

constexpr std::uint32_t kSettleEvery = 1u << 30;  // each add moves a word by < 2^33

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Quantum of the smallest positive value (the last place of the lowest binade).
int min_quantum(const FormatSpec& f) {
  return f.emin() - f.mantissa_bits;
}

}  // namespace

AccumulatorRange product_range(const FormatSpec& a, const FormatSpec& b, int guard_bits,
                               int scale_lo, int scale_hi) {
  AccumulatorRange r;
  r.lsb_exponent = min_quantum(a) + min_quantum(b) + std::min(scale_lo, 0);
  r.msb_exponent = a.emax() + 1 + b.emax() + 1 + std::max(scale_hi, 0) + guard_bits;
  return r;
}

ExactAccumulator::ExactAccumulator(AccumulatorRange range) {
  // Align the register's lsb to a multiple of 32 below the requested one, so any exponent maps
  // to (word, shift) by plain division; one spare word on top holds the sign and the carries.
  lsb_ = floor_div(range.lsb_exponent, 32) * 32;
  const int words = floor_div(range.msb_exponent - lsb_ + 31, 32) + 2;
  words_.assign(static_cast<std::size_t>(std::max(words, 3)), 0);
}

void ExactAccumulator::clear() {
  std::fill(words_.begin(), words_.end(), 0);
  pending_ = 0;
  terms_ = 0;
  nonzero_seen_ = false;
  pos_zero_ = neg_zero_ = false;
  pos_inf_ = neg_inf_ = invalid_ = nan_ = false;
  first_nan_ = {};
}

void ExactAccumulator::note_zero(bool negative) {
  (negative ? neg_zero_ : pos_zero_) = true;
}

void ExactAccumulator::add_scaled(bool negative, std::uint64_t magnitude, int exponent) {
  if (magnitude == 0) {
    note_zero(negative);
    return;
  }
  nonzero_seen_ = true;
  // Drop trailing zero bits so that an exact value just inside the range never trips the check.
  const int tz = std::countr_zero(magnitude);
  magnitude >>= tz;
  exponent += tz;
  const int offset = exponent - lsb_;
  if (offset < 0) throw std::out_of_range("exact accumulator: term below the register's range");
  const auto word = static_cast<std::size_t>(offset / 32);
  const int shift = offset % 32;
  // The top word is kept for the sign and the carries: a term reaching into it was not sized for.
  if (offset + 64 - std::countl_zero(magnitude) > 32 * static_cast<int>(words_.size() - 1))
    throw std::out_of_range("exact accumulator: term above the register's range");
  const u128 v = static_cast<u128>(magnitude) << shift;
  const auto d0 = static_cast<std::int64_t>(static_cast<std::uint32_t>(v));
  const auto d1 = static_cast<std::int64_t>(static_cast<std::uint32_t>(v >> 32));
  const auto d2 = static_cast<std::int64_t>(static_cast<std::uint32_t>(v >> 64));
  std::int64_t* w = words_.data() + word;
  if (negative) {
    w[0] -= d0;
    if (d1 | d2) w[1] -= d1;
    if (d2) w[2] -= d2;
  } else {
    w[0] += d0;
    if (d1 | d2) w[1] += d1;
    if (d2) w[2] += d2;
  }
  if (++pending_ >= kSettleEvery) settle();
}

void ExactAccumulator::add_scaled(bool negative, u128 magnitude, int exponent) {
  const auto hi = static_cast<std::uint64_t>(magnitude >> 64);
  const auto lo = static_cast<std::uint64_t>(magnitude);
  if (hi == 0) return add_scaled(negative, lo, exponent);
  if (lo != 0) add_scaled(negative, lo, exponent);
  add_scaled(negative, hi, exponent + 64);
}

void ExactAccumulator::add(const ExactValue& v) {
  ++terms_;
  switch (v.cls) {
    case ValueClass::nan:
      if (!nan_) first_nan_ = v;
      nan_ = true;
      if (v.signaling) invalid_ = true;  // 7.2 (a): any signaling NaN operand
      return;
    case ValueClass::inf:
      (v.negative ? neg_inf_ : pos_inf_) = true;
      if (pos_inf_ && neg_inf_) invalid_ = true;
      return;
    case ValueClass::zero: note_zero(v.negative); return;
    case ValueClass::finite: break;
  }
  if (v.sticky) throw std::invalid_argument("exact accumulator: inexact (sticky) term");
  add_scaled(v.negative, v.sig, v.exp);
}

void ExactAccumulator::add_product(const ExactValue& a, const ExactValue& b) {
  if (a.cls == ValueClass::finite && b.cls == ValueClass::finite) {
    ++terms_;
    const u128 p = static_cast<u128>(a.sig) * b.sig;
    add_scaled(a.negative != b.negative, p, a.exp + b.exp);
    return;
  }
  if ((a.cls == ValueClass::inf && b.cls == ValueClass::zero) ||
      (a.cls == ValueClass::zero && b.cls == ValueClass::inf))
    invalid_ = true;  // 7.2 (a): 0 x inf
  add(exact_product(a, b));
}

void ExactAccumulator::settle() const {
  for (std::size_t i = 0; i + 1 < words_.size(); ++i) {
    const std::int64_t carry = words_[i] >> 32;  // arithmetic shift: floor division
    words_[i] -= carry * (std::int64_t{1} << 32);
    words_[i + 1] += carry;
  }
  pending_ = 0;
}

std::vector<std::uint32_t> ExactAccumulator::magnitude(bool* negative) const {
  settle();
  // The two's-complement register read as sign and magnitude, one 32-bit digit per word.
  const bool neg = words_.back() < 0;
  std::vector<std::uint32_t> mag(words_.size());
  std::int64_t borrow = 0;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    std::int64_t w = neg ? -words_[i] - borrow : words_[i];
    borrow = 0;
    if (neg && w < 0) {
      w += std::int64_t{1} << 32;
      borrow = 1;
    }
    mag[i] = static_cast<std::uint32_t>(w);
  }
  *negative = neg;
  return mag;
}

void ExactAccumulator::multiply(const ExactValue& factor) {
  if (factor.cls != ValueClass::finite) {
    // Scale the sum by zero, infinity or NaN with IEEE product rules on the sum's value.
    const ExactValue s = value();
    clear();
    if (s.cls == ValueClass::inf && factor.cls == ValueClass::zero) invalid_ = true;
    if (s.cls == ValueClass::zero && factor.cls == ValueClass::inf) invalid_ = true;
    add(exact_product(s, factor));
    return;
  }
  if (factor.sticky) throw std::invalid_argument("exact accumulator: inexact factor");
  if (nan_ || pos_inf_ || neg_inf_) {
    if (factor.negative) std::swap(pos_inf_, neg_inf_);
    return;
  }
  if (!nonzero_seen_) {
    if (factor.negative) std::swap(pos_zero_, neg_zero_);  // every zero term flips its sign
    return;
  }
  bool neg = false;
  const std::vector<std::uint32_t> mag = magnitude(&neg);
  // mag x factor.sig (64 bits = two 32-bit digits), schoolbook.
  const std::uint64_t f = factor.sig;
  std::vector<std::uint32_t> out(mag.size() + 3, 0);
  for (int part = 0; part < 2; ++part) {
    const std::uint64_t d = (f >> (32 * part)) & 0xFFFFFFFFu;
    if (d == 0) continue;
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < mag.size(); ++i) {
      const std::uint64_t t = static_cast<std::uint64_t>(mag[i]) * d + out[i + part] + carry;
      out[i + part] = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
    for (std::size_t i = mag.size() + part; carry != 0; ++i) {
      const std::uint64_t t = static_cast<std::uint64_t>(out[i]) + carry;
      out[i] = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
  }
  const bool result_neg = neg != factor.negative;
  words_.assign(out.size() + 1, 0);
  for (std::size_t i = 0; i < out.size(); ++i)
    words_[i] = result_neg ? -static_cast<std::int64_t>(out[i]) : static_cast<std::int64_t>(out[i]);
  // Keep the lsb a multiple of 32: shift the exponent of the factor in by re-adding when needed.
  const int e = factor.exp;
  const int q = floor_div(e, 32), r = e - 32 * q;
  lsb_ += 32 * q;
  if (r != 0) {
    // Multiply by 2^r (0 < r < 32) digit-wise; the lazy words take it without overflow.
    for (auto& w : words_) w *= (std::int64_t{1} << r);
  }
  settle();
}

ExactValue ExactAccumulator::value(Rounding mode) const {
  if (nan_) return first_nan_;
  if (invalid_) return ExactValue::quiet_nan(false);
  if (pos_inf_) return ExactValue::inf(false);
  if (neg_inf_) return ExactValue::inf(true);
  bool neg = false;
  const std::vector<std::uint32_t> mag = magnitude(&neg);
  const bool any = std::any_of(mag.begin(), mag.end(), [](std::uint32_t d) { return d != 0; });
  if (!any) {
    if (nonzero_seen_) return ExactValue::zero(mode == Rounding::rdown);  // cancellation, 6.3
    // Only zero terms: x + x keeps x's sign; mixed signs give +0 (-0 under roundTowardNegative).
    return ExactValue::zero(mode == Rounding::rdown ? neg_zero_ : neg_zero_ && !pos_zero_);
  }
  std::size_t top = mag.size() - 1;
  while (mag[top] == 0) --top;
  // Gather 96 bits from the top three digits, normalise to 64 bits, and OR the rest into sticky.
  u128 window = 0;
  for (int d = 0; d < 3; ++d) {
    window <<= 32;
    if (top >= static_cast<std::size_t>(d)) window |= mag[top - d];
  }
  const int window_lsb = lsb_ + 32 * (static_cast<int>(top) - 2);  // may be below lsb_ (zeros)
  const int lz = std::countl_zero(static_cast<std::uint64_t>(window >> 64)) - 32;  // in 96 bits
  const int drop = 32 - lz;  // 96 - lz bits significant; keep 64
  std::uint64_t sig;
  bool sticky = false;
  if (drop > 0) {
    sig = static_cast<std::uint64_t>(window >> drop);
    sticky = (window & ((static_cast<u128>(1) << drop) - 1)) != 0;
  } else {
    sig = static_cast<std::uint64_t>(window << -drop);
  }
  for (std::size_t i = 0; !sticky && i + 3 <= top; ++i) sticky = mag[i] != 0;
  return ExactValue::finite(neg, sig, window_lsb + drop, sticky);
}

Encoded ExactAccumulator::round(const FormatSpec& f, const ConvertOptions& opt,
                                std::uint64_t index) const {
  Encoded e = encode(f, value(opt.rounding), opt, index);
  if (invalid_) e.flags |= Flags::invalid;
  return e;
}

}  // namespace fpaudit::gemm
