#include "fpaudit/rounding/flags.hpp"

namespace fpaudit {

std::string flags_letters(Flags f) {
  // testfloat_ver prints v(invalid) i(infinite) o(overflow) u(underflow) x(inexact).
  std::string s = ".....";
  if (f.has(Flags::invalid)) s[0] = 'v';
  if (f.has(Flags::infinite)) s[1] = 'i';
  if (f.has(Flags::overflow)) s[2] = 'o';
  if (f.has(Flags::underflow)) s[3] = 'u';
  if (f.has(Flags::inexact)) s[4] = 'x';
  return s;
}

}  // namespace fpaudit
