// The function table: every operation as data (name, arity, which options matter, clause), as
// TestFloat's functionInfos.c lists its functions, so that `fpaudit op` and the vector generator
// iterate over it instead of naming operations one by one.
#include <algorithm>
#include <vector>

#include "fpaudit/arith/arith.hpp"

namespace fpaudit {
namespace {

using Operands = std::span<const std::uint64_t>;
using Binary = Encoded (*)(const FormatSpec&, std::uint64_t, std::uint64_t, const ConvertOptions&);

// Adapters from the uniform OpFunction signature to each operation's own.
template <Encoded (*Op)(const FormatSpec&, std::uint64_t, std::uint64_t, const ConvertOptions&,
                        std::uint64_t)>
Encoded rounding2(const FormatSpec& f, Operands x, const ConvertOptions& o, std::uint64_t i) {
  return Op(f, x[0], x[1], o, i);
}
template <Binary Op>
Encoded exact2(const FormatSpec& f, Operands x, const ConvertOptions& o, std::uint64_t) {
  return Op(f, x[0], x[1], o);
}
Encoded sqrt1(const FormatSpec& f, Operands x, const ConvertOptions& o, std::uint64_t i) {
  return sqrt(f, x[0], o, i);
}
Encoded mul_add3(const FormatSpec& f, Operands x, const ConvertOptions& o, std::uint64_t i) {
  return fma(f, x[0], x[1], x[2], o, i);
}

std::vector<OpInfo> build_table() {
  constexpr auto value = OpResult::value;
  constexpr auto boolean = OpResult::boolean;
  return {
      {"add", 2, true, true, value, "5.4.1 addition", rounding2<add>},
      {"sub", 2, true, true, value, "5.4.1 subtraction", rounding2<sub>},
      {"mul", 2, true, true, value, "5.4.1 multiplication", rounding2<mul>},
      {"mulAdd", 3, true, true, value, "5.4.1 fusedMultiplyAdd", mul_add3},
      {"div", 2, true, true, value, "5.4.1 division", rounding2<div>},
      {"sqrt", 1, true, true, value, "5.4.1 squareRoot", sqrt1},
      {"min", 2, false, false, value, "9.6 minimum", exact2<minimum>},
      {"max", 2, false, false, value, "9.6 maximum", exact2<maximum>},
      {"minimumNumber", 2, false, false, value, "9.6 minimumNumber", exact2<minimum_number>},
      {"maximumNumber", 2, false, false, value, "9.6 maximumNumber", exact2<maximum_number>},
      {"eq", 2, false, false, boolean, "5.11 compareQuietEqual", exact2<eq>},
      {"le", 2, false, false, boolean, "5.11 compareSignalingLessEqual", exact2<le>},
      {"lt", 2, false, false, boolean, "5.11 compareSignalingLess", exact2<lt>},
      {"eq_signaling", 2, false, false, boolean, "5.11 compareSignalingEqual",
       exact2<eq_signaling>},
      {"le_quiet", 2, false, false, boolean, "5.11 compareQuietLessEqual", exact2<le_quiet>},
      {"lt_quiet", 2, false, false, boolean, "5.11 compareQuietLess", exact2<lt_quiet>},
  };
}

}  // namespace

std::span<const OpInfo> operations() {
  static const std::vector<OpInfo> table = build_table();
  return table;
}

const OpInfo* find_operation(std::string_view name) {
  const auto ops = operations();
  const auto it =
      std::find_if(ops.begin(), ops.end(), [&](const OpInfo& op) { return op.name == name; });
  return it == ops.end() ? nullptr : &*it;
}

}  // namespace fpaudit
