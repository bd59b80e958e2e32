// The GEMM path check (include/fpaudit/hw/gemm_check.hpp): generated inputs, the path, the
// documented accumulation model and the exact reference, compared element by element.
#include "fpaudit/hw/gemm_check.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/gemm/models.hpp"

namespace fpaudit::hw {
namespace {

// A pattern of f from its fields (IEEE-style formats: every generated format is).
std::uint64_t pattern(const FormatSpec& f, bool neg, std::uint64_t field, std::uint64_t mant) {
  return (neg ? f.sign_bit() : 0) | (field << f.mantissa_bits) | (mant & f.mantissa_mask());
}

// A normal value of f with exponent e (clamped to f's normal range) and a random significand.
std::uint64_t normal(const FormatSpec& f, std::mt19937_64& rng, bool neg, int e) {
  e = std::clamp(e, f.emin(), f.emax());
  return pattern(f, neg, static_cast<std::uint64_t>(e + f.bias), rng());
}

void put(std::vector<std::uint8_t>& v, const FormatSpec& f, std::size_t i, std::uint64_t bits) {
  const std::size_t w = storage_bytes(f);
  for (std::size_t b = 0; b < w; ++b) v[i * w + b] = static_cast<std::uint8_t>(bits >> (8 * b));
}

std::uint64_t get(const std::vector<std::uint8_t>& v, const FormatSpec& f, std::size_t i) {
  const std::size_t w = storage_bytes(f);
  std::uint64_t bits = 0;
  for (std::size_t b = 0; b < w; ++b) bits |= std::uint64_t{v[i * w + b]} << (8 * b);
  return bits;
}

// One element of a kind: `k` is the K index (cancellation pairs K elements), `partner` the
// element generated just before at k - 1 in the same row/column (for cancellation).
std::uint64_t element(const std::string& kind, const FormatSpec& f, std::mt19937_64& rng,
                      std::size_t k, std::uint64_t partner, bool is_b) {
  const bool neg = rng() & 1;
  auto uniform = [&](int lo, int hi) {
    return lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
  };
  if (kind == "random") return normal(f, rng, neg, uniform(-4, 3));
  if (kind == "cancellation") {
    // Even k: a random value (every 16th a large one); odd k in A: the same value as k - 1;
    // odd k in B: the negation of k - 1, one ulp moved in one case in four. The products
    // a_k b_k + a_{k+1} b_{k+1} cancel exactly or to one ulp of the larger.
    if (k % 2 == 0) return normal(f, rng, neg, k % 16 == 0 ? uniform(3, 6) : uniform(-2, 2));
    if (!is_b) return partner;
    std::uint64_t x = partner ^ f.sign_bit();
    if (rng() % 4 == 0 && (x & f.mantissa_mask()) != f.mantissa_mask()) ++x;
    return x;
  }
  if (kind == "spread") {
    // Half the normal range either side of 1: products stay inside binary32's range.
    const int half = std::min(f.emax(), 60) / 2 * 2 - (f.emax() > 60 ? 0 : 2);
    return normal(f, rng, neg, uniform(-half, half));
  }
  if (kind == "subnormal") {
    const std::uint64_t r = rng() % 8;
    if (r == 0 && f.has_subnormals) return pattern(f, neg, 0, 1 + rng() % f.mantissa_mask());
    // bfloat16: 2^-70 x 2^-70 is below binary32's 2^-126; binary16's smallest products are
    // 2^-28 and above, so its small values sit at the bottom of its normal range.
    const int e = f.emin() < -100 ? uniform(-75, -55) : uniform(f.emin(), f.emin() + 3);
    return normal(f, rng, neg, e);
  }
  if (kind == "specials") {
    const std::uint64_t r = rng() % 100;
    if (r == 0) return f.inf_bits() | (neg ? f.sign_bit() : 0);
    if (r == 1) return pattern(f, neg, f.max_exponent_field(), (f.mantissa_mask() >> 1) + 1 + rng() % 4);
    if (r == 2) return pattern(f, neg, f.max_exponent_field(), 1 + rng() % 4);  // signalling
    if (r == 3) return neg ? f.sign_bit() : 0;
    if (r == 4) return f.max_finite_bits() | (neg ? f.sign_bit() : 0);
    return normal(f, rng, neg, uniform(-4, 3));
  }
  throw std::invalid_argument("unknown GEMM check input kind " + kind);
}

struct Shape {
  std::size_t M, N, K;
};

const Shape kShapes[] = {{3, 5, 1}, {7, 19, 2}, {5, 17, 31}, {16, 16, 64},
                         {13, 33, 100}, {9, 20, 256}, {4, 18, 300}, {20, 24, 512}};

}  // namespace

std::vector<std::string> gemm_check_kinds() {
  return {"random", "cancellation", "spread", "subnormal", "specials"};
}

void generate_gemm_inputs(const std::string& kind, const FormatSpec& fa, const FormatSpec& fb,
                          std::size_t M, std::size_t N, std::size_t K, std::uint64_t seed,
                          std::vector<std::uint8_t>& A, std::vector<std::uint8_t>& B) {
  std::mt19937_64 rng(seed ^ std::hash<std::string>{}(kind) ^ (M * 1000003 + N * 1009 + K));
  A.assign(M * K * storage_bytes(fa), 0);
  B.assign(K * N * storage_bytes(fb), 0);
  for (std::size_t i = 0; i < M; ++i) {
    std::uint64_t prev = 0;
    for (std::size_t k = 0; k < K; ++k) {
      prev = element(kind, fa, rng, k, prev, false);
      put(A, fa, i * K + k, prev);
    }
  }
  for (std::size_t j = 0; j < N; ++j) {
    std::uint64_t prev = 0;
    for (std::size_t k = 0; k < K; ++k) {
      prev = element(kind, fb, rng, k, prev, true);
      put(B, fb, k * N + j, prev);
    }
  }
}

std::uint64_t ulp_distance(const FormatSpec& f, std::uint64_t a, std::uint64_t b) {
  auto ord = [&](std::uint64_t x) {
    const auto mag = static_cast<std::int64_t>(x & f.magnitude_mask());
    return f.is_negative(x) ? -mag : mag;
  };
  const std::int64_t d = ord(a) - ord(b);
  return static_cast<std::uint64_t>(d < 0 ? -d : d);
}

GemmCheckResult check_gemm_path(const GemmPath& p, const GemmCheckOptions& opt) {
  std::string why;
  if (!path_available(p, &why))
    throw std::invalid_argument("path " + p.name + " is unavailable here: " + why);
  const auto start = std::chrono::steady_clock::now();
  GemmCheckResult r;
  r.path = p.name;
  if (!opt.model.empty()) gemm::parse_model(opt.model);  // a bad spec fails before any run
  std::vector<std::string> used;
  gemm::GemmOptions g;
  g.threads = opt.threads;
  const ConvertOptions rne;

  std::vector<Shape> shapes(std::begin(kShapes), std::end(kShapes));
  if (opt.large) shapes.push_back({64, 96, 1024});
  for (const std::string& kind : gemm_check_kinds())
    for (const Shape& s : shapes) {
      GemmCaseResult c;
      c.kind = kind;
      c.M = s.M, c.N = s.N, c.K = s.K;
      std::vector<std::uint8_t> A, B;
      generate_gemm_inputs(kind, p.a, p.b, s.M, s.N, s.K, opt.seed, A, B);
      std::vector<std::uint8_t> C(s.M * s.N * storage_bytes(p.out), 0);
      c.run_note = p.run(s.M, s.N, s.K, A.data(), B.data(), C.data());
      c.model = !opt.model.empty() ? opt.model
                : p.model_for_run  ? p.model_for_run(c.run_note)
                                   : p.model;
      std::optional<gemm::AccumulationModel> model;
      if (!c.model.empty()) {
        model = gemm::parse_model(c.model);
        if (std::find(used.begin(), used.end(), c.model) == used.end()) used.push_back(c.model);
      }

      gemm::MatrixOperand a, b;
      a.format = p.a;
      a.data = A.data();
      b.format = p.b;
      b.data = B.data();
      const gemm::GemmResult exact = gemm::exact_gemm(s.M, s.N, s.K, a, b, p.out, rne, g);
      std::vector<std::uint64_t> modeled;
      if (model) modeled = gemm::model_gemm(*model, s.M, s.N, s.K, a, b, p.out, rne, g);
      for (std::size_t e = 0; e < s.M * s.N; ++e) {
        const std::uint64_t got = get(C, p.out, e) & p.out.mask(), x = exact.bits[e];
        if (model && modeled[e] != got) {
          ++c.vs_model;
          if (p.out.is_nan(got) && p.out.is_nan(modeled[e])) ++c.vs_model_nan;
          if (c.examples.size() < opt.examples)
            c.examples.push_back({e / s.N, e % s.N, modeled[e], got, x});
        }
        if (got == x) {
          ++c.exact_equal;
        } else if (p.out.is_nan(got) || p.out.is_inf(got) || p.out.is_nan(x) || p.out.is_inf(x)) {
          if (!(p.out.is_nan(got) && p.out.is_nan(x))) ++c.nonfinite_differs;
        } else {
          c.max_ulps = std::max(c.max_ulps, ulp_distance(p.out, got, x));
        }
      }
      r.elements += s.M * s.N;
      r.vs_model += c.vs_model;
      r.vs_model_nan += c.vs_model_nan;
      r.exact_equal += c.exact_equal;
      r.max_ulps = std::max(r.max_ulps, c.max_ulps);
      r.cases.push_back(std::move(c));
    }
  for (const std::string& m : used) r.model += (r.model.empty() ? "" : " | ") + m;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace fpaudit::hw
