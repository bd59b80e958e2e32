// The .npy writer (include/fpaudit/io/npy_writer.hpp).
#include "fpaudit/io/npy_writer.hpp"

#include <stdexcept>

#include "fpaudit/report/output_file.hpp"

namespace fpaudit::io {

std::string npy_bytes(std::string_view descr, const std::vector<std::uint64_t>& shape,
                      std::string_view data) {
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|'))
    throw std::invalid_argument("npy: descr \"" + std::string(descr) +
                                "\": expected a little-endian or byte type such as <f4 or |u1");
  const std::uint64_t item = std::stoull(std::string(descr.substr(2)));
  std::uint64_t count = 1;
  for (std::uint64_t d : shape) count *= d;
  if (count * item != data.size())
    throw std::invalid_argument("npy: " + std::to_string(data.size()) + " data bytes for " +
                                std::to_string(count) + " elements of " + std::string(descr));
  std::string dims;  // Python's tuple spelling: (), (3,), (2, 3)
  for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ',';
  std::string header =
      "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Preamble (10 bytes) + header + '\n' padded to a multiple of 64 (format.py ARRAY_ALIGN).
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  if (header.size() > 0xFFFF) throw std::invalid_argument("npy: header too long for version 1.0");
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(data);
  return out;
}

void write_npy(const std::string& path, std::string_view descr,
               const std::vector<std::uint64_t>& shape, std::string_view data) {
  report::write_output_file(path, npy_bytes(descr, shape, data));
}

}  // namespace fpaudit::io
