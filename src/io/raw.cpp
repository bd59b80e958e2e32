// Raw binary files: elements only, described by the caller (dtype, shape, offset).
#include <string>

#include "common.hpp"
#include "fpaudit/io/readers.hpp"
#include "mapped_file.hpp"

namespace fpaudit::io {

TensorFile read_raw(const std::string& path, const RawSpec& spec) {
  const auto parsed = parse_dtype_name(spec.dtype);
  if (!parsed) {
    fail(path, "raw dtype " + quote(spec.dtype) +
                   " is unknown; expected a name such as float32, bfloat16, float8_e4m3fn, "
                   "F16, <f4 or >f2");
  }
  const DTypeInfo& info = dtype_info(parsed->dtype);
  auto file = MappedFile::open(path);
  const std::uint64_t size = file->size();
  if (spec.offset > size) {
    fail(path, "raw offset " + std::to_string(spec.offset) + " is past end of file (size " +
                   std::to_string(size) + ")");
  }
  const std::uint64_t available = size - spec.offset;

  TensorView v;
  v.file = path;
  v.name = spec.name.empty() ? file_stem(path) : spec.name;
  v.dtype = parsed->dtype;
  v.byte_order = info.bits == 8 ? ByteOrder::little : parsed->order.value_or(spec.byte_order);
  v.fortran_order = spec.fortran_order;
  if (spec.shape) {
    v.shape = *spec.shape;
  } else {
    // One dimension: every element from the offset to the end of the file.
    if (info.bits % 8 != 0) {
      fail(path, "raw dtype " + std::string(info.name) +
                     " has sub-byte elements; expected an explicit shape");
    }
    if (available % (info.bits / 8) != 0) {
      fail(path, "byte " + std::to_string(spec.offset) + ": the " + std::to_string(available) +
                     " bytes to the end of file are not a whole number of " +
                     std::to_string(info.bits / 8) + "-byte " + std::string(info.name) +
                     " elements");
    }
    v.shape = {available / (info.bits / 8)};
  }
  const auto count = element_count(v.shape);
  if (!count)
    fail(path, "raw shape " + shape_text(v.shape) + " has more elements than fit in 64 bits");
  v.count = *count;
  const auto bytes = byte_count(v.count, info.bits);
  if (!bytes) {
    fail(path, "raw shape " + shape_text(v.shape) + " of " + std::string(info.name) +
                   " needs more bytes than fit in 64 bits");
  }
  if (*bytes > available) {
    fail(path, "byte " + std::to_string(spec.offset) + ": " + std::string(info.name) +
                   " with shape " + shape_text(v.shape) + " needs " + std::to_string(*bytes) +
                   " bytes; the file has " + std::to_string(available) + " from there (size " +
                   std::to_string(size) + ")");
  }
  v.byte_offset = spec.offset;
  v.byte_size = *bytes;
  auto storage = std::make_shared<detail::Storage>();
  storage->file = std::move(file);
  v.storage = std::move(storage);

  TensorFile out;
  out.path = path;
  out.kind = FileKind::raw;
  out.size = size;
  out.tensors.push_back(std::move(v));
  return out;
}

}  // namespace fpaudit::io
