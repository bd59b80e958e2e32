// libFuzzer target: the --fail-if expression parser (report::Gate). Accepted expressions are
// evaluated with every field bound to a value taken from the input, so evaluation runs too.
// Anything but std::invalid_argument escaping is a finding.
// Seeds: tests/fuzz/corpus/fail_if/. Run: tools/fuzz.sh SECONDS fail_if
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "fpaudit/report/gate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto gate = fpaudit::report::Gate::parse(text);
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
