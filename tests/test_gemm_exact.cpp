// The exact GEMM reference (include/fpaudit/gemm/exact_gemm.hpp) and its accumulator.
//
// Oracle: MPFR. Each element is the MPFR sum of the MPFR products of the operands, decoded from
// their bit fields by fpaudit::reference::reference_decode (which does not use src/codec), at
// 8192 bits of precision (every sum here spans far fewer bits, so each MPFR step is exact; the
// ternary values are checked), then rounded into the output format by
// fpaudit::reference::round_mpfr, the MPFR implementation of docs/CONVERSION_RULES.md. Block and
// tensor scales are multiplied in MPFR too. Zero signs come from MPFR's IEEE signed-zero rules
// (the sums are formed with the rounding direction of the test, as IEEE 754-2019 6.3 needs).
// NaN results are compared as "is a NaN" (MPFR carries no payload), except in the test that
// checks payload propagation against a literal pattern.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_accumulator.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/reference/mpfr_reference.hpp"
#include "gemm_test_mpfr.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::gemm;

using gemm_test::kPrec;
using gemm_test::Mpfr;

// A matrix of bit patterns with its format, stored packed in `layout`.
struct Mat {
  FormatSpec f;
  std::size_t rows = 0, cols = 0;
  Layout layout = Layout::row_major;
  std::size_t ld = 0;
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint64_t> logical;  // row-major bits, for the oracle

  std::uint64_t at(std::size_t r, std::size_t c) const { return logical[r * cols + c]; }
  MatrixOperand operand() const {
    MatrixOperand m;
    m.format = f;
    m.data = bytes.data();
    m.layout = layout;
    m.ld = ld;
    return m;
  }
};

Mat make_mat(const FormatSpec& f, std::size_t rows, std::size_t cols,
             const std::vector<std::uint64_t>& bits, Layout layout = Layout::row_major,
             std::size_t pad = 0) {
  Mat m;
  m.f = f;
  m.rows = rows;
  m.cols = cols;
  m.layout = layout;
  m.logical = bits;
  const std::size_t sb = storage_bytes(f);
  const std::size_t ld = (layout == Layout::row_major ? cols : rows) + pad;
  m.ld = ld;
  const std::size_t outer = layout == Layout::row_major ? rows : cols;
  m.bytes.assign(outer * ld * sb + 8, 0xAB);  // padding bytes hold garbage on purpose
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t idx = layout == Layout::row_major ? r * ld + c : c * ld + r;
      const std::uint64_t b = bits[r * cols + c];
      for (std::size_t i = 0; i < sb; ++i) m.bytes[idx * sb + i] = static_cast<std::uint8_t>(b >> (8 * i));
    }
  return m;
}

// Random finite patterns: mostly values of a normal distribution rounded to f, some random bit
// patterns (every binade, subnormals included), some zeros.
std::vector<std::uint64_t> random_bits(const FormatSpec& f, std::size_t n, std::mt19937_64& rng,
                                       double scale = 1.0, bool specials = false) {
  std::normal_distribution<double> nd(0.0, scale);
  std::vector<std::uint64_t> v(n);
  ConvertOptions sat;
  sat.overflow = Overflow::saturate;
  for (auto& b : v) {
    const auto kind = rng() % 16;
    if (kind < 11) {
      b = convert_double(nd(rng), f, sat).bits;
    } else if (kind < 15) {
      do b = rng() & f.mask();
      while (!specials && (f.is_nan(b) || f.is_inf(b)));
    } else {
      b = (rng() & 1) ? f.sign_bit() : 0;
      if (f.is_nan(b)) b = 0;
    }
  }
  return v;
}

// Oracle: exact sums (MPFR) for every element, with optional per-block and tensor scales.
struct Scales {
  const Mat* a = nullptr;  // scale matrices (A: M x nblk, B: nblk x N), logical row-major bits
  const Mat* b = nullptr;
  int block = 0;
  double tensor = 1.0;  // sA * sB (exact in binary64 here)
};

std::vector<Encoded> oracle(const Mat& A, const Mat& B, const FormatSpec& out,
                            const ConvertOptions& opt, const Scales& sc = {}) {
  const std::size_t M = A.rows, K = A.cols, N = B.cols;
  const mpfr_rnd_t zero_mode = opt.rounding == Rounding::rdown ? MPFR_RNDD : MPFR_RNDN;
  std::vector<Encoded> res(M * N);
  Mpfr x, y, p, s;
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      mpfr_set_zero(s.v, 1);
      bool first = true;
      for (std::size_t k = 0; k < K; ++k) {
        reference::reference_decode(A.f, A.at(i, k), x.v);
        reference::reference_decode(B.f, B.at(k, j), y.v);
        mpfr_prec_round(x.v, kPrec, MPFR_RNDN);
        mpfr_prec_round(y.v, kPrec, MPFR_RNDN);
        if (sc.a) {
          Mpfr t;
          reference::reference_decode(sc.a->f, sc.a->at(i, k / sc.block), t.v);
          EXPECT_EQ(mpfr_mul(x.v, x.v, t.v, MPFR_RNDN), 0);
          reference::reference_decode(sc.b->f, sc.b->at(k / sc.block, j), t.v);
          EXPECT_EQ(mpfr_mul(y.v, y.v, t.v, MPFR_RNDN), 0);
        }
        EXPECT_EQ(mpfr_mul(p.v, x.v, y.v, zero_mode), 0);
        if (first) mpfr_set(s.v, p.v, MPFR_RNDN);
        else EXPECT_EQ(mpfr_add(s.v, s.v, p.v, zero_mode), 0);
        first = false;
      }
      if (sc.tensor != 1.0) {
        // A zero sum of cancelling products stays +0 when scaled: fpaudit scales the exact
        // sum's value (see exact_gemm.hpp), not each product.
        if (!mpfr_zero_p(s.v)) EXPECT_EQ(mpfr_mul_d(s.v, s.v, sc.tensor, MPFR_RNDN), 0);
        else if (sc.tensor < 0) mpfr_neg(s.v, s.v, MPFR_RNDN);
      }
      res[i * N + j] = reference::round_mpfr(out, s.v, opt, i * N + j);
    }
  return res;
}

bool same(const FormatSpec& f, const Encoded& want, std::uint64_t got) {
  if (f.is_nan(want.bits)) return f.is_nan(got);
  return want.bits == got;
}

void expect_matches(const std::vector<Encoded>& want, const GemmResult& got, const FormatSpec& out,
                    const std::string& what) {
  ASSERT_EQ(want.size(), got.bits.size());
  int bad = 0;
  for (std::size_t e = 0; e < want.size(); ++e)
    if (!same(out, want[e], got.bits[e]) && ++bad <= 5)
      ADD_FAILURE() << what << " [" << got.backend << "] element " << e << ": want 0x" << std::hex
                    << want[e].bits << " got 0x" << got.bits[e];
}

std::vector<Backend> backends() {
  std::vector<Backend> v{Backend::scalar, Backend::builtin};
  if (blas_available()) v.push_back(Backend::blas);
  return v;
}

// ---- the accumulator itself ----

TEST(ExactAccumulator, SizesFromFormats) {
  // binary16 x binary16: smallest product 2^-24 * 2^-24 = 2^-48; largest below 2^16 * 2^16.
  const auto r = product_range(format_by_name("binary16"), format_by_name("binary16"), 32);
  EXPECT_EQ(r.lsb_exponent, -48);
  EXPECT_EQ(r.msb_exponent, 32 + 32);
  // bfloat16: smallest subnormal 2^-133, so products down to 2^-266.
  const auto b = product_range(format_by_name("bfloat16"), format_by_name("bfloat16"), 32);
  EXPECT_EQ(b.lsb_exponent, -266);
  EXPECT_EQ(b.msb_exponent, 256 + 32);
}

TEST(ExactAccumulator, HugeCancellationThenTinyTerm) {
  const FormatSpec f32 = format_by_name("binary32");
  ExactAccumulator acc(product_range(f32, f32, 32));
  const ExactValue big = ExactValue::finite(false, 0xFFFFFF, 104);  // max binary32
  const ExactValue tiny = ExactValue::finite(false, 1, -149);        // min subnormal
  acc.add_product(big, big);
  acc.add_product(tiny, tiny);  // 2^-298
  acc.add_product(big, ExactValue::finite(true, 0xFFFFFF, 104));
  const ExactValue v = acc.value();
  ASSERT_EQ(v.cls, ValueClass::finite);
  EXPECT_EQ(v.sig >> 63, 1u);  // normalised
  EXPECT_EQ(v.exp + 63, -298);
  EXPECT_FALSE(v.sticky);
}

TEST(ExactAccumulator, ManyTermsSettleCarries) {
  // 3 x 2^20 additions of (2^32 - 1) x 2^11: every word of the register takes carries.
  ExactAccumulator acc({0, 128});
  const std::uint64_t n = 3ull << 20;
  for (std::uint64_t i = 0; i < n; ++i) acc.add_scaled(false, std::uint64_t{0xFFFFFFFF} << 11, 0);
  const ExactValue v = acc.value();
  ASSERT_EQ(v.cls, ValueClass::finite);
  // Value = 3 * (2^32 - 1) * 2^31: significand 3*(2^32-1) = 0x2FFFFFFFD normalised.
  const std::uint64_t s = 3ull * 0xFFFFFFFFull;
  const int lz = __builtin_clzll(s);
  EXPECT_EQ(v.sig, s << lz);
  EXPECT_EQ(v.exp, 31 - lz);
  EXPECT_FALSE(v.sticky);
}

TEST(ExactAccumulator, MultiplyByScale) {
  ExactAccumulator acc({-10, 80});
  acc.add_scaled(false, std::uint64_t{0x123456789}, -7);
  acc.multiply(ExactValue::finite(true, 0xABCDEF, 3));
  const ExactValue v = acc.value();
  const std::uint64_t s = std::uint64_t{0x123456789} * 0xABCDEF;  // 57 bits: no overflow
  const int lz = __builtin_clzll(s);
  EXPECT_TRUE(v.negative);
  EXPECT_EQ(v.sig, s << lz);
  EXPECT_EQ(v.exp, -4 - lz);
}

// ---- GEMM against MPFR ----

struct Case {
  const char* in;
  const char* out;
};

TEST(ExactGemm, RandomMatchesMpfr) {
  std::mt19937_64 rng(12345);
  const Case cases[] = {{"float8_e4m3fn", "binary32"}, {"float8_e5m2", "bfloat16"},
                        {"binary16", "binary32"},      {"binary16", "binary16"},
                        {"bfloat16", "binary32"},      {"bfloat16", "bfloat16"},
                        {"binary32", "binary32"},      {"float4_e2m1fn", "float8_e4m3fn"},
                        {"binary32", "binary64"}};
  for (const Case& c : cases) {
    const FormatSpec fi = format_by_name(c.in), fo = format_by_name(c.out);
    const std::size_t M = 7, N = 9, K = 37;
    const Mat A = make_mat(fi, M, K, random_bits(fi, M * K, rng), Layout::row_major, 3);
    const Mat B = make_mat(fi, K, N, random_bits(fi, K * N, rng), Layout::col_major, 1);
    for (Rounding r : {Rounding::rne, Rounding::rtz, Rounding::rup, Rounding::rdown, Rounding::sr}) {
      ConvertOptions opt;
      opt.rounding = r;
      opt.seed = 77;  // sr: element (i, j) draws with index i N + j
      if (r == Rounding::sr && fo.precision() > 40) continue;  // 64 bits carry sr_bits only to 48
      const auto want = oracle(A, B, fo, opt);
      for (Backend be : backends()) {
        GemmOptions g;
        g.backend = be;
        g.threads = 2;
        const GemmResult got = exact_gemm(M, N, K, A.operand(), B.operand(), fo, opt, g);
        expect_matches(want, got, fo, std::string(c.in) + "->" + c.out + " " +
                                          std::string(to_string(r)));
      }
    }
  }
}

TEST(ExactGemm, LongKFullRangeFp16) {
  // K = 3000 of fp16 patterns spanning every binade: slices are narrow (w_A + w_B = 41) and the
  // lower slices dense; also a sparse-tail case (normal data plus a few tiny elements).
  std::mt19937_64 rng(99);
  const FormatSpec f16 = format_by_name("binary16"), f32 = format_by_name("binary32");
  const std::size_t M = 3, N = 4, K = 3000;
  std::vector<std::uint64_t> a(M * K), b(K * N);
  for (auto& x : a) do x = rng() & 0xFFFF; while (f16.is_nan(x) || f16.is_inf(x));
  for (auto& x : b) do x = rng() & 0xFFFF; while (f16.is_nan(x) || f16.is_inf(x));
  const Mat A = make_mat(f16, M, K, a), B = make_mat(f16, K, N, b);
  ConvertOptions opt;
  const auto want = oracle(A, B, f32, opt);
  for (Backend be : backends()) {
    GemmOptions g;
    g.backend = be;
    expect_matches(want, exact_gemm(M, N, K, A.operand(), B.operand(), f32, opt, g), f32, "wide");
  }
  std::vector<std::uint64_t> a2 = random_bits(f16, M * K, rng), b2 = random_bits(f16, K * N, rng);
  for (std::size_t i = 0; i < a2.size(); i += 97) a2[i] = 0x0001;  // smallest subnormal
  const Mat A2 = make_mat(f16, M, K, a2), B2 = make_mat(f16, K, N, b2);
  const auto want2 = oracle(A2, B2, f32, opt);
  for (Backend be : backends()) {
    GemmOptions g;
    g.backend = be;
    expect_matches(want2, exact_gemm(M, N, K, A2.operand(), B2.operand(), f32, opt, g), f32, "tail");
  }
}

TEST(ExactGemm, Adversarial) {
  const FormatSpec bf16 = format_by_name("bfloat16"), f16 = format_by_name("binary16"),
                   f32 = format_by_name("binary32");
  ConvertOptions rne;
  auto bfb = [&](double x) { return convert_double(x, bf16, rne).bits; };
  auto f16b = [&](double x) { return convert_double(x, f16, rne).bits; };
  struct Adv {
    const char* name;
    FormatSpec in, out;
    std::vector<std::uint64_t> a, b;  // one dot product: A 1 x K, B K x 1
  };
  std::vector<Adv> cases = {
      // Catastrophic cancellation: 2^120 - 2^120 + 2^-120 is exactly 2^-120.
      {"cancellation", bf16, f32,
       {bfb(0x1p60), bfb(-0x1p60), bfb(0x1p-60)}, {bfb(0x1p60), bfb(0x1p60), bfb(0x1p-60)}},
      // Spread of 500 binades; the tiny term decides the rounding of 1 + 2^-24 + tiny.
      {"wide spread", bf16, f32,
       {bfb(1.0), bfb(0x1p-12), bfb(0x1p-133)}, {bfb(1.0), bfb(0x1p-12), bfb(0x1p-120)}},
      // Subnormal products (fp16 2^-24 x 2^-24 = 2^-48) summed into a binary32 subnormal? no:
      // into binary16, where they vanish except through the sticky bit.
      {"subnormal products", f16, f16,
       {0x0001, 0x0001, 0x0200}, {0x0001, 0x3C00, 0x0001}},
      // Output overflow: 3 x 65504^2 into binary16 is +inf (and exactly 2^128-ish into fp32).
      {"overflow", f16, f16, {f16b(65504), f16b(65504), f16b(65504)}, {f16b(65504), f16b(1), f16b(1)}},
      {"overflow to fp32 inf", bf16, f32, {bfb(0x1p127)}, {bfb(0x1p127)}},
      // Every product -0: the sum is -0; mixed: +0.
      {"all negative zeros", f16, f32, {0x8000, 0x0000}, {0x3C00, 0x8000}},
      {"mixed zeros", f16, f32, {0x8000, 0x0000}, {0x3C00, 0x3C00}},
  };
  for (const Adv& c : cases) {
    const std::size_t K = c.a.size();
    const Mat A = make_mat(c.in, 1, K, c.a), B = make_mat(c.in, K, 1, c.b);
    for (Rounding r : {Rounding::rne, Rounding::rdown, Rounding::rtz}) {
      ConvertOptions opt;
      opt.rounding = r;
      const auto want = oracle(A, B, c.out, opt);
      for (Backend be : backends()) {
        GemmOptions g;
        g.backend = be;
        expect_matches(want, exact_gemm(1, 1, K, A.operand(), B.operand(), c.out, opt, g), c.out,
                       std::string(c.name) + " " + std::string(to_string(r)));
      }
    }
  }
}

TEST(ExactGemm, ZeroRowsAndColumns) {
  // Rows and columns of signed zeros next to ordinary ones: zero-sign rules on the sliced path.
  std::mt19937_64 rng(17);
  const FormatSpec f16 = format_by_name("binary16"), f32 = format_by_name("binary32");
  const std::size_t M = 4, N = 5, K = 6;
  auto a = random_bits(f16, M * K, rng), b = random_bits(f16, K * N, rng);
  for (std::size_t k = 0; k < K; ++k) {
    a[1 * K + k] = 0x8000;                      // row 1: all -0
    a[2 * K + k] = (k % 2) ? 0x8000 : 0x0000;   // row 2: mixed zeros
    b[k * N + 3] = 0x0000;                      // column 3: all +0
    b[k * N + 4] = 0xBC00;                      // column 4: all -1
  }
  const Mat A = make_mat(f16, M, K, a), B = make_mat(f16, K, N, b);
  for (Rounding r : {Rounding::rne, Rounding::rdown}) {
    ConvertOptions opt;
    opt.rounding = r;
    const auto want = oracle(A, B, f32, opt);
    for (Backend be : backends()) {
      GemmOptions g;
      g.backend = be;
      expect_matches(want, exact_gemm(M, N, K, A.operand(), B.operand(), f32, opt, g), f32, "zeros");
      // Bit-exact including the sign of zero (expect_matches compares NaN loosely only).
      const auto got = exact_gemm(M, N, K, A.operand(), B.operand(), f32, opt, g);
      for (std::size_t e = 0; e < M * N; ++e) EXPECT_EQ(got.bits[e], want[e].bits) << e;
    }
  }
}

TEST(ExactGemm, SpecialValues) {
  const FormatSpec f16 = format_by_name("binary16"), f32 = format_by_name("binary32");
  const std::uint64_t one = 0x3C00, inf = 0x7C00, ninf = 0xFC00, zero = 0, qnan = 0x7E01,
                      snan = 0x7C02;
  ConvertOptions opt;
  struct Sp {
    std::vector<std::uint64_t> a, b;
    std::uint64_t want;  // binary32 bits
    std::uint8_t flags;
  };
  const Sp cases[] = {
      {{one, inf}, {one, one}, 0x7F800000, 0},                       // 1 + inf = inf
      {{inf, ninf}, {one, one}, 0x7FC00000, Flags::invalid},          // inf - inf: default NaN
      {{zero, one}, {inf, one}, 0x7FC00000, Flags::invalid},          // 0 x inf
      {{one, qnan, snan}, {one, one, one}, 0x7FC02000, Flags::invalid},  // first NaN's payload;
                                                                         // an sNaN: invalid
      {{snan, qnan}, {one, one}, 0x7FC04000, Flags::invalid},         // sNaN first: quieted
      {{one, one}, {ninf, qnan}, 0x7FC02000, 0},                      // NaN beats inf
  };
  for (const Sp& c : cases) {
    const std::size_t K = c.a.size();
    // Put the special dot product in a 3 x 3 GEMM so the sliced path has ordinary neighbours.
    std::vector<std::uint64_t> a(3 * K, one), b(K * 3, one);
    for (std::size_t k = 0; k < K; ++k) {
      a[1 * K + k] = c.a[k];
      b[k * 3 + 2] = c.b[k];
    }
    const Mat A = make_mat(f16, 3, K, a), B = make_mat(f16, K, 3, b);
    for (Backend be : backends()) {
      GemmOptions g;
      g.backend = be;
      const GemmResult r = exact_gemm(3, 3, K, A.operand(), B.operand(), f32, opt, g);
      EXPECT_EQ(r.bits[1 * 3 + 2], c.want) << "backend " << r.backend;
      EXPECT_EQ(r.bits[0], 0x40000000u + (K == 3 ? 0x400000u : 0)) << r.backend;  // K x 1
      EXPECT_EQ(r.flags.bits & Flags::invalid, c.flags & Flags::invalid) << r.backend;
    }
  }
}

TEST(ExactGemm, MxAndNvfp4Scales) {
  std::mt19937_64 rng(7);
  const FormatSpec e4m3 = format_by_name("float8_e4m3fn"), e8m0 = format_by_name("float8_e8m0fnu"),
                   e2m1 = format_by_name("float4_e2m1fn"), f32 = format_by_name("binary32"),
                   bf16 = format_by_name("bfloat16");
  ConvertOptions opt;
  const std::size_t M = 4, N = 5, K = 80;
  // MXFP8: E8M0 scales per 32 along K (ceil(80/32) = 3 blocks), exponents across the range.
  {
    const std::size_t nb = 3;
    std::vector<std::uint64_t> sa(M * nb), sb(nb * N);
    for (auto& s : sa) s = 127 + static_cast<int>(rng() % 61) - 30;
    for (auto& s : sb) s = 127 + static_cast<int>(rng() % 61) - 30;
    sa[0] = 0;     // 2^-127
    sb[1] = 254;   // 2^127
    const Mat A = make_mat(e4m3, M, K, random_bits(e4m3, M * K, rng));
    const Mat B = make_mat(e4m3, K, N, random_bits(e4m3, K * N, rng));
    const Mat SA = make_mat(e8m0, M, nb, sa), SB = make_mat(e8m0, nb, N, sb, Layout::col_major);
    Scales sc{&SA, &SB, 32, 1.0};
    for (const FormatSpec& out : {f32, bf16}) {
      const auto want = oracle(A, B, out, opt, sc);
      for (Backend be : backends()) {
        MatrixOperand a = A.operand(), b = B.operand();
        a.block_scales = BlockScales{e8m0, 32, SA.bytes.data(), Layout::row_major, 0};
        b.block_scales = BlockScales{e8m0, 32, SB.bytes.data(), Layout::col_major, 0};
        GemmOptions g;
        g.backend = be;
        expect_matches(want, exact_gemm(M, N, K, a, b, out, opt, g), out, "mxfp8");
      }
    }
  }
  // NVFP4: E2M1 elements, E4M3 scales per 16, binary32 tensor scales (exact product 2^-3 * 0.3f).
  {
    const std::size_t nb = 5;
    const Mat A = make_mat(e2m1, M, K, random_bits(e2m1, M * K, rng, 3.0));
    const Mat B = make_mat(e2m1, K, N, random_bits(e2m1, K * N, rng, 3.0));
    std::vector<std::uint64_t> sa(M * nb), sb(nb * N);
    for (auto& s : sa) s = 0x08 + rng() % 0x70;  // positive normal E4M3 scales
    for (auto& s : sb) s = 0x08 + rng() % 0x70;
    const Mat SA = make_mat(e4m3, M, nb, sa), SB = make_mat(e4m3, nb, N, sb);
    const float ta = 0.125f, tb = 0.3f;
    Scales sc{&SA, &SB, 16, static_cast<double>(ta) * static_cast<double>(tb)};
    const auto want = oracle(A, B, f32, opt, sc);
    for (Backend be : backends()) {
      MatrixOperand a = A.operand(), b = B.operand();
      a.block_scales = BlockScales{e4m3, 16, SA.bytes.data(), Layout::row_major, 0};
      b.block_scales = BlockScales{e4m3, 16, SB.bytes.data(), Layout::row_major, 0};
      a.tensor_scale = from_float(ta);
      b.tensor_scale = from_float(tb);
      GemmOptions g;
      g.backend = be;
      expect_matches(want, exact_gemm(M, N, K, a, b, f32, opt, g), f32, "nvfp4");
    }
  }
}

TEST(ExactGemm, DotMatchesGemm) {
  // exact_dot on decoded vectors agrees with a 1 x 1 GEMM (and both with MPFR above).
  std::mt19937_64 rng(3);
  const FormatSpec bf16 = format_by_name("bfloat16"), f32 = format_by_name("binary32");
  const std::size_t K = 300;
  const auto a = random_bits(bf16, K, rng), b = random_bits(bf16, K, rng);
  const Mat A = make_mat(bf16, 1, K, a), B = make_mat(bf16, K, 1, b);
  ConvertOptions opt;
  const auto want = oracle(A, B, f32, opt);
  EXPECT_EQ(exact_dot(bf16, a, bf16, b, f32, opt).bits, want[0].bits);
}

}  // namespace
