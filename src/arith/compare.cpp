// Comparisons (IEEE 754-2019 5.11) under TestFloat's names. eq is quiet (compareQuietEqual); le
// and lt are signaling (compareSignalingLessEqual / compareSignalingLess), as in C's <= and <;
// eq_signaling, le_quiet and lt_quiet are the other variants. A NaN operand makes every
// predicate false (unordered); quiet predicates raise invalid only for a signaling NaN,
// signaling ones for any NaN (5.11, 7.2 a / f).
#include "arith_internal.hpp"
#include "fpaudit/arith/arith.hpp"

namespace fpaudit {
namespace {

using namespace arith_detail;

enum class Relation { equal, less_equal, less };
enum class OnNan { quiet, signaling };

Encoded predicate(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt,
                  Relation rel, OnNan on_nan) {
  const ExactValue x = read(f, a, opt), y = read(f, b, opt);
  if (x.cls == ValueClass::nan || y.cls == ValueClass::nan) {
    const bool invalid = on_nan == OnNan::signaling || any_signaling({&x, &y});
    return {0, invalid ? Flags(Flags::invalid) : Flags()};
  }
  const int c = compare(x, y);  // -0 == +0
  const bool holds = rel == Relation::equal ? c == 0 : rel == Relation::less ? c < 0 : c <= 0;
  return {holds ? 1u : 0u, {}};
}

}  // namespace

Encoded eq(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
  return predicate(f, a, b, opt, Relation::equal, OnNan::quiet);
}
Encoded le(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
  return predicate(f, a, b, opt, Relation::less_equal, OnNan::signaling);
}
Encoded lt(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
  return predicate(f, a, b, opt, Relation::less, OnNan::signaling);
}
Encoded eq_signaling(const FormatSpec& f, std::uint64_t a, std::uint64_t b,
                     const ConvertOptions& opt) {
  return predicate(f, a, b, opt, Relation::equal, OnNan::signaling);
}
Encoded le_quiet(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
  return predicate(f, a, b, opt, Relation::less_equal, OnNan::quiet);
}
Encoded lt_quiet(const FormatSpec& f, std::uint64_t a, std::uint64_t b, const ConvertOptions& opt) {
  return predicate(f, a, b, opt, Relation::less, OnNan::quiet);
}

}  // namespace fpaudit
