// gtest printing of Encoded results as TestFloat writes them ("7E00 10"), for readable failures.
#pragma once

#include <ostream>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/codec/text.hpp"

namespace fpaudit {

inline void PrintTo(const Encoded& e, std::ostream* os) {
  *os << std::hex << std::uppercase << e.bits << std::dec << ' ' << format_flags(e.flags);
}

}  // namespace fpaudit
