// The fast path (src/codec: convert, convert_float, convert_double, decode, to_double) against the
// MPFR reference, exact bits and exact flags.
//
// Oracle: the MPFR reference (src/reference/mpfr_reference.cpp), an independent implementation
// of docs/CONVERSION_RULES.md that scales by 2^-q with MPFR and compares with midpoints exactly;
// it shares no code with src/codec (only FormatSpec's derived constants and the Philox draw).
// Its own correctness is pinned by hand-computed literals in test_reference_selfcheck.cpp. The
// double-rounding test also shows that a two-step path (binary64 -> binary32 -> target) is NOT
// accepted by the oracle, and the stochastic-rounding statistics are checked against the exact
// probability k / 2^R with a 6-sigma bound.
//
// Inputs: (a) every pattern of every registered format of at most 16 bits into every registered
// format, six rounding modes, both overflow policies (and DAZ/FTZ/tininess-before on a subset);
// (b) every binary32 within 3 ulps of each value and each midpoint of each target of at most 16
// bits, all modes, plus specials and subnormals; (c) 2^20 random binary32 and 2^20 random binary64
// patterns with random options; (d) binary64 inputs next to midpoints where rounding through
// binary32 first gives another answer; (e) stochastic rounding, bit for bit and statistically;
// and custom formats (no subnormals, p = 1, unsigned, no NaN, odd biases, 62-bit significands).
// Every binary32 subnormal is covered by tests/long_exhaustive_f32.cpp; here a stride of them.
// Prints nothing on success (FPAUDIT_TEST_COUNTS=1 prints how many conversions each test
// compared); on failure the first mismatches, decoded.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/reference/mpfr_reference.hpp"
#include "fpaudit/rounding/stochastic.hpp"

namespace fpaudit {
namespace {

namespace ref = reference;

// ---------------------------------------------------------------------------------------------
// Formats and options

const std::vector<FormatSpec>& all_formats() {
  static const std::vector<FormatSpec> v = [] {
    std::vector<FormatSpec> r;
    for (const NamedFormat& n : registered_formats()) r.push_back(n.spec);
    return r;
  }();
  return v;
}

// Registered formats of at most 16 bits: the exhaustive sources and the table-sized targets.
const std::vector<FormatSpec>& small_formats() {
  static const std::vector<FormatSpec> v = [] {
    std::vector<FormatSpec> r;
    for (const FormatSpec& f : all_formats())
      if (f.width() <= 16) r.push_back(f);
    return r;
  }();
  return v;
}

std::vector<std::string> names_of(const std::vector<FormatSpec>& fs) {
  std::vector<std::string> r;
  for (const FormatSpec& f : fs) r.push_back(f.name);
  return r;
}

constexpr std::array<Rounding, 6> kDeterministicModes = {
    Rounding::rne, Rounding::rna, Rounding::rtz, Rounding::rup, Rounding::rdown, Rounding::rno};
constexpr std::array<Rounding, 7> kAllModes = {Rounding::rne, Rounding::rna,   Rounding::rtz,
                                               Rounding::rup, Rounding::rdown, Rounding::rno,
                                               Rounding::sr};
constexpr std::array<Overflow, 2> kOverflows = {Overflow::ieee, Overflow::saturate};

ConvertOptions make_opt(Rounding r, Overflow o = Overflow::ieee) {
  ConvertOptions opt;
  opt.rounding = r;
  opt.overflow = o;
  opt.seed = 0x5EED0F5EED;
  return opt;
}

// A NaN pattern of f to use as a canonical NaN (not the default one, so the policy shows).
std::uint64_t some_nan_of(const FormatSpec& f) {
  switch (f.nan) {
    case NanEncoding::ieee:
      return f.sign_bit() | f.inf_bits() | 1;  // a signaling-looking payload, sign set
    case NanEncoding::fn:
      return f.sign_bit() | f.magnitude_mask();
    case NanEncoding::fnuz:
      return f.sign_bit();
    case NanEncoding::none:
      break;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Printing mismatches

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(v));
  return buf;
}

std::string value_text(mpfr_srcptr v) {
  char* s = nullptr;
  mpfr_asprintf(&s, "%.25Rg", v);
  std::string r(s);
  mpfr_free_str(s);
  return r;
}

std::string show_pattern(const FormatSpec& f, std::uint64_t bits) {
  mpfr_t v;
  mpfr_init2(v, 64);
  ref::reference_decode(f, bits, v);
  std::string r = hex(bits) + " (" + value_text(v) + ")";
  mpfr_clear(v);
  return r;
}

std::string show_result(const FormatSpec& f, const Encoded& e) {
  return show_pattern(f, e.bits) + " flags " + flags_letters(e.flags);
}

std::string show_double(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", x);
  return hex(std::bit_cast<std::uint64_t>(x)) + " (" + buf + ")";
}

std::string show_options(const ConvertOptions& o) {
  std::string s = std::string(to_string(o.rounding)) + " " + std::string(to_string(o.overflow)) +
                  " " + to_string(o.subnormals);
  if (o.tininess == Tininess::before_rounding) s += " tiny-before";
  if (o.nan.canonical) s += " canonical=" + hex(*o.nan.canonical);
  if (o.rounding == Rounding::sr) s += " seed=" + hex(o.seed) + " R=" + std::to_string(o.sr_bits);
  return s;
}

// Counts comparisons and keeps the first few mismatches as text; reports once at the end.
class Tally {
 public:
  explicit Tally(std::string what) : what_(std::move(what)) {}
  Tally(const Tally&) = delete;
  Tally& operator=(const Tally&) = delete;
  ~Tally() {
    if (std::getenv("FPAUDIT_TEST_COUNTS") != nullptr)  // opt-in: how much each test compared
      std::printf("%s: %llu comparisons\n", what_.c_str(), static_cast<unsigned long long>(count_));
    EXPECT_EQ(mismatches_, 0u) << what_ << ": " << mismatches_ << " of " << count_
                               << " conversions differ from the MPFR reference; first ones:\n"
                               << examples_;
  }

  // `input` is called only on a mismatch, to describe the operand.
  template <class Describe>
  void check(const Encoded& expected, const Encoded& got, const FormatSpec& to,
             const ConvertOptions& opt, std::uint64_t index, Describe&& input) {
    ++count_;
    if (expected == got) return;
    if (mismatches_++ < kShown) {
      examples_ += "  " + input() + " -> " + to.name + " [" + show_options(opt);
      if (opt.rounding == Rounding::sr) examples_ += " index=" + std::to_string(index);
      examples_ += "]\n    expected " + show_result(to, expected) + "\n    got      " +
                   show_result(to, got) + "\n";
    }
  }
  void fail(const std::string& text) {
    ++count_;
    if (mismatches_++ < kShown) examples_ += "  " + text + "\n";
  }
  void count() { ++count_; }
  std::uint64_t comparisons() const { return count_; }

 private:
  static constexpr std::uint64_t kShown = 8;
  std::string what_;
  std::uint64_t count_ = 0, mismatches_ = 0;
  std::string examples_;
};

void compare_pattern(Tally& t, const FormatSpec& from, std::uint64_t bits, const FormatSpec& to,
                     const ConvertOptions& opt, std::uint64_t index = 0) {
  t.check(ref::reference_convert(from, bits, to, opt, index), convert(from, bits, to, opt, index),
          to, opt, index, [&] { return from.name + " " + show_pattern(from, bits); });
}

void compare_float(Tally& t, float x, const FormatSpec& to, const ConvertOptions& opt,
                   std::uint64_t index = 0) {
  t.check(ref::reference_convert_float(x, to, opt, index), convert_float(x, to, opt, index), to,
          opt, index, [&] {
            char buf[48];
            std::snprintf(buf, sizeof buf, "%a", static_cast<double>(x));
            return "binary32 " + hex(std::bit_cast<std::uint32_t>(x)) + " (" + buf + ")";
          });
}

void compare_double(Tally& t, double x, const FormatSpec& to, const ConvertOptions& opt,
                    std::uint64_t index = 0) {
  t.check(ref::reference_convert_double(x, to, opt, index), convert_double(x, to, opt, index), to,
          opt, index, [&] { return "binary64 " + show_double(x); });
}

class PerTarget : public ::testing::TestWithParam<std::string> {
 protected:
  FormatSpec target() const { return format_by_name(GetParam()); }
};

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

// ---------------------------------------------------------------------------------------------
// decode() and to_double() for every pattern of every format of at most 19 bits

void compare_decode(Tally& t, const FormatSpec& f, std::uint64_t bits, mpfr_ptr r, mpfr_ptr tmp) {
  for (bool daz : {false, true}) {
    const ExactValue v = decode(f, bits, daz);
    ref::reference_decode(f, bits, r);
    if (daz && f.is_subnormal(bits)) mpfr_set_zero(r, f.is_negative(bits) ? -1 : 1);
    bool same = false;
    std::string what;
    if (mpfr_nan_p(r)) {
      const ref::NanOperand n = ref::nan_operand(f, bits);
      const std::uint64_t payload = n.payload_bits ? n.payload << (64 - n.payload_bits) : 0;
      same = v.cls == ValueClass::nan && v.negative == n.negative && v.nan_payload == payload &&
             v.signaling == n.signaling;
    } else if (mpfr_inf_p(r)) {
      same = v.cls == ValueClass::inf && v.negative == (mpfr_signbit(r) != 0);
    } else if (mpfr_zero_p(r)) {
      same = v.cls == ValueClass::zero && v.negative == (mpfr_signbit(r) != 0);
    } else if (v.cls == ValueClass::finite && !v.sticky) {
      mpfr_set_ui_2exp(tmp, v.sig, v.exp, MPFR_RNDN);  // exact: tmp has 64 bits
      if (v.negative) mpfr_neg(tmp, tmp, MPFR_RNDN);
      same = mpfr_equal_p(tmp, r) != 0;
    }
    if (!same)
      t.fail("decode(" + f.name + ", " + hex(bits) + (daz ? ", daz" : "") + ") differs from " +
             value_text(r));
    else
      t.count();
  }
  // to_double: the exact value (every registered format fits binary64), NaN with its payload as
  // the conversion to binary64 propagates it.
  const double d = to_double(f, bits);
  ref::reference_decode(f, bits, r);
  bool same;
  if (mpfr_nan_p(r)) {
    const Encoded e = ref::reference_convert(f, bits, format_by_name("binary64"), ConvertOptions{});
    same = std::bit_cast<std::uint64_t>(d) == e.bits;
  } else {
    same = mpfr_get_d(r, MPFR_RNDN) == d && std::signbit(d) == (mpfr_signbit(r) != 0) &&
           mpfr_cmp_d(r, d) == 0;
  }
  if (!same)
    t.fail("to_double(" + f.name + ", " + hex(bits) + ") = " + show_double(d));
  else
    t.count();
}

TEST(CodecVsMpfrDecode, EveryPatternOfFormatsUpTo19Bits) {
  Tally t("decode/to_double, every pattern");
  mpfr_t r, tmp;
  mpfr_inits2(64, r, tmp, static_cast<mpfr_ptr>(nullptr));
  for (const FormatSpec& f : all_formats()) {
    if (f.width() > 19) continue;
    for (std::uint64_t b = 0; b <= f.mask(); ++b) compare_decode(t, f, b, r, tmp);
  }
  // binary32 / binary64: boundaries and random patterns.
  std::mt19937_64 rng(19);
  for (const char* name : {"binary32", "binary64"}) {
    const FormatSpec f = format_by_name(name);
    std::vector<std::uint64_t> pats = {0,
                                       1,
                                       f.mantissa_mask(),
                                       f.mantissa_mask() + 1,
                                       f.max_finite_bits(),
                                       f.inf_bits(),
                                       f.inf_bits() + 1,
                                       f.default_nan_bits(),
                                       f.magnitude_mask()};
    for (int i = 0; i < 200000; ++i) pats.push_back(rng() & f.magnitude_mask());
    for (std::uint64_t p : pats) {
      compare_decode(t, f, p, r, tmp);
      compare_decode(t, f, p | f.sign_bit(), r, tmp);
    }
  }
  mpfr_clears(r, tmp, static_cast<mpfr_ptr>(nullptr));
}

// ---------------------------------------------------------------------------------------------
// (a) every pattern of every format of at most 16 bits, into each registered format

TEST_P(PerTarget, EveryPatternOfEverySmallFormat) {
  const FormatSpec to = target();
  Tally t("every small-format pattern -> " + to.name);
  for (const FormatSpec& from : small_formats())
    for (std::uint64_t b = 0; b <= from.mask(); ++b)
      for (Rounding r : kDeterministicModes)
        for (Overflow o : kOverflows) compare_pattern(t, from, b, to, make_opt(r, o));
}

// Subnormal policies (DAZ, FTZ, both) and tininess before rounding, on the patterns that can be
// affected: the 8-bit and smaller sources whole; of the 16-bit sources, the values below the
// target's 2^emin, the source's subnormals and every 61st pattern (the others are neither tiny
// nor read differently, and are reached by the test above).
TEST_P(PerTarget, SubnormalPoliciesAndTininessBefore) {
  const FormatSpec to = target();
  Tally t("subnormal policies -> " + to.name);
  struct Policy {
    bool daz, ftz;
    Tininess tininess;
  };
  const Policy policies[] = {
      {true, false, Tininess::after_rounding},  {false, true, Tininess::after_rounding},
      {true, true, Tininess::after_rounding},   {false, false, Tininess::before_rounding},
      {false, true, Tininess::before_rounding}, {true, true, Tininess::before_rounding}};
  mpfr_t v;
  mpfr_init2(v, 64);
  for (const FormatSpec& from : small_formats()) {
    for (std::uint64_t b = 0; b <= from.mask(); ++b) {
      if (from.width() > 8) {
        ref::reference_decode(from, b, v);
        // Large values are unaffected unless the target's range is narrow; keep the small ones
        // relative to the target's min normal, and every 61st pattern elsewhere.
        const bool small = mpfr_regular_p(v) && mpfr_get_exp(v) - 1 < to.emin();
        if (!small && !from.is_subnormal(b) && b % 61 != 0) continue;
      }
      for (Rounding r :
           {Rounding::rne, Rounding::rtz, Rounding::rup, Rounding::rdown, Rounding::rno})
        for (const Policy& p : policies) {
          ConvertOptions opt = make_opt(r);
          opt.subnormals.daz = p.daz;
          opt.subnormals.ftz = p.ftz;
          opt.tininess = p.tininess;
          compare_pattern(t, from, b, to, opt);
        }
    }
  }
  mpfr_clear(v);
}

INSTANTIATE_TEST_SUITE_P(CodecVsMpfr, PerTarget, ::testing::ValuesIn(names_of(all_formats())),
                         param_name);

// ---------------------------------------------------------------------------------------------
// (b) binary32 near each value and each midpoint of the small formats

// The positive finite values of f (as doubles, exact), ascending, without duplicates.
std::vector<double> positive_values(const FormatSpec& f) {
  std::vector<double> v;
  for (std::uint64_t b = 0; b <= f.max_finite_bits(); ++b) {
    const double d = to_double(f, b);  // checked against the reference in the decode test
    if (std::isfinite(d) && d >= 0) v.push_back(d);
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The values and the midpoints between consecutive values (including the one between max finite
// and the next grid point above it, the overflow threshold). All are exact doubles.
std::vector<double> values_and_midpoints(const FormatSpec& f) {
  const std::vector<double> v = positive_values(f);
  std::vector<double> out = v;
  for (std::size_t i = 0; i + 1 < v.size(); ++i) out.push_back((v[i] + v[i + 1]) / 2);
  const double max = v.back();
  out.push_back(max + std::ldexp(1.0, f.emax() - f.mantissa_bits - 1));
  return out;
}

float step(float x, int n) {
  for (; n > 0; --n) x = std::nextafter(x, INFINITY);
  for (; n < 0; ++n) x = std::nextafter(x, -INFINITY);
  return x;
}

std::vector<float> float32_specials() {
  std::vector<float> s;
  const std::uint32_t pats[] = {0x00000000, 0x7F800000, 0x7FC00000, 0x7FC00001, 0x7FFFFFFF,
                                0x7F800001, 0x7FA00000, 0x7FBFFFFF, 0x7F7FFFFF, 0x00800000,
                                0x00000001, 0x007FFFFF, 0x00400000, 0x3F800000, 0x7F000000};
  for (std::uint32_t p : pats) {
    s.push_back(std::bit_cast<float>(p));
    s.push_back(std::bit_cast<float>(p | 0x80000000u));
  }
  // Subnormals: every pattern with at most two mantissa bits set, and a stride through all.
  for (int i = 0; i < 23; ++i)
    for (int j = i; j < 23; ++j) {
      const std::uint32_t p = (1u << i) | (1u << j);
      s.push_back(std::bit_cast<float>(p));
      s.push_back(std::bit_cast<float>(p | 0x80000000u));
    }
  for (std::uint32_t p = 1; p < 0x00800000; p += 509) {
    s.push_back(std::bit_cast<float>(p));
    s.push_back(std::bit_cast<float>(p | 0x80000000u));
  }
  return s;
}

class NearPoints : public PerTarget {};

TEST_P(NearPoints, Float32WithinThreeUlpsOfValuesAndMidpoints) {
  const FormatSpec to = target();
  Tally t("binary32 near values and midpoints -> " + to.name);
  std::vector<float> xs;
  for (double c : values_and_midpoints(to)) {
    const float f = static_cast<float>(c);
    if (static_cast<double>(f) != c || !std::isfinite(f)) continue;  // not a binary32: skip
    for (int k = -3; k <= 3; ++k) {
      xs.push_back(step(f, k));
      xs.push_back(-step(f, k));
    }
  }
  std::sort(xs.begin(), xs.end(), [](float a, float b) {
    return std::bit_cast<std::uint32_t>(a) < std::bit_cast<std::uint32_t>(b);
  });
  xs.erase(std::unique(xs.begin(), xs.end(),
                       [](float a, float b) {
                         return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
                       }),
           xs.end());
  const std::vector<float> specials = float32_specials();
  xs.insert(xs.end(), specials.begin(), specials.end());

  const double max = to_double(to, to.max_finite_bits());
  const double small = std::ldexp(1.0, to.emin() + 1);
  std::uint64_t index = 0;
  for (float x : xs) {
    const double a = std::fabs(static_cast<double>(x));
    for (Rounding r : kAllModes) {
      compare_float(t, x, to, make_opt(r), index++);
      if (!(a < max / 2)) compare_float(t, x, to, make_opt(r, Overflow::saturate), index++);
    }
    if (a < small || std::isnan(x)) {
      for (Rounding r :
           {Rounding::rne, Rounding::rtz, Rounding::rup, Rounding::rno, Rounding::sr}) {
        ConvertOptions opt = make_opt(r);
        opt.subnormals.daz = true;
        compare_float(t, x, to, opt, index++);
        opt.subnormals = {false, true};
        compare_float(t, x, to, opt, index++);
        opt.subnormals = {};
        opt.tininess = Tininess::before_rounding;
        compare_float(t, x, to, opt, index++);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CodecVsMpfr, NearPoints, ::testing::ValuesIn(names_of(small_formats())),
                         param_name);

// ---------------------------------------------------------------------------------------------
// (c) random binary32 and binary64 patterns with random options

struct RandomOptions {
  std::mt19937_64 rng;
  explicit RandomOptions(std::uint64_t seed) : rng(seed) {}

  std::uint64_t below(std::uint64_t n) { return rng() % n; }

  ConvertOptions options(const FormatSpec& to) {
    ConvertOptions opt =
        make_opt(kAllModes[below(kAllModes.size())], kOverflows[below(kOverflows.size())]);
    opt.subnormals.daz = below(6) == 0;
    opt.subnormals.ftz = below(6) == 0;
    if (below(6) == 0) opt.tininess = Tininess::before_rounding;
    if (to.nan != NanEncoding::none && below(8) == 0) opt.nan.canonical = some_nan_of(to);
    opt.seed = rng();
    opt.sr_bits = static_cast<int>(1 + below(32));
    return opt;
  }

  // A pattern of a binary format (E exponent bits, M mantissa bits): a quarter fully random, the
  // rest with the exponent near `to`'s range and, often, only the first few significand bits
  // nonzero (so exact values, midpoints and their neighbours come up).
  std::uint64_t pattern(int E, int M, const FormatSpec& to) {
    const std::uint64_t bits = rng();
    const int width = 1 + E + M;
    const std::uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
    if (below(4) == 0) return bits & mask;
    const int bias = (1 << (E - 1)) - 1;
    const int lo = std::max(to.emin() - to.mantissa_bits - 4, 1 - bias - M);
    const int hi = std::min(to.emax() + 3, bias);
    const int e = lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1)));
    std::uint64_t mant = rng() & ((1ull << M) - 1);
    const std::uint64_t keep_bits = to.mantissa_bits + below(3);  // exact, midpoint, quarter
    if (below(2) == 0 && keep_bits < static_cast<std::uint64_t>(M)) {
      mant &= ~((1ull << (M - keep_bits)) - 1);
      const int nudge = static_cast<int>(below(5)) - 2;  // a neighbour of a short pattern
      mant = (mant + static_cast<std::uint64_t>(nudge)) & ((1ull << M) - 1);
    }
    std::uint64_t field;
    if (e < 1 - bias) {  // a subnormal of the source format
      field = 0;
      mant >>= std::min(63, 1 - bias - e);
    } else {
      field = static_cast<std::uint64_t>(e + bias);
    }
    return ((bits >> 63) << (E + M)) | (field << M) | mant;
  }
};

class RandomShard : public ::testing::TestWithParam<int> {};

TEST_P(RandomShard, Float32Patterns) {
  Tally t("random binary32, shard " + std::to_string(GetParam()));
  RandomOptions g(0xF32000 + GetParam());
  const auto& targets = all_formats();
  for (int i = 0; i < (1 << 18); ++i) {
    const FormatSpec& to = targets[g.below(targets.size())];
    const ConvertOptions opt = g.options(to);
    const float x = std::bit_cast<float>(static_cast<std::uint32_t>(g.pattern(8, 23, to)));
    compare_float(t, x, to, opt, static_cast<std::uint64_t>(i));
  }
}

TEST_P(RandomShard, Float64Patterns) {
  Tally t("random binary64, shard " + std::to_string(GetParam()));
  RandomOptions g(0xF64000 + GetParam());
  const auto& targets = all_formats();
  for (int i = 0; i < (1 << 18); ++i) {
    const FormatSpec& to = targets[g.below(targets.size())];
    const ConvertOptions opt = g.options(to);
    const double x = std::bit_cast<double>(g.pattern(11, 52, to));
    compare_double(t, x, to, opt, static_cast<std::uint64_t>(i));
  }
}

// 4 shards x 2^18 = 2^20 patterns of each kind.
INSTANTIATE_TEST_SUITE_P(CodecVsMpfr, RandomShard, ::testing::Range(0, 4));

// ---------------------------------------------------------------------------------------------
// Custom formats (the parser's structural options): no subnormals, p = 1, unsigned, no NaN,
// unusual biases, 62-bit significands, exponents past binary64's range. Their patterns go into
// every registered and every custom format; random binary32/binary64 inputs go into them.

const std::vector<std::string> kCustomFormats = {
    "e4m3:fn:nosub",
    "e5m2:fnuz:nosub",
    "e4m3:fnuz:bias=11:nosub",
    "e3m3:nonan:nosub",
    "e3m0:fn",
    "e4m0:fn:nosub",
    "ue6m0:fn:nozero:nosub",
    "e2m0:nonan",
    "ue4m2:fn",
    "ue5m3",
    "ue3m3:nonan",
    "e1m2:nonan",
    "e3m1",
    "e2m5:nonan",
    "e6m9",
    "e5m10:bias=20",
    "e10m5:bias=-3",
    "e11m40",
    "e8m55",
    "e2m61",
};

class CustomFormat : public PerTarget {};

TEST_P(CustomFormat, PatternsOutAndRandomValuesIn) {
  const FormatSpec f = target();
  Tally t("custom format " + f.name);
  std::vector<FormatSpec> targets = all_formats();
  for (const std::string& c : kCustomFormats) targets.push_back(format_by_name(c));
  RandomOptions g(std::hash<std::string>{}(f.name));

  // Patterns of f: all of them when there are at most 2^12, else boundaries and random ones.
  std::vector<std::uint64_t> pats;
  if (f.width() <= 12) {
    for (std::uint64_t b = 0; b <= f.mask(); ++b) pats.push_back(b);
  } else {
    for (std::uint64_t b :
         {std::uint64_t{0}, std::uint64_t{1}, f.mantissa_mask(), f.mantissa_mask() + 1,
          f.max_finite_bits(), f.max_finite_bits() - 1, f.magnitude_mask()})
      pats.push_back(b);
    while (pats.size() < 6000) pats.push_back(g.rng() & f.mask());
    const std::size_t n = pats.size();
    for (std::size_t i = 0; i < n; ++i) pats.push_back(pats[i] | f.sign_bit());
  }
  for (std::uint64_t b : pats) {
    for (const FormatSpec& to : targets) {
      if (f.width() <= 8) {
        for (Rounding r : kDeterministicModes)
          for (Overflow o : kOverflows) compare_pattern(t, f, b, to, make_opt(r, o));
      } else {
        compare_pattern(t, f, b, to, g.options(to), g.rng() >> 40);
      }
    }
  }
  // Random binary32 / binary64 inputs into f.
  for (int i = 0; i < 40000; ++i) {
    const ConvertOptions opt = g.options(f);
    compare_double(t, std::bit_cast<double>(g.pattern(11, 52, f)), f, opt,
                   static_cast<std::uint64_t>(i));
    compare_float(t, std::bit_cast<float>(static_cast<std::uint32_t>(g.pattern(8, 23, f))), f, opt,
                  static_cast<std::uint64_t>(i));
  }
}

INSTANTIATE_TEST_SUITE_P(CodecVsMpfr, CustomFormat, ::testing::ValuesIn(kCustomFormats),
                         param_name);

// ---------------------------------------------------------------------------------------------
// (d) double rounding: binary64 inputs next to a midpoint, on the side that the tie rule does
// not pick. Directly they round away from the even neighbour; through binary32 they first land
// on the midpoint (the offset is far below half a binary32 ulp) and then tie to even.

class DoubleRounding : public PerTarget {};

TEST_P(DoubleRounding, Float64NearMidpointsIsRoundedOnce) {
  const FormatSpec to = target();
  Tally fast("binary64 next to midpoints -> " + to.name);
  Tally two_step("the binary32 two-step path must disagree with the reference, " + to.name);
  const ConvertOptions opt = make_opt(Rounding::rne);
  const std::vector<double> v = positive_values(to);
  std::vector<std::pair<double, double>> gaps;  // (lo, hi) neighbours
  for (std::size_t i = 0; i + 1 < v.size(); ++i) gaps.push_back({v[i], v[i + 1]});
  gaps.push_back({v.back(), v.back() + std::ldexp(1.0, to.emax() - to.mantissa_bits)});
  std::uint64_t inputs = 0;
  for (auto [lo, hi] : gaps) {
    const double mid = (lo + hi) / 2;
    if (static_cast<double>(static_cast<float>(mid)) != mid) continue;
    // Is lo's encoding even? Ask the reference at the midpoint itself (ties to even).
    const Encoded at_mid = ref::reference_convert_double(mid, to, opt);
    const Encoded at_lo = ref::reference_convert_double(lo, to, opt);
    const bool lo_even = at_mid.bits == at_lo.bits;
    const double offset = mid * 0x1p-30;  // far below half a binary32 ulp (2^-24 relative)
    for (double sign : {1.0, -1.0}) {
      const double x = sign * (lo_even ? mid + offset : mid - offset);
      ASSERT_EQ(static_cast<float>(x), static_cast<float>(sign * mid));
      ++inputs;
      const Encoded expected = ref::reference_convert_double(x, to, opt);
      compare_double(fast, x, to, opt);
      const Encoded via_float = convert_float(static_cast<float>(x), to, opt);
      if (via_float.bits == expected.bits)
        two_step.fail("binary64 " + show_double(x) + ": two-step gives " +
                      show_result(to, via_float) + ", the same as the reference");
      else
        two_step.count();
    }
  }
  EXPECT_GT(inputs, 8u);
}

INSTANTIATE_TEST_SUITE_P(CodecVsMpfr, DoubleRounding,
                         ::testing::Values("binary16", "bfloat16", "float8_e4m3fn"), param_name);

// ---------------------------------------------------------------------------------------------
// (e) stochastic rounding

class Stochastic : public PerTarget {};

TEST_P(Stochastic, BitForBitForManySeedsAndIndices) {
  const FormatSpec to = target();
  Tally t("stochastic rounding -> " + to.name);
  std::mt19937_64 rng(0x5700 + to.width());
  const std::vector<double> v = positive_values(to);
  const int sr_bits[] = {1, 2, 3, 7, 8, 11, 16, 23, 24, 31, 32};
  for (int i = 0; i < 60000; ++i) {
    ConvertOptions opt = make_opt(Rounding::sr, kOverflows[rng() % 2]);
    opt.seed = rng();
    opt.sr_bits = sr_bits[rng() % std::size(sr_bits)];
    const std::uint64_t index = rng() >> (rng() % 64);
    // A point between two neighbours (or past max), with a random fraction of the gap.
    const std::size_t k = rng() % v.size();
    const double lo = v[k];
    const double gap =
        k + 1 < v.size() ? v[k + 1] - lo : std::ldexp(1.0, to.emax() - to.mantissa_bits);
    const double x =
        (rng() & 1 ? -1 : 1) * (lo + gap * std::ldexp(static_cast<double>(rng() >> 11), -53));
    compare_double(t, x, to, opt, index);
    compare_float(t, static_cast<float>(x), to, opt, index);
  }
}

INSTANTIATE_TEST_SUITE_P(CodecVsMpfr, Stochastic, ::testing::ValuesIn(names_of(small_formats())),
                         param_name);

// A value k/2^R of the way from lo to hi rounds up with probability exactly k/2^R: over N indices
// the fraction rounded up lies within 6 sigma = 6 sqrt(p(1-p)/N) of it (a false alarm about once
// in 10^9 runs; the seeds are fixed, so a run is reproducible anyway).
TEST(CodecVsMpfrStochastic, FractionRoundedUpMatchesTheProbability) {
  struct Point {
    const char* format;
    double lo, hi;  // neighbours
    int R;
    std::uint64_t k;  // x = lo + (hi - lo) * k / 2^R
    double extra;     // added below 2^-R of the gap: must not change the probability
  };
  const Point points[] = {
      {"float8_e4m3fn", 1.0, 1.125, 16, 1, 0},
      {"float8_e4m3fn", 1.0, 1.125, 16, 21845, 0},     // about 1/3
      {"float8_e4m3fn", 1.0, 1.125, 16, 32768, 0},     // 1/2
      {"float8_e4m3fn", -1.0, -1.125, 16, 65535, 0},   // negative: "up" is away from zero
      {"float8_e4m3fn", 448.0, 480.0, 16, 40000, 0},   // past max: up = overflow (NaN)
      {"binary16", 0x1p-24, 0x1p-23, 3, 3, 0},         // subnormal, 3/8
      {"binary16", 1.0, 1.0 + 0x1p-10, 4, 5, 0x1p-6},  // 5/16 + 1/64 of the gap: P = 5/16
      {"bfloat16", 3.0, 3.0 + 0x1p-6, 8, 200, 0},
      {"float4_e2m1fn", 4.0, 6.0, 2, 1, 0x1p-3},        // 1/4 + 1/8: P = 1/4 with R = 2
      {"float8_e8m0fnu", 0x1p10, 0x1p11, 12, 1000, 0},  // p = 1: the gap is a binade
  };
  const int N = 200000;
  for (const Point& p : points) {
    const FormatSpec to = format_by_name(p.format);
    ConvertOptions opt = make_opt(Rounding::sr);
    opt.sr_bits = p.R;
    opt.seed = 0xABCDEF12345ull;
    const double x = p.lo + (p.hi - p.lo) * (std::ldexp(static_cast<double>(p.k), -p.R) + p.extra);
    const Encoded down = convert_double(p.lo, to, make_opt(Rounding::rtz));
    int ups = 0;
    for (int i = 0; i < N; ++i) {
      const Encoded e = convert_double(x, to, opt, static_cast<std::uint64_t>(i));
      if (e.bits != down.bits) ++ups;
    }
    const double prob = std::ldexp(static_cast<double>(p.k), -p.R);
    const double sigma = std::sqrt(prob * (1 - prob) / N);
    EXPECT_NEAR(static_cast<double>(ups) / N, prob, 6 * sigma)
        << p.format << " x = " << x << ", R = " << p.R << ": " << ups << " of " << N << " up";
  }
}

}  // namespace
}  // namespace fpaudit
