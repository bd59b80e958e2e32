// Every binary32 input (all 2^32 patterns) into each registered format through the fast path
// (convert_float), bits and flags. Label `long`: opt-in (ctest -L long).
//
// Oracle: an independent table-driven path written here, not the codec and not MPFR. The
// target's non-negative finite values are listed in ascending order (decoded once by the MPFR
// reference's field formula); an input |x| is located by binary search, and the two neighbours'
// midpoint is compared with |x| in binary64, which is exact: every value and midpoint of a target
// of at most 19 bits has at most 12 significant bits and lies well inside binary64's range. Ties
// look at the neighbour's encoding in the table; overflow compares with the midpoint to the grid
// point above max finite; tininess (after rounding) re-rounds |x| on its own binade's p-bit grid.
// binary32 and binary64 hold every binary32 exactly: there the oracle is the identity (and the
// host's float -> double widening).
//
// Environment: FPAUDIT_LONG_MODES (comma-separated, default "rne"; any of rne, rna, rtz, rup,
// rdown, rno), FPAUDIT_LONG_OVERFLOW ("ieee" default, or "saturate"), FPAUDIT_LONG_THREADS
// (default 2). Each format prints its wall time.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/reference/mpfr_reference.hpp"

namespace fpaudit {
namespace {

constexpr std::uint8_t kX = Flags::inexact, kU = Flags::underflow, kO = Flags::overflow,
                       kV = Flags::invalid;

// The target as a sorted table, and the rules for everything that is not a plain rounding.
class TablePath {
 public:
  TablePath(const FormatSpec& f, const ConvertOptions& opt) : f_(f), opt_(opt) {
    mpfr_t v;
    mpfr_init2(v, 64);
    for (std::uint64_t b = 0; b <= f.max_finite_bits(); ++b) {
      reference::reference_decode(f, b, v);
      if (mpfr_nan_p(v) || mpfr_inf_p(v)) continue;
      const double d = mpfr_get_d(v, MPFR_RNDN);  // exact: at most 11 significant bits here
      if (!values_.empty() && d <= values_.back()) continue;  // duplicate zeros (no subnormals)
      values_.push_back(d);
      codes_.push_back(b);
    }
    mpfr_clear(v);
    max_ = values_.back();
    beyond_ = max_ + std::ldexp(1.0, f.emax() - f.mantissa_bits);  // next grid point above max
    min_normal_ = std::ldexp(1.0, f.emin());
  }

  Encoded convert(float x) const {
    const std::uint32_t xb = std::bit_cast<std::uint32_t>(x);
    const bool neg = (xb >> 31) != 0;
    if (std::isnan(x)) return nan_input(xb);
    if (!f_.is_signed && neg && x != 0) return {nan_bits(neg), Flags(kV)};
    if (std::isinf(x)) {
      if (f_.has_inf && opt_.overflow == Overflow::ieee) return {sign(neg) | f_.inf_bits(), {}};
      if (!f_.has_inf && opt_.overflow == Overflow::ieee && f_.nan != NanEncoding::none)
        return {nan_bits(neg), Flags(kV)};
      return {sign(neg) | f_.max_finite_bits(), Flags(kV)};
    }
    const double a = std::fabs(static_cast<double>(x));
    if (a == 0) {
      if (!f_.has_zero) return {0, Flags(kU | kX)};
      return {zero(neg), {}};
    }
    if (a < values_.front()) {  // below everything (E8M0 only: no zero in the table)
      return {0, Flags(kU | kX)};
    }
    // values_[i] <= a < values_[i + 1] (or beyond_)
    const std::size_t i =
        static_cast<std::size_t>(std::upper_bound(values_.begin(), values_.end(), a) -
                                 values_.begin()) -
        1;
    const double lo = values_[i];
    if (lo == a) return {sign(neg) | codes_[i], {}};
    const double hi = i + 1 < values_.size() ? values_[i + 1] : beyond_;
    if (a >= beyond_) return overflow(neg);
    const bool up = decide(a, lo, hi, (codes_[i] & 1) != 0, neg);
    if (up && i + 1 == values_.size()) return overflow(neg);
    const double result = up ? hi : lo;
    if (result == 0) return {zero(neg), Flags(kU | kX)};
    Flags flags(kX);
    if (a < min_normal_ && unbounded_result(a, neg) < min_normal_) flags |= Flags::underflow;
    return {sign(neg) | (up ? codes_[i + 1] : codes_[i]), flags};
  }

 private:
  bool decide(double a, double lo, double hi, bool lo_odd, bool neg) const {
    const double mid = lo + (hi - lo) / 2;  // exact
    switch (opt_.rounding) {
      case Rounding::rne:
        return a > mid || (a == mid && lo_odd);
      case Rounding::rna:
        return a >= mid;
      case Rounding::rtz:
        return false;
      case Rounding::rup:
        return !neg;
      case Rounding::rdown:
        return neg;
      case Rounding::rno:
        return !lo_odd;
      case Rounding::sr:
        break;
    }
    ADD_FAILURE() << "stochastic rounding is not in the table path";
    return false;
  }

  // |x| rounded to p bits on its own binade's grid (IEEE 754-2019 7.5's unbounded range), in
  // binary64: a / quantum is an integer plus a fraction with at most 24 bits, exact.
  double unbounded_result(double a, bool neg) const {
    const int e = std::ilogb(a);
    const double quantum = std::ldexp(1.0, e - f_.mantissa_bits);
    const double s = a / quantum, fl = std::floor(s);
    if (s == fl) return a;
    const bool lo_odd = f_.mantissa_bits > 0 ? std::fmod(fl, 2.0) != 0
                                             : ((e + f_.bias) & 1) != 0;  // p = 1: field parity
    return (decide(s, fl, fl + 1, lo_odd, neg) ? fl + 1 : fl) * quantum;
  }

  Encoded overflow(bool neg) const {
    const Flags flags(kO | kX);
    const std::uint64_t max = sign(neg) | f_.max_finite_bits();
    if (opt_.overflow == Overflow::saturate) return {max, flags};
    bool inf_due = true;
    switch (opt_.rounding) {
      case Rounding::rtz:
      case Rounding::rno:
        inf_due = false;
        break;
      case Rounding::rup:
        inf_due = !neg;
        break;
      case Rounding::rdown:
        inf_due = neg;
        break;
      default:
        break;
    }
    if (!inf_due) return {max, flags};
    if (f_.has_inf) return {sign(neg) | f_.inf_bits(), flags};
    if (f_.nan != NanEncoding::none) return {nan_bits(neg), flags};
    return {max, flags};
  }

  Encoded nan_input(std::uint32_t xb) const {
    const bool neg = (xb >> 31) != 0;
    const std::uint32_t payload = xb & 0x7FFFFF;
    const bool signaling = (payload >> 22) == 0;
    Flags flags = signaling ? Flags(kV) : Flags();
    switch (f_.nan) {
      case NanEncoding::ieee: {
        const int m = f_.mantissa_bits;
        std::uint64_t mant = m <= 23 ? payload >> (23 - m) : std::uint64_t{payload} << (m - 23);
        mant |= std::uint64_t{1} << (m - 1);
        return {sign(neg) | f_.inf_bits() | mant, flags};
      }
      case NanEncoding::fn:
      case NanEncoding::fnuz:
        return {nan_bits(neg), flags};
      case NanEncoding::none:
        return {f_.max_finite_bits(), Flags(kV)};
    }
    return {};
  }

  std::uint64_t nan_bits(bool neg) const {
    switch (f_.nan) {
      case NanEncoding::ieee:
        return sign(neg) | f_.inf_bits() | (std::uint64_t{1} << (f_.mantissa_bits - 1));
      case NanEncoding::fn:
        return sign(neg) | f_.magnitude_mask();
      case NanEncoding::fnuz:
        return f_.sign_bit();
      case NanEncoding::none:
        return f_.max_finite_bits();
    }
    return 0;
  }
  std::uint64_t sign(bool neg) const { return neg ? f_.sign_bit() : 0; }
  std::uint64_t zero(bool neg) const {
    return (neg && f_.nan != NanEncoding::fnuz) ? f_.sign_bit() : 0;
  }

  FormatSpec f_;
  ConvertOptions opt_;
  std::vector<double> values_;
  std::vector<std::uint64_t> codes_;
  double max_ = 0, beyond_ = 0, min_normal_ = 0;
};

// binary32 / binary64 targets: every binary32 is exact there; NaN keeps sign and payload with
// the quiet bit set (the host's float -> double conversion does exactly that on x86).
Encoded wide_expected(const FormatSpec& f, float x) {
  const std::uint32_t xb = std::bit_cast<std::uint32_t>(x);
  const Flags flags = std::isnan(x) && ((xb >> 22) & 1) == 0 ? Flags(kV) : Flags();
  if (f.width() == 32) return {std::isnan(x) ? (xb | 0x400000u) : xb, flags};
  return {std::bit_cast<std::uint64_t>(static_cast<double>(x)), flags};
}

std::vector<Rounding> modes_from_env() {
  const char* s = std::getenv("FPAUDIT_LONG_MODES");
  std::vector<Rounding> r;
  std::stringstream in(s ? s : "rne");
  std::string item;
  while (std::getline(in, item, ',')) r.push_back(parse_rounding(item));
  return r;
}

class LongExhaustiveF32 : public ::testing::TestWithParam<std::string> {};

TEST_P(LongExhaustiveF32, EveryFloat32) {
  const FormatSpec to = format_by_name(GetParam());
  const char* ov = std::getenv("FPAUDIT_LONG_OVERFLOW");
  const char* th = std::getenv("FPAUDIT_LONG_THREADS");
  const int threads = th ? std::max(1, std::atoi(th)) : 2;
  for (Rounding mode : modes_from_env()) {
    ConvertOptions opt;
    opt.rounding = mode;
    opt.overflow = ov ? parse_overflow(ov) : Overflow::ieee;
    const bool wide = to.mantissa_bits >= 23 && to.emin() <= -126;
    std::optional<TablePath> table;
    if (!wide) table.emplace(to, opt);
    std::atomic<std::uint64_t> mismatches{0};
    std::mutex m;
    std::string examples;
    const auto start = std::chrono::steady_clock::now();
    auto work = [&](int t) {
      constexpr std::uint64_t kBlock = 1u << 20;
      std::uint64_t local = 0;
      for (std::uint64_t block = static_cast<std::uint64_t>(t); block < (1ull << 32) / kBlock;
           block += static_cast<std::uint64_t>(threads)) {
        for (std::uint64_t b = block * kBlock; b < (block + 1) * kBlock; ++b) {
          const float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
          const Encoded want = wide ? wide_expected(to, x) : table->convert(x);
          const Encoded got = convert_float(x, to, opt);
          if (want == got) continue;
          if (local++ < 4) {
            char buf[200];
            std::snprintf(
                buf, sizeof buf,
                "  binary32 0x%08X (%a): expected 0x%llX flags %s, got 0x%llX flags %s\n",
                static_cast<unsigned>(b), static_cast<double>(x),
                static_cast<unsigned long long>(want.bits), flags_letters(want.flags).c_str(),
                static_cast<unsigned long long>(got.bits), flags_letters(got.flags).c_str());
            std::lock_guard<std::mutex> lock(m);
            examples += buf;
          }
        }
      }
      mismatches += local;
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (std::thread& t : pool) t.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s %s %s: 2^32 binary32 inputs in %.1f s (%d threads)\n", to.name.c_str(),
                std::string(to_string(opt.rounding)).c_str(),
                std::string(to_string(opt.overflow)).c_str(), seconds, threads);
    EXPECT_EQ(mismatches.load(), 0u) << to.name << " " << to_string(opt.rounding) << ": "
                                     << mismatches.load() << " mismatches; first ones:\n"
                                     << examples;
  }
}

std::vector<std::string> registered_names() {
  std::vector<std::string> r;
  for (const NamedFormat& n : registered_formats()) r.push_back(n.spec.name);
  return r;
}

INSTANTIATE_TEST_SUITE_P(Long, LongExhaustiveF32, ::testing::ValuesIn(registered_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace fpaudit
