// The block-FMA model's fast evaluator (src/gemm/block_fma_fast.cpp, with the readable
// evaluator's 64-bit block sums where the fast one does not take a model) against the readable
// evaluator alone (BlockFmaEvaluator::reference: src/gemm/block_fma.cpp, 128-bit and
// ExactAccumulator sums, ExactValue everywhere).
//
// Oracle: the readable evaluator, an independent slow path: its steps are the hand-computed cases
// of tests/test_block_fma.cpp, and through it every NVIDIA preset reproduces the 240,000 recorded
// GPU rows (tests/test_tensor_core_validation.cpp). The fast evaluator must give the same
// ExactValue, every field, for every preset of tensor_core_presets() (and each with its block
// rounding changed, which sends the fast evaluator's rounding outside its case), on random data
// and on data made to leave the fast case: cancellation, subnormal inputs and results, values
// spread over every binade of the input format, infinities and NaNs, products and sums that
// overflow acc, any bit pattern, and K that is not a whole number of instructions.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/encode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/block_fma.hpp"
#include "fpaudit/gemm/models.hpp"
#include "fpaudit/gemm/tensor_core_presets.hpp"

namespace {

using namespace fpaudit;
using gemm::BlockFmaEvaluator;
using gemm::BlockOperand;

// Every field of the value (finite significands compared after stripping trailing zeros, so two
// representations of one value are equal and nothing else is).
::testing::AssertionResult same(const ExactValue& x, const ExactValue& y) {
  auto norm = [](ExactValue v) {
    if (v.cls == ValueClass::finite && v.sig != 0) {
      const int tz = std::countr_zero(v.sig);
      v.sig >>= tz;
      v.exp += tz;
    }
    return v;
  };
  const ExactValue a = norm(x), b = norm(y);
  if (a.cls == b.cls && a.negative == b.negative && a.sig == b.sig && a.exp == b.exp &&
      a.sticky == b.sticky && a.nan_payload == b.nan_payload && a.signaling == b.signaling)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "fast cls " << int(a.cls) << " neg " << a.negative << " sig " << a.sig << " exp "
         << a.exp << " vs reference cls " << int(b.cls) << " neg " << b.negative << " sig " << b.sig
         << " exp " << b.exp;
}

enum class Data {
  normal,       // N(0, 1) rounded into the format
  cancelling,   // x, -x pairs with small remainders
  subnormal,    // subnormals of the format and values near emin
  binades,      // finite patterns with exponents over the whole range
  specials,     // N(0, 1) with a few infinities and NaNs
  overflowing,  // values near the format's largest
  any_bits,     // any bit pattern
  sparse,       // mostly zeros of either sign
};
constexpr Data kAll[] = {Data::normal,   Data::cancelling,  Data::subnormal, Data::binades,
                         Data::specials, Data::overflowing, Data::any_bits,  Data::sparse};

std::uint64_t pattern(const FormatSpec& f, double x) {
  ConvertOptions sat;
  sat.overflow = Overflow::saturate;
  return convert_double(x, f, sat).bits;
}

// K patterns of f.
std::vector<std::uint64_t> make(const FormatSpec& f, Data d, std::size_t K, std::mt19937_64& rng) {
  std::normal_distribution<double> nd(0.0, 1.0);
  std::uniform_int_distribution<int> pct(0, 99);
  const std::uint64_t mant = f.mantissa_mask(), mag = f.magnitude_mask();
  std::vector<std::uint64_t> v(K);
  for (std::size_t k = 0; k < K; ++k) {
    std::uint64_t b = pattern(f, nd(rng));
    switch (d) {
      case Data::normal:
        break;
      case Data::cancelling:
        if (k % 2 == 1) b = v[k - 1] ^ f.sign_bit();                        // exact opposite
        if (pct(rng) < 20) b = pattern(f, nd(rng) * std::ldexp(1.0, -12));  // small remainder
        break;
      case Data::subnormal: {
        const std::uint64_t sub = rng() & mant;
        b = pct(rng) < 60 ? sub : pattern(f, nd(rng) * std::ldexp(1.0, f.emin()));
        if (rng() & 1) b |= f.sign_bit();
        break;
      }
      case Data::binades:
        do b = rng() & mag;
        while (f.is_nan(b) || f.is_inf(b));
        if (rng() & 1) b |= f.sign_bit();
        break;
      case Data::specials:
        if (pct(rng) < 3) b = f.has_inf ? f.inf_bits() : f.default_nan_bits();
        if (pct(rng) < 2) b = f.default_nan_bits();
        if (pct(rng) < 2 && f.has_inf) b = f.inf_bits() | f.sign_bit();
        break;
      case Data::overflowing:
        b = f.max_finite_bits() - (rng() % 4);
        if (pct(rng) < 30) b = pattern(f, nd(rng));
        if (rng() & 1) b |= f.sign_bit();
        break;
      case Data::any_bits:
        b = rng() & f.mask();
        break;
      case Data::sparse:
        if (pct(rng) < 80) b = (rng() & 1) ? f.sign_bit() : 0;
        break;
    }
    v[k] = b & f.mask();
  }
  return v;
}

std::vector<BlockOperand> operands(const FormatSpec& f, const std::vector<std::uint64_t>& bits) {
  std::vector<BlockOperand> v;
  for (std::uint64_t b : bits) v.push_back(gemm::block_operand(decode(f, b), f.emin()));
  return v;
}

// c: a value of acc (zero of either sign, N(0, 1), subnormal, large, or any pattern).
ExactValue make_c(const FormatSpec& acc, std::mt19937_64& rng) {
  std::normal_distribution<double> nd(0.0, 1.0);
  switch (rng() % 6) {
    case 0:
      return ExactValue::zero(false);
    case 1:
      return ExactValue::zero(true);
    case 2:
      return decode(acc, pattern(acc, nd(rng) * 8));
    case 3:
      return decode(acc, (rng() & acc.mantissa_mask()) | ((rng() & 1) ? acc.sign_bit() : 0));
    case 4:
      return decode(acc, acc.max_finite_bits() - (rng() % 8));
    default:
      return decode(acc, rng() & acc.mask());
  }
}

struct Case {
  std::string name;
  gemm::BlockFma block;
  FormatSpec acc;
  Rounding rounding;
  std::vector<std::string> inputs;
};

// Every preset, and each again with its block rounding swapped (rne <-> rtz) and set to rdown,
// and with block sizes the fast evaluator does not know at compile time (3 and 5 consecutive
// products; 3 in instructions of 6 interleaved one by one).
std::vector<Case> cases() {
  std::vector<Case> v;
  for (const auto& p : gemm::tensor_core_presets()) {
    v.push_back({p.name, p.block, p.acc, p.rounding, p.inputs});
    for (const auto& [terms, kinst, interleave] : {std::tuple{3, 3, 0}, {5, 5, 0}, {3, 6, 1}}) {
      gemm::BlockFma b = p.block;
      b.terms = terms;
      b.instruction_k = kinst;
      b.interleave = interleave;
      v.push_back({p.name + " terms " + std::to_string(terms) + " per " + std::to_string(kinst) +
                       " interleave " + std::to_string(interleave),
                   b, p.acc, p.rounding, p.inputs});
    }
    const Rounding other = p.rounding == Rounding::rne ? Rounding::rtz : Rounding::rne;
    v.push_back(
        {p.name + " rounding " + std::string(to_string(other)), p.block, p.acc, other, p.inputs});
    v.push_back({p.name + " rounding rdown", p.block, p.acc, Rounding::rdown, p.inputs});
  }
  return v;
}

TEST(BlockFmaFast, EqualsTheReferenceOnEveryPresetAndAdversarialData) {
  std::mt19937_64 rng(20261125);
  std::size_t dots = 0;
  for (const Case& cs : cases()) {
    const int kinst = cs.block.instruction_k > 0 ? cs.block.instruction_k : cs.block.terms;
    const std::size_t lengths[] = {static_cast<std::size_t>(kinst),
                                   static_cast<std::size_t>(3 * kinst),
                                   static_cast<std::size_t>(3 * kinst + kinst / 2 + 1)};
    gemm::BlockFmaWorkspace ws_fast, ws_ref;
    for (const std::string& in : cs.inputs) {
      const FormatSpec f = format_by_name(in);
      for (Data d : kAll) {
        for (std::size_t K : lengths) {
          for (int rep = 0; rep < 6; ++rep) {
            const auto a = operands(f, make(f, d, K, rng)), b = operands(f, make(f, d, K, rng));
            const ExactValue c = make_c(cs.acc, rng);
            const ExactValue fast =
                gemm::block_fma_dot(cs.block, cs.acc, cs.rounding, a.data(), b.data(), K, c,
                                    ws_fast, nullptr, BlockFmaEvaluator::fast);
            const ExactValue ref =
                gemm::block_fma_dot(cs.block, cs.acc, cs.rounding, a.data(), b.data(), K, c, ws_ref,
                                    nullptr, BlockFmaEvaluator::reference);
            ASSERT_TRUE(same(fast, ref))
                << cs.name << " " << in << " data " << int(d) << " K " << K << " rep " << rep;
            ++dots;
          }
        }
      }
    }
  }
  // 84 (preset, input format) pairs x 6 variants x 8 data x 3 K x 6 repetitions today.
  EXPECT_GE(dots, 72576u);
}

// model_gemm (operands decoded once, significand ORs per row and column handed to the fast
// evaluator) against the readable evaluator per element, every preset, 6 x 5 outputs.
TEST(BlockFmaFast, ModelGemmEqualsTheReferencePerElement) {
  std::mt19937_64 rng(7);
  for (const auto& p : gemm::tensor_core_presets()) {
    const FormatSpec f = format_by_name(p.inputs.front());
    const FormatSpec out = format_by_name(p.output);
    const int kinst = p.block.instruction_k > 0 ? p.block.instruction_k : p.block.terms;
    const std::size_t M = 6, N = 5, K = static_cast<std::size_t>(4 * kinst + 3);
    for (Data d : {Data::normal, Data::binades, Data::subnormal}) {
      const std::vector<std::uint64_t> abits = make(f, d, M * K, rng),
                                       bbits = make(f, d, K * N, rng);
      const std::size_t sb = storage_bytes(f);
      std::vector<std::uint8_t> abytes(M * K * sb), bbytes(K * N * sb);
      for (std::size_t i = 0; i < M * K; ++i)
        for (std::size_t j = 0; j < sb; ++j) abytes[i * sb + j] = std::uint8_t(abits[i] >> (8 * j));
      for (std::size_t i = 0; i < K * N; ++i)
        for (std::size_t j = 0; j < sb; ++j) bbytes[i * sb + j] = std::uint8_t(bbits[i] >> (8 * j));
      gemm::MatrixOperand A, B;
      A.format = B.format = f;
      A.data = abytes.data();
      B.data = bbytes.data();
      gemm::GemmOptions g;
      g.threads = 1;
      const auto r = gemm::model_gemm(p, M, N, K, A, B, out, {}, g);
      gemm::BlockFmaWorkspace ws;
      for (std::size_t i = 0; i < M; ++i) {
        for (std::size_t j = 0; j < N; ++j) {
          std::vector<std::uint64_t> row(abits.begin() + i * K, abits.begin() + (i + 1) * K), col;
          for (std::size_t k = 0; k < K; ++k) col.push_back(bbits[k * N + j]);
          const auto x = operands(f, row), y = operands(f, col);
          const ExactValue v = gemm::block_fma_dot(p.block, p.acc, p.rounding, x.data(), y.data(),
                                                   K, ExactValue::zero(false), ws, nullptr,
                                                   BlockFmaEvaluator::reference);
          ASSERT_EQ(r[i * N + j], encode(out, v, {}).bits)
              << p.name << " data " << int(d) << " element " << i << "," << j;
        }
      }
    }
  }
}

}  // namespace
