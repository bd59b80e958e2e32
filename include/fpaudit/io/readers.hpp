// The tensor readers (stage 1 of the audit pipeline): .npy, .npz, .safetensors and raw binary
// files in, tensor views out. Every reader validates the whole layout before returning, so a
// view that comes back lies inside its file; every failure is an InputError with one line.
//
// Formats, with the rules each reader holds the file to:
//   .npy          NumPy format versions 1.0, 2.0, 3.0 (numpy/lib/format.py): magic
//                 "\x93NUMPY", header dict {'descr', 'fortran_order', 'shape'} and nothing else,
//                 descr one of b1 i1 i2 i4 i8 u1 u2 u4 u8 f2 f4 f8 with byte order < > | =;
//                 the data must be exactly count * itemsize bytes. Header cap: 1 MiB.
//   .npz          a zip archive (PKWARE APPNOTE 6.3, with ZIP64) whose every member is a .npy,
//                 stored (method 0) or deflated (method 8); encrypted or multi-disk archives
//                 are refused. Members keep archive order.
//   .safetensors  8-byte little-endian header length N, N bytes of JSON, then the data;
//                 N is capped at 100,000,000 bytes (the reference implementation's limit);
//                 duplicate keys, offsets outside the data, overlapping tensors and sizes that
//                 disagree with dtype * shape are errors; gaps between tensors are tolerated.
//                 "__metadata__" must map strings to strings. Tensors are listed by name.
//   raw           elements only: the caller says dtype, shape and offset.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fpaudit/io/dtype.hpp"
#include "fpaudit/io/tensor.hpp"

namespace fpaudit::io {

enum class FileKind : std::uint8_t { npy, npz, safetensors, raw };

// Most tensors one file may hold (.safetensors entries, .npz members). Each listed tensor
// costs a few hundred bytes of memory before any element is read, so a header or central
// directory listing millions of tiny tensors is refused with an InputError rather than
// allowed to grow memory with the file; real checkpoints hold thousands per file.
inline constexpr std::uint64_t kMaxTensorsPerFile = 1u << 18;  // 262,144

struct TensorFile {
  std::string path;  // as given
  FileKind kind = FileKind::npy;
  std::uint64_t size = 0;  // bytes, at open
  std::vector<TensorView> tensors;
  // The safetensors "__metadata__" entry, when the file has one.
  std::optional<std::map<std::string, std::string>> metadata;
};

TensorFile read_npy(const std::string& path);
TensorFile read_npz(const std::string& path);
TensorFile read_safetensors(const std::string& path);

struct RawSpec {
  std::string dtype;  // any name parse_dtype_name accepts; a "<" or ">" prefix sets the order
  ByteOrder byte_order = ByteOrder::little;  // used when dtype carries no order
  // Dimensions; nullopt: one dimension holding every element from offset to end of file.
  std::optional<std::vector<std::uint64_t>> shape;
  std::uint64_t offset = 0;  // byte offset of the first element
  bool fortran_order = false;
  std::string name;  // tensor name; empty: the file's stem
};
// The elements must lie inside the file; bytes after them are allowed (a dump may hold more).
TensorFile read_raw(const std::string& path, const RawSpec& spec);

// Picks the reader by extension (.npy, .npz, .safetensors; case-insensitive).
TensorFile read_file(const std::string& path);

// Every regular file below dir with a supported extension, sorted by path (byte order), so the
// order does not depend on the file system. Symbolic links to directories are not followed.
std::vector<std::string> find_supported_files(const std::string& dir);

// A command-line tensor argument: a directory, a file, or "file:tensor_name". When the whole
// argument names an existing file or directory it is taken as a path; otherwise it is split at
// the first ':' whose prefix is an existing file (tensor names may hold ':', as "dense/kernel:0").
struct Selector {
  std::string path;
  std::optional<std::string> tensor;
  bool directory = false;
};
Selector parse_selector(const std::string& argument);

// The tensors an argument selects: one tensor for "file:name" (InputError naming the file's
// tensors when absent), every tensor of a file, or of every supported file below a directory.
// Each file stays mapped while its views live; to bound the number of open mappings, walk a
// large directory with find_supported_files and read_file one file at a time instead.
std::vector<TensorView> select_tensors(const std::string& argument);

// Finds one tensor by name; InputError "x.npz: no tensor named "w" (it has: a, b)" if absent.
const TensorView& find_tensor(const TensorFile& file, const std::string& name);

}  // namespace fpaudit::io
