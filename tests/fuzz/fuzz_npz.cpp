// libFuzzer target "npz": fpaudit::fuzz::npz (fuzz_targets.hpp) on arbitrary bytes.
// Seeds: tests/fuzz/corpus/npz/. Run: tools/fuzz.sh SECONDS npz
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::npz(data, size);
}
