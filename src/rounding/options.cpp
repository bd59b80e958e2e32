#include "fpaudit/rounding/options.hpp"

#include <stdexcept>
#include <string>

namespace fpaudit {

std::string_view to_string(Rounding r) {
  switch (r) {
    case Rounding::rne: return "rne";
    case Rounding::rna: return "rna";
    case Rounding::rtz: return "rtz";
    case Rounding::rup: return "rup";
    case Rounding::rdown: return "rdown";
    case Rounding::rno: return "rno";
    case Rounding::sr: return "sr";
  }
  return "?";
}

std::string_view to_string(Overflow o) { return o == Overflow::ieee ? "ieee" : "saturate"; }

std::string to_string(Subnormals s) {
  if (s.daz && s.ftz) return "daz+ftz";
  if (s.daz) return "daz";
  if (s.ftz) return "ftz";
  return "keep";
}

Rounding parse_rounding(std::string_view s) {
  // TestFloat's spellings are accepted too (-rnear_even, -rnear_maxMag, -rminMag, -rmax, -rmin, -rodd).
  if (s == "rne" || s == "near_even") return Rounding::rne;
  if (s == "rna" || s == "near_maxMag") return Rounding::rna;
  if (s == "rtz" || s == "minMag") return Rounding::rtz;
  if (s == "rup" || s == "max") return Rounding::rup;
  if (s == "rdown" || s == "min") return Rounding::rdown;
  if (s == "rno" || s == "odd") return Rounding::rno;
  if (s == "sr") return Rounding::sr;
  throw std::invalid_argument("unknown rounding \"" + std::string(s) +
                              "\" (expected rne, rna, rtz, rup, rdown, rno, sr)");
}

Overflow parse_overflow(std::string_view s) {
  if (s == "ieee") return Overflow::ieee;
  if (s == "saturate" || s == "sat") return Overflow::saturate;
  throw std::invalid_argument("unknown overflow policy \"" + std::string(s) +
                              "\" (expected ieee, saturate)");
}

Subnormals parse_subnormals(std::string_view s) {
  if (s == "keep") return {};
  if (s == "daz") return {true, false};
  if (s == "ftz") return {false, true};
  if (s == "daz+ftz" || s == "ftz+daz" || s == "both") return {true, true};
  throw std::invalid_argument("unknown subnormal policy \"" + std::string(s) +
                              "\" (expected keep, daz, ftz, daz+ftz)");
}

}  // namespace fpaudit
