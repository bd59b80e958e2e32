#include "fpaudit/report/gate.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace fpaudit::report {

struct Gate::Node {
  enum class Kind { number, field, neg, not_, add, sub, mul, div, lt, le, gt, ge, eq, ne, and_, or_ };
  Kind kind;
  double value = 0;
  std::string name;
  std::shared_ptr<const Node> a, b;
};

namespace {

using Node = Gate::Node;
using NodePtr = std::shared_ptr<const Node>;
using Kind = Node::Kind;

constexpr int kMaxDepth = 200;  // bounds recursion on hostile input ("((((...")

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  NodePtr parse() {
    NodePtr n = parse_or(0);
    skip();
    if (pos_ != s_.size()) fail("unexpected \"" + std::string(s_.substr(pos_, 8)) + "\"");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("--fail-if \"" + std::string(s_) + "\": column " +
                                std::to_string(pos_ + 1) + ": " + what);
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(std::string_view tok) {
    skip();
    if (s_.substr(pos_, tok.size()) == tok) {
      pos_ += tok.size();
      return true;
    }
    return false;
  }
  static NodePtr make(Kind k, NodePtr a, NodePtr b = nullptr) {
    auto n = std::make_shared<Node>();
    n->kind = k;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
  }
  void guard(int depth) const {
    if (depth > kMaxDepth) fail("expression nested deeper than " + std::to_string(kMaxDepth));
  }

  NodePtr parse_or(int d) {
    guard(d);
    NodePtr n = parse_and(d + 1);
    while (eat("||")) n = make(Kind::or_, n, parse_and(d + 1));
    return n;
  }
  NodePtr parse_and(int d) {
    NodePtr n = parse_cmp(d + 1);
    while (eat("&&")) n = make(Kind::and_, n, parse_cmp(d + 1));
    return n;
  }
  NodePtr parse_cmp(int d) {
    NodePtr n = parse_sum(d + 1);
    // Two-character operators first so "<=" is not read as "<".
    static constexpr std::pair<std::string_view, Kind> ops[] = {
        {"<=", Kind::le}, {">=", Kind::ge}, {"==", Kind::eq}, {"!=", Kind::ne},
        {"<", Kind::lt},  {">", Kind::gt}};
    for (const auto& [tok, kind] : ops)
      if (eat(tok)) return make(kind, n, parse_sum(d + 1));
    return n;
  }
  NodePtr parse_sum(int d) {
    NodePtr n = parse_product(d + 1);
    for (;;) {
      if (eat("+")) n = make(Kind::add, n, parse_product(d + 1));
      else if (eat("-")) n = make(Kind::sub, n, parse_product(d + 1));
      else return n;
    }
  }
  NodePtr parse_product(int d) {
    NodePtr n = parse_unary(d + 1);
    for (;;) {
      if (eat("*")) n = make(Kind::mul, n, parse_unary(d + 1));
      else if (eat("/")) n = make(Kind::div, n, parse_unary(d + 1));
      else return n;
    }
  }
  NodePtr parse_unary(int d) {
    guard(d);
    if (eat("-")) return make(Kind::neg, parse_unary(d + 1));
    skip();
    if (s_.substr(pos_, 2) != "!=" && eat("!")) return make(Kind::not_, parse_unary(d + 1));
    return parse_primary(d + 1);
  }
  NodePtr parse_primary(int d) {
    skip();
    if (eat("(")) {
      NodePtr n = parse_or(d + 1);
      if (!eat(")")) fail("expected \")\"");
      return n;
    }
    if (pos_ >= s_.size()) fail("expected a number, a field or \"(\" but the expression ended");
    const char c = s_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const std::string rest(s_.substr(pos_));
      char* end = nullptr;
      const double v = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) fail("malformed number");
      pos_ += static_cast<std::size_t>(end - rest.c_str());
      auto n = std::make_shared<Node>();
      n->kind = Kind::number;
      n->value = v;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const std::size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        ++pos_;
      auto n = std::make_shared<Node>();
      n->kind = Kind::field;
      n->name = std::string(s_.substr(start, pos_ - start));
      return n;
    }
    fail(std::string("expected a number, a field or \"(\", got \"") + c + "\"");
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

double eval(const Node& n, const std::function<std::optional<double>(std::string_view)>& field,
            const std::string& text) {
  auto sub = [&](const NodePtr& p) { return eval(*p, field, text); };
  switch (n.kind) {
    case Kind::number: return n.value;
    case Kind::field: {
      const auto v = field(n.name);
      if (!v) throw std::invalid_argument("--fail-if \"" + text + "\": unknown field \"" + n.name + "\"");
      return *v;
    }
    case Kind::neg: return -sub(n.a);
    case Kind::not_: return sub(n.a) == 0 ? 1 : 0;
    case Kind::add: return sub(n.a) + sub(n.b);
    case Kind::sub: return sub(n.a) - sub(n.b);
    case Kind::mul: return sub(n.a) * sub(n.b);
    case Kind::div: return sub(n.a) / sub(n.b);
    case Kind::lt: return sub(n.a) < sub(n.b);
    case Kind::le: return sub(n.a) <= sub(n.b);
    case Kind::gt: return sub(n.a) > sub(n.b);
    case Kind::ge: return sub(n.a) >= sub(n.b);
    case Kind::eq: return sub(n.a) == sub(n.b);
    case Kind::ne: return sub(n.a) != sub(n.b);
    case Kind::and_: return (sub(n.a) != 0) && (sub(n.b) != 0);
    case Kind::or_: return (sub(n.a) != 0) || (sub(n.b) != 0);
  }
  return 0;
}

void collect(const Node& n, std::vector<std::string>& out) {
  if (n.kind == Kind::field) out.push_back(n.name);
  if (n.a) collect(*n.a, out);
  if (n.b) collect(*n.b, out);
}

}  // namespace

Gate Gate::parse(std::string_view text) {
  Gate g;
  g.text_ = std::string(text);
  g.root_ = Parser(g.text_).parse();
  return g;
}

bool Gate::evaluate(const std::function<std::optional<double>(std::string_view)>& field) const {
  const double v = eval(*root_, field, text_);
  return v != 0 && !std::isnan(v);
}

std::vector<std::string> Gate::fields() const {
  std::vector<std::string> out;
  collect(*root_, out);
  return out;
}

}  // namespace fpaudit::report
