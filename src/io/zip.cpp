#include "zip.hpp"

#include <algorithm>
#include <array>

#include "common.hpp"
#include "fpaudit/io/readers.hpp"

namespace fpaudit::io {
namespace {

// Record signatures and fixed sizes: APPNOTE 4.3.7 (local header), 4.3.12 (central directory
// header), 4.3.14 / 4.3.15 (ZIP64 end record and locator), 4.3.16 (end of central directory).
constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50, kZip64EndSig = 0x06064b50,
                        kZip64LocatorSig = 0x07064b50;
constexpr std::uint64_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22, kZip64EndSize = 56,
                        kZip64LocatorSize = 20;
constexpr std::uint64_t kMaxComment = 0xffff;

// Little-endian field reader over the mapping (through the fault guard: a file that shrinks
// under the mapping is an InputError); every read is bounds-checked by the caller.
struct Reader {
  const MappedFile& file;
  std::uint64_t le(std::uint64_t at, unsigned n) const {
    std::array<std::byte, 8> b{};
    file.copy_out(at, n, b.data());
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= std::to_integer<std::uint64_t>(b[i]) << (8 * i);
    return v;
  }
};

struct InflateCall {
  z_stream* zs;
  int rc;
};
// inflate() reads the compressed bytes straight from the mapping: run it under the guard.
void run_inflate(void* ctx) {
  auto* c = static_cast<InflateCall*>(ctx);
  c->rc = inflate(c->zs, Z_NO_FLUSH);
}

std::string at_byte(std::uint64_t offset) { return "byte " + std::to_string(offset) + ": "; }

void need(const MappedFile& f, std::uint64_t at, std::uint64_t n, std::string_view what) {
  if (at > f.size() || n > f.size() - at) {
    fail(f.path(), at_byte(at) + std::string(what) + " runs past end of file (size " +
                       std::to_string(f.size()) + ")");
  }
}

struct Directory {
  std::uint64_t entries = 0, offset = 0, size = 0;
};

Directory find_directory(const MappedFile& f, const Reader& r) {
  if (f.size() < kEndSize) {
    fail(f.path(), "file size " + std::to_string(f.size()) +
                       " is too small for a zip archive (at least 22 bytes); expected an .npz");
  }
  // The end record is the last 22 bytes plus a comment of up to 65535 bytes: search backwards.
  const std::uint64_t lowest =
      f.size() - kEndSize > kMaxComment ? f.size() - kEndSize - kMaxComment : 0;
  std::uint64_t end = f.size();
  for (std::uint64_t at = f.size() - kEndSize + 1; at-- > lowest;) {
    if (r.le(at, 4) == kEndSig && at + kEndSize + r.le(at + 20, 2) <= f.size()) {
      end = at;
      break;
    }
  }
  if (end == f.size()) {
    fail(f.path(), "no end of central directory record (signature PK\\5\\6) in the last " +
                       std::to_string(f.size() - lowest) + " bytes; expected a zip archive");
  }
  if (r.le(end + 4, 2) != 0 || r.le(end + 6, 2) != 0 || r.le(end + 8, 2) != r.le(end + 10, 2)) {
    fail(f.path(), at_byte(end) +
                       "end of central directory: archive spans several disks; "
                       "expected a single-file archive");
  }
  Directory d{r.le(end + 10, 2), r.le(end + 16, 4), r.le(end + 12, 4)};
  if (d.entries == 0xffff || d.offset == 0xffffffff || d.size == 0xffffffff) {
    // ZIP64 (APPNOTE 4.4.1.4): the real values are in the ZIP64 end record, found through the
    // locator just before the end record. numpy.savez writes members with force_zip64.
    if (end < kZip64LocatorSize || r.le(end - kZip64LocatorSize, 4) != kZip64LocatorSig) {
      fail(f.path(), at_byte(end) +
                         "end of central directory holds ZIP64 markers but no "
                         "ZIP64 locator precedes it; expected signature PK\\6\\7");
    }
    const std::uint64_t z = r.le(end - kZip64LocatorSize + 8, 8);
    need(f, z, kZip64EndSize, "ZIP64 end of central directory");
    if (r.le(z, 4) != kZip64EndSig) {
      fail(f.path(),
           at_byte(z) + "bad ZIP64 end of central directory signature; expected PK\\6\\6");
    }
    d = {r.le(z + 32, 8), r.le(z + 48, 8), r.le(z + 40, 8)};
  }
  need(f, d.offset, d.size, "central directory");
  if (d.entries > d.size / kCentralSize) {
    fail(f.path(), at_byte(d.offset) + "central directory of " + std::to_string(d.size) +
                       " bytes cannot hold the " + std::to_string(d.entries) +
                       " entries announced");
  }
  return d;
}

// Applies the ZIP64 extended information extra field (APPNOTE 4.5.3): it holds, in this order,
// those of the sizes and offset whose 32-bit field is 0xFFFFFFFF.
void apply_zip64_extra(const MappedFile& f, const Reader& r, std::uint64_t extra,
                       std::uint64_t extra_len, std::uint64_t record, ZipMember& m,
                       std::uint64_t& local_offset) {
  for (std::uint64_t p = extra; p + 4 <= extra + extra_len;) {
    const std::uint64_t id = r.le(p, 2), len = r.le(p + 2, 2);
    if (p + 4 + len > extra + extra_len) break;
    if (id == 0x0001) {
      std::uint64_t q = p + 4;
      const auto take = [&](std::uint64_t& field) {
        if (field != 0xffffffff) return;
        if (q + 8 > p + 4 + len) {
          fail(f.path(), at_byte(record) + "member " + quote(m.name) +
                             ": ZIP64 extra field too short for the values marked 0xFFFFFFFF");
        }
        field = r.le(q, 8);
        q += 8;
      };
      take(m.size);
      take(m.compressed_size);
      take(local_offset);
      return;
    }
    p += 4 + len;
  }
}

}  // namespace

std::vector<ZipMember> read_zip_directory(const MappedFile& f) {
  const Reader r{f};
  const Directory d = find_directory(f, r);
  if (d.entries > kMaxTensorsPerFile) {
    fail(f.path(), at_byte(d.offset) + "central directory lists " + std::to_string(d.entries) +
                       " members; expected at most " + std::to_string(kMaxTensorsPerFile) +
                       " per file (a limit of fpaudit)");
  }
  std::vector<ZipMember> out;
  std::uint64_t at = d.offset;
  for (std::uint64_t i = 0; i < d.entries; ++i) {
    need(f, at, kCentralSize, "central directory entry " + std::to_string(i));
    if (r.le(at, 4) != kCentralSig) {
      fail(f.path(), at_byte(at) + "central directory entry " + std::to_string(i) +
                         ": bad signature; expected PK\\1\\2");
    }
    const std::uint64_t flags = r.le(at + 8, 2), name_len = r.le(at + 28, 2),
                        extra_len = r.le(at + 30, 2), comment_len = r.le(at + 32, 2);
    need(f, at + kCentralSize, name_len + extra_len + comment_len,
         "central directory entry " + std::to_string(i));
    ZipMember m;
    m.name.resize(name_len);
    f.copy_out(at + kCentralSize, name_len, m.name.data());
    m.method = static_cast<std::uint16_t>(r.le(at + 10, 2));
    m.crc = static_cast<std::uint32_t>(r.le(at + 16, 4));
    m.compressed_size = r.le(at + 20, 4);
    m.size = r.le(at + 24, 4);
    std::uint64_t local = r.le(at + 42, 4);
    apply_zip64_extra(f, r, at + kCentralSize + name_len, extra_len, at, m, local);
    const std::string member = "member " + quote(m.name);
    if (flags & 0x1) {
      fail(f.path(), at_byte(at) + member + " is encrypted; expected a plain member");
    }
    if (m.method != 0 && m.method != 8) {
      fail(f.path(), at_byte(at) + member + ": compression method " + std::to_string(m.method) +
                         " not supported; expected 0 (stored) or 8 (deflate)");
    }
    if (m.method == 0 && m.compressed_size != m.size) {
      fail(f.path(), at_byte(at) + member + ": stored member with compressed size " +
                         std::to_string(m.compressed_size) + " and size " + std::to_string(m.size) +
                         "; expected them equal");
    }
    need(f, local, kLocalSize, member + ": local header");
    if (r.le(local, 4) != kLocalSig) {
      fail(f.path(), at_byte(local) + member + ": bad local header signature; expected PK\\3\\4");
    }
    m.data_offset = local + kLocalSize + r.le(local + 26, 2) + r.le(local + 28, 2);
    need(f, m.data_offset, m.compressed_size,
         member + ": data of " + std::to_string(m.compressed_size) + " bytes");
    at += kCentralSize + name_len + extra_len + comment_len;
    if (!m.name.empty() && m.name.back() == '/') continue;  // a directory entry
    out.push_back(std::move(m));
  }
  return out;
}

Inflater::Inflater(const MappedFile& f, const ZipMember& m, std::string where)
    : file_(f), member_(m), where_(std::move(where)) {
  // Negative window bits: a raw deflate stream, as zip stores it (no zlib header).
  if (inflateInit2(&zs_, -MAX_WBITS) != Z_OK) fail(where_, "cannot start the inflater (zlib)");
  crc_ = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
  file_.advise_sequential(member_.data_offset, member_.compressed_size);
}

Inflater::~Inflater() { inflateEnd(&zs_); }

void Inflater::feed() {
  if (zs_.avail_in != 0 || consumed_ == member_.compressed_size) return;
  // avail_in is 32-bit: hand the member over in pieces.
  const std::uint64_t n = std::min<std::uint64_t>(member_.compressed_size - consumed_, 1u << 30);
  zs_.next_in = reinterpret_cast<Bytef*>(
      const_cast<std::byte*>(file_.data() + member_.data_offset + consumed_));
  zs_.avail_in = static_cast<uInt>(n);
  consumed_ += n;
}

void Inflater::read(std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    if (ended_) {
      fail(where_, "deflate stream ends after " + std::to_string(produced_) + " bytes; expected " +
                       std::to_string(member_.size));
    }
    feed();
    const std::uint64_t before_in = consumed_ - zs_.avail_in;
    zs_.next_out = reinterpret_cast<Bytef*>(out.data() + done);
    zs_.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - done, 1u << 30));
    const uInt avail_out = zs_.avail_out;
    InflateCall call{&zs_, Z_OK};
    file_.guarded(run_inflate, &call);
    const int rc = call.rc;
    const std::size_t got = avail_out - zs_.avail_out;
    if (rc == Z_STREAM_END) {
      ended_ = true;
    } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR ||
               (rc == Z_BUF_ERROR && zs_.avail_in == 0 && consumed_ == member_.compressed_size)) {
      const std::string why = rc == Z_BUF_ERROR ? "compressed data ends early"
                              : zs_.msg         ? zs_.msg
                                                : "error " + std::to_string(rc);
      fail(where_, "bad deflate data near compressed byte " + std::to_string(before_in) + " (" +
                       why + "); expected a valid deflate stream");
    }
    if (produced_ + got > member_.size) {
      fail(where_, "deflate stream holds more than the " + std::to_string(member_.size) +
                       " bytes the archive records");
    }
    crc_ = static_cast<std::uint32_t>(
        crc32(crc_, reinterpret_cast<const Bytef*>(out.data() + done), static_cast<uInt>(got)));
    produced_ += got;
    done += got;
    // Hand back the compressed pages already decoded.
    const std::uint64_t used = consumed_ - zs_.avail_in;
    if (used - released_ >= kReleaseStep) {
      file_.release(member_.data_offset + released_, used - released_);
      released_ = used;
    }
  }
}

void Inflater::skip(std::uint64_t n) {
  std::array<std::byte, 4096> scratch;
  while (n > 0) {
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, scratch.size()));
    read(std::span(scratch).first(k));
    n -= k;
  }
}

std::uint32_t Inflater::finish() {
  // All expected bytes are out; the stream must end without producing more.
  std::array<std::byte, 1> extra;
  while (!ended_) {
    feed();
    zs_.next_out = reinterpret_cast<Bytef*>(extra.data());
    zs_.avail_out = 1;
    InflateCall call{&zs_, Z_OK};
    file_.guarded(run_inflate, &call);
    const int rc = call.rc;
    if (zs_.avail_out == 0 || (rc != Z_OK && rc != Z_STREAM_END)) {
      fail(where_, "deflate stream does not end after the " + std::to_string(member_.size) +
                       " bytes the archive records");
    }
    ended_ = rc == Z_STREAM_END;
  }
  file_.release(member_.data_offset + released_, member_.compressed_size - released_);
  return crc_;
}

}  // namespace fpaudit::io
