#include "fpaudit/hw/input_set.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"

namespace fpaudit::hw {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {  // Steele et al., SplitMix64
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Builder {
 public:
  Builder(const FormatSpec& from, int neighbours) : f_(from), k_(neighbours) {}

  // The positive pattern p and its k neighbours either side (within the finite and infinite
  // patterns), with both signs.
  void around(std::uint64_t p) {
    const std::uint64_t top = f_.inf_bits();
    const std::uint64_t lo = p > static_cast<std::uint64_t>(k_) ? p - k_ : 0;
    const std::uint64_t hi = std::min(top, p + k_);
    for (std::uint64_t q = lo; q <= hi; ++q) both_signs(q);
  }
  void both_signs(std::uint64_t positive) {
    out_.push_back(positive);
    out_.push_back(positive | f_.sign_bit());
  }
  // The source pattern nearest to the binary64 value x (>= 0).
  std::uint64_t nearest(double x) const { return convert_double(x, f_, ConvertOptions{}).bits; }
  std::vector<std::uint64_t>& out() { return out_; }

 private:
  const FormatSpec& f_;
  int k_;
  std::vector<std::uint64_t> out_;
};

}  // namespace

bool source_is_enumerable(const FormatSpec& from) { return from.width() <= 16; }

std::string describe_check_inputs(const FormatSpec& from, const FormatSpec& to) {
  if (source_is_enumerable(from))
    return "all 2^" + std::to_string(from.width()) + " " + from.name + " patterns";
  return "boundary set of " + from.name + " for " + to.name +
         " (values, midpoints and neighbours, specials, NaN payloads, subnormals, random)";
}

std::vector<std::uint64_t> check_inputs(const FormatSpec& from, const FormatSpec& to,
                                        int neighbours, std::uint64_t seed) {
  std::vector<std::uint64_t> v;
  if (source_is_enumerable(from)) {
    v.resize(std::size_t{1} << from.width());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
    return v;
  }
  if (from.nan != NanEncoding::ieee || !from.has_subnormals || from.mantissa_bits < 2)
    throw std::invalid_argument("check_inputs: boundary sets need an IEEE-style source, not " +
                                from.name);
  if (to.width() > 16)
    throw std::invalid_argument("check_inputs: boundary sets need a target of at most 16 bits, not " +
                                to.name);
  Builder b(from, neighbours);

  // Every target value and every midpoint to the next one; past max finite the next "value" is
  // 2^(emax + 1), so the overflow threshold is among the midpoints.
  const std::uint64_t max = to.max_finite_bits();
  for (std::uint64_t p = 0; p <= max; ++p) {
    if (to.is_nan(p)) continue;
    const double v = to_double(to, p);
    const double next = p == max ? std::ldexp(1.0, to.emax() + 1) : to_double(to, p + 1);
    b.around(b.nearest(v));
    b.around(b.nearest(v + (next - v) / 2));  // exact: both have at most 12 significant bits
  }

  // Specials and the edges of the source's own ranges.
  const std::uint64_t min_normal = std::uint64_t{1} << from.mantissa_bits;
  for (std::uint64_t p : {std::uint64_t{0}, std::uint64_t{1}, min_normal - 1, min_normal,
                          from.max_finite_bits(), from.inf_bits()})
    b.around(p);
  const int m = from.mantissa_bits;
  const std::uint64_t quiet = std::uint64_t{1} << (m - 1);
  const std::uint64_t inf = from.inf_bits();
  for (std::uint64_t payload : {quiet, quiet | 1, from.mantissa_mask(), std::uint64_t{1}, quiet - 1})
    b.both_signs(inf | payload);
  for (int bit = 0; bit < m - 1; ++bit) {
    b.both_signs(inf | (std::uint64_t{1} << bit));          // signalling, one payload bit
    b.both_signs(inf | quiet | (std::uint64_t{1} << bit));  // quiet, one payload bit
  }

  // The source's subnormal range: both ends, and random patterns within.
  std::uint64_t state = seed;
  for (std::uint64_t i = 1; i <= 2048 && i < min_normal; ++i) {
    b.both_signs(i);
    b.both_signs(min_normal - i);
  }
  for (int i = 0; i < 8192; ++i) b.both_signs(1 + splitmix64(state) % (min_normal - 1));

  // Random bit patterns.
  for (int i = 0; i < 65536; ++i) b.out().push_back(splitmix64(state) & from.mask());

  v = std::move(b.out());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace fpaudit::hw
