// The conversion options shared by `convert` and `info` (--rounding, --overflow, --subnormals,
// --tininess, --nan, --seed, --sr-bits): their CLI11 registration and their translation into
// the library's ConvertOptions, with the library's parsers and messages.
#pragma once

#include <cstdint>
#include <string>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace CLI {
class App;
}

namespace fpaudit::cli {

struct ConversionArgs {
  std::string rounding = "rne";
  std::string overflow = "ieee";
  std::string subnormals = "keep";
  std::string tininess = "after";
  std::string nan = "propagate";
  std::uint64_t seed = 0;
  int sr_bits = 16;
};

void add_conversion_options(CLI::App& cmd, ConversionArgs& args);

// Throws std::invalid_argument naming the option and the accepted values; a canonical NaN must
// be a NaN encoding of `to`.
ConvertOptions resolve_options(const ConversionArgs& args, const FormatSpec& to);

// "rounding rne, overflow ieee, subnormals keep, tininess after, nan propagate"
// (plus ", seed N, sr-bits R" for stochastic rounding).
std::string describe_options(const ConvertOptions& opt, const FormatSpec& to);

}  // namespace fpaudit::cli
