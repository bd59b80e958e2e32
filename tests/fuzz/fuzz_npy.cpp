// libFuzzer target "npy": fpaudit::fuzz::npy (fuzz_targets.hpp) on arbitrary bytes.
// Seeds: tests/fuzz/corpus/npy/. Run: tools/fuzz.sh SECONDS npy
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::npy(data, size);
}
