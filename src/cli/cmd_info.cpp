// `fpaudit info FORMAT [VALUE|0xBITS]`: a format's constants; one encoding taken apart; or how
// a decimal value rounds into the format under the conversion options. Every value printed is
// exact (text.hpp), so the output can be checked against a spec table by eye.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "conversion_options.hpp"
#include "format_facts.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::cli {
namespace {

struct InfoArgs {
  std::string format;
  std::string value;
  ConversionArgs conv;
  std::uint64_t index = 0;
};

void line(const std::string& key, const std::string& value) {
  std::string k = key + ":";
  k.resize(std::max<std::size_t>(k.size() + 1, 16), ' ');
  std::cout << k << value << '\n';
}

std::string hex(const FormatSpec& f, std::uint64_t bits) { return "0x" + format_hex(f, bits); }

std::string pow2(int k) { return "2^" + std::to_string(k); }

// "0x7E = 448"
std::string encoding_and_value(const FormatSpec& f, std::uint64_t bits) {
  return hex(f, bits) + " = " + format_exact(decode(f, bits));
}

std::string neighbour(const FormatSpec& f, const std::optional<std::uint64_t>& bits) {
  return bits ? encoding_and_value(f, *bits) : "none";
}

std::string plain_hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%" PRIX64, v);
  return buf;
}

std::string binary(std::uint64_t v, int digits) {
  std::string s;
  for (int i = digits - 1; i >= 0; --i) s += ((v >> i) & 1) ? '1' : '0';
  return s;
}

const NamedFormat* registered_twin(const FormatSpec& f) {
  for (const NamedFormat& nf : registered_formats())
    if (nf.spec == f) return &nf;
  return nullptr;
}

std::string title(const FormatSpec& f) {
  const std::string structure = describe(f);
  return structure == f.name ? f.name : f.name + " (" + structure + ")";
}

void print_format(const FormatSpec& f) {
  const NamedFormat* twin = registered_twin(f);
  const bool registered = twin != nullptr && twin->spec.name == f.name;
  line("format", f.name);
  if (registered) {
    std::string aliases;
    for (const auto& a : twin->aliases) aliases += (aliases.empty() ? "" : ", ") + a;
    line("aliases", aliases.empty() ? "none" : aliases);
    line("source", twin->source);
  } else {
    line("source", "custom format string");
    if (twin) line("same as", twin->spec.name);
  }
  line("structure", describe(f));
  std::string bits = std::to_string(f.width()) + " = ";
  bits += f.is_signed ? "sign 1 + " : "";
  bits += "exponent " + std::to_string(f.exponent_bits) + " + mantissa " +
          std::to_string(f.mantissa_bits);
  bits += f.is_signed ? "" : " (unsigned)";
  line("bits", bits + ", " + std::to_string(f.hex_digits()) + " hex digits");
  line("precision", std::to_string(f.precision()) + (f.precision() == 1 ? " bit" : " bits"));
  line("bias", std::to_string(f.bias));
  line("emin, emax", std::to_string(f.emin()) + ", " + std::to_string(f.emax()));
  line("NaN style", std::string(to_string(f.nan)));
  line("max finite", encoding_and_value(f, f.max_finite_bits()));
  line("min normal", hex(f, min_normal_bits(f)) + " = " + pow2(f.emin()) + " = " +
                         format_exact(decode(f, min_normal_bits(f))));
  if (f.has_subnormals && f.mantissa_bits > 0)
    line("min subnormal", hex(f, f.min_positive_bits()) + " = " + pow2(f.emin() - f.mantissa_bits) +
                              " = " + format_exact(decode(f, f.min_positive_bits())));
  else
    line("min subnormal", "none (no subnormals)");
  line("epsilon", pow2(-f.mantissa_bits) + " = " +
                      format_exact(ExactValue::finite(false, 1, -f.mantissa_bits)));
  if (!f.has_zero)
    line("zero", "none");
  else if (f.is_signed && f.nan != NanEncoding::fnuz)
    line("zero", hex(f, 0) + " (+0), " + hex(f, f.sign_bit()) + " (-0)");
  else
    line("zero", hex(f, 0) + " (no -0)");
  if (f.has_inf)
    line("infinity",
         hex(f, f.inf_bits()) + " (+inf)" +
             (f.is_signed ? ", " + hex(f, f.sign_bit() | f.inf_bits()) + " (-inf)" : ""));
  else
    line("infinity", "none");
  line("NaN", nan_ranges_text(f, "0x"));
  if (f.nan != NanEncoding::none) line("default NaN", hex(f, f.default_nan_bits()));
}

void print_encoding(const FormatSpec& f, std::uint64_t bits) {
  const int m = f.mantissa_bits;
  const std::uint64_t field = (bits & f.magnitude_mask()) >> m;
  const std::uint64_t mantissa = bits & f.mantissa_mask();
  line("format", title(f));
  std::string fields = f.is_signed ? (f.is_negative(bits) ? "1 " : "0 ") : "";
  fields += binary(field, f.exponent_bits);
  if (m > 0) fields += " " + binary(mantissa, m);
  line("bits", hex(f, bits) + " = " + fields);
  if (f.is_signed)
    line("sign", f.is_negative(bits) ? "1 (-)" : "0 (+)");
  else
    line("sign", "none (unsigned format)");
  std::string exponent =
      binary(field, f.exponent_bits) + " = 0x" + plain_hex(field) + " = " + std::to_string(field);
  if (f.is_nan(bits) || f.is_inf(bits))
    exponent += " (infinity/NaN binade)";
  else if (f.is_zero(bits))
    exponent += "";
  else if (f.is_subnormal(bits))
    exponent += " (subnormal: 0.m x " + pow2(f.emin()) + ")";
  else
    exponent += " (1.m x " + pow2(static_cast<int>(field) - f.bias) + ")";
  line("exponent field", exponent);
  if (m > 0)
    line("mantissa field",
         binary(mantissa, m) + " = 0x" + plain_hex(mantissa) + " = " + std::to_string(mantissa));
  else
    line("mantissa field", "none (0 bits)");
  line("class", class_name(f, bits));
  line("value", format_exact(decode(f, bits)));
  line("next down", neighbour(f, next_down(f, bits)));
  line("next up", neighbour(f, next_up(f, bits)));
  if (f.is_nan(bits) || f.is_inf(bits)) {
    line("ulp", "none (not finite)");
  } else {
    const int k = ulp_exponent(f, bits);
    line("ulp", pow2(k) + " = " + format_exact(ExactValue::finite(false, 1, k)));
  }
}

std::string flag_names(Flags fl) {
  std::string s;
  auto add = [&](Flags::Bit b, const char* name) {
    if (fl.has(b)) s += (s.empty() ? "" : ", ") + std::string(name);
  };
  add(Flags::invalid, "invalid");
  add(Flags::infinite, "infinite");
  add(Flags::overflow, "overflow");
  add(Flags::underflow, "underflow");
  add(Flags::inexact, "inexact");
  return s.empty() ? "none" : s;
}

// The representable value on one side of x (rounding toward it, ieee overflow, no FTZ), or
// none where the format has nothing on that side.
std::string bracket(const FormatSpec& f, const Decimal& x, ConvertOptions opt, Rounding toward) {
  if (x.cls == ValueClass::nan) return "none (input is NaN)";
  opt.rounding = toward;
  opt.overflow = Overflow::ieee;
  opt.subnormals = {};
  opt.nan = {};
  const Encoded r = encode_decimal(f, x, opt);
  const bool below = toward == Rounding::rdown;
  bool none = f.is_nan(r.bits);
  // Past the largest finite value on the far side without an infinity, the result saturates to
  // max finite (or becomes NaN): it lies on the wrong side of x.
  if (r.flags.has(Flags::overflow) && !f.has_inf && x.negative == below) none = true;
  // Below the smallest value of a format without zero (E8M0) there is nothing.
  if (below && !f.has_zero && r.flags.has(Flags::underflow)) none = true;
  return none ? "none" : encoding_and_value(f, r.bits);
}

void print_rounding(const FormatSpec& f, const std::string& text, const ConvertOptions& opt,
                    std::uint64_t index) {
  const Decimal x = parse_decimal(text);
  const Encoded r = encode_decimal(f, x, opt, index);
  const ExactValue result = decode(f, r.bits);
  line("format", title(f));
  line("input", text);
  if (x.cls == ValueClass::finite && to_string(x) != text) line("input (exact)", to_string(x));
  line("options", describe_options(opt, f) +
                      (opt.rounding == Rounding::sr ? ", index " + std::to_string(index) : ""));
  line("result", encoding_and_value(f, r.bits));
  line("class", class_name(f, r.bits));
  line("flags", "0x" + format_flags(r.flags) + " " + flags_letters(r.flags) + " (" +
                    flag_names(r.flags) + ")");
  const bool finite_in = x.cls == ValueClass::finite || x.cls == ValueClass::zero;
  const bool finite_out = result.cls == ValueClass::finite || result.cls == ValueClass::zero;
  if (!finite_in || !finite_out) {
    line("error", "none (input or result not finite)");
  } else {
    bool exact = true;
    const Decimal err = subtract(to_decimal(result), x, &exact);
    if (err.cls == ValueClass::zero) {
      line("error", "0 (exact)");
    } else {
      line("error", (exact ? to_string(err) : "~" + format_general(err, 40)) + " (result - input)");
      if (x.cls == ValueClass::finite)
        line("relative error", format_ratio(err, x, 17) + " ((result - input) / input)");
    }
  }
  line("below", bracket(f, x, opt, Rounding::rdown));
  line("above", bracket(f, x, opt, Rounding::rup));
}

void run(const InfoArgs& args) {
  const FormatSpec f = format_by_name(args.format);
  if (args.value.empty()) {
    print_format(f);
    return;
  }
  const std::string& v = args.value;
  if (v.size() >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    print_encoding(f, parse_hex(f, v));
    return;
  }
  print_rounding(f, v, resolve_options(args.conv, f), args.index);
}

}  // namespace

void register_info(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "info",
      "Show a format's constants, take an encoding (0xBITS) apart, or round a decimal VALUE");
  auto args = std::make_shared<InfoArgs>();
  cmd->add_option("FORMAT", args->format, "registered name or alias, or e<E>m<M>[:options]")
      ->required();
  cmd->add_option("VALUE", args->value,
                  "0xBITS (an encoding of FORMAT) or a decimal value (any precision, inf, nan); "
                  "write `--` before -inf or -nan");
  add_conversion_options(*cmd, args->conv);
  cmd->add_option("--index", args->index, "element index for stochastic rounding (default 0)");
  cmd->callback([args] { run(*args); });
}

}  // namespace fpaudit::cli
