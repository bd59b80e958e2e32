// CI gates: `--fail-if EXPR` expressions over a result row's numeric fields, e.g.
// `overflow_inf>0`, `underflow_to_zero/count>0.01`, `sqnr_db<30`,
// `format==e4m3 && max_rel_err>0.1` is NOT supported (fields are numbers only).
//
// Grammar (whitespace ignored):
//   gate    := or
//   or      := and ("||" and)*
//   and     := cmp ("&&" cmp)*
//   cmp     := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?     (a bare sum is true iff != 0)
//   sum     := product (("+" | "-") product)*
//   product := unary (("*" | "/") unary)*
//   unary   := "-" unary | "!" unary | primary
//   primary := NUMBER | FIELD | "(" or ")"
// NUMBER is a decimal (1e-3, 0.01); FIELD is [A-Za-z_][A-Za-z0-9_]*. x/0 gives +-inf or NaN as
// IEEE arithmetic does; comparisons with NaN are false.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fpaudit::report {

class Gate {
 public:
  // Throws std::invalid_argument: `--fail-if "x>": column 3: expected a number, a field or "("`.
  static Gate parse(std::string_view text);

  // Evaluates with `field` resolving names (nullopt: unknown field -> std::invalid_argument
  // naming it and the expression).
  bool evaluate(const std::function<std::optional<double>(std::string_view)>& field) const;

  const std::string& text() const { return text_; }
  std::vector<std::string> fields() const;  // the field names the expression uses

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace fpaudit::report
