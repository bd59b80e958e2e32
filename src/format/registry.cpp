#include "fpaudit/format/registry.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace fpaudit {
namespace {

struct Shape {
  bool is_signed;
  int e, m, bias;
  NanEncoding nan;
  bool subnormals = true;
  bool zero = true;
};

NamedFormat make(std::string name, Shape s, std::vector<std::string> aliases, std::string source) {
  FormatSpec f;
  f.name = std::move(name);
  f.is_signed = s.is_signed;
  f.exponent_bits = s.e;
  f.mantissa_bits = s.m;
  f.bias = s.bias;
  f.nan = s.nan;
  f.has_inf = s.nan == NanEncoding::ieee;
  f.has_subnormals = s.subnormals;
  f.has_zero = s.zero;
  f.validate();
  return {std::move(f), std::move(aliases), std::move(source)};
}

std::vector<NamedFormat> build_registry() {
  using N = NanEncoding;
  std::vector<NamedFormat> r;
  r.push_back(make("binary64", {true, 11, 52, 1023, N::ieee}, {"f64", "float64", "double"},
                   "IEEE 754-2019 3.6 Table 3.5"));
  r.push_back(make("binary32", {true, 8, 23, 127, N::ieee}, {"f32", "float32", "float", "single"},
                   "IEEE 754-2019 3.6 Table 3.5"));
  r.push_back(make("tf32", {true, 8, 10, 127, N::ieee}, {"tensorfloat32"},
                   "NVIDIA TensorFloat-32 (binary32 range, 10-bit mantissa; held in 32-bit "
                   "registers with the low 13 bits zero)"));
  r.push_back(make("bfloat16", {true, 8, 7, 127, N::ieee}, {"bf16"},
                   "Google bfloat16 (binary32 range); Intel BF16 (SDM VCVTNEPS2BF16)"));
  r.push_back(make("binary16", {true, 5, 10, 15, N::ieee}, {"f16", "half", "float16", "fp16"},
                   "IEEE 754-2019 3.6 Table 3.5"));
  r.push_back(make("float8_e5m2", {true, 5, 2, 15, N::ieee}, {"e5m2", "fp8_e5m2"},
                   "OCP OFP8 v1.0 Table 1 (E5M2)"));
  r.push_back(make("float8_e4m3fn", {true, 4, 3, 7, N::fn}, {"e4m3", "e4m3fn", "fp8_e4m3"},
                   "OCP OFP8 v1.0 Table 1 (E4M3)"));
  r.push_back(make("float8_e4m3fnuz", {true, 4, 3, 8, N::fnuz}, {"e4m3fnuz"},
                   "AMD/Graphcore FNUZ (LLVM D141863; ml_dtypes)"));
  r.push_back(make("float8_e5m2fnuz", {true, 5, 2, 16, N::fnuz}, {"e5m2fnuz"},
                   "AMD/Graphcore FNUZ (LLVM D141863; ml_dtypes)"));
  r.push_back(make("float8_e4m3b11fnuz", {true, 4, 3, 11, N::fnuz}, {"e4m3b11fnuz"},
                   "Google TPU E4M3 bias 11 FNUZ (ml_dtypes)"));
  r.push_back(make("float8_e4m3", {true, 4, 3, 7, N::ieee}, {"e4m3ieee"},
                   "IEEE 754-style E4M3 with infinities (LLVM Float8E4M3, ml_dtypes)"));
  r.push_back(make("float8_e3m4", {true, 3, 4, 3, N::ieee}, {"e3m4"},
                   "IEEE 754-style E3M4 (LLVM Float8E3M4, ml_dtypes)"));
  r.push_back(make("float6_e2m3fn", {true, 2, 3, 1, N::none}, {"e2m3", "fp6_e2m3"},
                   "OCP MX v1.0 5.3.2 Table 3 (FP6 E2M3)"));
  r.push_back(make("float6_e3m2fn", {true, 3, 2, 3, N::none}, {"e3m2", "fp6_e3m2"},
                   "OCP MX v1.0 5.3.2 Table 3 (FP6 E3M2)"));
  r.push_back(make("float4_e2m1fn", {true, 2, 1, 1, N::none}, {"e2m1", "fp4", "fp4_e2m1"},
                   "OCP MX v1.0 5.3.3 Table 4 (FP4 E2M1)"));
  r.push_back(make("float8_e8m0fnu", {false, 8, 0, 127, N::fn, false, false}, {"e8m0", "ue8m0"},
                   "OCP MX v1.0 5.4.1 (E8M0 scale: 2^-127..2^127, 0xFF NaN, no zero, no sign)"));
  return r;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

[[noreturn]] void bad(std::string_view text, const std::string& what) {
  throw std::invalid_argument("invalid format \"" + std::string(text) + "\": " + what);
}

int parse_int(std::string_view text, std::string_view digits, const char* what) {
  int v = 0;
  const char* end = digits.data() + digits.size();
  auto [p, ec] = std::from_chars(digits.data(), end, v);
  if (digits.empty() || ec != std::errc() || p != end)
    bad(text, std::string("expected an integer for ") + what + ", got \"" + std::string(digits) + "\"");
  return v;
}

}  // namespace

std::span<const NamedFormat> registered_formats() {
  static const std::vector<NamedFormat> registry = build_registry();
  return registry;
}

FormatSpec parse_format_string(std::string_view text) {
  const std::string s = lower(text);
  std::string_view rest = s;
  FormatSpec f;
  f.name = s;
  if (!rest.empty() && rest.front() == 'u') {
    f.is_signed = false;
    rest.remove_prefix(1);
  }
  const auto colon = rest.find(':');
  std::string_view head = rest.substr(0, colon);
  if (head.size() < 4 || head.front() != 'e' || head.find('m') == std::string_view::npos)
    bad(text, "expected e<exponent bits>m<mantissa bits>[:options], e.g. e4m3:fn, e5m2:fnuz:bias=16");
  const auto m = head.find('m');
  f.exponent_bits = parse_int(text, head.substr(1, m - 1), "exponent bits");
  f.mantissa_bits = parse_int(text, head.substr(m + 1), "mantissa bits");
  if (f.exponent_bits < 1 || f.exponent_bits > 20)
    bad(text, "exponent bits " + std::to_string(f.exponent_bits) + " out of range (expected 1..20)");
  if (f.mantissa_bits < 0 || f.mantissa_bits > 61)
    bad(text, "mantissa bits " + std::to_string(f.mantissa_bits) +
                  " out of range (expected 0..61: at most 62 significant bits)");
  f.bias = (1 << (f.exponent_bits - 1)) - 1;
  f.nan = NanEncoding::ieee;
  bool bias_given = false;
  while (colon != std::string_view::npos && !rest.empty()) {
    const auto c = rest.find(':');
    if (c == std::string_view::npos) break;
    rest.remove_prefix(c + 1);
    const auto next = rest.find(':');
    const std::string_view opt = rest.substr(0, next);
    if (opt == "fn") f.nan = NanEncoding::fn;
    else if (opt == "fnuz") f.nan = NanEncoding::fnuz;
    else if (opt == "ieee") f.nan = NanEncoding::ieee;
    else if (opt == "nonan") f.nan = NanEncoding::none;
    else if (opt == "nosub") f.has_subnormals = false;
    else if (opt == "nozero") f.has_zero = false;
    else if (opt == "unsigned") f.is_signed = false;
    else if (opt.starts_with("bias=")) {
      f.bias = parse_int(text, opt.substr(5), "bias");
      bias_given = true;
    } else {
      bad(text, "unknown option \"" + std::string(opt) +
                    "\" (expected fn, fnuz, ieee, nonan, bias=N, nosub, nozero, unsigned)");
    }
    if (next == std::string_view::npos) break;
  }
  // FNUZ convention: bias one above IEEE's (LLVM D141863). Applied once, after the options, so
  // that "fnuz:fnuz" does not add it twice and the last NaN option decides (describe() inverts
  // exactly this).
  if (f.nan == NanEncoding::fnuz && !bias_given) f.bias += 1;
  f.has_inf = f.nan == NanEncoding::ieee;
  try {
    f.validate();
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    const auto p = msg.find(": ");
    bad(text, p == std::string::npos ? msg : msg.substr(p + 2));
  }
  return f;
}

FormatSpec format_by_name(std::string_view name) {
  const std::string key = lower(name);
  for (const auto& nf : registered_formats()) {
    if (nf.spec.name == key) return nf.spec;
    for (const auto& a : nf.aliases)
      if (a == key) return nf.spec;
  }
  if (key.empty()) bad(name, "empty format name");
  const char first = key.front();
  if (first != 'e' && !(first == 'u' && key.size() > 1 && key[1] == 'e'))
    bad(name, "not a registered format (see `fpaudit formats`) nor a custom e<E>m<M>[:options] string");
  return parse_format_string(key);
}

}  // namespace fpaudit
