// Block and tensor scaling (src/scaling/). Oracles, none of which consults the code under test:
//  1. Literal cases worked out by hand from the rules (OCP MX v1.0 6.3; torchao
//     ScaleCalculationMode; cuBLAS RCEIL; TransformerEngine's NVFP4 steps) and the element value
//     tables (OFP8 v1.0 Table 1, MX v1.0 Tables 3-4): expected scale bytes and element bits are
//     written out, with the arithmetic in comments.
//  2. An independent slow path for MX: the shared exponent from MPFR's log2 of the exact amax
//     with directed rounding, then floor/ceil; each element by brute-force nearest search over
//     the element format's values, tabulated here from its fields (not by the library's decode),
//     ties by encoding parity (RNE) or magnitude (RNA), overflow by clamping. Random blocks, the
//     five MX formats, the four rules, RNE and RNA: identical bits, scales and counts.
//  3. Transcriptions of torchao's binary32 code (FLOOR/CEIL/EVEN bit manipulation, RCEIL's
//     fp32(amax * fp32(1/max)) rounded up to a power of two) in host float arithmetic,
//     exhaustive over every binary32 significand of the binades tested.
//  4. NVFP4: a transcription of TE's quantizer in host float arithmetic (x86-64 SSE: binary32,
//     round-to-nearest-even, no FTZ), with its E4M3 and E2M1 casts done by the brute-force
//     search of (2); the library instead forms each step exactly and rounds with its encoder.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "fpaudit/format/registry.hpp"
#include "fpaudit/scaling/mx.hpp"

using namespace fpaudit;
using namespace fpaudit::scaling;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Helpers

MxSpec mx(const char* element, ScaleRule rule, Rounding rounding = Rounding::rne) {
  MxSpec s;
  s.name = element;
  s.element = format_by_name(element);
  s.rule = rule;
  s.element_rounding = rounding;
  return s;
}

// A block's result and its element bits (pre-filled with a marker the quantizer must overwrite).
template <class Result>
struct Quantized {
  Result r;
  std::vector<std::uint64_t> bits;
};
using MxRun = Quantized<MxBlockResult>;
using NvRun = Quantized<NvFp4BlockResult>;

template <class Result, class Quantize>
Quantized<Result> quantized(const std::vector<double>& block, const Quantize& quantize) {
  Quantized<Result> out;
  out.bits.assign(block.size(), 0xDEAD);
  out.r = quantize(std::span<const double>(block), std::span<std::uint64_t>(out.bits));
  return out;
}

MxRun run_mx(const MxSpec& spec, const std::vector<double>& block) {
  return quantized<MxBlockResult>(
      block, [&](auto in, auto out) { return quantize_mx_block(spec, in, out); });
}

NvRun run_nv(const NvFp4TensorScale& t, const std::vector<double>& block) {
  return quantized<NvFp4BlockResult>(
      block, [&](auto in, auto out) { return quantize_nvfp4_block(t, in, out); });
}

std::uint32_t bits_of(float f) { return std::bit_cast<std::uint32_t>(f); }

// ---------------------------------------------------------------------------------------------
// The independent element model: a value table from the format's fields.

enum class Specials { fn, ieee, none };  // which magnitude patterns are not finite

struct ElementModel {
  int mbits = 0;
  int emax = 0;  // typed in from the spec (MX v1.0 / microxcaling formats.py emax_elem)
  std::uint64_t sign_bit = 0;
  std::vector<double> value;  // value[pattern] for the finite magnitude patterns, ascending
  double max = 0;
  std::uint64_t max_bits = 0;
};

ElementModel model(int ebits, int mbits, int bias, Specials sp, int emax) {
  ElementModel m;
  m.mbits = mbits;
  m.emax = emax;
  m.sign_bit = std::uint64_t{1} << (ebits + mbits);
  const std::uint64_t patterns = m.sign_bit;
  for (std::uint64_t p = 0; p < patterns; ++p) {
    const std::uint64_t e = p >> mbits, f = p & ((std::uint64_t{1} << mbits) - 1);
    if (sp == Specials::fn && p == patterns - 1) break;                 // S.1111.111: NaN
    if (sp == Specials::ieee && e == (std::uint64_t{1} << ebits) - 1) break;  // inf / NaN
    // Subnormal: 0.f * 2^(1 - bias); normal: 1.f * 2^(e - bias).
    const double v = e == 0 ? std::ldexp(static_cast<double>(f), 1 - bias - mbits)
                            : std::ldexp(static_cast<double>((std::uint64_t{1} << mbits) | f),
                                         static_cast<int>(e) - bias - mbits);
    m.value.push_back(v);
  }
  m.max_bits = m.value.size() - 1;
  m.max = m.value.back();
  return m;
}

// OFP8 v1.0 Table 1 and MX v1.0 Tables 3-4: fields, and emax_elem (MX v1.0 Table 2 column
// "emax"; microxcaling mx/formats.py: E4M3 8, E5M2 15, E2M3 2, E3M2 4, E2M1 2).
struct Row {
  const char* name;
  ElementModel m;
};
const std::vector<Row>& mx_rows() {
  static const std::vector<Row> rows = {
      {"float8_e4m3fn", model(4, 3, 7, Specials::fn, 8)},
      {"float8_e5m2", model(5, 2, 15, Specials::ieee, 15)},
      {"float6_e2m3fn", model(2, 3, 1, Specials::none, 2)},
      {"float6_e3m2fn", model(3, 2, 3, Specials::none, 4)},
      {"float4_e2m1fn", model(2, 1, 1, Specials::none, 2)},
  };
  return rows;
}

struct Mpfr {
  mpfr_t v;
  explicit Mpfr(mpfr_prec_t prec = 256) { mpfr_init2(v, prec); }
  ~Mpfr() { mpfr_clear(v); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
};

struct OracleElement {
  std::uint64_t bits = 0;
  bool clipped = false, flushed = false;
};

// Nearest element value to v * 2^-s (exact in MPFR), ties by rounding, saturating at max.
OracleElement oracle_element(const ElementModel& m, double v, int s, Rounding rounding) {
  OracleElement out;
  const bool neg = std::signbit(v);
  const std::uint64_t sign = neg ? m.sign_bit : 0;
  if (std::isinf(v)) {  // saturating conversion: +-inf -> +-max
    out.bits = sign | m.max_bits;
    out.clipped = true;
    return out;
  }
  Mpfr t(64);
  mpfr_set_d(t.v, std::fabs(v), MPFR_RNDN);  // exact (53 bits)
  mpfr_mul_2si(t.v, t.v, -s, MPFR_RNDN);     // exact
  std::uint64_t pick = 0;
  if (mpfr_cmp_d(t.v, m.max) >= 0) {
    // Beyond max: overflow when the unbounded-exponent rounding goes past max, i.e. |t| is
    // above the midpoint max + ulp/2 (at it: RNA always; RNE when max's encoding is odd, so the
    // next value would be even).
    pick = m.max_bits;
    const double mid = m.max + std::ldexp(1.0, m.emax - m.mbits - 1);
    const int c = mpfr_cmp_d(t.v, mid);
    out.clipped = c > 0 || (c == 0 && (rounding == Rounding::rna || (m.max_bits & 1) != 0));
  } else {
    std::uint64_t lo = 0;
    while (lo + 1 < m.value.size() && mpfr_cmp_d(t.v, m.value[lo + 1]) >= 0) ++lo;
    if (mpfr_cmp_d(t.v, m.value[lo]) == 0) {
      pick = lo;
    } else {
      const std::uint64_t hi = lo + 1;
      Mpfr twice(64);
      mpfr_mul_2ui(twice.v, t.v, 1, MPFR_RNDN);  // 2|t| vs lo + hi, both exact
      const int c = mpfr_cmp_d(twice.v, m.value[lo] + m.value[hi]);
      if (c < 0) pick = lo;
      else if (c > 0) pick = hi;
      else pick = rounding == Rounding::rna ? hi : ((lo & 1) == 0 ? lo : hi);
    }
  }
  out.bits = sign | pick;
  out.flushed = v != 0 && pick == 0;
  return out;
}

// The shared exponent from MPFR: log2 with directed rounding, then floor/ceil (exact, since
// log2 of a non-power-of-two rational is irrational and an integer is never crossed).
int oracle_scale(const ElementModel& m, ScaleRule rule, double amax) {
  if (amax == 0) return -127;
  Mpfr a, l;
  mpfr_set_d(a.v, amax, MPFR_RNDN);
  long s = 0;
  switch (rule) {
    case ScaleRule::floor:
      mpfr_log2(l.v, a.v, MPFR_RNDD);
      s = mpfr_get_si(l.v, MPFR_RNDD) - m.emax;
      break;
    case ScaleRule::ceil:
      mpfr_log2(l.v, a.v, MPFR_RNDU);
      s = mpfr_get_si(l.v, MPFR_RNDU) - m.emax;
      break;
    case ScaleRule::even: {
      // Round amax to m+1 bits ties away, then floor(log2): the same as floor(log2(amax + half
      // an (m+1)-bit ulp)).
      mpfr_log2(l.v, a.v, MPFR_RNDD);
      const long e = mpfr_get_si(l.v, MPFR_RNDD);
      Mpfr half;
      mpfr_set_ui_2exp(half.v, 1, e - m.mbits - 1, MPFR_RNDN);
      mpfr_add(a.v, a.v, half.v, MPFR_RNDN);  // exact at 256 bits
      mpfr_log2(l.v, a.v, MPFR_RNDD);
      s = mpfr_get_si(l.v, MPFR_RNDD) - m.emax;
      break;
    }
    case ScaleRule::rceil: {
      Mpfr q;
      mpfr_div_d(q.v, a.v, m.max, MPFR_RNDU);
      mpfr_log2(l.v, q.v, MPFR_RNDU);
      s = mpfr_get_si(l.v, MPFR_RNDU);
      break;
    }
  }
  return static_cast<int>(std::clamp<long>(s, -127, 127));
}

// ---------------------------------------------------------------------------------------------
// 1. Per-tensor amax scaling

TEST(AmaxScale, LiteralValues) {
  const FormatSpec e4m3 = format_by_name("float8_e4m3fn");
  const FormatSpec e5m2 = format_by_name("float8_e5m2");
  EXPECT_EQ(amax_scale(e4m3, 448.0), 1.0);
  EXPECT_EQ(amax_scale(e4m3, 1.0), 448.0);
  EXPECT_EQ(amax_scale(e4m3, -2.0), 224.0);                 // |amax|
  EXPECT_EQ(amax_scale(e4m3, 3.0), 0x1.2aaaaaaaaaaabp+7);   // 149.333..., RNE in binary64
  EXPECT_EQ(amax_scale(e5m2, 57344.0), 1.0);
  EXPECT_EQ(amax_scale(e4m3, 0.0), 1.0);
  EXPECT_EQ(amax_scale(e4m3, kInf), 1.0);
  EXPECT_EQ(amax_scale(e4m3, kNaN), 1.0);
  EXPECT_EQ(amax_scale(e4m3, 0x1p-1074), DBL_MAX);  // 448 * 2^1074 overflows: clamped
}

TEST(AmaxScale, Pow2ExponentLiteralValues) {
  const FormatSpec e4m3 = format_by_name("float8_e4m3fn");
  const FormatSpec e5m2 = format_by_name("float8_e5m2");
  const FormatSpec e2m1 = format_by_name("float4_e2m1fn");
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, 448.0), 0);
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, 449.0), -1);  // 448/449 < 1
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, 1.0), 8);     // floor(log2 448) = 8
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, 1.75), 8);    // 448 / 1.75 = 256 exactly
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, 1.76), 7);
  EXPECT_EQ(amax_scale_pow2_exponent(e5m2, 1.0), 15);
  EXPECT_EQ(amax_scale_pow2_exponent(e2m1, 6.0), 0);
  EXPECT_EQ(amax_scale_pow2_exponent(e2m1, 7.0), -1);
  EXPECT_EQ(amax_scale_pow2_exponent(e2m1, -0.75), 3);   // 6 / 0.75 = 8
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, 0x1p-1074), 1082);  // subnormal amax: 8 + 1074
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, 0.0), 0);
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, kNaN), 0);
  EXPECT_EQ(amax_scale_pow2_exponent(e4m3, kInf), 0);
}

TEST(AmaxScale, AgreesWithMpfrOnRandomAmax) {
  std::mt19937_64 rng(20240611);
  for (const Row& row : mx_rows()) {
    const FormatSpec f = format_by_name(row.name);
    for (int i = 0; i < 20000; ++i) {
      const double mant = 1.0 + std::ldexp(static_cast<double>(rng() >> 11), -53);
      const int e = static_cast<int>(rng() % 2100) - 1080;
      double amax = std::ldexp(i % 7 == 0 ? std::ldexp(row.m.max, -row.m.emax) : mant, e);
      if (amax == 0 || std::isinf(amax)) continue;
      SCOPED_TRACE(testing::Message() << row.name << " amax=" << std::hexfloat << amax);
      Mpfr q, l;
      mpfr_set_d(q.v, row.m.max, MPFR_RNDN);
      mpfr_div_d(q.v, q.v, amax, MPFR_RNDD);
      mpfr_log2(l.v, q.v, MPFR_RNDD);
      const int k = amax_scale_pow2_exponent(f, amax);
      ASSERT_EQ(k, mpfr_get_si(l.v, MPFR_RNDD));
      // amax * 2^k <= max < amax * 2^(k+1), compared exactly in MPFR.
      Mpfr s;
      mpfr_set_d(s.v, amax, MPFR_RNDN);
      mpfr_mul_2si(s.v, s.v, k, MPFR_RNDN);
      ASSERT_LE(mpfr_cmp_d(s.v, row.m.max), 0);
      mpfr_mul_2ui(s.v, s.v, 1, MPFR_RNDN);
      ASSERT_GT(mpfr_cmp_d(s.v, row.m.max), 0);
      // amax_scale: max / amax rounded once to nearest-even binary64.
      Mpfr r(53);
      mpfr_set_d(r.v, row.m.max, MPFR_RNDN);
      mpfr_div_d(r.v, r.v, amax, MPFR_RNDN);
      const double want = mpfr_get_d(r.v, MPFR_RNDN);
      ASSERT_EQ(amax_scale(f, amax), std::isinf(want) ? DBL_MAX : want);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. MX: rules, spellings, the standard formats

TEST(MxScaleRule, SpellingsRoundTrip) {
  for (ScaleRule r : {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil})
    EXPECT_EQ(parse_scale_rule(to_string(r)), r);
  EXPECT_EQ(to_string(ScaleRule::rceil), "rceil");
  EXPECT_EQ(parse_scale_rule("RCEIL"), ScaleRule::rceil);
  EXPECT_EQ(parse_scale_rule("Floor"), ScaleRule::floor);
  EXPECT_THROW(parse_scale_rule("round"), std::invalid_argument);
  EXPECT_THROW(parse_scale_rule(""), std::invalid_argument);
}

TEST(MxFormats, StandardListMatchesMxTable1) {
  const std::vector<MxSpec> specs = standard_mx_formats();
  const char* names[] = {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp4_e2m1"};
  ASSERT_EQ(specs.size(), 5u);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(specs[i].name, names[i]);
    EXPECT_EQ(specs[i].element, format_by_name(mx_rows()[i].name));
    EXPECT_EQ(specs[i].element.emax(), mx_rows()[i].m.emax) << names[i];  // emax_elem
    EXPECT_EQ(specs[i].block_size, 32);
    EXPECT_EQ(specs[i].rule, ScaleRule::floor);
    EXPECT_EQ(specs[i].element_rounding, Rounding::rne);
  }
}

// Hand-computed shared exponents: (format, amax) -> s under floor / ceil / even / rceil.
// floor = E - emax; ceil = E + (amax not a power of 2) - emax; even = E + (significand >=
// 2 - 2^-(m+1)) - emax; rceil = E - emax + (significand > max's significand).
TEST(MxScaleRule, HandComputedExponents) {
  struct Case {
    const char* f;
    double amax;
    int floor, ceil, even, rceil;
  };
  const Case cases[] = {
      // E2M1: emax 2, max 6 = 1.5 * 4, m = 1 (even threshold 1.75).
      {"float4_e2m1fn", 6.0, 0, 1, 0, 0},
      {"float4_e2m1fn", 7.0, 0, 1, 1, 1},
      {"float4_e2m1fn", 6.5, 0, 1, 0, 1},
      {"float4_e2m1fn", 4.0, 0, 0, 0, 0},    // power of two; 4/6 -> ceil(log2) = 0
      {"float4_e2m1fn", 1.0, -2, -2, -2, -2},  // ceil(log2(1/6)) = ceil(-2.58) = -2
      {"float4_e2m1fn", 0.75, -3, -2, -3, -3},
      // E4M3: emax 8, max 448 = 1.75 * 256, m = 3 (even threshold 1.9375).
      {"float8_e4m3fn", 448.0, 0, 1, 0, 0},
      {"float8_e4m3fn", 464.0, 0, 1, 0, 1},
      {"float8_e4m3fn", 480.0, 0, 1, 0, 1},
      {"float8_e4m3fn", 496.0, 0, 1, 1, 1},
      {"float8_e4m3fn", 1.0, -8, -8, -8, -8},  // ceil(log2(1/448)) = ceil(-8.81) = -8
      // E5M2: emax 15, max 57344 = 1.75 * 2^15, m = 2 (threshold 1.875).
      {"float8_e5m2", 57344.0, 0, 1, 0, 0},
      {"float8_e5m2", 61440.0, 0, 1, 1, 1},
      // E2M3: emax 2, max 7.5 = 1.875 * 4, m = 3.
      {"float6_e2m3fn", 7.5, 0, 1, 0, 0},
      {"float6_e2m3fn", 7.75, 0, 1, 1, 1},
      // E3M2: emax 4, max 28 = 1.75 * 16, m = 2.
      {"float6_e3m2fn", 28.0, 0, 1, 0, 0},
      {"float6_e3m2fn", 29.0, 0, 1, 0, 1},
      {"float6_e3m2fn", 30.0, 0, 1, 1, 1},
      // Clamping to the E8M0 range [-127, 127].
      {"float8_e4m3fn", 0x1p-140, -127, -127, -127, -127},
      {"float8_e4m3fn", 0x1p-1074, -127, -127, -127, -127},  // binary64 subnormal amax
      {"float8_e4m3fn", 0x1p+200, 127, 127, 127, 127},
      {"float8_e4m3fn", 0x1p+135, 127, 127, 127, 127},   // 135 - 8 = 127: the top scale
      {"float8_e4m3fn", 0x1.8p+134, 126, 127, 126, 126},  // 1.5 <= 1.75: rceil = 134 - 8
      {"float8_e4m3fn", 0.0, -127, -127, -127, -127},
  };
  for (const Case& c : cases) {
    const FormatSpec f = format_by_name(c.f);
    SCOPED_TRACE(testing::Message() << c.f << " amax=" << c.amax);
    EXPECT_EQ(mx_scale_exponent(f, ScaleRule::floor, c.amax), c.floor);
    EXPECT_EQ(mx_scale_exponent(f, ScaleRule::ceil, c.amax), c.ceil);
    EXPECT_EQ(mx_scale_exponent(f, ScaleRule::even, c.amax), c.even);
    EXPECT_EQ(mx_scale_exponent(f, ScaleRule::rceil, c.amax), c.rceil);
  }
  const FormatSpec e4m3 = format_by_name("float8_e4m3fn");
  for (ScaleRule r : {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil}) {
    EXPECT_EQ(mx_scale_exponent(e4m3, r, kNaN), kNanScaleExponent);
    EXPECT_EQ(mx_scale_exponent(e4m3, r, -kInf), kNanScaleExponent);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. MX: literal blocks

// E2M1 codes (MX v1.0 Table 4): 0x0 0, 0x1 0.5, 0x2 1, 0x3 1.5, 0x4 2, 0x5 3, 0x6 4, 0x7 6;
// the sign is bit 3.
TEST(MxBlock, E2M1AmaxSevenFloorClipsRceilDoesNot) {
  const std::vector<double> block = {7, 1, -2.5, 0.25, 0.5, 0, -0.0, 3.5};
  {
    // floor: X = 2^(floor(log2 7) - 2) = 1 (E8M0 0x7F). 7 is the tie 6|8; RNE picks 8 (6 = 0x7
    // is odd), which overflows and saturates to 6: clipped. -2.5: tie 2|3 -> 2 (0x4). 0.25: tie
    // 0|0.5 -> 0: flushed. 3.5: tie 3|4 -> 4 (0x6).
    const MxRun q = run_mx(mx("float4_e2m1fn", ScaleRule::floor), block);
    EXPECT_EQ(q.r.scale_bits, 0x7F);
    EXPECT_EQ(q.r.scale_exponent, 0);
    EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x2, 0xC, 0x0, 0x1, 0x0, 0x8, 0x6}));
    EXPECT_EQ(q.r.clipped, 1u);
    EXPECT_EQ(q.r.flushed, 1u);
    EXPECT_FALSE(q.r.nan_scale());
    EXPECT_EQ(dequantize_mx(mx("float4_e2m1fn", ScaleRule::floor), q.r.scale_bits, q.bits[0]), 6.0);
  }
  {
    // floor with RNA (microxcaling's 'nearest'): 7 -> 8 (clipped to 6), -2.5 -> -3 (0xD),
    // 0.25 -> 0.5 (not flushed), 3.5 -> 4.
    const MxRun q = run_mx(mx("float4_e2m1fn", ScaleRule::floor, Rounding::rna), block);
    EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x2, 0xD, 0x1, 0x1, 0x0, 0x8, 0x6}));
    EXPECT_EQ(q.r.clipped, 1u);
    EXPECT_EQ(q.r.flushed, 0u);
  }
  for (ScaleRule rule : {ScaleRule::rceil, ScaleRule::ceil, ScaleRule::even}) {
    // rceil: ceil(log2(7/6)) = 1; ceil: ceil(log2 7) - 2 = 1; even: 7 = 1.75 * 4 rounds to 8
    // at 2 bits -> 3 - 2 = 1. X = 2 (0x80). V/X = 3.5 1/2 -1.25 1/8 1/4 0 -0 1.75:
    // 3.5 -> 4 (0x6, not clipped), -1.25: tie 1|1.5 -> 1 (0xA), 1/8 -> 0 and 1/4 (tie) -> 0:
    // two flushed, 1.75: tie 1.5|2 -> 2 (0x4).
    SCOPED_TRACE(to_string(rule));
    const MxSpec spec = mx("float4_e2m1fn", rule);
    const MxRun q = run_mx(spec, block);
    EXPECT_EQ(q.r.scale_bits, 0x80);
    EXPECT_EQ(q.r.scale_exponent, 1);
    EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x6, 0x1, 0xA, 0x0, 0x0, 0x0, 0x8, 0x4}));
    EXPECT_EQ(q.r.clipped, 0u);
    EXPECT_EQ(q.r.flushed, 2u);
    EXPECT_EQ(dequantize_mx(spec, q.r.scale_bits, q.bits[0]), 8.0);
    EXPECT_EQ(dequantize_mx(spec, q.r.scale_bits, q.bits[2]), -2.0);
  }
}

// E4M3 (OFP8 Table 1): 448 = 0x7E, 240 = 0x77, 1 = 0x38, 3 = 0x44, 0.5 = 0x30, 1.5 = 0x3C,
// 0.125 = 0x20, 2^-9 = 0x01 (smallest subnormal), 2^-8 = 0x02.
TEST(MxBlock, E4M3AmaxBetween464And512TimesPow2ClipsUnderFloor) {
  {
    // amax 480 in (464, 512): floor X = 1, 480 rounds past 448 (the midpoint to 480 is 464):
    // saturated. rceil: ceil(log2(480/448)) = 1, X = 2: 240 = 0x77.
    const std::vector<double> block = {480, 1, -3};
    const MxRun f = run_mx(mx("float8_e4m3fn", ScaleRule::floor), block);
    EXPECT_EQ(f.r.scale_bits, 0x7F);
    EXPECT_EQ(f.bits, (std::vector<std::uint64_t>{0x7E, 0x38, 0xC4}));
    EXPECT_EQ(f.r.clipped, 1u);
    const MxRun r = run_mx(mx("float8_e4m3fn", ScaleRule::rceil), block);
    EXPECT_EQ(r.r.scale_bits, 0x80);
    EXPECT_EQ(r.bits, (std::vector<std::uint64_t>{0x77, 0x30, 0xBC}));
    EXPECT_EQ(r.r.clipped, 0u);
  }
  {
    // The same window scaled by 2^3: amax 3760 = 470 * 8. floor: s = 11 - 8 = 3 (0x82),
    // 470 > 464 -> 448: dequantizes to 3584. rceil: s = 4 (0x83), 235 -> 240 (nearest of
    // 224 | 240) -> 3840.
    const std::vector<double> block = {3760, -8};
    const MxSpec fs = mx("float8_e4m3fn", ScaleRule::floor), rs = mx("float8_e4m3fn", ScaleRule::rceil);
    const MxRun f = run_mx(fs, block), r = run_mx(rs, block);
    EXPECT_EQ(f.r.scale_bits, 0x82);
    EXPECT_EQ(f.bits[0], 0x7Eu);
    EXPECT_EQ(f.r.clipped, 1u);
    EXPECT_EQ(dequantize_mx(fs, f.r.scale_bits, f.bits[0]), 3584.0);
    EXPECT_EQ(r.r.scale_bits, 0x83);
    EXPECT_EQ(r.bits[0], 0x77u);
    EXPECT_EQ(r.r.clipped, 0u);
    EXPECT_EQ(dequantize_mx(rs, r.r.scale_bits, r.bits[0]), 3840.0);
    EXPECT_EQ(dequantize_mx(rs, r.r.scale_bits, r.bits[1]), -8.0);  // -0.5 = 0xB0 at X = 16
    EXPECT_EQ(r.bits[1], 0xB0u);
  }
  {
    // 464 is the midpoint 448|480: RNE keeps 448 (0x7E has an even mantissa), not clipped;
    // RNA rounds to 480, which overflows: clipped.
    const std::vector<double> block = {464};
    const MxRun ne = run_mx(mx("float8_e4m3fn", ScaleRule::floor), block);
    EXPECT_EQ(ne.bits[0], 0x7Eu);
    EXPECT_EQ(ne.r.clipped, 0u);
    const MxRun na = run_mx(mx("float8_e4m3fn", ScaleRule::floor, Rounding::rna), block);
    EXPECT_EQ(na.bits[0], 0x7Eu);
    EXPECT_EQ(na.r.clipped, 1u);
  }
}

TEST(MxBlock, AllZeroBlockGetsTheSmallestScale) {
  // log2(0) = -inf under every rule: s = -127, E8M0 0x00. Signed zeros survive (E4M3 -0 = 0x80).
  for (ScaleRule rule : {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil}) {
    const MxSpec spec = mx("float8_e4m3fn", rule);
    const MxRun q = run_mx(spec, {0.0, -0.0, 0.0});
    EXPECT_EQ(q.r.scale_bits, 0x00);
    EXPECT_EQ(q.r.scale_exponent, -127);
    EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x00, 0x80, 0x00}));
    EXPECT_EQ(q.r.clipped + q.r.flushed, 0u);
    EXPECT_EQ(dequantize_mx(spec, 0x00, 0x00), 0.0);
    EXPECT_TRUE(std::signbit(dequantize_mx(spec, 0x00, 0x80)));
  }
}

TEST(MxBlock, NanOrInfInBlockGivesTheNanScale) {
  // fpaudit's rule (docs/SCALING.md 2.3): scale 0xFF, every element the element format's NaN
  // (E4M3 0x7F, E5M2 0x7E), or +max where it has none (FP6 0x1F, FP4 0x7); no counts.
  struct Case {
    const char* f;
    std::uint64_t nan_bits;
  };
  for (const Case& c : {Case{"float8_e4m3fn", 0x7F}, Case{"float8_e5m2", 0x7E},
                        Case{"float6_e2m3fn", 0x1F}, Case{"float6_e3m2fn", 0x1F},
                        Case{"float4_e2m1fn", 0x7}}) {
    for (double special : {kNaN, kInf, -kInf}) {
      const MxSpec spec = mx(c.f, ScaleRule::floor);
      const MxRun q = run_mx(spec, {1.0, special, 2.0, 0.0});
      SCOPED_TRACE(testing::Message() << c.f << " " << special);
      EXPECT_EQ(q.r.scale_bits, 0xFF);
      EXPECT_TRUE(q.r.nan_scale());
      EXPECT_EQ(q.r.scale_exponent, kNanScaleExponent);
      EXPECT_EQ(q.bits, (std::vector<std::uint64_t>(4, c.nan_bits)));
      EXPECT_EQ(q.r.clipped + q.r.flushed, 0u);
      for (std::uint64_t b : q.bits) EXPECT_TRUE(std::isnan(dequantize_mx(spec, q.r.scale_bits, b)));
    }
  }
  // A NaN scale decodes to NaN whatever the element; a NaN element under a finite scale is NaN.
  const MxSpec e4m3 = mx("float8_e4m3fn", ScaleRule::floor);
  EXPECT_TRUE(std::isnan(dequantize_mx(e4m3, 0xFF, 0x38)));
  EXPECT_TRUE(std::isnan(dequantize_mx(e4m3, 0x7F, 0x7F)));
}

TEST(MxBlock, SubnormalElementsAndBinary64Subnormals) {
  // amax 448: X = 1. 2^-9 -> 0x01; 1.5 * 2^-9 is the tie 2^-9|2^-8 -> 0x02 (even); 2^-10 is
  // the tie 0|2^-9 -> 0 (flushed); binary64 subnormals -> +-0 (flushed).
  const std::vector<double> block = {448, 0x1p-9, 0x1.8p-9, 0x1p-10, 0x1p-1074, -0x1p-1060};
  const MxRun q = run_mx(mx("float8_e4m3fn", ScaleRule::floor), block);
  EXPECT_EQ(q.r.scale_bits, 0x7F);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7E, 0x01, 0x02, 0x00, 0x00, 0x80}));
  EXPECT_EQ(q.r.flushed, 3u);
  EXPECT_EQ(q.r.clipped, 0u);
  // A block whose amax is far below the E8M0 range: s clamps at -127 (0x00), so V/X =
  // 2^-130 * 2^127 = 2^-3 = 0.125 (0x20): the block is under-scaled, nothing is lost here.
  const MxRun t = run_mx(mx("float8_e4m3fn", ScaleRule::floor), {0x1p-130, -0x1p-133});
  EXPECT_EQ(t.r.scale_bits, 0x00);
  EXPECT_EQ(t.bits, (std::vector<std::uint64_t>{0x20, 0x88}));  // -2^-6: min normal 0x08, signed
}

TEST(MxBlock, HugeAmaxSaturatesTheScaleAndTheElements) {
  // amax 2^200: floor s = 200 - 8 = 192, clamped to 127 (0xFE); 2^200 / 2^127 = 2^73
  // saturates to 448 (clipped); 2^130 / 2^127 = 8 = 1.0 * 2^3 -> field 10, 0x50.
  const MxSpec spec = mx("float8_e4m3fn", ScaleRule::floor);
  const MxRun q = run_mx(spec, {0x1p200, 0x1p130});
  EXPECT_EQ(q.r.scale_bits, 0xFE);
  EXPECT_EQ(q.r.scale_exponent, 127);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7E, 0x50}));
  EXPECT_EQ(q.r.clipped, 1u);
}

TEST(MxBlock, DequantizeIsExactAtTheEdgesOfTheScaleRange) {
  const MxSpec e5m2 = mx("float8_e5m2", ScaleRule::floor);
  EXPECT_EQ(dequantize_mx(e5m2, 0xFE, 0x7B), 0x1.cp142);   // 57344 * 2^127
  EXPECT_EQ(dequantize_mx(e5m2, 0x00, 0x01), 0x1p-143);    // 2^-16 * 2^-127
  EXPECT_EQ(dequantize_mx(e5m2, 0x7F, 0x7C), kInf);        // E5M2 +inf element
  const MxSpec e2m1 = mx("float4_e2m1fn", ScaleRule::floor);
  EXPECT_EQ(dequantize_mx(e2m1, 0x7F + 3, 0xF), -48.0);    // -6 * 8
}

// ---------------------------------------------------------------------------------------------
// 4. MX against the independent slow path (MPFR + brute force)

double random_value(std::mt19937_64& rng, int e0) {
  const double sign = (rng() & 1) ? -1.0 : 1.0;
  switch (rng() % 16) {
    case 0: return sign * 0.0;
    case 1:  // few significant bits: many exact ties after the shift
      return sign * std::ldexp(static_cast<double>(1 + rng() % 32), e0 - static_cast<int>(rng() % 14));
    case 2: {  // significands around the clipping windows (1.5 .. 1.9375)
      const double m[] = {1.5, 1.5625, 1.625, 1.75, 1.8125, 1.875, 1.90625, 1.9375, 1.96875};
      return sign * std::ldexp(m[rng() % 9], e0);
    }
    case 3:  // binary64 subnormal
      return sign * std::ldexp(static_cast<double>(rng() >> 12), -1074);
    default:
      return sign * std::ldexp(1.0 + std::ldexp(static_cast<double>(rng() >> 11), -53),
                               e0 - static_cast<int>(rng() % 24));
  }
}

TEST(MxOracle, RandomBlocksMatchMpfrAndBruteForce) {
  std::mt19937_64 rng(0x5CA1AB1E);
  std::size_t elements = 0;
  for (const Row& row : mx_rows()) {
    for (ScaleRule rule : {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil}) {
      for (Rounding rounding : {Rounding::rne, Rounding::rna}) {
        const MxSpec spec = mx(row.name, rule, rounding);
        for (int b = 0; b < 150; ++b) {
          int e0 = static_cast<int>(rng() % 300) - 150;
          if (b % 25 == 0) e0 = -1000 - static_cast<int>(rng() % 60);
          if (b % 25 == 1) e0 = 900 + static_cast<int>(rng() % 100);
          const std::size_t n = (b % 5 == 0) ? 1 + rng() % 32 : 32;
          std::vector<double> block(n);
          for (double& v : block) v = random_value(rng, e0);
          double amax = 0;
          for (double v : block) amax = std::max(amax, std::fabs(v));
          SCOPED_TRACE(testing::Message() << row.name << " " << to_string(rule) << " "
                                          << to_string(rounding) << " block " << b
                                          << " amax=" << std::hexfloat << amax);
          const MxRun q = run_mx(spec, block);
          const int s = oracle_scale(row.m, rule, amax);
          ASSERT_EQ(q.r.scale_exponent, s);
          ASSERT_EQ(q.r.scale_bits, s + 127);
          unsigned clipped = 0, flushed = 0;
          for (std::size_t i = 0; i < n; ++i) {
            const OracleElement o = oracle_element(row.m, block[i], s, rounding);
            ASSERT_EQ(q.bits[i], o.bits) << "element " << i << " = " << block[i];
            clipped += o.clipped;
            flushed += o.flushed;
            const double mag = row.m.value[o.bits & (row.m.sign_bit - 1)];
            const double want = std::ldexp((o.bits & row.m.sign_bit) ? -mag : mag, s);
            ASSERT_EQ(dequantize_mx(spec, q.r.scale_bits, q.bits[i]), want);
            ++elements;
          }
          ASSERT_EQ(q.r.clipped, clipped);
          ASSERT_EQ(q.r.flushed, flushed);
        }
      }
    }
  }
  EXPECT_GT(elements, 100000u);
}

// ---------------------------------------------------------------------------------------------
// 5. MX rules against transcriptions of torchao's binary32 code (exhaustive per binade)

// torchao/prototype/mx_formats/mx_tensor.py to_mx, FLOOR / CEIL / EVEN branch (binary32 bits).
int torchao_bits_rule(float amax, ScaleRule rule, int mbits, int emax) {
  std::uint32_t bits = bits_of(amax);
  if (rule == ScaleRule::even) bits = (bits + (1u << (23 - mbits - 1))) & 0xFF800000u;
  int e = static_cast<int>((bits >> 23) & 0xFF) - 127;
  if (rule == ScaleRule::ceil) e += (bits & 0x7FFFFF) > 0 ? 1 : 0;
  return std::clamp(e - emax, -127, 128);
}

// torchao _to_mx_rceil: descale = max_abs * (1.0 / max_pos) in binary32, then
// _f32_to_e8m0_rceil (round up to a power of two; fp32 subnormals: > 2^-127 rounds to 2^-126).
int torchao_rceil(float amax, float max_pos) {
  const float descale = amax * (1.0f / max_pos);
  const std::uint32_t bits = bits_of(descale);
  const int be = static_cast<int>((bits >> 23) & 0xFF);
  const std::uint32_t mant = bits & 0x7FFFFF;
  const bool up = be == 0 ? mant > 0x400000 : mant != 0;
  return be + (up ? 1 : 0) - 127;
}

TEST(MxTorchao, FloorCeilEvenMatchTheBitManipulationOnEveryBinary32Significand) {
  for (const Row& row : mx_rows()) {
    const FormatSpec f = format_by_name(row.name);
    for (ScaleRule rule : {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even}) {
      // Binades [1, 2) and [2^-126, 2^-125) exhaustively; the fp32 subnormals with a stride.
      for (int binade : {0, -126, 100}) {
        for (std::uint32_t m = 0; m < (1u << 23); ++m) {
          const float a = std::bit_cast<float>(static_cast<std::uint32_t>(binade + 127) << 23 | m);
          ASSERT_EQ(mx_scale_exponent(f, rule, a), torchao_bits_rule(a, rule, row.m.mbits, row.m.emax))
              << row.name << " " << to_string(rule) << " " << std::hexfloat << a;
        }
      }
      for (std::uint32_t m = 1; m < (1u << 23); m += 4099) {
        const float a = std::bit_cast<float>(m);
        ASSERT_EQ(mx_scale_exponent(f, rule, a), torchao_bits_rule(a, rule, row.m.mbits, row.m.emax));
      }
    }
  }
}

TEST(MxTorchao, RceilMatchesTheBinary32FormulaExceptJustAboveMaxTimes2ToMinus127) {
  // The exact rule and torchao/TE's fp32(amax * fp32(1/max)) agree on every binary32 amax
  // whose descale is a binary32 normal. Where it is subnormal (amax < max * 2^-126), the
  // product's rounding can land on 2^-127 exactly: the one binary32 amax that differs is the
  // successor of max * 2^-127 (exact rule: ceil(log2(amax/max)) = -126; fp32: -127).
  for (const Row& row : mx_rows()) {
    const FormatSpec f = format_by_name(row.name);
    const float max_pos = static_cast<float>(row.m.max);
    const int binade_of_max = row.m.emax;  // max in [2^emax, 2^(emax+1))
    for (int binade : {0, 37, binade_of_max - 127}) {
      int mismatches = 0;
      for (std::uint32_t m = 0; m < (1u << 23); ++m) {
        const float a = std::bit_cast<float>(static_cast<std::uint32_t>(binade + 127) << 23 | m);
        const int lib = mx_scale_exponent(f, ScaleRule::rceil, a);
        const int ref = std::max(torchao_rceil(a, max_pos), -127);
        if (lib == ref) continue;
        ++mismatches;
        const float boundary = std::ldexp(max_pos, -127);  // exact binary32 (a normal)
        EXPECT_EQ(a, std::nextafter(boundary, INFINITY)) << row.name;
        EXPECT_EQ(lib, -126);
        EXPECT_EQ(ref, -127);
      }
      EXPECT_EQ(mismatches, binade == binade_of_max - 127 ? 1 : 0) << row.name << " binade " << binade;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 6. NVFP4: literal cases (binary32 steps worked out with integers: fp32(1/6) = 0x3E2AAAAB =
// 11184811 * 2^-26)

TEST(NvFp4, TensorScaleLiterals) {
  NvFp4TensorScale t = nvfp4_tensor_scale(2688);  // 448 * 6 / 2688 = 1
  EXPECT_EQ(t.encode, 1.0f);
  EXPECT_EQ(t.decode, 1.0f);
  t = nvfp4_tensor_scale(448);  // S_enc = 6, S_dec = fp32(1/6)
  EXPECT_EQ(t.encode, 6.0f);
  EXPECT_EQ(bits_of(t.decode), 0x3E2AAAABu);
  t = nvfp4_tensor_scale(-448);  // a magnitude
  EXPECT_EQ(t.encode, 6.0f);
  EXPECT_EQ(nvfp4_tensor_scale(0).encode, 1.0f);        // amax 0 -> 1
  EXPECT_EQ(nvfp4_tensor_scale(1e-300).encode, 1.0f);   // rounds to binary32 0 -> 1
  EXPECT_EQ(nvfp4_tensor_scale(kInf).encode, 1.0f);     // 2688 / inf = 0 -> 1
  EXPECT_EQ(nvfp4_tensor_scale(1e39).encode, 1.0f);     // binary32 inf
  EXPECT_EQ(nvfp4_tensor_scale(0x1p-120).encode, FLT_MAX);  // 2688 * 2^120 overflows: clamped
  // NaN: fminf(NaN, FLT_MAX) = FLT_MAX; S_dec = fp32(1 / FLT_MAX) = 2^-128 (a binary32
  // subnormal, 0x00200000: 1/FLT_MAX = 2^-128 (1 + 2^-24 + ...), the excess under half a quantum).
  t = nvfp4_tensor_scale(kNaN);
  EXPECT_EQ(t.encode, FLT_MAX);
  EXPECT_EQ(bits_of(t.decode), 0x00200000u);
}

TEST(NvFp4, BlockWithUnitGlobalScale) {
  const NvFp4TensorScale t = nvfp4_tensor_scale(2688);  // S_enc = S_dec = 1
  // amax 6: S_dec_b = fp32(6 * fp32(1 * fp32(1/6))) = fp32((2^26 + 2) * 2^-26) = 1 -> E4M3 0x38;
  // inverse = 1, so elements are E2M1 RNE of the inputs. Ties: 0.25 -> 0 (flushed), 0.75 -> 1,
  // 5 -> 4, 1.25 -> 1, 2.5 -> 2, 3.5 -> 4.
  const std::vector<double> block = {6, 3, -1.5, 0.25, 0.75, 5, -0.0, 0,
                                     1, 2, 4,    -6,   0.5,  1.25, 2.5, 3.5};
  const NvRun q = run_nv(t, block);
  EXPECT_EQ(q.r.scale_bits, 0x38);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x5, 0xB, 0x0, 0x2, 0x6, 0x8, 0x0,
                                                 0x2, 0x4, 0x6, 0xF, 0x1, 0x2, 0x4, 0x6}));
  EXPECT_EQ(q.r.clipped, 0u);
  EXPECT_EQ(q.r.flushed, 1u);
  EXPECT_EQ(nvfp4_block_scale_value(t, q.r.scale_bits), 1.0);
  EXPECT_EQ(dequantize_nvfp4(t, q.r.scale_bits, q.bits[1]), 3.0);
}

TEST(NvFp4, BlockScaleRoundedDownStillFitsAtSix) {
  const NvFp4TensorScale t = nvfp4_tensor_scale(2688);
  // amax 7: S_dec_b = fp32(7 * 11184811 * 2^-26) = fp32(78293677 * 2^-26) = 9786710 * 2^-23
  // = 1.16666675 -> E4M3 1.125 (0x39; 1.1667 < 1.1875). inverse = fp32(1/1.125) = fp32(8/9) =
  // 14913081 * 2^-24 (0x3F638E39). 7 * inv = fp32(6.2222222686) = 6.2222223 -> below the 6|8
  // midpoint: 6 (0x7), not clipped. 6.75 * inv = fp32(6.0000000447) = 6 exactly -> 0x7.
  // -3 * inv = -2.6666667 -> -3 (0xD). 1 * inv = 0.8888889 -> 1 (0x2).
  const NvRun q = run_nv(t, {7, 1, 6.75, -3});
  EXPECT_EQ(q.r.scale_bits, 0x39);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x2, 0x7, 0xD}));
  EXPECT_EQ(q.r.clipped, 0u);
  EXPECT_EQ(q.r.flushed, 0u);
  EXPECT_EQ(dequantize_nvfp4(t, q.r.scale_bits, 0x7), 6.75);  // 6 * 1.125
}

TEST(NvFp4, SubnormalBlockScaleClips) {
  const NvFp4TensorScale t = nvfp4_tensor_scale(2688);
  // amax 17 * 2^-10: S_dec_b = fp32(17 * 11184811 * 2^-36) = fp32(190141787 * 2^-36) =
  // 11883862 * 2^-32 = 1.4167 * 2^-9 -> E4M3 subnormal 2^-9 (0x01; 1.4167 < 1.5).
  // inverse = 512: 17 * 2^-10 * 512 = 8.5 > 7 -> saturated to 6 (clipped); 2^-10 -> 0.5 (0x1);
  // -3 * 2^-9 -> -3 (0xD).
  const NvRun q = run_nv(t, {17 * 0x1p-10, 0x1p-10, -3 * 0x1p-9});
  EXPECT_EQ(q.r.scale_bits, 0x01);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x1, 0xD}));
  EXPECT_EQ(q.r.clipped, 1u);
  EXPECT_EQ(dequantize_nvfp4(t, q.r.scale_bits, 0x7), 6 * 0x1p-9);
}

TEST(NvFp4, ZeroBlockScaleFlushesTheBlock) {
  const NvFp4TensorScale t = nvfp4_tensor_scale(2688);
  // amax 2^-20: S_dec_b ~ 0.1667 * 2^-20, below half of E4M3's 2^-9 -> scale 0x00. TE's
  // inverse is then fminf(1/0, FLT_MAX) = FLT_MAX, so the elements saturate to +-6 (0x7/0xF),
  // yet they decode to 0: counted as flushed, not clipped.
  const NvRun q = run_nv(t, {0x1p-20, -0x1p-22, 0.0});
  EXPECT_EQ(q.r.scale_bits, 0x00);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0xF, 0x0}));
  EXPECT_EQ(q.r.flushed, 2u);
  EXPECT_EQ(q.r.clipped, 0u);
  EXPECT_EQ(dequantize_nvfp4(t, 0x00, 0x7), 0.0);
  // All zeros: 0 * FLT_MAX = 0, signs kept.
  const NvRun z = run_nv(t, {0.0, -0.0});
  EXPECT_EQ(z.r.scale_bits, 0x00);
  EXPECT_EQ(z.bits, (std::vector<std::uint64_t>{0x0, 0x8}));
  EXPECT_EQ(z.r.flushed, 0u);
}

TEST(NvFp4, NanIsSkippedByTheBlockAmax) {
  const NvFp4TensorScale t = nvfp4_tensor_scale(2688);
  // fmaxf skips NaN: amax 3, S_dec_b = fp32(3 * 11184811 * 2^-26) = fp32(0.5 + 2^-26) = 0.5
  // (E4M3 0x30), inverse 2. NaN * 2 -> E2M1 has no NaN: +6 (0x7); 3 * 2 = 6 (0x7); -1 -> -2 (0xC).
  const NvRun q = run_nv(t, {kNaN, 3, -1});
  EXPECT_EQ(q.r.scale_bits, 0x30);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x7, 0xC}));
  EXPECT_EQ(q.r.clipped, 0u);
  // An infinite element: amax inf -> S_dec_b inf -> E4M3 saturates to 448 (0x7E); inverse =
  // fp32(1/448); inf -> +6 (clipped), 3 / 448 -> 0 (flushed).
  const NvRun i = run_nv(t, {kInf, 3});
  EXPECT_EQ(i.r.scale_bits, 0x7E);
  EXPECT_EQ(i.bits, (std::vector<std::uint64_t>{0x7, 0x0}));
  EXPECT_EQ(i.r.clipped, 1u);
  EXPECT_EQ(i.r.flushed, 1u);
}

TEST(NvFp4, GlobalScaleSix) {
  // Tensor amax 448: S_enc = 6, S_dec = 0x3E2AAAAB. Block amax 448: S_enc * fp32(1/6) =
  // fp32(1 + 2^-25) = 1, S_dec_b = 448 -> E4M3 0x7E. 448 * S_dec = fp32(5010795328 * 2^-26) =
  // 9786710 * 2^-17 (74.66667175); inverse = fp32(2^17 / 9786710) = 0x1.b6db6cp-7;
  // 448 * inverse = 0x1.7ffffep+2 (5.9999995) -> 6 (0x7). 100 * inverse = 1.3392857 -> 1.5 (0x3).
  const NvFp4TensorScale t = nvfp4_tensor_scale(448);
  const NvRun q = run_nv(t, {448, 100});
  EXPECT_EQ(q.r.scale_bits, 0x7E);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x3}));
  EXPECT_EQ(nvfp4_block_scale_value(t, 0x7E), 448.0 * static_cast<double>(t.decode));
  EXPECT_EQ(dequantize_nvfp4(t, 0x7E, 0x7), 6 * 448.0 * static_cast<double>(t.decode));
}

TEST(NvFp4, OrderOfTheBinary32StepsMatters) {
  // Tensor amax 12: S_enc = 2688 / 12 = 224. TE forms block_amax * (S_enc * fp32(1/6)):
  // S_enc * 11184811 * 2^-26 = 78293677 * 2^-21 -> fp32 9786710 * 2^-18 (37.333336); times 9 =
  // 88080390 * 2^-18 -> fp32 88080392 * 2^-18 = 336.00002, above the E4M3 midpoint 336 of
  // 320 | 352: 352 (0x7B). The other order, (9 * fp32(1/6)) * 224 = 1.5 * 224 = 336 exactly,
  // would tie to 320 (0x7A): this pins TE's order (core_nvfp4.cuh quantization_SF).
  // Elements: inverse = fp32(1 / fp32(352 * fp32(1/224))) = 0.6363636; 9 -> 5.727 -> 6 (0x7);
  // -2 -> -1.2727 -> -1.5 (0xB); 0.75 -> 0.477 -> 0.5 (0x1).
  const NvFp4TensorScale t = nvfp4_tensor_scale(12);
  EXPECT_EQ(t.encode, 224.0f);
  const NvRun q = run_nv(t, {9, -2, 0.75});
  EXPECT_EQ(q.r.scale_bits, 0x7B);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0xB, 0x1}));
}

TEST(NvFp4, ElementScaleIsTheReciprocalOfTheRoundedDecodeProduct) {
  // Tensor amax 6: S_enc = 448, S_dec = fp32(1/448) = 9586981 * 2^-32. Block amax 4: S_dec_b =
  // 4 * fp32(448 * fp32(1/6)) = 4 * 74.666672 = 298.66669 -> E4M3 288 (0x79; below the 304
  // midpoint of 288 | 320). TE's inverse is fp32(1 / fp32(288 * S_dec)): 288 * S_dec =
  // 86282829 * 2^-27 -> fp32 86282832 * 2^-27, and its reciprocal is 0x1.8e38e2p+0, one ulp
  // below S_enc / 288 = 0x1.8e38e4p+0 (the bf16-coefficient kernels' formula, in fp32).
  // 1.125 * inverse = 0x1.bffffep+0, just under the E2M1 midpoint 1.75: 1.5 (0x3), where
  // S_enc / 288 would give the tie 1.75 -> 2 (0x4). 4 * inverse = 6.22 -> 6 (0x7).
  const NvFp4TensorScale t = nvfp4_tensor_scale(6);
  EXPECT_EQ(t.encode, 448.0f);
  const NvRun q = run_nv(t, {4, 1.125});
  EXPECT_EQ(q.r.scale_bits, 0x79);
  EXPECT_EQ(q.bits, (std::vector<std::uint64_t>{0x7, 0x3}));
}

TEST(BlockQuantizers, RejectBadSizes) {
  // A block longer than the block size (MX block_size 16 here; NVFP4 16), an output shorter
  // than the block, and an MX block_size below 1.
  MxSpec spec = mx("float8_e4m3fn", ScaleRule::floor);
  spec.block_size = 16;
  const NvFp4TensorScale t = nvfp4_tensor_scale(1);
  const auto check = [](const auto& quantize) {
    std::vector<double> big(17, 1.0), four(4, 1.0);
    std::vector<std::uint64_t> out(17), three(3);
    EXPECT_THROW(quantize(std::span<const double>(big), std::span<std::uint64_t>(out)),
                 std::invalid_argument);
    EXPECT_THROW(quantize(std::span<const double>(four), std::span<std::uint64_t>(three)),
                 std::invalid_argument);
  };
  check([&](auto in, auto out) { return quantize_mx_block(spec, in, out); });
  check([&](auto in, auto out) { return quantize_nvfp4_block(t, in, out); });
  spec.block_size = 0;
  std::vector<double> one(1, 1.0);
  std::vector<std::uint64_t> o(1);
  EXPECT_THROW(quantize_mx_block(spec, one, o), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// 7. NVFP4 against a host-float transcription of TransformerEngine's quantizer

std::uint64_t brute_cast(const ElementModel& m, float x) {  // cvt.rn.satfinite, NaN -> +max
  if (std::isnan(x)) return m.max_bits;
  return oracle_element(m, x, 0, Rounding::rne).bits;
}

TEST(NvFp4Oracle, RandomBlocksMatchTheTransformerEngineSteps) {
  static_assert(FLT_EVAL_METHOD == 0, "the transcription needs binary32 evaluation");
  const ElementModel& e4m3 = mx_rows()[0].m;
  const ElementModel& e2m1 = mx_rows()[4].m;
  std::mt19937_64 rng(0xF4F4F4);
  for (int trial = 0; trial < 20000; ++trial) {
    // Tensor amax spread over the binary32 range; block values at or below it (mostly).
    const float tensor_amax = std::ldexp(1.0f + static_cast<float>(rng() % 1000) / 1000.0f,
                                         static_cast<int>(rng() % 160) - 100);
    const int block_shift = static_cast<int>(rng() % 30);
    std::vector<double> block(kNvFp4BlockSize);
    for (double& v : block) {
      const float mant = static_cast<float>(rng() % (1u << 24)) / static_cast<float>(1u << 24);
      float x = std::ldexp(mant, -block_shift) * tensor_amax * ((rng() & 1) ? -1.0f : 1.0f);
      switch (rng() % 64) {
        case 0: x = std::numeric_limits<float>::quiet_NaN(); break;
        case 1: x = 0.0f; break;
        case 2: x = tensor_amax; break;
        default: break;
      }
      v = x;
    }
    // --- TE, transcribed (core_nvfp4.cuh compute_global_encode_scaling_factor_FP4,
    // compute_decoding_scaling_factor, quantize_transpose_nvfp4.cuh) ---
    float s_enc = std::fmin(448.0f * 6.0f / tensor_amax, FLT_MAX);
    if (tensor_amax == 0.0f || s_enc == 0.0f) s_enc = 1.0f;
    const float s_dec = static_cast<float>(1.0 / s_enc);
    float block_amax = 0.0f;
    for (double v : block) block_amax = std::fmax(block_amax, std::fabs(static_cast<float>(v)));
    constexpr float fp4_max_inv = 1.0f / 6.0f;
    const float s_dec_b = block_amax * (s_enc * fp4_max_inv);
    const std::uint64_t scale = brute_cast(e4m3, s_dec_b);
    const float scale_f = static_cast<float>(e4m3.value[scale]);
    const float inv = std::fmin(1.0f / (scale_f * s_dec), FLT_MAX);

    const NvFp4TensorScale t = nvfp4_tensor_scale(tensor_amax);
    ASSERT_EQ(bits_of(t.encode), bits_of(s_enc));
    ASSERT_EQ(bits_of(t.decode), bits_of(s_dec));
    const NvRun q = run_nv(t, block);
    SCOPED_TRACE(testing::Message() << "trial " << trial << " tensor amax " << std::hexfloat
                                    << tensor_amax << " block amax " << block_amax);
    ASSERT_EQ(q.r.scale_bits, scale);
    for (std::size_t i = 0; i < block.size(); ++i) {
      const float p = static_cast<float>(block[i]) * inv;
      ASSERT_EQ(q.bits[i], brute_cast(e2m1, p)) << "element " << i;
      // Dequantized value: E2M1 * E4M3 * S_dec, exact in binary64.
      const double mag = e2m1.value[q.bits[i] & 7];
      const double want = ((q.bits[i] & 8) ? -mag : mag) * e4m3.value[scale] * s_dec;
      ASSERT_EQ(dequantize_nvfp4(t, q.r.scale_bits, q.bits[i]), want);
    }
  }
}

}  // namespace
