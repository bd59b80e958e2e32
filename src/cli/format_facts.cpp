#include "format_facts.hpp"

#include "fpaudit/codec/text.hpp"

namespace fpaudit::cli {
namespace {

// The next larger magnitude pattern after mag (zero or a finite magnitude).
std::optional<std::uint64_t> next_magnitude(const FormatSpec& f, std::uint64_t mag) {
  if (f.is_zero(mag)) return f.min_positive_bits();
  if (mag == f.max_finite_bits()) {
    if (f.has_inf) return f.inf_bits();
    return std::nullopt;
  }
  if (f.is_inf(mag)) return std::nullopt;
  return mag + 1;
}

// The next smaller magnitude pattern before a nonzero magnitude: 0 stands for zero; nullopt
// below the smallest value of a format without zero (E8M0).
std::optional<std::uint64_t> previous_magnitude(const FormatSpec& f, std::uint64_t mag) {
  if (f.is_inf(mag)) return f.max_finite_bits();
  if (mag == f.min_positive_bits()) {
    if (f.has_zero) return std::uint64_t{0};
    return std::nullopt;
  }
  return mag - 1;
}

// The negative encoding of a magnitude; -0 is +0 where the format has no -0 (fnuz).
std::uint64_t negate_magnitude(const FormatSpec& f, std::uint64_t mag) {
  if (mag == 0 && f.nan == NanEncoding::fnuz) return 0;
  return f.sign_bit() | mag;
}

}  // namespace

std::uint64_t min_normal_bits(const FormatSpec& f) {
  return static_cast<std::uint64_t>(f.emin() + f.bias) << f.mantissa_bits;
}

std::optional<std::uint64_t> next_up(const FormatSpec& f, std::uint64_t bits) {
  bits &= f.mask();
  if (f.is_nan(bits)) return std::nullopt;
  const std::uint64_t mag = bits & f.magnitude_mask();
  if (!f.is_negative(bits)) return next_magnitude(f, mag);
  if (f.is_zero(bits)) return f.min_positive_bits();  // -0 -> smallest positive
  const auto smaller = previous_magnitude(f, mag);
  if (!smaller) return std::nullopt;
  return negate_magnitude(f, *smaller);
}

std::optional<std::uint64_t> next_down(const FormatSpec& f, std::uint64_t bits) {
  bits &= f.mask();
  if (f.is_nan(bits)) return std::nullopt;
  const std::uint64_t mag = bits & f.magnitude_mask();
  if (f.is_zero(bits)) {
    if (!f.is_signed) return std::nullopt;
    return f.sign_bit() | f.min_positive_bits();  // +-0 -> -smallest positive
  }
  if (!f.is_negative(bits)) return previous_magnitude(f, mag);
  const auto larger = next_magnitude(f, mag);
  if (!larger) return std::nullopt;
  return f.sign_bit() | *larger;
}

std::vector<BitRange> nan_ranges(const FormatSpec& f) {
  std::vector<BitRange> r;
  switch (f.nan) {
    case NanEncoding::ieee: r.push_back({f.inf_bits() + 1, f.magnitude_mask()}); break;
    case NanEncoding::fn: r.push_back({f.magnitude_mask(), f.magnitude_mask()}); break;
    case NanEncoding::fnuz: return {{f.sign_bit(), f.sign_bit()}};
    case NanEncoding::none: return {};
  }
  if (f.is_signed) r.push_back({f.sign_bit() | r[0].first, f.sign_bit() | r[0].last});
  return r;
}

std::string nan_ranges_text(const FormatSpec& f, const std::string& prefix) {
  std::string s;
  for (const BitRange& r : nan_ranges(f)) {
    if (!s.empty()) s += ", ";
    s += prefix + format_hex(f, r.first);
    if (r.last != r.first) s += "-" + prefix + format_hex(f, r.last);
  }
  return s.empty() ? "none" : s;
}

std::string class_name(const FormatSpec& f, std::uint64_t bits) {
  if (f.is_nan(bits)) {
    if (f.nan != NanEncoding::ieee) return "NaN";
    return f.is_signaling_nan(bits) ? "NaN (signaling)" : "NaN (quiet)";
  }
  if (f.is_inf(bits)) return "infinity";
  if (f.is_zero(bits)) {
    if ((bits & f.magnitude_mask()) != 0) return "zero (exponent field 0 without subnormals)";
    return "zero";
  }
  if (f.is_subnormal(bits)) return "subnormal";
  return "normal";
}

int ulp_exponent(const FormatSpec& f, std::uint64_t bits) {
  const auto field = static_cast<int>((bits & f.magnitude_mask()) >> f.mantissa_bits);
  return (field == 0 ? f.emin() : field - f.bias) - f.mantissa_bits;
}

}  // namespace fpaudit::cli
