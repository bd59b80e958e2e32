// The fuzz targets' bodies, one function per target, shared by the libFuzzer programs
// (fuzz_<target>.cpp, built with -DFPAUDIT_BUILD_FUZZ=ON) and by test_fuzz_replay, which runs
// every committed corpus and regression input through them in the default test suite.
// A target returns 0; a finding is a crash, an abort, a sanitizer report or an exception other
// than the expected one escaping.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/report/gate.hpp"
#include "fpaudit/vectors/function.hpp"
#include "fpaudit/vectors/testfloat_line.hpp"
#include "fuzz_file.hpp"

namespace fpaudit::fuzz {

inline int npy(const std::uint8_t* data, std::size_t size) {
  return fuzz_reader(".npy", io::read_npy, data, size);
}
inline int npz(const std::uint8_t* data, std::size_t size) {
  return fuzz_reader(".npz", io::read_npz, data, size);
}
inline int safetensors(const std::uint8_t* data, std::size_t size) {
  return fuzz_reader(".safetensors", io::read_safetensors, data, size);
}

// The custom format-string parser (format_by_name / parse_format_string). Every string it
// accepts must give a FormatSpec that validate()s and whose derived constants, decode and
// encode run without undefined behaviour; describe() must parse back to the same structure.
// Everything else must be std::invalid_argument.
inline int format_string(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FormatSpec f;
  try {
    f = format_by_name(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  f.validate();  // an accepted spec must be valid: throwing here is a finding
  if (!(parse_format_string(describe(f)) == f)) std::abort();
  volatile std::uint64_t sink = f.max_finite_bits() ^ f.min_positive_bits() ^ f.default_nan_bits();
  const std::uint64_t probes[] = {
      0,       1, f.min_positive_bits(), f.max_finite_bits(), f.max_finite_bits() + 1, f.sign_bit(),
      f.mask()};
  const ConvertOptions opt;
  for (const std::uint64_t b : probes) {
    const std::uint64_t bits = b & f.mask();
    sink = sink ^ f.is_nan(bits) ^ f.is_inf(bits) ^ f.is_zero(bits) ^ f.is_subnormal(bits);
    (void)to_double(f, bits);
    sink = sink ^ convert(f, bits, f, opt).bits;
    sink = sink ^ convert_double(1.5, f, opt).bits;
  }
  (void)sink;
  return 0;
}

// The --fail-if expression parser (report::Gate). Accepted expressions are evaluated with every
// field bound to a few values, so evaluation runs too; anything but std::invalid_argument
// escaping is a finding.
inline int fail_if(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto gate = report::Gate::parse(text);
    (void)gate.fields();
    const double values[] = {0.0, 1.0, -2.5, 1e308};
    for (const double v : values) {
      volatile bool r = gate.evaluate([&](std::string_view) { return std::optional<double>(v); });
      (void)r;
    }
    // Unknown fields are a usage error, reported as std::invalid_argument.
    (void)gate.evaluate([](std::string_view) { return std::optional<double>(); });
  } catch (const std::invalid_argument&) {
  }
  return 0;
}

// The TestFloat-line reader (vectors::parse_testfloat_line, parse_operand_line). The first byte
// picks a function (conversions, a ternary operation, a comparison, a block quantiser, a dot
// product); the rest is the line. Every accepted line must survive a round trip: written back
// with format_testfloat_line and read again, it gives the same operands, results and flags.
// Anything but std::invalid_argument escaping is a finding.
inline int testfloat_line(const std::uint8_t* data, std::size_t size) {
  static const char* const kFunctions[] = {"f32_to_bf16", "f16_mulAdd",          "e4m3_add",
                                           "f16_lt_quiet", "e2m1_to_f64",        "f64_to_e5m2",
                                           "bf16_sqrt",   "mxfp8_e4m3_quantize", "bf16_dot4"};
  if (size == 0) return 0;
  constexpr std::size_t kCount = sizeof(kFunctions) / sizeof(kFunctions[0]);
  const vectors::Function fn = vectors::parse_function(kFunctions[data[0] % kCount]);
  const std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    if (const auto parsed = vectors::parse_testfloat_line(line, fn)) {
      const std::string again =
          vectors::format_testfloat_line(fn, parsed->operands, parsed->outcome);
      const auto back = vectors::parse_testfloat_line(again, fn);
      if (!back || back->operands != parsed->operands || !(back->outcome == parsed->outcome))
        std::abort();
    }
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)vectors::parse_operand_line(line, fn);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}

}  // namespace fpaudit::fuzz
