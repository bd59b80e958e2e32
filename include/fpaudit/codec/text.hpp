// Text forms of values and encodings: exact decimal parsing and printing, %g-style short forms,
// and hex bit patterns padded to a format's width. The CLI (and anything else that reads or
// writes numbers as text) goes through these, so a value is spelled the same everywhere.
//
// Exactness: a decimal string is held as digits x 10^exponent, never through binary64, so an
// input of any length rounds once, correctly, into the target format (encode_decimal). Every
// binary value has a finite decimal expansion (2^-k = 5^k / 10^k), which to_decimal computes
// exactly with GMP integers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/flags.hpp"

namespace fpaudit {

// A decimal number held exactly: (-1)^negative x digits x 10^exponent.
struct Decimal {
  ValueClass cls = ValueClass::zero;
  bool negative = false;
  std::string digits;         // finite: decimal digits, no leading or trailing zeros ("1" for 100)
  std::int64_t exponent = 0;  // finite: value = digits x 10^exponent

  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// Largest decimal exponent parse_decimal accepts (|exponent| as written, after folding the
// position of the decimal point). Far outside every format's range (about 10^+-632000).
inline constexpr std::int64_t kMaxDecimalExponent = 1'000'000'000'000'000;

// Parses [+-]digits[.digits][(e|E)[+-]digits] (also ".5", "5."), or [+-]inf, [+-]infinity,
// [+-]nan (case-insensitive). Any number of digits; no surrounding whitespace. Throws
// std::invalid_argument: `expected a decimal number (e.g. 0.1, -465, 1e-7, inf, nan), got "x"`.
Decimal parse_decimal(std::string_view text);

// The exact value of a binary ExactValue as a Decimal (sticky is ignored: sig x 2^exp).
Decimal to_decimal(const ExactValue& v);

// d as an ExactValue for encode(): the value truncated toward zero to 64 significant bits,
// with sticky set when bits were dropped. Every rounding mode other than `sr` decides on the
// round bit and the sticky bit, so encode() of this rounds d itself correctly. Magnitudes far
// outside every format's range (|d| > 10^(10^7) or < 10^-(10^7)) are held as 2^(+-2^30) with
// sticky set, which rounds the same way.
ExactValue to_exact_value(const Decimal& d);

// Rounds the decimal d once into f (encode() of to_exact_value(d)). Stochastic rounding needs
// the top sr_bits bits of the discarded fraction; to_exact_value keeps 64 bits, so when d is not
// exact in 64 bits and fewer than sr_bits of them lie below f's quantum at d (binary64 with the
// default 16 random bits: 11 lie there), this throws std::invalid_argument naming the largest
// usable --sr-bits instead of returning biased bits.
Encoded encode_decimal(const FormatSpec& f, const Decimal& d, const ConvertOptions& opt,
                       std::uint64_t index = 0);

// The exact decimal expansion: positional when the leading digit's power of ten X satisfies
// -7 < X < 21 ("448", "0.001953125", "-0"), otherwise scientific with every digit
// ("5.9604644775390625e-08", two exponent digits at least, as printf). "inf", "-inf", "nan",
// "-nan".
std::string to_string(const Decimal& d);
std::string format_exact(const ExactValue& v);  // to_string(to_decimal(v))

// printf("%.*g", significant_digits, x) for the exact value, rounding the exact decimal
// expansion half-to-even (as glibc does), so it matches printf for values binary64 holds and
// extends it to values it does not.
std::string format_general(const Decimal& d, int significant_digits = 6);
std::string format_general(const ExactValue& v, int significant_digits = 6);

// a - b. Exact when the two exponents differ by at most max_shift digits; otherwise the
// operand with the lower exponent is cut 64 digits below the other's last digit and a sticky
// digit put under the cut, so the result rounds (format_general) correctly to any number of
// digits that stops above the cut, and *exact is set false.
Decimal subtract(const Decimal& a, const Decimal& b, bool* exact = nullptr,
                 std::int64_t max_shift = 1'000'000);

// num / den correctly rounded (half-to-even) to significant_digits digits, %g-style. Both
// finite, den nonzero; a zero num gives "0".
std::string format_ratio(const Decimal& num, const Decimal& den, int significant_digits);

// bits as uppercase hex without 0x, zero-padded to f.hex_digits() (TestFloat's spelling).
std::string format_hex(const FormatSpec& f, std::uint64_t bits);

// Flags as TestFloat's byte in two uppercase hex digits ("05" = overflow | inexact).
std::string format_flags(Flags f);

// Parses a hex pattern for format f: optional 0x/0X, then 1..f.hex_digits() hex digits whose
// value fits f.width() bits. Throws std::invalid_argument:
// `expected a hex pattern of at most N digits for <f.name>, got "zz"` (with the largest pattern
// appended when the width is not a multiple of 4 and the value does not fit).
std::uint64_t parse_hex(const FormatSpec& f, std::string_view text);

}  // namespace fpaudit
