// The range pass's per-element work (tensor_audit.cpp): counts of NaNs and zeros, the largest
// finite and the smallest nonzero finite magnitude, and a count per binary64 exponent field,
// from binary64 values (add) or straight from binary32 patterns (add_binary32: half the bytes,
// no widening; the same numbers as adding the values widened). Partial scans of disjoint parts
// merge (integer sums, maxima and minima: in any order, the same result).
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
  // add_binary32's counts per binary32 exponent field (binary32 subnormals go to `tables`).
  static constexpr std::size_t kFields32 = 256;
  std::vector<std::uint64_t> tables32 = std::vector<std::uint64_t>(kTables * kFields32);

  void add(std::span<const double> xs);
  void add_binary32(const std::uint32_t* bits, std::size_t n);
  void merge(const RangeScan& o);
  // Elements with binary64 exponent field f (f = 2047: infinities and NaNs).
  std::uint64_t field_count(std::size_t f) const;
};

}  // namespace fpaudit::audit::detail
