// libFuzzer target: fpaudit::io::read_npz on arbitrary bytes, then every tensor streamed.
// Seeds: tests/fuzz/corpus/npz/. Run: tools/fuzz.sh SECONDS npz
#include "fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fpaudit::fuzz::fuzz_reader(".npz", fpaudit::io::read_npz, data, size);
}
