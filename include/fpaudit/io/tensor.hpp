// A tensor view: where one tensor's elements lie in a file, and bounded-memory access to them.
//
// The readers (readers.hpp) memory-map each file read-only (open O_RDONLY, mmap PROT_READ,
// MAP_PRIVATE) and hand out views that point into the mapping; nothing copies a whole tensor.
// Elements of a deflated .npz member have no bytes in the file to point at: for_each_chunk
// inflates them through a buffer of the chunk's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fpaudit/io/dtype.hpp"

namespace fpaudit::io {

// Bad input: a file that is missing, not a regular file, truncated, malformed, or that does
// not hold what was asked for. what() is one line naming the file, the field or byte offset,
// and what was expected, e.g.
//   model.safetensors: header length 999999999 at offset 0 exceeds file size 1234
//   x.npy: byte 8: header length 70 runs past end of file (size 60)
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& one_line);
};

namespace detail {
struct Storage;  // the mapping (and, for .npz members, the member) behind a view
}

struct TensorView {
  std::string file;    // the path as the caller gave it
  std::string name;    // safetensors key; .npz member name without ".npy"; file stem otherwise
  std::string member;  // .npz member name ("w.npy"); empty for other files
  DType dtype = DType::f32;
  ByteOrder byte_order = ByteOrder::little;
  std::vector<std::uint64_t> shape;  // empty for a 0-d (scalar) array, whose count is 1
  std::uint64_t count = 0;           // product of shape
  // Where the elements start: an offset in the file, except for a deflated .npz member
  // (compressed == true), where it is the offset in the member's uncompressed bytes.
  std::uint64_t byte_offset = 0;
  std::uint64_t byte_size = 0;  // count * element size (rounded up to bytes for F4/F6)
  bool fortran_order = false;   // .npy: elements stored column-major (first index fastest)
  bool compressed = false;      // deflated .npz member: no bytes(), stream with for_each_chunk

  // The elements' bytes inside the read-only mapping (no copy; reads through the span are the
  // caller's and not under the SIGBUS guard: a file cut under them can still kill the process). Throws InputError for a
  // compressed member, or if the file changed since it was opened (see for_each_chunk). The bytes
  // are as stored: byte_order, and storage order (see fortran_order). A stored .npz member's CRC-32
  // is checked only by a full for_each_chunk.
  std::span<const std::byte> bytes() const;

  // The mapping (shared by every view of one file; the file stays mapped while any view lives).
  std::shared_ptr<const detail::Storage> storage;
};

// Number of elements that are adjacent in storage along one axis: the last dimension for C
// order, the first for Fortran order (1 for a scalar, 0 for an empty tensor).
std::uint64_t contiguous_run(const TensorView& t);

struct Chunk {
  std::uint64_t first;                  // storage-order index of bits[0] within the tensor
  std::span<const std::uint64_t> bits;  // element bit patterns, in host order, zero-extended
  DType dtype;                          // the tensor's: dtype_info(dtype).format decodes bits
};
using ChunkCallback = std::function<void(const Chunk&)>;

// Calls fn with consecutive chunks of at most max_elements elements, in storage order (row-
// major for C order, column-major for Fortran order), until the tensor is done. Each element's
// bytes are assembled from the stored byte order, so a big-endian float16 0x3C00 arrives as
// 0x3C00; signed integers are not sign-extended. Memory: one buffer of max_elements patterns
// (plus max_elements * element size bytes for a compressed member); the pages of the mapping
// already consumed are handed back (MADV_DONTNEED), so peak memory does not grow with the
// tensor. Before each chunk the file's size and modification time are compared with those seen
// at open (while its path still names the mapped file) and a change throws InputError; a file
// truncated between that check and the read is caught by the reads' SIGBUS guard (a handler
// installed once, chained to any earlier one; src/io/mapped_file.hpp, docs/RELIABILITY.md) and
// is an InputError too. A .npz member's CRC-32 is verified after the last chunk. Throws InputError for a dtype that is not iterable(), or on bad
// compressed data, and std::invalid_argument for max_elements == 0. Exceptions from fn propagate.
void for_each_chunk(const TensorView& t, std::size_t max_elements, const ChunkCallback& fn);

// Random access for parallel readers: copies the stored bytes of elements [first, first + n)
// (n * byte_size(dtype) bytes, as stored: byte order and storage order unchanged) to dst. Safe
// to call from several threads at once. Checks, like for_each_chunk, that the file is unchanged
// and reads under the SIGBUS guard (InputError either way). Only for a view whose bytes lie in
// the file as they are (not a .npz member: its CRC-32 needs a sequential pass; not F4/F6);
// throws InputError otherwise, and std::out_of_range for a range beyond the tensor. The pages
// read stay mapped until release_elements hands them back.
void copy_elements(const TensorView& t, std::uint64_t first, std::size_t n, void* dst);
// Hands back the mapping's pages from the one holding element `first` up to (not including) the
// one holding element `end` (MADV_DONTNEED; read again from the page cache if touched), so that
// memory stays bounded. The caller makes sure no copy_elements is reading them at that moment
// (a page dropped under a concurrent read is only read again, but then stays resident).
void release_elements(const TensorView& t, std::uint64_t first, std::uint64_t end);

}  // namespace fpaudit::io
