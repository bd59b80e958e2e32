// `fpaudit hw check` on a GEMM path (gemm_path.hpp): run the path on generated inputs of several
// kinds and shapes and compare every output element
//   (a) bit for bit with the path's documented accumulation model (gemm::model_gemm on the same
//       inputs): any difference is unexplained, a finding; and
//   (b) with the exact result correctly rounded into the output format (gemm::exact_gemm): how
//       far the path is from exact, in ulps of the output format.
// Input kinds (generated in the path's input formats, seeded, so runs are reproducible):
//   random         values in +-[2^-4, 2^4];
//   cancellation   pairs of products that cancel to a few ulps, plus large terms of both signs;
//   spread         exponents spread over the format's whole normal range (products overflow-free
//                  in binary32);
//   subnormal      products below binary32's normal range, and subnormal inputs (DAZ/FTZ show);
//   specials       2% NaN (quiet and signalling), +-inf, +-0, max finite among random values.
// Shapes: K from 1 to 512 (2, 31, 64, 100, 256, 300, 512), M and N not multiples of 16.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fpaudit/hw/gemm_path.hpp"

namespace fpaudit::hw {

struct GemmMismatch {
  std::size_t i = 0, j = 0;
  std::uint64_t model = 0, got = 0, exact = 0;  // patterns of the output format
};

struct GemmCaseResult {
  std::string kind;  // random, cancellation, spread, subnormal, specials
  std::size_t M = 0, N = 0, K = 0;
  std::string run_note;                // what the path reported (oneDNN: impl and ISA)
  std::string model;                   // the model this case was compared with ("" : none)
  std::uint64_t vs_model = 0;          // elements that differ from the model
  std::uint64_t vs_model_nan = 0;      // ... of which both are NaN (which NaN came out)
  std::vector<GemmMismatch> examples;  // the first few of them, in row-major order
  std::uint64_t exact_equal = 0;       // elements equal to the correctly rounded exact result
  std::uint64_t max_ulps = 0;          // largest distance from it among finite pairs
  std::uint64_t nonfinite_differs = 0;  // inf/NaN against a different exact result (not NaN-NaN)
};

struct GemmCheckResult {
  std::string path, model;  // the model compared with (empty: none documented; for a path with
                            // model_for_run, the models used, joined by " | ")
  std::vector<GemmCaseResult> cases;
  std::uint64_t elements = 0, vs_model = 0, vs_model_nan = 0, exact_equal = 0, max_ulps = 0;
  double seconds = 0;
  bool finding() const { return !model.empty() && vs_model != 0; }
};

struct GemmCheckOptions {
  std::string model;  // a model spec to compare with instead of the path's own (search aid)
  std::uint64_t seed = 0x5eed;
  std::size_t examples = 3;  // mismatch examples kept per case
  unsigned threads = 0;      // for the models and the exact reference (0: all cores)
  bool large = false;        // also a 64 x 96 x 1024 random case
};

// The input kinds, in report order.
std::vector<std::string> gemm_check_kinds();

// Generated operands (row-major, storage_bytes containers) of one kind: A is M x K, B K x N.
void generate_gemm_inputs(const std::string& kind, const FormatSpec& fa, const FormatSpec& fb,
                          std::size_t M, std::size_t N, std::size_t K, std::uint64_t seed,
                          std::vector<std::uint8_t>& A, std::vector<std::uint8_t>& B);

// Throws std::invalid_argument when the path is unavailable (with the reason) or the model
// spec does not parse.
GemmCheckResult check_gemm_path(const GemmPath& p, const GemmCheckOptions& opt = {});

// Distance in ulps of f between two finite patterns (adjacent values: 1; +0 and -0: 0).
std::uint64_t ulp_distance(const FormatSpec& f, std::uint64_t a, std::uint64_t b);

}  // namespace fpaudit::hw
