// .npy element layout of cases (include/fpaudit/vectors/arrays.hpp).
#include "fpaudit/vectors/arrays.hpp"

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit::vectors {

std::string npy_descr(const FormatSpec& f) {
  const std::size_t bytes = storage_bytes(f);
  for (const char* ieee : {"binary16", "binary32", "binary64"})
    if (f == format_by_name(ieee)) return "<f" + std::to_string(bytes);
  return (bytes == 1 ? "|u" : "<u") + std::to_string(bytes);
}

void append_element(std::string& buffer, const FormatSpec& f, std::uint64_t bits) {
  for (std::size_t i = 0; i < storage_bytes(f); ++i)
    buffer += static_cast<char>((bits >> (8 * i)) & 0xFF);
}

}  // namespace fpaudit::vectors
