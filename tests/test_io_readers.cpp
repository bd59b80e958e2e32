// Tensor readers (src/io): .npy, .npz, .safetensors, raw.
//
// Oracle: every file is crafted byte by byte by this test (npy preambles and header dicts,
// zip records per PKWARE APPNOTE 6.3, safetensors length + JSON), from literal element bit
// patterns; the readers must return those patterns, shapes and dtypes. Deflated members are
// compressed with zlib's deflate here; the reader inflates with zlib too, so the CRC-32 that
// the archive records (computed here over the plain bytes) is the independent check that the
// streamed bytes are the written ones. Error cases assert the whole one-line message, or the
// part that names the file, the field or byte offset, and the expectation.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "fpaudit/io/dtype.hpp"
#include "fpaudit/io/readers.hpp"
#include "fpaudit/io/tensor.hpp"

namespace {

namespace fs = std::filesystem;
using namespace fpaudit::io;

// ---- bytes ----

void put_le(std::string& s, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_be(std::string& s, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
// Elements of n bytes each, in the given byte order.
std::string elements(const std::vector<std::uint64_t>& bits, int n, bool big = false) {
  std::string s;
  for (const auto b : bits) big ? put_be(s, b, n) : put_le(s, b, n);
  return s;
}

// ---- .npy (numpy/lib/format.py) ----

std::string npy_dict(const std::string& descr, bool fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}
// Preamble + dict padded with spaces and '\n' to a multiple of 64, as numpy writes it.
std::string npy(int major, const std::string& dict, const std::string& data) {
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  const std::size_t pre = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((pre + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  put_le(out, header.size(), major == 1 ? 2 : 4);
  return out + header + data;
}

// ---- zip (APPNOTE 4.3) ----

struct Member {
  Member(std::string n, std::string c, bool d)
      : name(std::move(n)), content(std::move(c)), deflate(d) {}
  std::string name;
  std::string content;  // uncompressed
  bool deflate = false;
  std::uint16_t method_override = 0xffff;  // write this method number instead
  std::uint16_t flags = 0;
  std::int64_t crc_override = -1;
  std::string compressed_override;  // raw bytes to store instead of compressing
};

std::uint32_t crc_of(const std::string& s) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

std::string raw_deflate(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A whole archive. zip64: central entries carry 0xFFFFFFFF and a ZIP64 extra field, and the
// end records are ZIP64 (numpy.savez writes members with force_zip64).
std::string zip(const std::vector<Member>& members, bool zip64 = false) {
  std::string out, central;
  for (const auto& m : members) {
    const std::string data = !m.compressed_override.empty() ? m.compressed_override
                             : m.deflate                    ? raw_deflate(m.content)
                                                            : m.content;
    const std::uint16_t method =
        m.method_override != 0xffff ? m.method_override : (m.deflate ? 8 : 0);
    const std::uint32_t crc =
        m.crc_override >= 0 ? static_cast<std::uint32_t>(m.crc_override) : crc_of(m.content);
    const std::uint64_t local = out.size();
    put_le(out, 0x04034b50, 4);
    put_le(out, 20, 2);
    put_le(out, m.flags, 2);
    put_le(out, method, 2);
    put_le(out, 0, 2);
    put_le(out, 0x21, 2);
    put_le(out, crc, 4);
    put_le(out, data.size(), 4);
    put_le(out, m.content.size(), 4);
    put_le(out, m.name.size(), 2);
    put_le(out, 0, 2);
    out += m.name + data;

    std::string extra;
    if (zip64) {
      put_le(extra, 0x0001, 2);
      put_le(extra, 24, 2);
      put_le(extra, m.content.size(), 8);
      put_le(extra, data.size(), 8);
      put_le(extra, local, 8);
    }
    put_le(central, 0x02014b50, 4);
    put_le(central, zip64 ? 45 : 20, 2);
    put_le(central, zip64 ? 45 : 20, 2);
    put_le(central, m.flags, 2);
    put_le(central, method, 2);
    put_le(central, 0, 2);
    put_le(central, 0x21, 2);
    put_le(central, crc, 4);
    put_le(central, zip64 ? 0xffffffff : data.size(), 4);
    put_le(central, zip64 ? 0xffffffff : m.content.size(), 4);
    put_le(central, m.name.size(), 2);
    put_le(central, extra.size(), 2);
    put_le(central, 0, 2);
    put_le(central, 0, 2);
    put_le(central, 0, 2);
    put_le(central, 0, 4);
    put_le(central, zip64 ? 0xffffffff : local, 4);
    central += m.name + extra;
  }
  const std::uint64_t cd_offset = out.size();
  out += central;
  if (zip64) {
    const std::uint64_t z = out.size();
    put_le(out, 0x06064b50, 4);
    put_le(out, 44, 8);
    put_le(out, 45, 2);
    put_le(out, 45, 2);
    put_le(out, 0, 4);
    put_le(out, 0, 4);
    put_le(out, members.size(), 8);
    put_le(out, members.size(), 8);
    put_le(out, central.size(), 8);
    put_le(out, cd_offset, 8);
    put_le(out, 0x07064b50, 4);
    put_le(out, 0, 4);
    put_le(out, z, 8);
    put_le(out, 1, 4);
  }
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 2);
  put_le(out, 0, 2);
  put_le(out, zip64 ? 0xffff : members.size(), 2);
  put_le(out, zip64 ? 0xffff : members.size(), 2);
  put_le(out, zip64 ? 0xffffffff : central.size(), 4);
  put_le(out, zip64 ? 0xffffffff : cd_offset, 4);
  put_le(out, 0, 2);
  return out;
}

// ---- .safetensors ----

// Header padded with spaces to a multiple of 8, as the reference writes it.
std::string safetensors(std::string header, const std::string& data) {
  while (header.size() % 8 != 0) header += ' ';
  std::string out;
  put_le(out, header.size(), 8);
  return out + header + data;
}

// ---- running ----

std::vector<std::uint64_t> all_bits(const TensorView& t, std::size_t chunk = 1000) {
  std::vector<std::uint64_t> out;
  for_each_chunk(t, chunk, [&](const Chunk& c) {
    EXPECT_EQ(c.first, out.size());
    out.insert(out.end(), c.bits.begin(), c.bits.end());
  });
  return out;
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}
::testing::AssertionResult StartsWith(const std::string& text, const std::string& prefix) {
  if (text.rfind(prefix, 0) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not start with \"" << prefix << "\"";
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class IoReaders : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fpaudit_io_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::string p = path(name);
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  std::string dir_;
};

// ================================ .npy ================================

TEST_F(IoReaders, NpyV1LittleEndianFloat32COrder) {
  // 1.0f, -2.0f, 0.5f, +inf, NaN, smallest subnormal: binary32 patterns.
  const std::vector<std::uint64_t> bits{0x3F800000, 0xC0000000, 0x3F000000,
                                        0x7F800000, 0x7FC00000, 0x00000001};
  const std::string p = write("w.npy", npy(1, npy_dict("<f4", false, "(2, 3)"), elements(bits, 4)));
  const TensorFile f = read_npy(p);
  ASSERT_EQ(f.tensors.size(), 1u);
  const TensorView& t = f.tensors[0];
  EXPECT_EQ(f.kind, FileKind::npy);
  EXPECT_EQ(t.file, p);
  EXPECT_EQ(t.name, "w");
  EXPECT_EQ(t.dtype, DType::f32);
  EXPECT_EQ(byte_size(t.dtype), 4u);
  EXPECT_EQ(t.byte_order, ByteOrder::little);
  EXPECT_EQ(t.shape, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(t.count, 6u);
  EXPECT_EQ(t.byte_offset, 128u);  // preamble + header padded to a multiple of 64, as numpy does
  EXPECT_EQ(t.byte_size, 24u);
  EXPECT_FALSE(t.fortran_order);
  EXPECT_EQ(contiguous_run(t), 3u);
  EXPECT_EQ(all_bits(t), bits);
  const auto b = t.bytes();
  ASSERT_EQ(b.size(), 24u);
  EXPECT_EQ(std::memcmp(b.data(), elements(bits, 4).data(), 24), 0);
  EXPECT_TRUE(dtype_info(t.dtype).auditable);
  EXPECT_EQ(dtype_info(t.dtype).format, "binary32");
}

// copy_elements (the audit's reads by position, from several threads): the stored bytes of any
// element range, byte order as stored; ranges past the end and archive members refused.
TEST_F(IoReaders, CopyElementsByPosition) {
  const std::vector<std::uint64_t> bits{0x3F800000, 0xC0000000, 0x3F000000,
                                        0x7F800000, 0x7FC00000, 0x00000001};
  const TensorView t = read_npy(write("c.npy", npy(1, npy_dict("<f4", false, "(6,)"),
                                                    elements(bits, 4)))).tensors[0];
  for (std::uint64_t first = 0; first <= 6; ++first)
    for (std::size_t n = 0; first + n <= 6; ++n) {
      std::vector<std::uint32_t> got(n + 1, 0xdeadbeef);
      copy_elements(t, first, n, got.data());
      for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(got[i], bits[first + i]) << first << "+" << i;
      EXPECT_EQ(got[n], 0xdeadbeefu);  // nothing written past n elements
    }
  std::uint32_t one;
  EXPECT_THROW(copy_elements(t, 5, 2, &one), std::out_of_range);
  EXPECT_THROW(copy_elements(t, 7, 0, &one), std::out_of_range);
  const TensorView be = read_npy(write("be.npy", npy(1, npy_dict(">f4", false, "(1,)"),
                                                     elements({0x3F800000}, 4, true)))).tensors[0];
  copy_elements(be, 0, 1, &one);
  EXPECT_EQ(one, 0x0000803Fu);  // as stored: big-endian bytes 3F 80 00 00 read little-endian
  const std::string npz =
      zip({{"a.npy", npy(1, npy_dict("<f4", false, "(1,)"), elements({0x3F800000}, 4)), false}});
  const TensorView member = read_npz(write("m.npz", npz)).tensors[0];
  EXPECT_TRUE(Contains(error_of([&] { copy_elements(member, 0, 1, &one); }),
                       "elements are not stored as they are in the file"));
}

TEST_F(IoReaders, NpyBigEndianFloat16AndFloat64) {
  // binary16 1.0 = 0x3C00, -2.0 = 0xC000, max 65504 = 0x7BFF: stored big-endian, delivered
  // as host-order patterns.
  const std::vector<std::uint64_t> h{0x3C00, 0xC000, 0x7BFF};
  const std::string p16 =
      write("h.npy", npy(1, npy_dict(">f2", false, "(3,)"), elements(h, 2, true)));
  const TensorView t16 = read_npy(p16).tensors.at(0);
  EXPECT_EQ(t16.dtype, DType::f16);
  EXPECT_EQ(t16.byte_order, ByteOrder::big);
  EXPECT_EQ(all_bits(t16), h);
  EXPECT_EQ(std::to_integer<int>(t16.bytes()[0]), 0x3C);  // as stored

  // binary64 1.0 = 0x3FF0000000000000, -0.0 = 0x8000000000000000.
  const std::vector<std::uint64_t> d{0x3FF0000000000000, 0x8000000000000000};
  const std::string p64 =
      write("d.npy", npy(1, npy_dict(">f8", false, "(2,)"), elements(d, 8, true)));
  EXPECT_EQ(all_bits(read_npy(p64).tensors.at(0)), d);
}

TEST_F(IoReaders, NpyFortranOrderIsReportedAndDeliveredInStorageOrder) {
  // A 2x3 array a[i][j] = 10*i + j stored column-major: a00 a10 a01 a11 a02 a12.
  const std::vector<std::uint64_t> stored{0, 10, 1, 11, 2, 12};
  const std::string p =
      write("f.npy", npy(1, npy_dict("<i4", true, "(2, 3)"), elements(stored, 4)));
  const TensorView t = read_npy(p).tensors.at(0);
  EXPECT_TRUE(t.fortran_order);
  EXPECT_EQ(t.dtype, DType::i32);
  EXPECT_EQ(contiguous_run(t), 2u);  // the first dimension is the contiguous one
  EXPECT_EQ(all_bits(t), stored);
}

TEST_F(IoReaders, NpyVersions2And3) {
  const std::vector<std::uint64_t> bits{0x3F800000, 0x40000000};
  for (int major : {2, 3}) {
    const std::string p = write("v" + std::to_string(major) + ".npy",
                                npy(major, npy_dict("<f4", false, "(2,)"), elements(bits, 4)));
    const TensorView t = read_npy(p).tensors.at(0);
    EXPECT_EQ(t.byte_offset, 128u);  // 12-byte preamble, header padded to a multiple of 64
    EXPECT_EQ(all_bits(t), bits) << "version " << major;
  }
}

TEST_F(IoReaders, NpyIntegerTypesAreListedNotAuditable) {
  struct Case {
    const char* descr;
    DType dtype;
    int size;
  };
  const Case cases[] = {{"|b1", DType::boolean, 1}, {"|i1", DType::i8, 1},  {"<i2", DType::i16, 2},
                        {"<i4", DType::i32, 4},     {"<i8", DType::i64, 8}, {"|u1", DType::u8, 1},
                        {"<u2", DType::u16, 2},     {"<u4", DType::u32, 4}, {">u8", DType::u64, 8}};
  for (const auto& c : cases) {
    // -1 in two's complement and 1: patterns are zero-extended, not sign-extended.
    const std::uint64_t all_ones = c.size == 8 ? ~0ull : (1ull << (8 * c.size)) - 1;
    const std::vector<std::uint64_t> bits{all_ones, 1};
    const bool big = c.descr[0] == '>';
    const std::string p =
        write(std::string("int_") + (c.descr + 1) + ".npy",
              npy(1, npy_dict(c.descr, false, "(2,)"), elements(bits, c.size, big)));
    const TensorView t = read_npy(p).tensors.at(0);
    EXPECT_EQ(t.dtype, c.dtype) << c.descr;
    EXPECT_EQ(byte_size(t.dtype), static_cast<unsigned>(c.size)) << c.descr;
    EXPECT_FALSE(dtype_info(t.dtype).auditable) << c.descr;
    EXPECT_EQ(all_bits(t), bits) << c.descr;
  }
}

TEST_F(IoReaders, NpyScalarAndEmptyShapes) {
  const TensorView s = read_npy(write("s.npy", npy(1, npy_dict("<f8", false, "()"),
                                                   elements({0x4000000000000000}, 8))))
                           .tensors.at(0);
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(all_bits(s), (std::vector<std::uint64_t>{0x4000000000000000}));
  const TensorView e =
      read_npy(write("e.npy", npy(1, npy_dict("<f4", false, "(0, 5)"), ""))).tensors.at(0);
  EXPECT_EQ(e.count, 0u);
  EXPECT_EQ(contiguous_run(e), 0u);
  EXPECT_TRUE(all_bits(e).empty());
}

TEST_F(IoReaders, NpyMalformed) {
  const std::string good = npy(1, npy_dict("<f4", false, "(2, 3)"), std::string(24, '\0'));
  {
    std::string b = good;
    b[5] = 'X';
    const std::string p = write("magic.npy", b);
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte 0: bad magic \"\\x93NUMPX\"; expected \"\\x93NUMPY\" (a .npy file)");
  }
  {
    const std::string p = write("short.npy", good.substr(0, 4));
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte 4: file ends inside the magic (size 4); expected \"\\x93NUMPY\"");
  }
  {
    const std::string p = write("short2.npy", good.substr(0, 9));
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte 8: file ends inside the header length (size 9)");
  }
  {
    std::string b = good;
    b[6] = 4;
    const std::string p = write("version.npy", b);
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte 6: unsupported format version 4.0; expected 1.0, 2.0 or 3.0");
  }
  {
    // The issue's example: a 60-byte file announcing a 70-byte header.
    std::string b("\x93NUMPY\x01\x00", 8);
    put_le(b, 70, 2);
    b += std::string(50, ' ');
    const std::string p = write("x.npy", b);
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte 8: header length 70 runs past end of file (size 60)");
  }
  {
    std::string b("\x93NUMPY\x02\x00", 8);
    put_le(b, 2000000, 4);
    const std::string p = write("cap.npy", b + std::string(100, ' '));
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte 8: header length 2000000 exceeds the 1048576-byte cap");
  }
  {
    const std::string dict = npy_dict("<c8", false, "(3,)");
    const std::string p = write("c8.npy", npy(1, dict, std::string(24, '\0')));
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte " + std::to_string(10 + dict.find("'<c8'")) +
                  ": header: unknown dtype \"<c8\"; expected b1, i1, i2, i4, i8, u1, u2, u4, u8, "
                  "f2, f4 or f8 after a byte order <, >, | or =");
  }
  {
    const std::string dict = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
    const std::string p = write("struct.npy", npy(1, dict, std::string(4, '\0')));
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte " + std::to_string(10 + dict.find('[')) +
                  ": header: a list descr is a structured dtype, not supported; expected a type "
                  "string such as '<f4'");
  }
  {
    const std::string p =
        write("nokey.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, }", ""));
    EXPECT_EQ(error_of([&] { read_npy(p); }), p + ": byte 10: header: missing key 'shape'; "
                                                  "expected 'descr', 'fortran_order' and 'shape'");
  }
  {
    const std::string dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }";
    const std::string p = write("extra.npy", npy(1, dict, std::string(4, '\0')));
    // 1 is not a value numpy headers hold: the parser stops at it.
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte " + std::to_string(10 + dict.find("1, }")) +
                  ": header: expected a string, True, False or a tuple, found \"1\"");
  }
  {
    const std::string dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 'x', }";
    const std::string p = write("extra2.npy", npy(1, dict, std::string(4, '\0')));
    EXPECT_EQ(error_of([&] { read_npy(p); }), p + ": byte " +
                                                  std::to_string(10 + dict.find("'x'")) +
                                                  ": header: unexpected key \"extra\"; expected "
                                                  "only 'descr', 'fortran_order' and 'shape'");
  }
  {
    const std::string dict = "{'descr': '<f4' 'fortran_order': False, 'shape': (1,), }";
    const std::string p = write("syntax.npy", npy(1, dict, std::string(4, '\0')));
    EXPECT_EQ(error_of([&] { read_npy(p); }), p + ": byte " +
                                                  std::to_string(10 + dict.find("'fortran")) +
                                                  ": header: expected ',' or '}', found \"'\"");
  }
  {
    const std::string dict = npy_dict("<f4", false, "(4294967296, 4294967296)");
    const std::string p = write("overflow.npy", npy(1, dict, ""));
    EXPECT_EQ(error_of([&] { read_npy(p); }),
              p + ": byte " + std::to_string(10 + dict.find('(')) +
                  ": header: shape [4294967296, 4294967296] has more elements than fit in 64 bits");
  }
  {
    const std::string p = write("trunc.npy", good.substr(0, good.size() - 4));
    EXPECT_EQ(error_of([&] { read_npy(p); }), p + ": byte 128: data holds 20 bytes to the end of "
                                                  "file; dtype <f4 with shape [2, 3] needs 24");
  }
  {
    const std::string p = write("trail.npy", good + "xx");
    EXPECT_EQ(error_of([&] { read_npy(p); }), p + ": byte 128: data holds 26 bytes to the end of "
                                                  "file; dtype <f4 with shape [2, 3] needs 24");
  }
}

// ================================ .npz ================================

TEST_F(IoReaders, NpzStoredAndDeflatedMembers) {
  const std::vector<std::uint64_t> a{0x3F800000, 0xBF800000, 0x00800000, 0x7F7FFFFF};  // f32
  const std::vector<std::uint64_t> b{0x3C00, 0x0001, 0xFC00};                          // f16, BE
  const std::string npz =
      zip({{"a.npy", npy(1, npy_dict("<f4", false, "(2, 2)"), elements(a, 4)), false},
           {"b.npy", npy(1, npy_dict(">f2", false, "(3,)"), elements(b, 2, true)), true}});
  const std::string p = write("m.npz", npz);
  const TensorFile f = read_npz(p);
  EXPECT_EQ(f.kind, FileKind::npz);
  ASSERT_EQ(f.tensors.size(), 2u);
  const TensorView& ta = f.tensors[0];
  const TensorView& tb = f.tensors[1];
  EXPECT_EQ(ta.name, "a");
  EXPECT_EQ(ta.member, "a.npy");
  EXPECT_FALSE(ta.compressed);
  EXPECT_EQ(ta.shape, (std::vector<std::uint64_t>{2, 2}));
  // A stored member's elements are in the file: 30-byte local header + 5-byte name + 128.
  EXPECT_EQ(ta.byte_offset, 30u + 5u + 128u);
  EXPECT_EQ(std::memcmp(ta.bytes().data(), npz.data() + ta.byte_offset, 16), 0);
  EXPECT_EQ(all_bits(ta), a);
  EXPECT_EQ(tb.name, "b");
  EXPECT_TRUE(tb.compressed);
  EXPECT_EQ(tb.byte_offset, 128u);  // in the member's uncompressed bytes
  EXPECT_EQ(tb.dtype, DType::f16);
  EXPECT_EQ(tb.byte_order, ByteOrder::big);
  EXPECT_EQ(all_bits(tb), b);
  EXPECT_TRUE(
      Contains(error_of([&] { (void)tb.bytes(); }),
               p + ": member \"b.npy\": the elements of a deflated member are not in the file"));
}

TEST_F(IoReaders, NpzZip64Records) {
  const std::vector<std::uint64_t> a{1, 2, 3};
  const std::string p = write(
      "z64.npz", zip({{"x.npy", npy(1, npy_dict("<u2", false, "(3,)"), elements(a, 2)), false},
                      {"y.npy", npy(1, npy_dict("<u2", false, "(3,)"), elements(a, 2)), true}},
                     /*zip64=*/true));
  const TensorFile f = read_npz(p);
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(all_bits(f.tensors[0]), a);
  EXPECT_EQ(all_bits(f.tensors[1]), a);
}

TEST_F(IoReaders, NpzDeflatedMemberLargerThanTheChunk) {
  // 100000 float32 patterns i * 2654435761 mod 2^32 (arbitrary, all distinct low bits).
  std::vector<std::uint64_t> bits(100000);
  for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 2654435761u) & 0xffffffffu;
  const std::string p = write(
      "big.npz",
      zip({{"w.npy", npy(1, npy_dict("<f4", false, "(250, 400)"), elements(bits, 4)), true}}));
  const TensorView t = read_npz(p).tensors.at(0);
  ASSERT_TRUE(t.compressed);
  std::vector<std::uint64_t> got;
  std::size_t chunks = 0;
  for_each_chunk(t, 4096, [&](const Chunk& c) {
    EXPECT_EQ(c.first, got.size());
    EXPECT_LE(c.bits.size(), 4096u);
    got.insert(got.end(), c.bits.begin(), c.bits.end());
    ++chunks;
  });
  EXPECT_EQ(chunks, (100000u + 4095u) / 4096u);
  EXPECT_EQ(got, bits);
}

TEST_F(IoReaders, NpzMalformed) {
  const std::string member =
      npy(1, npy_dict("<f4", false, "(2,)"), elements({0x3F800000, 0x40000000}, 4));
  {
    const std::string p = write("txt.npz", zip({{"notes.txt", "hello, world", false}}));
    EXPECT_EQ(error_of([&] { read_npz(p); }),
              p + ": member \"notes.txt\": byte 0: bad magic \"hello,\"; expected \"\\x93NUMPY\" "
                  "(a .npy file)");
  }
  {
    const std::string p = write("txtz.npz", zip({{"notes.txt", "hello, world", true}}));
    EXPECT_EQ(error_of([&] { read_npz(p); }),
              p + ": member \"notes.txt\": byte 0: bad magic \"hello,\"; expected \"\\x93NUMPY\" "
                  "(a .npy file)");
  }
  {
    // A member whose .npy is cut short.
    const std::string p = write("cut.npz", zip({{"a.npy", member.substr(0, 130), true}}));
    EXPECT_EQ(
        error_of([&] { read_npz(p); }),
        p + ": member \"a.npy\": byte 128: data holds 2 bytes to the end of member; dtype <f4 "
            "with shape [2] needs 8");
  }
  {
    Member m{"a.npy", member, false};
    m.method_override = 12;  // bzip2
    const std::string p = write("bz.npz", zip({m}));
    EXPECT_TRUE(Contains(error_of([&] { read_npz(p); }),
                         "member \"a.npy\": compression method 12 not supported; expected 0 "
                         "(stored) or 8 (deflate)"));
  }
  {
    Member m{"a.npy", member, false};
    m.flags = 1;
    const std::string p = write("enc.npz", zip({m}));
    EXPECT_TRUE(Contains(error_of([&] { read_npz(p); }),
                         "member \"a.npy\" is encrypted; expected a plain member"));
  }
  {
    const std::string p = write("junk.npz", std::string(100, 'j'));
    EXPECT_EQ(
        error_of([&] { read_npz(p); }),
        p + ": no end of central directory record (signature PK\\5\\6) in the last 100 bytes; "
            "expected a zip archive");
  }
  {
    // The end record points the central directory past the end of file.
    std::string z = zip({{"a.npy", member, false}});
    std::string far;
    put_le(far, 0xffffff, 4);
    z.replace(z.size() - 22 + 16, 4, far);
    const std::string p = write("cd.npz", z);
    EXPECT_EQ(error_of([&] { read_npz(p); }),
              p + ": byte 16777215: central directory runs past end of file (size " +
                  std::to_string(z.size()) + ")");
  }
  {
    Member m{"a.npy", member, false};
    m.crc_override = 0x12345678;
    const std::string p = write("crc.npz", zip({m}));
    const TensorView t = read_npz(p).tensors.at(0);  // the CRC is checked by a full pass
    char want[16];
    std::snprintf(want, sizeof want, "0x%08x", crc_of(member));
    EXPECT_EQ(error_of([&] { all_bits(t); }),
              p + ": member \"a.npy\": CRC-32 " + want +
                  " of the member's bytes does not match 0x12345678 recorded in the archive");
  }
  {
    Member m{"a.npy", member, true};
    m.crc_override = 0x9abcdef0;
    const std::string p = write("crcz.npz", zip({m}));
    const TensorView t = read_npz(p).tensors.at(0);
    char want[16];
    std::snprintf(want, sizeof want, "0x%08x", crc_of(member));
    EXPECT_EQ(error_of([&] { all_bits(t); }),
              p + ": member \"a.npy\": CRC-32 " + want +
                  " of the member's bytes does not match 0x9abcdef0 recorded in the archive");
  }
  {
    // Deflated data corrupted after the header: the header inflates, the elements do not.
    std::vector<std::uint64_t> bits(5000);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = i * 7919;
    const std::string content = npy(1, npy_dict("<f4", false, "(5000,)"), elements(bits, 4));
    std::string c = raw_deflate(content);
    for (std::size_t i = c.size() / 2; i < c.size(); ++i) c[i] = static_cast<char>(0xff);
    Member m{"a.npy", content, true};
    m.compressed_override = c;
    const std::string p = write("bad.npz", zip({m}));
    std::string msg;
    try {
      const TensorView t = read_npz(p).tensors.at(0);
      all_bits(t);
    } catch (const InputError& e) {
      msg = e.what();
    }
    EXPECT_TRUE(StartsWith(msg, p + ": member \"a.npy\": "));
    EXPECT_TRUE(Contains(msg, "bad deflate data near compressed byte") ||
                Contains(msg, "deflate stream ends after") ||
                Contains(msg, "deflate stream does not end after"))
        << msg;
  }
  {
    // Deflated data cut short: the inflater runs out of input.
    std::vector<std::uint64_t> bits(5000);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 2654435761u) & 0xffffffffu;
    const std::string content = npy(1, npy_dict("<f4", false, "(5000,)"), elements(bits, 4));
    Member m{"a.npy", content, true};
    const std::string c = raw_deflate(content);
    m.compressed_override = c.substr(0, c.size() / 2);
    const std::string p = write("short.npz", zip({m}));
    const TensorView t = read_npz(p).tensors.at(0);
    const std::string msg = error_of([&] { all_bits(t); });
    EXPECT_TRUE(StartsWith(msg, p + ": member \"a.npy\": bad deflate data near compressed byte "))
        << msg;
    EXPECT_TRUE(Contains(msg, " (compressed data ends early); expected a valid deflate stream"));
  }
  {
    const std::string p = write("dup.npz", zip({{"a.npy", member, false}, {"a", member, false}}));
    EXPECT_EQ(error_of([&] { read_npz(p); }),
              p + ": member \"a\": a second member for tensor \"a\"; expected unique names");
  }
}

// ============================= .safetensors =============================

TEST_F(IoReaders, SafetensorsWithMetadataBf16AndFp8) {
  // bf16 1.0 = 0x3F80, -2.0 = 0xC000; OCP E4M3 448 = 0x7E, -0 = 0x80; E5M2 57344 = 0x7B;
  // F32 1.0; I64 -1 (listed, not auditable).
  const std::string data = elements({0x3F80, 0xC000}, 2) + elements({0x7E, 0x80}, 1) +
                           elements({0x7B}, 1) + std::string(3, '\0') + elements({0x3F800000}, 4) +
                           elements({~0ull}, 8);
  const std::string header =
      R"({"__metadata__": {"format": "pt", "step": "1200"},)"
      R"( "w.bf16": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [0, 4]},)"
      R"( "w.e4m3": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [4, 6]},)"
      R"( "w.e5m2": {"dtype": "F8_E5M2", "shape": [], "data_offsets": [6, 7]},)"
      R"( "a.f32": {"dtype": "F32", "shape": [1], "data_offsets": [10, 14]},)"
      R"( "step": {"dtype": "I64", "shape": [1], "data_offsets": [14, 22]}})";
  const std::string bytes = safetensors(header, data);
  const std::string p = write("m.safetensors", bytes);
  const std::uint64_t data_start = bytes.size() - data.size();
  const TensorFile f = read_safetensors(p);
  EXPECT_EQ(f.kind, FileKind::safetensors);
  ASSERT_TRUE(f.metadata.has_value());
  EXPECT_EQ(*f.metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"step", "1200"}}));
  ASSERT_EQ(f.tensors.size(), 5u);
  // Listed by name.
  EXPECT_EQ(f.tensors[0].name, "a.f32");
  EXPECT_EQ(f.tensors[1].name, "step");
  EXPECT_EQ(f.tensors[2].name, "w.bf16");
  EXPECT_EQ(f.tensors[3].name, "w.e4m3");
  EXPECT_EQ(f.tensors[4].name, "w.e5m2");

  const TensorView& bf = f.tensors[2];
  EXPECT_EQ(bf.dtype, DType::bf16);
  EXPECT_EQ(dtype_info(bf.dtype).format, "bfloat16");
  EXPECT_EQ(bf.shape, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(bf.byte_offset, data_start);
  EXPECT_EQ(all_bits(bf), (std::vector<std::uint64_t>{0x3F80, 0xC000}));
  EXPECT_EQ(f.tensors[3].dtype, DType::f8_e4m3fn);
  EXPECT_EQ(all_bits(f.tensors[3]), (std::vector<std::uint64_t>{0x7E, 0x80}));
  EXPECT_EQ(f.tensors[4].dtype, DType::f8_e5m2);
  EXPECT_EQ(f.tensors[4].count, 1u);  // shape [] is a scalar
  EXPECT_EQ(all_bits(f.tensors[4]), (std::vector<std::uint64_t>{0x7B}));
  EXPECT_EQ(f.tensors[0].byte_offset, data_start + 10);  // gaps are tolerated
  EXPECT_EQ(all_bits(f.tensors[0]), (std::vector<std::uint64_t>{0x3F800000}));
  EXPECT_EQ(f.tensors[1].dtype, DType::i64);
  EXPECT_FALSE(dtype_info(f.tensors[1].dtype).auditable);
  EXPECT_EQ(all_bits(f.tensors[1]), (std::vector<std::uint64_t>{~0ull}));
}

TEST_F(IoReaders, SafetensorsEveryDtypeOfTheFormat) {
  // Bits per element, typed in from the reference implementation's Dtype::bitsize().
  const std::vector<std::pair<std::string, unsigned>> dtypes{
      {"BOOL", 8},    {"U8", 8},          {"I8", 8},          {"U16", 16},    {"I16", 16},
      {"U32", 32},    {"I32", 32},        {"U64", 64},        {"I64", 64},    {"F16", 16},
      {"BF16", 16},   {"F32", 32},        {"F64", 64},        {"F8_E4M3", 8}, {"F8_E5M2", 8},
      {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8}, {"F8_E5M2FNUZ", 8}, {"F4", 4},      {"F6_E2M3", 6},
      {"F6_E3M2", 6}, {"C64", 64}};
  std::string header = "{";
  std::uint64_t at = 0;
  for (const auto& [name, bits] : dtypes) {
    const std::uint64_t n = 4 * bits / 8;  // four elements
    std::ostringstream entry;
    entry << (at ? ", " : "") << '"' << name << R"(": {"dtype": ")" << name
          << R"(", "shape": [4], "data_offsets": [)" << at << ", " << at + n << "]}";
    header += entry.str();
    at += n;
  }
  header += "}";
  const std::string p = write("all.safetensors", safetensors(header, std::string(at, '\x01')));
  const TensorFile f = read_safetensors(p);
  ASSERT_EQ(f.tensors.size(), dtypes.size());
  EXPECT_EQ(all_dtypes().size(), dtypes.size());
  for (const auto& [name, bits] : dtypes) {
    const TensorView& t = find_tensor(f, name);
    EXPECT_EQ(dtype_info(t.dtype).safetensors_name, name);
    EXPECT_EQ(dtype_info(t.dtype).bits, bits) << name;
    EXPECT_EQ(t.byte_size, 4 * bits / 8) << name;
    EXPECT_EQ(t.count, 4u);
  }
  EXPECT_EQ(find_tensor(f, "F8_E8M0").dtype, DType::f8_e8m0fnu);
  EXPECT_EQ(find_tensor(f, "F8_E4M3FNUZ").dtype, DType::f8_e4m3fnuz);
  // Sub-byte and complex elements are listed, not iterated.
  for (const char* name : {"F4", "F6_E2M3", "C64"}) {
    const TensorView& t = find_tensor(f, name);
    EXPECT_FALSE(iterable(t.dtype));
    EXPECT_TRUE(Contains(error_of([&] { all_bits(t); }), p + ": tensor \"" + name + "\": dtype " +
                                                             std::string(to_string(t.dtype)) +
                                                             " cannot be read element by element"));
  }
}

TEST_F(IoReaders, SafetensorsMalformed) {
  const auto header_error = [&](const std::string& name, const std::string& header,
                                const std::string& data) {
    const std::string p = write(name, safetensors(header, data));
    return std::make_pair(p, error_of([&] { read_safetensors(p); }));
  };
  {
    // The issue's example: a 1234-byte file announcing a 999999999-byte header.
    std::string b;
    put_le(b, 999999999, 8);
    const std::string p = write("model.safetensors", b + std::string(1226, ' '));
    EXPECT_EQ(error_of([&] { read_safetensors(p); }),
              p + ": header length 999999999 at offset 0 exceeds file size 1234");
  }
  {
    std::string b;
    put_le(b, 1230, 8);
    const std::string p = write("edge.safetensors", b + std::string(1226, ' '));
    EXPECT_EQ(error_of([&] { read_safetensors(p); }),
              p + ": header length 1230 at offset 0 runs past end of file (8 + 1230 > size 1234)");
  }
  {
    // Over the 100,000,000-byte cap, in a sparse file big enough to hold it.
    std::string b;
    put_le(b, 100000001, 8);
    const std::string p = write("huge.safetensors", b);
    fs::resize_file(p, 100000100);
    EXPECT_EQ(error_of([&] { read_safetensors(p); }),
              p + ": header length 100000001 at offset 0 exceeds the 100000000-byte cap");
  }
  {
    const std::string p = write("tiny.safetensors", std::string("\x05\0\0\0\0", 5));
    EXPECT_EQ(error_of([&] { read_safetensors(p); }),
              p + ": file size 5 is smaller than the 8-byte header length at offset 0");
  }
  {
    const auto [p, e] = header_error("json.safetensors", R"({"a": {"dtype": "F32",, }})", "");
    EXPECT_TRUE(
        StartsWith(e, p + ": byte 30: header is not valid JSON (syntax error while parsing"));
  }
  {
    const auto [p, e] = header_error("array.safetensors", "[1, 2]", "");
    EXPECT_EQ(e, p + ": byte 8: header is an array; expected a JSON object");
  }
  {
    const auto [p, e] = header_error(
        "dup.safetensors",
        R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}})",
        "ab");
    EXPECT_EQ(e, p + ": header: key \"a\" appears twice; expected unique keys");
  }
  {
    const auto [p, e] =
        header_error("dtype.safetensors",
                     R"({"w": {"dtype": "F7", "shape": [1], "data_offsets": [0, 1]}})", "x");
    EXPECT_TRUE(StartsWith(
        e, p + ": header: tensor \"w\": unknown dtype \"F7\"; expected one of BOOL, U8, I8,"));
  }
  {
    const auto [p, e] = header_error(
        "overflow.safetensors",
        R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 2], "data_offsets": [0, 4]}})",
        "abcd");
    EXPECT_EQ(e, p + ": header: tensor \"w\": shape [4294967296, 4294967296, 2] has more elements "
                     "than fit in 64 bits");
  }
  {
    const auto [p, e] = header_error(
        "span.safetensors", R"({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}})",
        std::string(16, '\0'));
    EXPECT_EQ(e, p + ": header: tensor \"w\": data_offsets [0, 12] hold 12 bytes; dtype F32 with "
                     "shape [2, 2] needs 16");
  }
  {
    const std::string header =
        R"({"w": {"dtype": "F32", "shape": [100], "data_offsets": [0, 400]}})";
    const auto [p, e] = header_error("outside.safetensors", header, std::string(16, '\0'));
    std::string padded = header;
    while (padded.size() % 8) padded += ' ';
    EXPECT_EQ(e, p +
                     ": header: tensor \"w\": data_offsets [0, 400] run past the end of the data "
                     "(16 bytes from offset " +
                     std::to_string(8 + padded.size()) + ")");
  }
  {
    const auto [p, e] = header_error(
        "reversed.safetensors", R"({"w": {"dtype": "U8", "shape": [0], "data_offsets": [4, 0]}})",
        std::string(4, '\0'));
    EXPECT_EQ(e, p + ": header: tensor \"w\": data_offsets [4, 0] ends before it begins; expected "
                     "begin <= end");
  }
  {
    const auto [p, e] = header_error(
        "overlap.safetensors",
        R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})",
        std::string(24, '\0'));
    EXPECT_EQ(e, p + ": header: tensors \"a\" (data_offsets [0, 16]) and \"b\" ([8, 24]) overlap; "
                     "expected disjoint byte ranges");
  }
  {
    const auto [p, e] = header_error("meta.safetensors", R"({"__metadata__": {"k": 3}})", "");
    EXPECT_EQ(e, p + ": header: \"__metadata__\" entry \"k\" is a number; expected a string");
  }
  {
    const auto [p, e] = header_error(
        "neg.safetensors", R"({"w": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 1]}})", "x");
    EXPECT_EQ(e, p + ": header: tensor \"w\": shape is an array holding a negative integer; "
                     "expected an array of non-negative integers");
  }
  {
    const auto [p, e] =
        header_error("missing.safetensors", R"({"w": {"dtype": "U8", "shape": [1]}})", "x");
    EXPECT_EQ(e, p + ": header: tensor \"w\": missing \"data_offsets\"");
  }
  {
    const auto [p, e] =
        header_error("deep.safetensors",
                     R"({"w": {"dtype": "U8", "shape": [[1]], "data_offsets": [0, 1]}})", "x");
    EXPECT_EQ(e, p + ": header: JSON nested deeper than 3 levels; expected {name: {dtype, shape, "
                     "data_offsets}}");
  }
  {
    const auto [p, e] = header_error(
        "f4.safetensors", R"({"w": {"dtype": "F4", "shape": [3], "data_offsets": [0, 2]}})", "xx");
    EXPECT_EQ(e, p + ": header: tensor \"w\": shape [3] of 4-bit F4 elements is 12 bits; expected "
                     "a whole number of bytes");
  }
}

// ================================ raw ================================

TEST_F(IoReaders, RawBinary) {
  // 4 bytes of preamble, then float32 1.0 and 2.0 little-endian.
  const std::string p = write("dump.bin", "HEAD" + elements({0x3F800000, 0x40000000}, 4));
  RawSpec spec;
  spec.dtype = "float32";
  spec.offset = 4;
  spec.shape = std::vector<std::uint64_t>{2};
  const TensorView t = read_raw(p, spec).tensors.at(0);
  EXPECT_EQ(t.name, "dump");
  EXPECT_EQ(t.byte_offset, 4u);
  EXPECT_EQ(all_bits(t), (std::vector<std::uint64_t>{0x3F800000, 0x40000000}));

  // bfloat16 big-endian, shape inferred from the file size.
  const std::string q = write("bf.raw", elements({0x3F80, 0x4049, 0xFF80}, 2, true));
  RawSpec bf;
  bf.dtype = "BF16";
  bf.byte_order = ByteOrder::big;
  const TensorView tb = read_raw(q, bf).tensors.at(0);
  EXPECT_EQ(tb.shape, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(all_bits(tb), (std::vector<std::uint64_t>{0x3F80, 0x4049, 0xFF80}));

  // A numpy code's byte-order prefix wins over byte_order.
  RawSpec le16;
  le16.dtype = "<f2";
  le16.byte_order = ByteOrder::big;
  EXPECT_EQ(read_raw(q, le16).tensors.at(0).byte_order, ByteOrder::little);

  spec.shape = std::vector<std::uint64_t>{3};
  EXPECT_EQ(
      error_of([&] { read_raw(p, spec); }),
      p + ": byte 4: float32 with shape [3] needs 12 bytes; the file has 8 from there (size 12)");
  spec.dtype = "f7";
  EXPECT_TRUE(StartsWith(error_of([&] { read_raw(p, spec); }),
                         p + ": raw dtype \"f7\" is unknown; expected a name"));
  RawSpec odd;
  odd.dtype = "f64";
  EXPECT_EQ(error_of([&] { read_raw(p, odd); }),
            p + ": byte 0: the 12 bytes to the end of file are not a whole number of 8-byte "
                "float64 elements");
}

TEST(IoDtypeNames, ParseDtypeName) {
  EXPECT_EQ(parse_dtype_name("bfloat16")->dtype, DType::bf16);
  EXPECT_EQ(parse_dtype_name("BF16")->dtype, DType::bf16);
  EXPECT_EQ(parse_dtype_name("binary16")->dtype, DType::f16);
  EXPECT_EQ(parse_dtype_name("float8_e4m3fn")->dtype, DType::f8_e4m3fn);
  EXPECT_EQ(parse_dtype_name("e5m2")->dtype, DType::f8_e5m2);
  EXPECT_EQ(parse_dtype_name(">f8")->order, ByteOrder::big);
  EXPECT_EQ(parse_dtype_name("f4")->dtype, DType::f32);        // numpy code
  EXPECT_EQ(parse_dtype_name("F4")->dtype, DType::f4_e2m1fn);  // safetensors FP4
  EXPECT_FALSE(parse_dtype_name("<bf16").has_value());
  EXPECT_FALSE(parse_dtype_name("float7").has_value());
}

// ====================== files, selectors, directories ======================

TEST_F(IoReaders, NonRegularAndMissingFiles) {
  EXPECT_EQ(error_of([&] { read_npy(dir_); }), dir_ + ": is a directory; expected a regular file");
  const std::string fifo = path("pipe.npy");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { read_npy(fifo); }), fifo + ": is a FIFO; expected a regular file");
  EXPECT_EQ(error_of([&] { read_safetensors(path("none.safetensors")); }),
            path("none.safetensors") + ": cannot open: No such file or directory");
  const std::string txt = write("a.txt", "hi");
  EXPECT_EQ(error_of([&] { read_file(txt); }),
            txt +
                ": unsupported file type; expected .npy, .npz or .safetensors (a raw binary needs "
                "a dtype and shape)");
}

TEST_F(IoReaders, SelectorPicksOneTensor) {
  const std::string header =
      R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "dense/kernel:0": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}})";
  const std::string p = write("sel.safetensors", safetensors(header, "xyz"));
  const Selector s = parse_selector(p + ":dense/kernel:0");
  EXPECT_EQ(s.path, p);
  EXPECT_EQ(s.tensor, "dense/kernel:0");
  EXPECT_FALSE(s.directory);
  const auto picked = select_tensors(p + ":dense/kernel:0");
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0].name, "dense/kernel:0");
  EXPECT_EQ(all_bits(picked[0]), (std::vector<std::uint64_t>{'y', 'z'}));
  EXPECT_EQ(select_tensors(p).size(), 2u);
  EXPECT_EQ(error_of([&] { select_tensors(p + ":nope"); }),
            p + ": no tensor named \"nope\" (it has: \"a\", \"dense/kernel:0\")");
  EXPECT_FALSE(parse_selector(p).tensor.has_value());
}

TEST_F(IoReaders, DirectoryWalkIsSortedAndFiltered) {
  const std::string one = npy(1, npy_dict("<f4", false, "(1,)"), elements({0x3F800000}, 4));
  write("d/b.npy", one);
  write("d/a/z.safetensors",
        safetensors(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                    elements({0x40000000}, 4)));
  write("d/a/y.npz", zip({{"m.npy", one, true}}));
  write("d/C.NPY", one);
  write("d/notes.txt", "not a tensor");
  fs::create_directory_symlink(path("d"), path("d/a/loop"));  // not followed
  const auto files = find_supported_files(path("d"));
  EXPECT_EQ(files, (std::vector<std::string>{path("d/C.NPY"), path("d/a/y.npz"),
                                             path("d/a/z.safetensors"), path("d/b.npy")}));
  const auto tensors = select_tensors(path("d"));
  ASSERT_EQ(tensors.size(), 4u);
  EXPECT_EQ(tensors[1].name, "m");
  EXPECT_EQ(tensors[2].name, "t");
  EXPECT_TRUE(parse_selector(path("d")).directory);
  EXPECT_EQ(error_of([&] { find_supported_files(path("d/b.npy")); }),
            path("d/b.npy") + ": not a directory; expected a directory to search");
}

// ====================== chunks, memory, file changes ======================

TEST_F(IoReaders, ChunksSmallerThanTheTensor) {
  std::vector<std::uint64_t> bits(10);
  for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = 0x3C00 + i;
  const TensorView t =
      read_npy(write("c.npy", npy(1, npy_dict("<f2", false, "(10,)"), elements(bits, 2))))
          .tensors.at(0);
  std::vector<std::pair<std::uint64_t, std::size_t>> seen;
  std::vector<std::uint64_t> got;
  for_each_chunk(t, 3, [&](const Chunk& c) {
    EXPECT_EQ(c.dtype, DType::f16);
    seen.emplace_back(c.first, c.bits.size());
    got.insert(got.end(), c.bits.begin(), c.bits.end());
  });
  EXPECT_EQ(seen,
            (std::vector<std::pair<std::uint64_t, std::size_t>>{{0, 3}, {3, 3}, {6, 3}, {9, 1}}));
  EXPECT_EQ(got, bits);
  EXPECT_THROW(for_each_chunk(t, 0, [](const Chunk&) {}), std::invalid_argument);
}

TEST_F(IoReaders, PeakMemoryDoesNotGrowWithTheTensor) {
  // 64 MiB of float32 in a .npy, and 64 MiB of zeros in a deflated .npz member, both written in
  // 1 MiB pieces; reading either in 64 Ki-element chunks must not add anywhere near 64 MiB of
  // resident memory (the mapping's consumed pages are handed back; the inflater is bounded).
  constexpr std::uint64_t kCount = 16u << 20;
  const std::string header =
      npy(1, npy_dict("<f4", false, "(" + std::to_string(kCount) + ",)"), "");
  const std::string piece(1u << 20, '\x01');
  {
    std::ofstream out(path("big.npy"), std::ios::binary);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (std::uint64_t i = 0; i < kCount * 4 / piece.size(); ++i)
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  {
    // One deflated member, streamed through zlib; CRC over the plain bytes.
    z_stream zs{};
    ASSERT_EQ(deflateInit2(&zs, 1, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string compressed;
    std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
    const std::string zeros(1u << 20, '\0');
    const auto feed = [&](const std::string& in, int flush) {
      crc = static_cast<std::uint32_t>(
          crc32(crc, reinterpret_cast<const Bytef*>(in.data()), static_cast<uInt>(in.size())));
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      char buf[65536];
      do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        deflate(&zs, flush);
        compressed.append(buf, sizeof buf - zs.avail_out);
      } while (zs.avail_out == 0);
    };
    feed(header, Z_NO_FLUSH);
    for (std::uint64_t i = 0; i < kCount * 4 / zeros.size(); ++i)
      feed(zeros, i + 1 == kCount * 4 / zeros.size() ? Z_FINISH : Z_NO_FLUSH);
    deflateEnd(&zs);
    Member m{"z.npy", std::string(header), true};
    m.compressed_override = compressed;
    m.crc_override = crc;
    std::string z = zip({m});
    // Patch the sizes the builder took from `content` (the header only) to the real size.
    const std::uint64_t real = header.size() + kCount * 4;
    std::string le;
    put_le(le, real, 4);
    z.replace(22, 4, le);  // local header: uncompressed size
    const std::size_t cd = z.size() - 22 - (46 + 5);
    z.replace(cd + 24, 4, le);  // central directory: uncompressed size
    write("big.npz", z);
  }
  for (const std::string name : {"big.npy", "big.npz"}) {
    const TensorView t = read_file(path(name)).tensors.at(0);
    ASSERT_EQ(t.count, kCount);
    const long before = rss_kib();
    long peak = before;
    std::uint64_t n = 0, sum = 0;
    for_each_chunk(t, 65536, [&](const Chunk& c) {
      n += c.bits.size();
      for (const auto b : c.bits) sum += b;
      if ((c.first & 0xfffff) == 0) peak = std::max(peak, rss_kib());
    });
    peak = std::max(peak, rss_kib());
    EXPECT_EQ(n, kCount) << name;
    EXPECT_EQ(sum, name == "big.npy" ? kCount * 0x01010101ull : 0u) << name;
    EXPECT_LT(peak - before, 16 * 1024)
        << name << ": resident memory grew by " << (peak - before) << " KiB";
  }
}

TEST_F(IoReaders, FileThatShrinksAfterOpenIsReportedNotRead) {
  std::vector<std::uint64_t> bits(1000, 0x3F800000);
  const std::string bytes = npy(1, npy_dict("<f4", false, "(1000,)"), elements(bits, 4));
  const std::string p = write("shrink.npy", bytes);
  const TensorView t = read_npy(p).tensors.at(0);
  fs::resize_file(p, 100);
  EXPECT_EQ(error_of([&] { all_bits(t); }), p + ": file changed size while being read (" +
                                                std::to_string(bytes.size()) +
                                                " bytes at open, now 100); expected it unchanged");
  EXPECT_EQ(error_of([&] { (void)t.bytes(); }),
            p + ": file changed size while being read (" + std::to_string(bytes.size()) +
                " bytes at open, now 100); expected it unchanged");
}

TEST_F(IoReaders, OpenFilesHoldNoDescriptors) {
  // Views keep their file mapped, not open: many files can be held at once (a directory audit)
  // under a small open-file limit.
  const std::string one = npy(1, npy_dict("<f4", false, "(1,)"), elements({0x3F800000}, 4));
  for (int i = 0; i < 200; ++i) write("many/" + std::to_string(i) + ".npy", one);
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::string error;
  std::vector<TensorView> views;
  try {
    views = select_tensors(path("many"));
  } catch (const InputError& e) {
    error = e.what();
  }
  ::setrlimit(RLIMIT_NOFILE, &old);
  EXPECT_EQ(error, "");
  ASSERT_EQ(views.size(), 200u);
  EXPECT_EQ(all_bits(views.back()), (std::vector<std::uint64_t>{0x3F800000}));
}

TEST_F(IoReaders, ReadingLeavesTheFileUntouched) {
  const std::string bytes = npy(1, npy_dict("<f4", false, "(3,)"), elements({1, 2, 3}, 4));
  const std::string p = write("same.npy", bytes);
  struct stat before {};
  ASSERT_EQ(::stat(p.c_str(), &before), 0);
  {
    const TensorFile f = read_file(p);
    all_bits(f.tensors.at(0));
  }
  struct stat after {};
  ASSERT_EQ(::stat(p.c_str(), &after), 0);
  EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
  std::ifstream in(p, std::ios::binary);
  const std::string now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(now, bytes);
}

}  // namespace
