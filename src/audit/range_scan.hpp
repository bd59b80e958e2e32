// The range pass's per-element work (tensor_audit.cpp): counts of NaNs and zeros, the largest
// finite and the smallest nonzero finite magnitude, and a count per binary64 exponent field.
// A portable loop and an AVX-512 one, chosen at run time; both give the same numbers (integers
// and magnitudes compared as bit patterns: no rounding anywhere). Internal to src/audit.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace fpaudit::audit::detail {

struct RangeScan {
  static constexpr std::size_t kFields = 2048;  // binary64 exponent fields
  static constexpr std::size_t kTables = 8;     // interleaved counts (see range_scan.cpp)
  std::uint64_t count = 0, nan = 0, zero = 0;
  std::uint64_t amax_bits = 0;                 // |x| of the largest finite value, as bits
  std::uint64_t min_bits = ~std::uint64_t{0};  // |x| of the smallest nonzero finite, as bits
  std::vector<std::uint64_t> tables = std::vector<std::uint64_t>(kTables * kFields);
  std::map<int, std::uint64_t> subnormal_binades;  // binary64 subnormals (field 0), by binade

  void add(std::span<const double> xs);
  // Elements with binary64 exponent field f (f = 2047: infinities and NaNs).
  std::uint64_t field_count(std::size_t f) const;
};

}  // namespace fpaudit::audit::detail
