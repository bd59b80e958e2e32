// IEEE 754-2019 exception flags (7.2-7.6), returned as a value from every operation: there is
// no global flag state. The numeric value is Berkeley TestFloat's flags byte (writeHex.c /
// genLoops.c): 1 inexact, 2 underflow, 4 overflow, 8 infinite (divide by zero), 16 invalid.
#pragma once

#include <cstdint>
#include <string>

namespace fpaudit {

struct Flags {
  enum Bit : std::uint8_t {
    inexact = 1,
    underflow = 2,
    overflow = 4,
    infinite = 8,  // divideByZero (7.3)
    invalid = 16,
  };
  std::uint8_t bits = 0;

  constexpr Flags() = default;
  constexpr explicit Flags(std::uint8_t b) : bits(b) {}
  constexpr Flags(Bit b) : bits(b) {}  // NOLINT: a single flag converts implicitly
  constexpr bool has(Bit b) const { return (bits & b) != 0; }
  constexpr Flags& operator|=(Flags o) { bits |= o.bits; return *this; }
  constexpr Flags& operator|=(Bit b) { bits |= b; return *this; }
  friend constexpr Flags operator|(Flags a, Flags b) { return Flags(a.bits | b.bits); }
  friend constexpr bool operator==(Flags a, Flags b) { return a.bits == b.bits; }
};

constexpr Flags operator|(Flags::Bit a, Flags::Bit b) {
  return Flags(static_cast<std::uint8_t>(static_cast<unsigned>(a) | static_cast<unsigned>(b)));
}

// TestFloat's five-character rendering "vioux" with '.' for a clear flag (testfloat_ver).
std::string flags_letters(Flags f);

}  // namespace fpaudit
