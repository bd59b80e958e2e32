// libFuzzer target: fpaudit::io::read_npy on arbitrary bytes, then every tensor streamed.
// Seeds: tests/fuzz/corpus/npy/. Run: tools/fuzz.sh SECONDS npy
#include "fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::fuzz_reader(".npy", fpaudit::io::read_npy, data, size);
}
