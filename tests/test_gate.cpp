// Oracle: hand-evaluated expressions over literal field values.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "fpaudit/report/gate.hpp"

using fpaudit::report::Gate;

namespace {
bool eval(const char* expr, const std::map<std::string, double>& row) {
  return Gate::parse(expr).evaluate([&](std::string_view name) -> std::optional<double> {
    auto it = row.find(std::string(name));
    if (it == row.end()) return std::nullopt;
    return it->second;
  });
}
std::string parse_error(const char* expr) {
  try {
    (void)Gate::parse(expr);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(Gate, IssueExamples) {
  const std::map<std::string, double> row{{"overflow_inf", 0}, {"underflow_to_zero", 5},
                                          {"count", 100}, {"sqnr_db", 29.5}};
  EXPECT_FALSE(eval("overflow_inf>0", row));
  EXPECT_TRUE(eval("underflow_to_zero/count>0.01", row));   // 0.05 > 0.01
  EXPECT_FALSE(eval("underflow_to_zero/count>0.1", row));
  EXPECT_TRUE(eval("sqnr_db<30", row));
  EXPECT_TRUE(eval(" sqnr_db < 30 && count >= 100 ", row));
  EXPECT_FALSE(eval("sqnr_db<30 && count>100", row));
  EXPECT_TRUE(eval("overflow_inf>0 || sqnr_db<=29.5", row));
  EXPECT_TRUE(eval("!(overflow_inf>0)", row));
  EXPECT_TRUE(eval("-count < -99", row));
  EXPECT_TRUE(eval("(underflow_to_zero + 5) * 2 == 20", row));
  EXPECT_TRUE(eval("count != 99", row));
  EXPECT_TRUE(eval("1e-3 < 0.01", row));
  EXPECT_TRUE(eval("underflow_to_zero", row));  // bare value: nonzero is true
}

TEST(Gate, DivisionByZeroAndNaNFollowIeee) {
  const std::map<std::string, double> row{{"a", 0}, {"b", 1}, {"n", NAN}};
  EXPECT_TRUE(eval("b/a > 1e300", row));   // +inf
  EXPECT_FALSE(eval("a/a > 0", row));      // NaN compares false
  EXPECT_FALSE(eval("a/a <= 0", row));
  EXPECT_FALSE(eval("n", row));            // NaN is not "true"
}

TEST(Gate, ErrorsNameTheColumnAndExpectation) {
  EXPECT_EQ(parse_error("x>"),
            "--fail-if \"x>\": column 3: expected a number, a field or \"(\" but the expression ended");
  EXPECT_EQ(parse_error("(a>1"), "--fail-if \"(a>1\": column 5: expected \")\"");
  EXPECT_EQ(parse_error("a>1 b"), "--fail-if \"a>1 b\": column 5: unexpected \"b\"");
  EXPECT_EQ(parse_error("a>$"), "--fail-if \"a>$\": column 3: expected a number, a field or \"(\", got \"$\"");
  std::string deep(1000, '(');
  EXPECT_NE(parse_error(deep.c_str()).find("nested deeper than 200"), std::string::npos);
  try {
    (void)eval("nosuch>1", {});
    ADD_FAILURE() << "unknown field accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--fail-if \"nosuch>1\": unknown field \"nosuch\"");
  }
  EXPECT_EQ(Gate::parse("a/b>c").fields(), (std::vector<std::string>{"a", "b", "c"}));
}
