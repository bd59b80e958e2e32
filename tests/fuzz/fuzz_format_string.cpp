// libFuzzer target: the custom format-string parser (format_by_name / parse_format_string).
// Every string it accepts must give a FormatSpec that validate()s and whose derived constants,
// decode and encode run without undefined behaviour; describe() must parse back to the same
// structure. Everything else must be std::invalid_argument.
// Seeds: tests/fuzz/corpus/format_string/. Run: tools/fuzz.sh SECONDS format_string
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fpaudit::FormatSpec f;
  try {
    f = fpaudit::format_by_name(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  f.validate();  // an accepted spec must be valid: throwing here is a finding
  if (!(fpaudit::parse_format_string(fpaudit::describe(f)) == f)) std::abort();
  volatile std::uint64_t sink = f.max_finite_bits() ^ f.min_positive_bits() ^ f.default_nan_bits();
  const std::uint64_t probes[] = {0, 1, f.min_positive_bits(), f.max_finite_bits(),
                                  f.max_finite_bits() + 1, f.sign_bit(), f.mask()};
  const fpaudit::ConvertOptions opt;
  for (const std::uint64_t b : probes) {
    const std::uint64_t bits = b & f.mask();
    sink = sink ^ f.is_nan(bits) ^ f.is_inf(bits) ^ f.is_zero(bits) ^ f.is_subnormal(bits);
    (void)fpaudit::to_double(f, bits);
    sink = sink ^ fpaudit::convert(f, bits, f, opt).bits;
    sink = sink ^ fpaudit::convert_double(1.5, f, opt).bits;
  }
  (void)sink;
  return 0;
}
