// A plain-text table: columns padded to their widest cell, two spaces apart, no trailing blanks.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace fpaudit::cli {

class Table {
 public:
  // One header per column; a column whose header starts with '>' is right-aligned (the '>' is
  // not printed).
  explicit Table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fpaudit::cli
