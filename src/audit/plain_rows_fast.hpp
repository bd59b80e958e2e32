// The plain (unscaled) rows of the audit at memory speed, for chunks whose values are all
// binary32: every target converted by the bulk kernels (codec/bulk_f32.hpp, bit-identical to
// encode()), decoded through a table of every code's value, and the statistics accumulated so
// that every counter and every bit of every sum equals what ConversionStats::add gives element
// by element (tests/test_audit_fast.cpp holds the two equal). Internal to src/audit.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "fpaudit/audit/conversion_stats.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::audit::detail {

class FastPlainTarget {
 public:
  FastPlainTarget(const FormatSpec& f, const ConvertOptions& opt);
  // False when the bulk kernels do not handle f under opt (the caller uses add() then).
  bool supported() const { return supported_; }

  const FormatSpec& format() const { return f_; }
  const ConvertOptions& options() const { return opt_; }
  const std::vector<double>& values() const { return *values_; }

  // How the AVX-512 terms kernel gets a code's value: a gather from values(), or, where every
  // code's value is that of the binary32 (binary16) bit pattern code << shift (NaN codes as
  // NaNs: bfloat16 is binary32's upper half, float8_e5m2 binary16's, binary16 itself), by
  // widening that pattern (VCVTPH2PS, VCVTPS2PD): a few operations instead of a gather, and no
  // table. Decided by comparing the whole table with those patterns' values, once.
  enum class Decode : std::uint8_t { table, binary32_prefix, binary16_prefix };
  Decode decode() const { return decode_; }
  int decode_shift() const { return decode_shift_; }

 private:
  FormatSpec f_;
  ConvertOptions opt_;
  bool supported_ = false;
  std::shared_ptr<const std::vector<double>> values_;  // value of every code (decode, once)
  Decode decode_ = Decode::table;
  int decode_shift_ = 0;
};

// The chunk as binary32 patterns when every value is a binary32 or a NaN (add() only counts
// NaNs); otherwise false.
bool as_binary32(std::span<const double> xs, std::vector<std::uint32_t>& out);

// For every target t: stats[t] += the chunk of n binary32 patterns f32 (stochastic indices from
// first), exactly as calling stats[t]->add(format, x, convert_double(x, ...), value) per element
// with x the pattern's value as binary64. The values are widened block by block (in L1), so no
// binary64 copy of the chunk is needed.
void add_plain_fast(std::span<const FastPlainTarget* const> targets, const std::uint32_t* f32,
                    std::size_t n, std::uint64_t first, std::span<ConversionStats* const> stats);

}  // namespace fpaudit::audit::detail
