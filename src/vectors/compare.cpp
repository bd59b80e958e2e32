// Result comparison and mismatch text (include/fpaudit/vectors/compare.hpp).
#include "fpaudit/vectors/compare.hpp"

#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/vectors/testfloat_line.hpp"

namespace fpaudit::vectors {
namespace {

// A pattern's position on the ordered line of the format's values: magnitude patterns are
// ordered as their values (sign-magnitude encodings, IEEE 754-2019 3.4), negatives mirrored.
std::int64_t ordinal(const FormatSpec& f, std::uint64_t bits) {
  bits &= f.mask();
  if (f.is_zero(bits)) return 0;
  const auto magnitude = static_cast<std::int64_t>(bits & f.magnitude_mask());
  return f.is_negative(bits) ? -magnitude : magnitude;
}

std::string flags_text(Flags flags) {
  return format_flags(flags) + " (" + flags_letters(flags) + ")";
}

}  // namespace

std::optional<std::uint64_t> ulp_distance(const FormatSpec& f, std::uint64_t a, std::uint64_t b) {
  if (f.is_nan(a) || f.is_nan(b)) return std::nullopt;
  const std::int64_t x = ordinal(f, a), y = ordinal(f, b);
  return static_cast<std::uint64_t>(x > y ? x - y : y - x);
}

bool result_matches(const FormatSpec& f, std::uint64_t actual, std::uint64_t expected,
                    std::uint64_t tolerance_ulps) {
  if (actual == expected) return true;
  if (tolerance_ulps == 0) return false;
  if (f.is_nan(actual) || f.is_nan(expected)) return f.is_nan(actual) && f.is_nan(expected);
  return *ulp_distance(f, actual, expected) <= tolerance_ulps;
}

Verdict judge(const Function& fn, const Outcome& actual, const Outcome& expected,
              const CompareOptions& opt) {
  if (actual.results.size() != expected.results.size()) return Verdict::result;
  for (std::size_t i = 0; i < actual.results.size(); ++i) {
    // Block scales (column 0 of a quantiser) and comparison digits are never approximate.
    const bool exact_only = fn.boolean_result || (fn.kind != FunctionKind::conversion &&
                                                  fn.kind != FunctionKind::operation && i == 0);
    if (!result_matches(fn.results[i], actual.results[i], expected.results[i],
                        exact_only ? 0 : opt.tolerance_ulps))
      return Verdict::result;
  }
  if (!opt.ignore_flags && !(actual.flags == expected.flags)) return Verdict::flags;
  return Verdict::match;
}

// Enough significant digits that distinct values of f print differently (ceil(p log10 2) + 1).
int round_trip_digits(const FormatSpec& f) { return (f.precision() * 30103 + 99999) / 100000 + 1; }

std::string decoded(const FormatSpec& f, std::uint64_t bits) {
  return format_hex(f, bits) + " (" + format_general(decode(f, bits), round_trip_digits(f)) + ")";
}

std::string describe_mismatch(const Function& fn, std::span<const std::uint64_t> operands,
                              const Outcome& actual, const Outcome& expected, bool show_flags) {
  std::string s = fn.name + "(";
  for (std::size_t i = 0; i < operands.size(); ++i)
    s += (i ? ", " : "") + format_hex(fn.operands[i], operands[i]) + " = " +
         format_general(decode(fn.operands[i], operands[i]), round_trip_digits(fn.operands[i]));
  s += "): got";
  auto results = [&](const Outcome& o) {
    std::string r;
    for (std::size_t i = 0; i < o.results.size(); ++i) {
      // Block results: only the columns that differ, by index.
      if (fn.results.size() > 1 && i < expected.results.size() && i < actual.results.size() &&
          actual.results[i] == expected.results[i])
        continue;
      if (fn.results.size() > 1) r += " [" + std::to_string(i) + "]";
      r += " " + (fn.boolean_result ? format_result(fn, i, o.results[i])
                                    : decoded(fn.results[i], o.results[i]));
    }
    return show_flags ? r + " flags " + flags_text(o.flags) : r;
  };
  return s + results(actual) + ", expected" + results(expected);
}

}  // namespace fpaudit::vectors
