#include "fpaudit/codec/text.hpp"

#include <gmp.h>
#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <stdexcept>

namespace fpaudit {
namespace {

// RAII holders for GMP / MPFR numbers (local to this file).
struct Mpz {
  mpz_t v;
  Mpz() { mpz_init(v); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  ~Mpz() { mpz_clear(v); }
};

struct Mpfr {
  mpfr_t v;
  explicit Mpfr(mpfr_prec_t prec) { mpfr_init2(v, prec); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
  ~Mpfr() { mpfr_clear(v); }
};

void set_u64(mpz_t z, std::uint64_t x) { mpz_import(z, 1, 1, sizeof x, 0, 0, &x); }

std::uint64_t get_u64(const mpz_t z) {  // z < 2^64
  std::uint64_t x = 0;
  mpz_export(&x, nullptr, 1, sizeof x, 0, 0, z);
  return x;
}

std::string get_str(const mpz_t z) {  // |z| in decimal
  std::string s(mpz_sizeinbase(z, 10) + 2, '\0');
  mpz_get_str(s.data(), 10, z);
  s.resize(s.find('\0'));
  if (!s.empty() && s.front() == '-') s.erase(0, 1);
  return s;
}

// digits x 10^shift as an integer (shift >= 0).
void set_scaled(mpz_t z, const std::string& digits, std::int64_t shift) {
  mpz_set_str(z, digits.c_str(), 10);
  if (shift > 0) {
    Mpz p;
    mpz_ui_pow_ui(p.v, 10, static_cast<unsigned long>(shift));
    mpz_mul(z, z, p.v);
  }
}

// A finite (or zero) Decimal from the decimal digits of |z| times 10^exponent, normalised.
Decimal from_digits(bool negative, std::string digits, std::int64_t exponent) {
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return {ValueClass::zero, negative, {}, 0};
  digits.erase(0, first);
  const auto last = digits.find_last_not_of('0');
  exponent += static_cast<std::int64_t>(digits.size() - 1 - last);
  digits.resize(last + 1);
  return {ValueClass::finite, negative, std::move(digits), exponent};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The power of ten of the leading digit.
std::int64_t leading_exponent(const Decimal& d) {
  return d.exponent + static_cast<std::int64_t>(d.digits.size()) - 1;
}

std::string exponent_suffix(std::int64_t x) {  // printf's e+XX / e-XX
  char buf[32];
  std::snprintf(buf, sizeof buf, "e%c%02" PRId64, x < 0 ? '-' : '+', x < 0 ? -x : x);
  return buf;
}

// digits with a decimal point placed so the leading digit has power of ten X (no exponent).
std::string positional(const std::string& digits, std::int64_t x) {
  const auto len = static_cast<std::int64_t>(digits.size());
  if (x < 0) return "0." + std::string(static_cast<std::size_t>(-x - 1), '0') + digits;
  if (x + 1 >= len) return digits + std::string(static_cast<std::size_t>(x + 1 - len), '0');
  return digits.substr(0, static_cast<std::size_t>(x + 1)) + "." +
         digits.substr(static_cast<std::size_t>(x + 1));
}

std::string scientific(const std::string& digits, std::int64_t x) {
  std::string s(1, digits[0]);
  if (digits.size() > 1) s += "." + digits.substr(1);
  return s + exponent_suffix(x);
}

std::string special(const Decimal& d) {
  const char* sign = d.negative ? "-" : "";
  switch (d.cls) {
    case ValueClass::zero: return std::string(sign) + "0";
    case ValueClass::inf: return std::string(sign) + "inf";
    case ValueClass::nan: return std::string(sign) + "nan";
    case ValueClass::finite: break;
  }
  return {};
}

[[noreturn]] void not_a_decimal(std::string_view text) {
  throw std::invalid_argument("expected a decimal number (e.g. 0.1, -465, 1e-7, inf, nan), got \"" +
                              std::string(text) + "\"");
}

}  // namespace

Decimal parse_decimal(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const std::string word = lower(text.substr(i));
  if (word == "inf" || word == "infinity") return {ValueClass::inf, negative, {}, 0};
  if (word == "nan") return {ValueClass::nan, negative, {}, 0};

  auto is_digit = [&](std::size_t k) {
    return k < n && std::isdigit(static_cast<unsigned char>(text[k]));
  };
  std::string digits;
  std::int64_t fraction_digits = 0;
  while (is_digit(i)) digits += text[i++];
  if (i < n && text[i] == '.') {
    ++i;
    while (is_digit(i)) {
      digits += text[i++];
      ++fraction_digits;
    }
  }
  if (digits.empty()) not_a_decimal(text);
  std::int64_t written_exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (!is_digit(i)) not_a_decimal(text);
    while (is_digit(i)) {
      // Saturate far beyond the accepted range; the range check below reports it.
      if (written_exponent < 4 * kMaxDecimalExponent)
        written_exponent = written_exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (exp_negative) written_exponent = -written_exponent;
  }
  if (i != n) not_a_decimal(text);

  Decimal d = from_digits(negative, std::move(digits), written_exponent - fraction_digits);
  if (d.cls == ValueClass::finite &&
      (leading_exponent(d) > kMaxDecimalExponent || leading_exponent(d) < -kMaxDecimalExponent))
    throw std::invalid_argument(
        "decimal exponent out of range (at most 10^15 in magnitude), got \"" + std::string(text) +
        "\"");
  return d;
}

Decimal to_decimal(const ExactValue& v) {
  switch (v.cls) {
    case ValueClass::zero: return {ValueClass::zero, v.negative, {}, 0};
    case ValueClass::inf: return {ValueClass::inf, v.negative, {}, 0};
    case ValueClass::nan: return {ValueClass::nan, v.negative, {}, 0};
    case ValueClass::finite: break;
  }
  if (v.sig == 0) return {ValueClass::zero, v.negative, {}, 0};
  const int tz = std::countr_zero(v.sig);
  const std::uint64_t sig = v.sig >> tz;
  const std::int64_t exp = std::int64_t{v.exp} + tz;
  Mpz z;
  set_u64(z.v, sig);
  if (exp >= 0) {
    mpz_mul_2exp(z.v, z.v, static_cast<mp_bitcnt_t>(exp));
    return from_digits(v.negative, get_str(z.v), 0);
  }
  // sig x 2^-k = sig x 5^k / 10^k: a finite decimal expansion with k digits after the point.
  Mpz p;
  mpz_ui_pow_ui(p.v, 5, static_cast<unsigned long>(-exp));
  mpz_mul(z.v, z.v, p.v);
  return from_digits(v.negative, get_str(z.v), exp);
}

ExactValue to_exact_value(const Decimal& d) {
  switch (d.cls) {
    case ValueClass::zero: return ExactValue::zero(d.negative);
    case ValueClass::inf: return ExactValue::inf(d.negative);
    case ValueClass::nan: return ExactValue::quiet_nan(d.negative);
    case ValueClass::finite: break;
  }
  // Every format's values lie within 2^+-(2^21 + 64), i.e. 10^+-632000: anything beyond
  // 10^+-(10^7) rounds exactly as a value with an exponent of +-2^30 and a sticky tail would.
  constexpr std::int64_t kFar = 10'000'000;
  constexpr std::int32_t kFarBinary = std::int32_t{1} << 30;
  const std::int64_t x = leading_exponent(d);
  if (x > kFar) return ExactValue::finite(d.negative, std::uint64_t{1} << 63, kFarBinary, true);
  if (x < -kFar) return ExactValue::finite(d.negative, std::uint64_t{1} << 63, -kFarBinary, true);

  // MPFR rounds the decimal string correctly (toward zero) to 64 bits; its ternary value says
  // whether anything was dropped.
  const std::string s = d.digits + "e" + std::to_string(d.exponent);
  Mpfr m(64);
  char* end = nullptr;
  const int ternary = mpfr_strtofr(m.v, s.c_str(), &end, 10, MPFR_RNDZ);
  if (end != s.c_str() + s.size() || !mpfr_number_p(m.v) || mpfr_zero_p(m.v))
    throw std::logic_error("to_exact_value: MPFR could not read \"" + s + "\"");
  Mpz z;
  const mpfr_exp_t e = mpfr_get_z_2exp(z.v, m.v);
  return ExactValue::finite(d.negative, get_u64(z.v), static_cast<std::int32_t>(e), ternary != 0);
}

Encoded encode_decimal(const FormatSpec& f, const Decimal& d, const ConvertOptions& opt,
                       std::uint64_t index) {
  const ExactValue v = to_exact_value(d);
  if (opt.rounding == Rounding::sr && v.cls == ValueClass::finite && v.sticky) {
    // Bits of v below f's quantum at v (as encode() computes it). Beyond emax every candidate
    // overflows, so the random bits cannot matter there.
    const int lz = std::countl_zero(v.sig);
    const std::int64_t e = std::int64_t{v.exp} + 63 - lz;
    const std::int64_t lsb = e - 63 + lz;
    const std::int64_t emin = f.emin();
    std::int64_t q = std::max(e, emin) - f.mantissa_bits;
    if (e < emin && !f.has_subnormals) q = emin;
    const std::int64_t available = q - lsb;
    const bool can_matter = e <= f.emax() && (f.has_zero || e >= emin);
    if (can_matter && available < opt.sr_bits)
      throw std::invalid_argument("stochastic rounding of " + format_general(d, 17) + " into " +
                                  f.name + " needs " + std::to_string(opt.sr_bits) +
                                  " bits of the input below the rounding point, and the " +
                                  "64-bit exact value leaves " + std::to_string(available) +
                                  " there: use sr_bits <= " + std::to_string(available));
  }
  return encode(f, v, opt, index);
}

std::string to_string(const Decimal& d) {
  if (d.cls != ValueClass::finite) return special(d);
  const std::int64_t x = leading_exponent(d);
  const std::string body = (x > -7 && x < 21) ? positional(d.digits, x) : scientific(d.digits, x);
  return (d.negative ? "-" : "") + body;
}

std::string format_exact(const ExactValue& v) { return to_string(to_decimal(v)); }

std::string format_general(const Decimal& d, int significant_digits) {
  if (d.cls != ValueClass::finite) return special(d);
  const std::size_t p = significant_digits < 1 ? 1 : static_cast<std::size_t>(significant_digits);
  std::string r = d.digits;
  std::int64_t x = leading_exponent(d);
  if (r.size() > p) {
    // Round half to even on the exact decimal digits.
    const char first_dropped = r[p];
    const bool rest_nonzero = r.find_first_not_of('0', p + 1) != std::string::npos;
    const bool odd = ((r[p - 1] - '0') & 1) != 0;
    const bool up = first_dropped > '5' || (first_dropped == '5' && (rest_nonzero || odd));
    r.resize(p);
    if (up) {
      std::size_t k = p;
      while (k > 0 && r[k - 1] == '9') r[--k] = '0';
      if (k == 0) {
        r.insert(r.begin(), '1');
        r.pop_back();
        ++x;
      } else {
        ++r[k - 1];
      }
    }
    r.resize(r.find_last_not_of('0') + 1);
  }
  const bool use_scientific = x < -4 || x >= static_cast<std::int64_t>(p);
  const std::string body = use_scientific ? scientific(r, x) : positional(r, x);
  return (d.negative ? "-" : "") + body;
}

std::string format_general(const ExactValue& v, int significant_digits) {
  return format_general(to_decimal(v), significant_digits);
}

Decimal subtract(const Decimal& a, const Decimal& b, bool* exact, std::int64_t max_shift) {
  if (exact) *exact = true;
  auto finite_or_zero = [](const Decimal& d) {
    return d.cls == ValueClass::finite || d.cls == ValueClass::zero;
  };
  if (!finite_or_zero(a) || !finite_or_zero(b))
    throw std::invalid_argument("subtract: operands must be finite");
  if (b.cls == ValueClass::zero) return a;
  if (a.cls == ValueClass::zero) {
    Decimal r = b;
    r.negative = !b.negative;
    return r;
  }
  const bool b_lower = b.exponent < a.exponent;
  const Decimal& hi = b_lower ? a : b;
  const Decimal& lo = b_lower ? b : a;
  if (hi.exponent - lo.exponent > max_shift) {
    // Cut lo below position C = hi.exponent - kMargin and put a sticky 1 at C - 1: the result
    // then lies strictly between the same two multiples of 10^C as the exact one.
    constexpr std::int64_t kMargin = 64;
    const std::int64_t cut = hi.exponent - kMargin;
    const std::int64_t keep =
        std::clamp<std::int64_t>(lo.exponent + static_cast<std::int64_t>(lo.digits.size()) - cut, 0,
                                 static_cast<std::int64_t>(lo.digits.size()));
    const Decimal sticky{ValueClass::finite, lo.negative,
                         lo.digits.substr(0, static_cast<std::size_t>(keep)) + "1", cut - 1};
    const std::int64_t no_cut = kMargin + 1;
    Decimal r =
        b_lower ? subtract(a, sticky, nullptr, no_cut) : subtract(sticky, b, nullptr, no_cut);
    if (exact) *exact = false;
    return r;
  }
  const std::int64_t base = lo.exponent;
  Mpz za, zb;
  set_scaled(za.v, a.digits, a.exponent - base);
  set_scaled(zb.v, b.digits, b.exponent - base);
  if (a.negative) mpz_neg(za.v, za.v);
  if (!b.negative) mpz_neg(zb.v, zb.v);  // a + (-b)
  mpz_add(za.v, za.v, zb.v);
  const bool negative = mpz_sgn(za.v) < 0;
  return from_digits(negative, get_str(za.v), base);
}

std::string format_ratio(const Decimal& num, const Decimal& den, int significant_digits) {
  if (den.cls != ValueClass::finite ||
      (num.cls != ValueClass::finite && num.cls != ValueClass::zero))
    throw std::invalid_argument("format_ratio: operands must be finite, the divisor nonzero");
  if (num.cls == ValueClass::zero) return "0";
  const std::int64_t p = std::max(significant_digits, 1);
  const auto la = static_cast<std::int64_t>(num.digits.size());
  const auto lb = static_cast<std::int64_t>(den.digits.size());
  // q = floor(Na x 10^s / Nb) has at least p + 1 digits; a nonzero remainder becomes a trailing
  // sticky digit, so rounding q to p digits is rounding the exact quotient.
  const std::int64_t s = std::max<std::int64_t>(0, p + 2 + lb - la);
  Mpz a, b, q, r;
  set_scaled(a.v, num.digits, s);
  mpz_set_str(b.v, den.digits.c_str(), 10);
  mpz_tdiv_qr(q.v, r.v, a.v, b.v);
  std::string digits = get_str(q.v);
  std::int64_t exponent = num.exponent - den.exponent - s;
  if (mpz_sgn(r.v) != 0) {
    digits += '1';
    --exponent;
  }
  return format_general(from_digits(num.negative != den.negative, digits, exponent),
                        significant_digits);
}

std::string format_hex(const FormatSpec& f, std::uint64_t bits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*" PRIX64, f.hex_digits(), bits & f.mask());
  return buf;
}

std::string format_flags(Flags f) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02X", static_cast<unsigned>(f.bits));
  return buf;
}

std::uint64_t parse_hex(const FormatSpec& f, std::string_view text) {
  std::string_view t = text;
  if (t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
  auto fail = [&](const std::string& note) {
    throw std::invalid_argument("expected a hex pattern of at most " +
                                std::to_string(f.hex_digits()) + " digits for " + f.name +
                                ", got \"" + std::string(text) + "\"" + note);
  };
  if (t.empty() || t.size() > static_cast<std::size_t>(f.hex_digits())) fail("");
  std::uint64_t v = 0;
  for (const char c : t) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) fail("");
    const int digit = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    v = (v << 4) | static_cast<std::uint64_t>(digit);
  }
  if (v > f.mask())
    fail(" (" + std::to_string(f.width()) + " bits: at most " + format_hex(f, f.mask()) + ")");
  return v;
}

}  // namespace fpaudit
