// libFuzzer target "fail_if": fpaudit::fuzz::fail_if (fuzz_targets.hpp) on arbitrary bytes.
// Seeds: tests/fuzz/corpus/fail_if/. Run: tools/fuzz.sh SECONDS fail_if
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::fail_if(data, size);
}
