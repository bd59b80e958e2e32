// libFuzzer target "format_string": fpaudit::fuzz::format_string (fuzz_targets.hpp) on arbitrary
// bytes. Seeds: tests/fuzz/corpus/format_string/. Run: tools/fuzz.sh SECONDS format_string
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::format_string(data, size);
}
