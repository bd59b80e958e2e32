// libFuzzer target: fpaudit::io::read_safetensors on arbitrary bytes, then every tensor streamed.
// Seeds: tests/fuzz/corpus/safetensors/. Run: tools/fuzz.sh SECONDS safetensors
#include "fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::fuzz_reader(".safetensors", fpaudit::io::read_safetensors, data, size);
}
