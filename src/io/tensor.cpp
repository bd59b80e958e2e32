// Tensor views: direct bytes, and chunked delivery of element bit patterns in bounded memory.
#include "fpaudit/io/tensor.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "common.hpp"
#include "mapped_file.hpp"
#include "zip.hpp"

namespace fpaudit::io {
namespace {

std::string where_of(const TensorView& t) {
  return t.member.empty() ? t.file : t.file + ": member " + quote(t.member);
}

template <class U>
U load(const std::byte* p) {
  U v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// n elements of `size` bytes from src (any alignment) to zero-extended host-order patterns.
void decode(const std::byte* src, std::size_t n, std::size_t size, bool swap, std::uint64_t* out) {
  switch (size) {
    case 1:
      for (std::size_t i = 0; i < n; ++i) out[i] = std::to_integer<std::uint8_t>(src[i]);
      break;
    case 2:
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = load<std::uint16_t>(src + 2 * i);
        out[i] = swap ? __builtin_bswap16(v) : v;
      }
      break;
    case 4:
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = load<std::uint32_t>(src + 4 * i);
        out[i] = swap ? __builtin_bswap32(v) : v;
      }
      break;
    default:  // 8
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = load<std::uint64_t>(src + 8 * i);
        out[i] = swap ? __builtin_bswap64(v) : v;
      }
      break;
  }
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

void check_crc(const TensorView& t, std::uint32_t got) {
  const std::uint32_t want = t.storage->member_crc;
  if (got != want) {
    fail(where_of(t), "CRC-32 " + hex32(got) + " of the member's bytes does not match " +
                          hex32(want) + " recorded in the archive");
  }
}

std::uint32_t crc_of(std::uint32_t crc, const std::byte* p, std::uint64_t n) {
  return static_cast<std::uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef*>(p), n));
}

// One chunk read from the mapping (decode, and the CRC of a stored member), run under
// MappedFile::guarded so that a file shrinking under the mapping is an InputError, not SIGBUS.
struct ChunkRead {
  const std::byte* src;
  std::size_t n, elem;
  bool swap;
  std::uint64_t* out;  // nullptr: CRC only
  bool with_crc;
  std::uint32_t crc;
};

void read_chunk(void* ctx) {
  auto* a = static_cast<ChunkRead*>(ctx);
  if (a->out) decode(a->src, a->n, a->elem, a->swap, a->out);
  if (a->with_crc) a->crc = crc_of(a->crc, a->src, std::uint64_t{a->n} * a->elem);
}

}  // namespace

std::span<const std::byte> TensorView::bytes() const {
  if (!storage) return {};
  if (compressed) {
    fail(where_of(*this),
         "the elements of a deflated member are not in the file; expected "
         "for_each_chunk to stream them");
  }
  storage->file->check_unchanged();
  return {storage->file->data() + byte_offset, static_cast<std::size_t>(byte_size)};
}

std::uint64_t contiguous_run(const TensorView& t) {
  if (t.count == 0) return 0;
  if (t.shape.empty()) return 1;
  return t.fortran_order ? t.shape.front() : t.shape.back();
}

void for_each_chunk(const TensorView& t, std::size_t max_elements, const ChunkCallback& fn) {
  if (max_elements == 0)
    throw std::invalid_argument("for_each_chunk: max_elements must be positive");
  if (!t.storage) throw std::invalid_argument("for_each_chunk: the view has no storage");
  if (!iterable(t.dtype)) {
    fail(where_of(t), "tensor " + quote(t.name) + ": dtype " + std::string(to_string(t.dtype)) +
                          " cannot be read element by element (sub-byte packing is not "
                          "specified; complex values are pairs); expected a whole-byte dtype");
  }
  const detail::Storage& s = *t.storage;
  const MappedFile& f = *s.file;
  const std::size_t elem = byte_size(t.dtype);
  const bool swap =
      elem > 1 && (t.byte_order == ByteOrder::big) != (std::endian::native == std::endian::big);
  const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(max_elements, t.count));
  std::vector<std::uint64_t> bits(chunk);

  f.check_unchanged();
  if (s.deflated) {
    Inflater inf(f,
                 ZipMember{t.member, 8, s.member_crc, s.member_compressed_size, s.member_size,
                           s.member_offset},
                 where_of(t));
    inf.skip(t.byte_offset);  // the .npy preamble and header
    std::vector<std::byte> raw(chunk * elem);
    for (std::uint64_t first = 0; first < t.count;) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, t.count - first));
      f.check_unchanged();
      inf.read(std::span(raw).first(n * elem));
      decode(raw.data(), n, elem, swap, bits.data());
      fn(Chunk{first, std::span<const std::uint64_t>(bits.data(), n), t.dtype});
      first += n;
    }
    check_crc(t, inf.finish());
    return;
  }

  const std::byte* base = f.data() + t.byte_offset;
  std::uint32_t crc = 0;
  if (s.zip_member) {  // the member's .npy preamble and header
    ChunkRead head{f.data() + s.member_offset,
                   static_cast<std::size_t>(t.byte_offset - s.member_offset),
                   1,
                   false,
                   nullptr,
                   true,
                   0};
    f.guarded(read_chunk, &head);
    crc = head.crc;
  }
  f.advise_sequential(t.byte_offset, t.byte_size);
  std::uint64_t released = 0;  // bytes of the tensor whose pages were handed back
  for (std::uint64_t first = 0; first < t.count;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, t.count - first));
    f.check_unchanged();
    ChunkRead r{base + first * elem, n, elem, swap, bits.data(), s.zip_member, crc};
    f.guarded(read_chunk, &r);
    crc = r.crc;
    fn(Chunk{first, std::span<const std::uint64_t>(bits.data(), n), t.dtype});
    first += n;
    if (first * elem - released >= kReleaseStep) {
      f.release(t.byte_offset + released, first * elem - released);
      released = first * elem;
    }
  }
  f.release(t.byte_offset + released, t.byte_size - released);
  if (s.zip_member) check_crc(t, crc);
}

void copy_elements(const TensorView& t, std::uint64_t first, std::size_t n, void* dst) {
  if (!t.storage) throw std::invalid_argument("copy_elements: the view has no storage");
  if (t.storage->zip_member || t.compressed || !iterable(t.dtype)) {
    fail(where_of(t), "tensor " + quote(t.name) +
                          ": elements are not stored as they are in the file; expected a "
                          "whole-byte dtype outside an archive (read it with for_each_chunk)");
  }
  if (first > t.count || n > t.count - first)
    throw std::out_of_range("copy_elements: elements beyond the tensor");
  const MappedFile& f = *t.storage->file;
  const std::uint64_t elem = byte_size(t.dtype);
  f.check_unchanged();
  f.copy_out(t.byte_offset + first * elem, n * elem, dst);
}

void release_elements(const TensorView& t, std::uint64_t first, std::uint64_t end) {
  if (!t.storage || t.storage->zip_member || t.compressed || !iterable(t.dtype)) return;
  end = std::min(end, t.count);
  if (first >= end) return;
  const std::uint64_t elem = byte_size(t.dtype);
  t.storage->file->release(t.byte_offset + first * elem, (end - first) * elem);
}

}  // namespace fpaudit::io
