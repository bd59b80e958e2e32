#include "conversion_options.hpp"

#include <CLI/CLI.hpp>
#include <stdexcept>

#include "format_facts.hpp"
#include "fpaudit/codec/text.hpp"

namespace fpaudit::cli {
namespace {

Tininess parse_tininess(const std::string& s) {
  if (s == "after" || s == "after_rounding") return Tininess::after_rounding;
  if (s == "before" || s == "before_rounding") return Tininess::before_rounding;
  throw std::invalid_argument("unknown tininess \"" + s + "\" (expected after, before)");
}

NanPolicy parse_nan_policy(const std::string& s, const FormatSpec& to) {
  if (s == "propagate") return {};
  const std::string key = "canonical=";
  if (s.rfind(key, 0) != 0)
    throw std::invalid_argument("unknown NaN policy \"" + s +
                                "\" (expected propagate, canonical=0xBITS)");
  if (to.nan == NanEncoding::none)
    throw std::invalid_argument("--nan " + s + ": " + to.name +
                                " has no NaN encoding, so there is no canonical NaN to choose");
  const std::uint64_t bits = parse_hex(to, s.substr(key.size()));
  if (!to.is_nan(bits))
    throw std::invalid_argument("--nan " + s + ": " + format_hex(to, bits) + " is not a NaN of " +
                                to.name + " (its NaN encodings: " + nan_ranges_text(to) + ")");
  return {bits};
}

}  // namespace

void add_conversion_options(CLI::App& cmd, ConversionArgs& args) {
  cmd.add_option("--rounding", args.rounding,
                 "rne (default), rna, rtz, rup, rdown, rno (round to odd), sr (stochastic)");
  cmd.add_option("--overflow", args.overflow,
                 "ieee (default; IEEE 754 7.4 / OFP8 non-saturating), saturate");
  cmd.add_option("--subnormals", args.subnormals, "keep (default), daz, ftz, daz+ftz");
  cmd.add_option("--tininess", args.tininess, "after (default; after rounding), before");
  cmd.add_option("--nan", args.nan,
                 "propagate (default; IEEE 754 6.2.3), or canonical=0xBITS (a NaN of the target)");
  cmd.add_option("--seed", args.seed, "stochastic rounding seed (default 0)");
  cmd.add_option("--sr-bits", args.sr_bits,
                 "random bits per stochastic rounding, 1..32 (default 16)")
      ->check(CLI::Range(1, 32));
}

ConvertOptions resolve_options(const ConversionArgs& args, const FormatSpec& to) {
  ConvertOptions opt;
  opt.rounding = parse_rounding(args.rounding);
  opt.overflow = parse_overflow(args.overflow);
  opt.subnormals = parse_subnormals(args.subnormals);
  opt.tininess = parse_tininess(args.tininess);
  opt.nan = parse_nan_policy(args.nan, to);
  opt.seed = args.seed;
  opt.sr_bits = args.sr_bits;
  return opt;
}

std::string describe_options(const ConvertOptions& opt, const FormatSpec& to) {
  std::string s = "rounding " + std::string(to_string(opt.rounding)) + ", overflow " +
                  std::string(to_string(opt.overflow)) + ", subnormals " +
                  to_string(opt.subnormals) + ", tininess " +
                  (opt.tininess == Tininess::after_rounding ? "after" : "before") + ", nan " +
                  (opt.nan.canonical ? "canonical=0x" + format_hex(to, *opt.nan.canonical)
                                     : std::string("propagate"));
  if (opt.rounding == Rounding::sr)
    s += ", seed " + std::to_string(opt.seed) + ", sr-bits " + std::to_string(opt.sr_bits);
  return s;
}

}  // namespace fpaudit::cli
