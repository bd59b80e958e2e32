// libFuzzer target "safetensors": fpaudit::fuzz::safetensors (fuzz_targets.hpp) on arbitrary bytes.
// Seeds: tests/fuzz/corpus/safetensors/. Run: tools/fuzz.sh SECONDS safetensors
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::safetensors(data, size);
}
