// Accumulation models (include/fpaudit/gemm/models.hpp).
//
// Oracles, per model:
//  * sequential, pairwise, blocked, fused: a scalar re-statement of the definition written here
//    with MPFR: exact sums and products at 8192 bits, each intermediate rounding done by
//    fpaudit::reference::round_mpfr (the MPFR implementation of docs/CONVERSION_RULES.md, which
//    does not use src/codec), values read with fpaudit::reference::reference_decode. The fused
//    re-statement follows Khattak & Mikaitis' block steps B1-B9 (shared/research/
//    tensor-core-models.md 1.4) with MPFR floor() for the truncation.
//  * vdpbf16ps and amx-bf16: the instructions themselves, on this CPU (AVX512-BF16
//    _mm512_dpbf16_ps; AMX-BF16 _tile_dpbf16ps after the Linux ARCH_REQ_XCOMP_PERM request),
//    skipped where the CPU or kernel lacks them; and, everywhere, a re-statement of the SDM
//    pseudo-code with host binary32 fmaf (correctly rounded, the default MXCSR) plus explicit
//    DAZ/FTZ.
#include <gtest/gtest.h>
#include <immintrin.h>
#include <mpfr.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/reference/mpfr_reference.hpp"
#include "gemm_test_mpfr.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::gemm;

using gemm_test::kPrec;
using gemm_test::Mpfr;

Mpfr read(const FormatSpec& f, std::uint64_t bits) {
  Mpfr x;
  reference::reference_decode(f, bits, x.v);
  mpfr_prec_round(x.v, kPrec, MPFR_RNDN);
  return x;
}

// x rounded into f (the model's intermediate rounding), read back as a value.
Mpfr rnd(const FormatSpec& f, const Mpfr& x, Rounding r, bool ftz = false) {
  ConvertOptions o;
  o.rounding = r;
  o.subnormals.ftz = ftz;
  return read(f, reference::round_mpfr(f, x.v, o).bits);
}

mpfr_rnd_t zmode(Rounding r) { return r == Rounding::rdown ? MPFR_RNDD : MPFR_RNDN; }

Mpfr add(const Mpfr& x, const Mpfr& y, Rounding r) {
  Mpfr s;
  EXPECT_EQ(mpfr_add(s.v, x.v, y.v, zmode(r)), 0);
  return s;
}
Mpfr mul(const Mpfr& x, const Mpfr& y, Rounding r) {
  Mpfr s;
  EXPECT_EQ(mpfr_mul(s.v, x.v, y.v, zmode(r)), 0);
  return s;
}

struct Vec {
  FormatSpec f;
  std::vector<std::uint64_t> bits;
  std::vector<ExactValue> exact() const {
    std::vector<ExactValue> v;
    for (auto b : bits) v.push_back(decode(f, b));
    return v;
  }
  Mpfr at(std::size_t k) const { return read(f, bits[k]); }
};

Vec random_vec(const FormatSpec& f, std::size_t n, std::mt19937_64& rng, double spread) {
  Vec v{f, {}};
  std::normal_distribution<double> nd(0.0, 1.0);
  ConvertOptions sat;
  sat.overflow = Overflow::saturate;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = nd(rng) * std::exp2(spread * nd(rng));
    std::uint64_t b = convert_double(x, f, sat).bits;
    if (rng() % 23 == 0) b = f.sign_bit() & rng();  // signed zeros
    if (rng() % 29 == 0) b = rng() & (f.mantissa_mask());  // subnormals
    v.bits.push_back(b);
  }
  return v;
}

// Oracle restatements ------------------------------------------------------------------------

Mpfr seq_oracle(const AccumulationModel& m, const Vec& a, const Vec& b, std::size_t lo,
                std::size_t hi) {
  Mpfr acc;  // +0
  for (std::size_t k = lo; k < hi; ++k) {
    const Mpfr p = mul(a.at(k), b.at(k), m.rounding);
    if (m.fma) acc = rnd(m.acc, add(acc, p, m.rounding), m.rounding);
    else acc = rnd(m.acc, add(acc, rnd(m.acc, p, m.rounding), m.rounding), m.rounding);
  }
  return acc;
}

Mpfr tree_oracle(const AccumulationModel& m, const std::vector<Mpfr>& l, std::size_t lo, std::size_t hi) {
  if (hi - lo == 1) return l[lo];
  const std::size_t mid = lo + (hi - lo + 1) / 2;
  return rnd(m.acc, add(tree_oracle(m, l, lo, mid), tree_oracle(m, l, mid, hi), m.rounding), m.rounding);
}

// floor(log2 |x|) of a nonzero MPFR value.
long flog2(const Mpfr& x) { return mpfr_get_exp(x.v) - 1; }

Mpfr fused_oracle(const AccumulationModel& m, const Vec& a, const Vec& b, std::size_t lo, std::size_t hi) {
  const FormatSpec f32 = format_by_name("binary32");
  Mpfr c;  // +0, a value of m.acc
  for (std::size_t k0 = lo; k0 < hi && !mpfr_inf_p(c.v); k0 += m.block.terms) {  // inf stays inf
    std::vector<Mpfr> v;
    std::vector<long> e;
    for (std::size_t k = k0; k < std::min(hi, k0 + m.block.terms); ++k) {
      const Mpfr x = a.at(k), y = b.at(k);
      if (mpfr_zero_p(x.v) || mpfr_zero_p(y.v)) continue;  // B1: zero products are dropped
      v.push_back(mul(x, y, Rounding::rne));
      // B3: operand exponents clamp at the input format's emin; the product's is their sum.
      e.push_back(std::max<long>(flog2(x), a.f.emin()) + std::max<long>(flog2(y), b.f.emin()));
    }
    if (!mpfr_zero_p(c.v)) {  // B4: c's exponent as binary32 reads it
      v.push_back(c);
      e.push_back(std::max<long>(flog2(c), f32.emin()));
    }
    if (v.empty()) {
      mpfr_set_zero(c.v, 1);
      continue;
    }
    long emax = m.block.min_exponent;
    for (long x : e) emax = std::max(emax, x);
    Mpfr s;  // B5-B6: each |addend| truncated to the grid 2^(emax - fraction_bits), summed
    for (auto& x : v) {
      Mpfr t;
      mpfr_abs(t.v, x.v, MPFR_RNDN);
      mpfr_mul_2si(t.v, t.v, -(emax - m.block.fraction_bits), MPFR_RNDN);
      mpfr_floor(t.v, t.v);
      if (mpfr_sgn(x.v) < 0) mpfr_neg(t.v, t.v, MPFR_RNDN);
      mpfr_add(s.v, s.v, t.v, MPFR_RNDN);
    }
    if (mpfr_zero_p(s.v)) {
      mpfr_set_zero(c.v, 1);  // +0
      continue;
    }
    mpfr_mul_2si(s.v, s.v, emax - m.block.fraction_bits, MPFR_RNDN);
    ConvertOptions o;
    o.rounding = m.rounding;
    const Encoded r = reference::round_mpfr(m.acc, s.v, o);
    if (r.flags.has(Flags::overflow)) mpfr_set_inf(c.v, mpfr_sgn(s.v));  // B8
    else c = read(m.acc, r.bits);
  }
  return c;
}

void expect_model(const AccumulationModel& m, const Vec& a, const Vec& b, const Mpfr& want,
                  const char* what) {
  const Encoded got = model_dot(m, a.exact(), b.exact(), a.f, b.f, m.kind == ModelKind::blocked ? m.outer : m.acc, {});
  const FormatSpec& f = m.kind == ModelKind::blocked ? m.outer : m.acc;
  const Encoded w = reference::round_mpfr(f, want.v, {});
  if (f.is_nan(w.bits)) EXPECT_TRUE(f.is_nan(got.bits)) << what;
  else EXPECT_EQ(got.bits, w.bits) << what << " model " << describe(m);
}

TEST(Models, SequentialPairwiseBlockedMatchRestatements) {
  std::mt19937_64 rng(5);
  for (const char* fin : {"bfloat16", "binary16", "float8_e4m3fn"}) {
    const FormatSpec fi = format_by_name(fin);
    for (const char* acc : {"binary32", "bfloat16", "binary16"}) {
      for (Rounding r : {Rounding::rne, Rounding::rtz, Rounding::rdown}) {
        for (bool fma : {true, false}) {
          for (int trial = 0; trial < 3; ++trial) {
            const std::size_t K = 1 + rng() % 70;
            const Vec a = random_vec(fi, K, rng, 2.0), b = random_vec(fi, K, rng, 2.0);
            AccumulationModel m = parse_model("sequential");
            m.acc = format_by_name(acc);
            m.rounding = r;
            m.fma = fma;
            expect_model(m, a, b, seq_oracle(m, a, b, 0, K), "sequential");

            AccumulationModel p = m;
            p.kind = ModelKind::pairwise;
            p.leaf = 1 + static_cast<int>(rng() % 9);
            std::vector<Mpfr> leaves;
            for (std::size_t k = 0; k < K; k += p.leaf)
              leaves.push_back(seq_oracle(p, a, b, k, std::min<std::size_t>(K, k + p.leaf)));
            expect_model(p, a, b, tree_oracle(p, leaves, 0, leaves.size()), "pairwise");

            AccumulationModel bl = m;
            bl.kind = ModelKind::blocked;
            bl.chunk = 1 + static_cast<int>(rng() % 20);
            bl.outer = format_by_name("binary32");
            Mpfr acc2;
            for (std::size_t k = 0; k < K; k += bl.chunk)
              acc2 = rnd(bl.outer, add(acc2, seq_oracle(bl, a, b, k, std::min<std::size_t>(K, k + bl.chunk)), bl.outer_rounding),
                         bl.outer_rounding);
            expect_model(bl, a, b, acc2, "blocked");
          }
        }
      }
    }
  }
}

TEST(Models, FusedPresetsMatchRestatement) {
  std::mt19937_64 rng(11);
  for (const auto& preset : model_presets()) {
    // The global-alignment presets with C aligned (every NVIDIA preset but the fp8 ones whose C
    // enters last); the other paths have their own hand-computed tests
    // (tests/test_block_fma.cpp) and the recorded GPU data (test_tensor_core_validation.cpp).
    if (preset.kind != ModelKind::fused || preset.block.path != BlockPath::global ||
        preset.block.c_entry != AddendEntry::aligned || preset.block.instruction_k != 0)
      continue;
    const FormatSpec fi = format_by_name(preset.inputs.front());
    for (int trial = 0; trial < 40; ++trial) {
      const std::size_t K = 1 + rng() % 100;
      const Vec a = random_vec(fi, K, rng, trial % 2 ? 6.0 : 1.0),
                b = random_vec(fi, K, rng, trial % 2 ? 6.0 : 1.0);
      expect_model(preset, a, b, fused_oracle(preset, a, b, 0, K), preset.name.c_str());
    }
  }
  // binary64 inputs (53-bit significands) take the evaluator's 128-bit path, the presets above its
  // 64-bit one: the same re-statement is the oracle for both.
  for (const char* spec : {"fused:terms=8,fraction_bits=40,rounding=rtz", "fused:terms=3,fraction_bits=55,rounding=rne",
                           "fused:terms=16,fraction_bits=23,rounding=rtz,min_exponent=-30"}) {
    const AccumulationModel m = parse_model(spec);
    const FormatSpec f64 = format_by_name("binary64");
    for (int trial = 0; trial < 40; ++trial) {
      const std::size_t K = 1 + rng() % 60;
      const Vec a = random_vec(f64, K, rng, trial % 2 ? 6.0 : 1.0), b = random_vec(f64, K, rng, trial % 2 ? 6.0 : 1.0);
      expect_model(m, a, b, fused_oracle(m, a, b, 0, K), spec);
    }
  }
  // The variants of alignment the family allows, on binary16 (sticky and rne are checked for
  // consistency of the ordering only: truncate <= sticky/rne results in magnitude are not
  // asserted; the truncating re-statement is the oracle for truncate).
  AccumulationModel m = parse_model("fused:terms=8,fraction_bits=24,rounding=rtz");
  EXPECT_EQ(m.block.terms, 8);
  EXPECT_EQ(m.block.alignment, FusedAlignment::truncate);
}

TEST(Models, DeepSeekBlockedIsFusedPartialsPromoted) {
  std::mt19937_64 rng(21);
  const AccumulationModel m = parse_model("deepseek-v3-fp8");
  ASSERT_EQ(m.kind, ModelKind::blocked);
  ASSERT_TRUE(m.inner_fused);
  const FormatSpec e4m3 = format_by_name("float8_e4m3fn");
  const std::size_t K = 300;  // 3 chunks of 128 (the last partial)
  const Vec a = random_vec(e4m3, K, rng, 1.0), b = random_vec(e4m3, K, rng, 1.0);
  AccumulationModel inner = m;
  inner.kind = ModelKind::fused;
  Mpfr acc2;
  for (std::size_t k = 0; k < K; k += 128)
    acc2 = rnd(m.outer, add(acc2, fused_oracle(inner, a, b, k, std::min<std::size_t>(K, k + 128)), Rounding::rne), Rounding::rne);
  expect_model(m, a, b, acc2, "deepseek");
}

// ---- x86: the instructions themselves, and an fmaf re-statement of the SDM ----

float f32(std::uint32_t b) { return std::bit_cast<float>(b); }
std::uint32_t bits32(float x) { return std::bit_cast<std::uint32_t>(x); }
float bf(std::uint16_t b) { return f32(static_cast<std::uint32_t>(b) << 16); }
float daz(float x) { return std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(0.0f, x) : x; }
float ftz(float x) { return std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(0.0f, x) : x; }
float fma_dazftz(float a, float b, float c) { return ftz(std::fmaf(daz(a), daz(b), daz(c))); }

std::vector<std::uint16_t> random_bf16(std::size_t n, std::mt19937_64& rng) {
  const FormatSpec bf16 = format_by_name("bfloat16");
  Vec v = random_vec(bf16, n, rng, 30.0);  // wide: overflow, FTZ and DAZ all occur
  std::vector<std::uint16_t> r;
  for (auto b : v.bits) r.push_back(static_cast<std::uint16_t>(b));
  return r;
}

std::uint32_t model_bits(const char* spec, const std::vector<std::uint16_t>& a,
                         const std::vector<std::uint16_t>& b) {
  const FormatSpec bf16 = format_by_name("bfloat16"), f32f = format_by_name("binary32");
  Vec va{bf16, {}}, vb{bf16, {}};
  for (auto x : a) va.bits.push_back(x);
  for (auto x : b) vb.bits.push_back(x);
  return static_cast<std::uint32_t>(model_dot(parse_model(spec), va.exact(), vb.exact(), bf16, bf16, f32f, {}).bits);
}

bool nan32(std::uint32_t x) { return (x & 0x7F800000) == 0x7F800000 && (x & 0x7FFFFF) != 0; }

__attribute__((target("avx512f,avx512bf16"))) std::uint32_t hw_vdpbf16ps(
    const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b) {
  __m512 acc = _mm512_setzero_ps();
  for (std::size_t k = 0; k < a.size(); k += 2) {
    alignas(64) std::uint16_t va[32] = {}, vb[32] = {};
    va[0] = a[k];
    vb[0] = b[k];
    if (k + 1 < a.size()) {
      va[1] = a[k + 1];
      vb[1] = b[k + 1];
    }
    __m512bh x, y;
    std::memcpy(&x, va, 64);
    std::memcpy(&y, vb, 64);
    acc = _mm512_dpbf16_ps(acc, x, y);
  }
  alignas(64) float out[16];
  _mm512_store_ps(out, acc);
  return bits32(out[0]);
}

TEST(Models, Vdpbf16psMatchesSdmAndHardware) {
  std::mt19937_64 rng(31);
  const bool hw = __builtin_cpu_supports("avx512bf16");
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t K = 1 + rng() % 40;
    const auto a = random_bf16(K, rng), b = random_bf16(K, rng);
    // SDM: per pair, odd element first, each a binary32 FMA with DAZ in, FTZ out, RNE.
    float acc = 0.0f;
    for (std::size_t k = 0; k < K; k += 2) {
      if (k + 1 < K) acc = fma_dazftz(bf(a[k + 1]), bf(b[k + 1]), acc);
      acc = fma_dazftz(bf(a[k]), bf(b[k]), acc);
    }
    const std::uint32_t got = model_bits("vdpbf16ps", a, b);
    if (nan32(bits32(acc))) {
      EXPECT_TRUE(nan32(got));
    } else {
      EXPECT_EQ(got, bits32(acc)) << "K " << K;
    }
    if (hw) {
      EXPECT_EQ(got, hw_vdpbf16ps(a, b)) << "hardware, K " << K;
    }
  }
  // NaN priority (SDM): src1 low beats src1 high.
  const std::vector<std::uint16_t> a{0x7FC1, 0x7FC2}, b{0x3F80, 0x3F80};
  EXPECT_EQ(model_bits("vdpbf16ps", a, b), 0x7FC10000u);
  if (hw) {
    EXPECT_EQ(hw_vdpbf16ps(a, b), 0x7FC10000u);
  }
  if (!hw) GTEST_LOG_(INFO) << "AVX512-BF16 absent: checked against the SDM re-statement only";
}

// AMX: one TDPBF16PS per 32 elements of K; A tile 1 x 64 bytes, B tile 16 x 4 bytes, C 1 x 4.
struct TileConfig {
  std::uint8_t palette = 1, start_row = 0, reserved[14] = {};
  std::uint16_t colsb[16] = {};
  std::uint8_t rows[16] = {};
};

bool amx_permitted() {
  if (!__builtin_cpu_supports("amx-bf16") || !__builtin_cpu_supports("amx-tile")) return false;
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
}

__attribute__((target("amx-tile,amx-bf16"))) std::uint32_t hw_tdpbf16ps(
    const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b) {
  TileConfig cfg;
  cfg.colsb[0] = 4;  cfg.rows[0] = 1;   // C: 1 x 1 fp32
  cfg.colsb[1] = 64; cfg.rows[1] = 1;   // A: 1 x 32 bf16
  cfg.colsb[2] = 4;  cfg.rows[2] = 16;  // B: 16 rows of one bf16 pair
  _tile_loadconfig(&cfg);
  alignas(64) float c[16] = {};
  _tile_loadd(0, c, 64);
  for (std::size_t k0 = 0; k0 < a.size(); k0 += 32) {
    alignas(64) std::uint16_t ta[32] = {}, tb[32] = {};
    for (std::size_t k = k0; k < std::min(a.size(), k0 + 32); ++k) {
      ta[k - k0] = a[k];
      tb[k - k0] = b[k];  // row (k - k0) / 2 holds the pair
    }
    _tile_loadd(1, ta, 64);
    _tile_loadd(2, tb, 4);
    _tile_dpbf16ps(0, 1, 2);
  }
  _tile_stored(0, c, 64);
  _tile_release();
  return bits32(c[0]);
}

TEST(Models, AmxBf16MatchesSdmAndHardware) {
  std::mt19937_64 rng(41);
  const bool hw = amx_permitted();
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t K = 1 + rng() % 100;
    const auto a = random_bf16(K, rng), b = random_bf16(K, rng);
    float c = 0.0f;
    for (std::size_t k0 = 0; k0 < K; k0 += 32) {
      float even = 0.0f, odd = 0.0f;
      for (std::size_t k = k0; k < std::min(K, k0 + 32); k += 2) {
        even = fma_dazftz(bf(a[k]), bf(b[k]), even);
        if (k + 1 < K) odd = fma_dazftz(bf(a[k + 1]), bf(b[k + 1]), odd);
      }
      c = ftz(daz(c) + ftz(daz(even) + daz(odd)));
    }
    const std::uint32_t got = model_bits("amx-bf16", a, b);
    if (nan32(bits32(c))) {
      EXPECT_TRUE(nan32(got));
    } else {
      EXPECT_EQ(got, bits32(c)) << "K " << K;
    }
    if (hw) {
      const std::uint32_t h = hw_tdpbf16ps(a, b);
      if (nan32(h)) {
        EXPECT_TRUE(nan32(got));
      } else {
        EXPECT_EQ(got, h) << "hardware, K " << K;
      }
    }
  }
  if (!hw) GTEST_LOG_(INFO) << "AMX-BF16 unavailable: checked against the SDM re-statement only";
}

TEST(Models, ParseDescribeRoundTrip) {
  for (const auto& p : model_presets()) {
    const AccumulationModel q = parse_model(describe(p));
    EXPECT_EQ(describe(q), describe(p)) << p.name;
    EXPECT_FALSE(p.source.empty()) << p.name;
  }
  EXPECT_THROW(parse_model("nosuch"), std::invalid_argument);
  EXPECT_THROW(parse_model("fused:terms=x"), std::invalid_argument);
  EXPECT_THROW(parse_model("pairwise:leaf=0"), std::invalid_argument);
  EXPECT_THROW(parse_model("sequential:bogus=1"), std::invalid_argument);
}

TEST(Models, GemmAgreesWithDotAndSubsets) {
  std::mt19937_64 rng(51);
  const FormatSpec bf16 = format_by_name("bfloat16"), f32f = format_by_name("binary32");
  const std::size_t M = 3, N = 4, K = 50;
  const Vec a = random_vec(bf16, M * K, rng, 2.0), b = random_vec(bf16, K * N, rng, 2.0);
  std::vector<std::uint16_t> sa(a.bits.begin(), a.bits.end()), sb(b.bits.begin(), b.bits.end());
  MatrixOperand A, B;
  A.format = B.format = bf16;
  A.data = sa.data();
  B.data = sb.data();
  for (const char* spec : {"sequential", "pairwise:leaf=3", "nvidia-h100-bf16-fp32", "amd-mi300x-bf16-fp32", "amd-mi210-bf16-fp32", "vdpbf16ps", "amx-bf16"}) {
    const AccumulationModel m = parse_model(spec);
    const auto all = model_gemm(m, M, N, K, A, B, f32f, {});
    const std::vector<std::size_t> subset{5, 0, 11};
    const auto some = model_gemm(m, M, N, K, A, B, f32f, {}, {}, subset);
    for (std::size_t s = 0; s < subset.size(); ++s) EXPECT_EQ(some[s], all[subset[s]]);
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < N; ++j) {
        std::vector<ExactValue> x, y;
        for (std::size_t k = 0; k < K; ++k) {
          x.push_back(decode(bf16, sa[i * K + k]));
          y.push_back(decode(bf16, sb[k * N + j]));
        }
        EXPECT_EQ(model_dot(m, x, y, bf16, bf16, f32f, {}).bits, all[i * N + j]) << spec;
      }
  }
}

}  // namespace
