// libFuzzer target "testfloat_line": fpaudit::fuzz::testfloat_line (fuzz_targets.hpp) on
// arbitrary bytes (first byte: the function, rest: the line). Seeds:
// tests/fuzz/corpus/testfloat_line/. Run: tools/fuzz.sh SECONDS testfloat_line
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::testfloat_line(data, size);
}
