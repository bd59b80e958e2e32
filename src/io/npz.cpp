// The .npz reader: a zip archive whose members are .npy files (numpy.savez / savez_compressed).
// Stored members are read in place from the mapping like a .npy; deflated members have their
// header inflated here and their elements streamed later by for_each_chunk.
#include <array>
#include <set>
#include <string>

#include "common.hpp"
#include "fpaudit/io/readers.hpp"
#include "npy_header.hpp"
#include "zip.hpp"

namespace fpaudit::io {
namespace {

std::string tensor_name(const std::string& member) {
  constexpr std::string_view kExt = ".npy";
  return member.ends_with(kExt) ? member.substr(0, member.size() - kExt.size()) : member;
}

// Parses the .npy header of a stored member, copied out of the mapping under its fault guard.
NpyLayout stored_layout(const MappedFile& f, const ZipMember& m, const std::string& where) {
  std::array<std::byte, kNpyPreambleMax> head{};
  const std::size_t head_size = std::min<std::uint64_t>(m.size, kNpyPreambleMax);
  f.copy_out(m.data_offset, head_size, head.data());
  const auto pre = parse_npy_preamble(std::span(head).first(head_size), m.size, where, "member");
  std::string header(pre.header_length, '\0');
  f.copy_out(m.data_offset + pre.header_start, pre.header_length, header.data());
  return parse_npy_header(pre, header, m.size, where, "member");
}

// Inflates just the .npy header of a deflated member (at most 12 + 1 MiB bytes).
NpyLayout deflated_layout(const MappedFile& f, const ZipMember& m, const std::string& where) {
  Inflater inf(f, m, where);
  std::array<std::byte, kNpyPreambleMax> head{};
  const std::size_t head_size = std::min<std::uint64_t>(m.size, kNpyPreambleMax);
  inf.read(std::span(head).first(head_size));
  const auto pre = parse_npy_preamble(std::span(head).first(head_size), m.size, where, "member");
  std::string header(pre.header_length, '\0');
  // The preamble may have read into the header already (a 1.0 preamble is 10 bytes).
  const std::size_t already = head_size - pre.header_start;
  for (std::size_t i = 0; i < already && i < header.size(); ++i) {
    header[i] = static_cast<char>(head[pre.header_start + i]);
  }
  if (header.size() > already) {
    inf.read(std::as_writable_bytes(std::span(header)).subspan(already));
  }
  return parse_npy_header(pre, header, m.size, where, "member");
}

}  // namespace

TensorFile read_npz(const std::string& path) {
  auto file = MappedFile::open(path);
  TensorFile out;
  out.path = path;
  out.kind = FileKind::npz;
  out.size = file->size();
  std::set<std::string> names;
  for (const ZipMember& m : read_zip_directory(*file)) {
    const std::string where = path + ": member " + quote(m.name);
    const bool deflated = m.method == 8;
    const NpyLayout layout =
        deflated ? deflated_layout(*file, m, where) : stored_layout(*file, m, where);
    TensorView v = make_view(path, tensor_name(m.name), layout);
    if (!names.insert(v.name).second) {
      fail(where, "a second member for tensor " + quote(v.name) + "; expected unique names");
    }
    v.member = m.name;
    v.compressed = deflated;
    v.byte_offset = deflated ? layout.data_offset : m.data_offset + layout.data_offset;
    auto storage = std::make_shared<detail::Storage>();
    storage->file = file;
    storage->zip_member = true;
    storage->deflated = deflated;
    storage->member_offset = m.data_offset;
    storage->member_compressed_size = m.compressed_size;
    storage->member_size = m.size;
    storage->member_crc = m.crc;
    v.storage = std::move(storage);
    out.tensors.push_back(std::move(v));
  }
  return out;
}

}  // namespace fpaudit::io
