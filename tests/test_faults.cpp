// Fault injection and limits (issue #8). Oracles: the readers' contract in readers.hpp (every
// malformed file is an InputError naming the file, never a crash or another exception), the
// CLI's documented exit codes (2 for bad input, 1 for a failed write) and one-line messages,
// and the file system itself (after a failed write, no output or temporary file exists and a
// previous output is intact). The valid files come from the fuzz seed corpus
// (tests/fuzz/corpus/), written by tools/make_fuzz_seeds.py with Python's struct, zipfile and
// json, not by fpaudit.
#include <gtest/gtest.h>

#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../src/io/mapped_file.hpp"
#include "fpaudit/io/readers.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;
using fpaudit::io::InputError;
using fpaudit::test::RunResult;
using fpaudit::test::slurp;

namespace {

const fs::path kCorpus = fs::path(FPAUDIT_SOURCE_DIR) / "tests/fuzz/corpus";
const fs::path kSamples = fs::path(FPAUDIT_SOURCE_DIR) / "vectors/samples";

// Reads a file and streams every element, as the audit does; returns the InputError's message
// ("" if the file was accepted). Any other exception fails the test.
std::string read_all(const std::string& path) {
  try {
    const auto f = fpaudit::io::read_file(path);
    for (const auto& t : f.tensors) {
      if (!fpaudit::io::iterable(t.dtype)) continue;
      fpaudit::io::for_each_chunk(t, 5, [](const fpaudit::io::Chunk&) {});
    }
    return "";
  } catch (const InputError& e) {
    return e.what();
  }
}

class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fpaudit_faults_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
    return p.string();
  }
  RunResult run(const std::vector<std::string>& args, const std::function<void()>& in_child = {}) {
    return fpaudit::test::run_cli(args, {.cwd = FPAUDIT_SOURCE_DIR, .in_child = in_child});
  }
  // Root (or CAP_DAC_OVERRIDE) ignores file modes, so a permission test run as root runs the CLI
  // as nobody (uid and gid 65534) instead, with dir_ opened to others (0755) so that only the
  // mode under test denies access. The child exits 125 before exec when it cannot drop to that
  // user or cannot reach the CLI or `readable`; such a run is skipped with that reason.
  bool need_unprivileged_child() {
    if (::geteuid() != 0) return false;
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    return true;
  }
  static std::function<void()> as_nobody(const std::string& readable) {
    return [readable] {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(125);
      if (::access(FPAUDIT_CLI_PATH, X_OK) != 0) _exit(125);
      if (!readable.empty() && ::access(readable.c_str(), R_OK) != 0) _exit(125);
    };
  }
  static constexpr const char* kNobodySkip =
      "running as root, and uid 65534 (nobody) cannot reach the fpaudit binary or the input";
  // The names in d, sorted.
  std::vector<std::string> listing(const fs::path& d) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(d)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

// The valid seeds of one reader (not the near-valid "near_*" ones).
std::vector<fs::path> valid_seeds(const std::string& kind) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kCorpus / kind)) {
    if (!e.path().filename().string().starts_with("near_")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- truncated and corrupted files of each kind ----

TEST_F(Faults, EveryTruncationOfEveryValidFileIsAnInputError) {
  int files = 0, cuts = 0;
  for (const char* kind : {"npy", "npz", "safetensors"}) {
    for (const fs::path& seed : valid_seeds(kind)) {
      const std::string bytes = slurp(seed);
      ASSERT_EQ(read_all(seed.string()), "") << seed << " must be valid";
      ++files;
      for (std::size_t n = 0; n < bytes.size(); ++n) {
        const std::string p = write("cut" + seed.extension().string(), bytes.substr(0, n));
        const std::string err = read_all(p);
        // A safetensors file without trailing bytes and a zip whose end record is the last
        // thing in it cannot lose a byte and stay valid; neither can a .npy.
        EXPECT_TRUE(err.starts_with(p + ": ")) << seed << " cut to " << n << " bytes: " << err;
        ++cuts;
      }
    }
  }
  EXPECT_EQ(files, 17);
  std::cerr << "[ info ] " << files << " files, " << cuts << " truncations\n";
}

TEST_F(Faults, EveryByteFlipIsAcceptedOrAnInputError) {
  // Flipping any one byte must never crash; flips in a stored .npz member's bytes must be caught
  // by the CRC-32 (APPNOTE 4.4.7) even where the .npy still parses.
  int flips = 0, refused = 0;
  for (const char* kind : {"npy", "npz", "safetensors"}) {
    for (const fs::path& seed : valid_seeds(kind)) {
      const std::string bytes = slurp(seed);
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::string bad = bytes;
        bad[i] = static_cast<char>(bad[i] ^ 0xFF);
        const std::string p = write("flip" + seed.extension().string(), bad);
        const std::string err = read_all(p);
        if (!err.empty()) {
          EXPECT_TRUE(err.starts_with(p + ": ")) << err;
          EXPECT_EQ(err.find('\n'), std::string::npos) << err;
          ++refused;
        }
        ++flips;
      }
    }
  }
  std::cerr << "[ info ] " << flips << " one-byte corruptions, " << refused << " refused\n";
  EXPECT_GT(refused, flips / 2);
}

TEST_F(Faults, CorruptStoredMemberDataFailsTheCrc) {
  // stored_two.npz holds u1_4.npy as b.npy, stored (tools/make_fuzz_seeds.py). Oracle: zlib's
  // crc32 of the member before and after the change (the archive's CRC was written by Python).
  std::string member = slurp(kCorpus / "npy/u1_4.npy");
  const auto crc = [](const std::string& s) {
    return static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
  };
  const std::uint32_t recorded = crc(member);
  std::string archive = slurp(kCorpus / "npz/stored_two.npz");
  const auto at = archive.find(member);
  ASSERT_NE(at, std::string::npos);
  member[member.size() - 3] = 0x7e;  // data bytes 00 7f 80 ff -> 00 7e 80 ff: still a valid .npy
  archive.replace(at, member.size(), member);
  const std::string p = write("crc.npz", archive);
  char expected[160];
  std::snprintf(expected, sizeof expected,
                ": member \"b.npy\": CRC-32 0x%08x of the member's bytes does not match 0x%08x "
                "recorded in the archive",
                crc(member), recorded);
  EXPECT_EQ(read_all(p), p + expected);
}

// ---- a file that shrinks while it is mapped ----

TEST_F(Faults, ShrinkBeforeAChunkIsSeenByTheSizeCheck) {
  std::string bytes = slurp(kSamples / "activations/fc3.npy");
  const std::string p = write("shrinks.npy", bytes);
  const auto f = fpaudit::io::read_file(p);
  fs::resize_file(p, 200);
  try {
    fpaudit::io::for_each_chunk(f.tensors.at(0), 64, [](const fpaudit::io::Chunk&) {});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": file changed size while being read (" +
                                         std::to_string(bytes.size()) +
                                         " bytes at open, now 200); expected it unchanged");
  }
}

TEST_F(Faults, ShrinkUnderAReadIsAnInputErrorNotSigbus) {
  // The window check_unchanged cannot close: the file shrinks after the check, before the read.
  // Reading a page that no longer exists raises SIGBUS (mmap(2)); the guard turns it into an
  // InputError. Three pages, cut to 100 bytes, read from the third page.
  const long page = ::sysconf(_SC_PAGESIZE);
  const std::string p = write("pages.bin", std::string(3 * page, 'x'));
  const auto m = fpaudit::io::MappedFile::open(p);
  fs::resize_file(p, 100);
  char buf[16];
  try {
    m->copy_out(2 * page + 5, sizeof buf, buf);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": file shrank while being read (" +
                                         std::to_string(3 * page) +
                                         " bytes at open, now 100 bytes); expected it unchanged");
  }
  // The first page is still in the file: reads there go on working, and so does a second fault.
  m->copy_out(0, 4, buf);
  EXPECT_EQ(std::string(buf, 4), "xxxx");
  EXPECT_THROW(m->copy_out(page + 1, 4, buf), InputError);
}

TEST_F(Faults, ShrinkGuardIsPerThread) {
  // Four threads fault on four truncated files at once; each gets its own error.
  const long page = ::sysconf(_SC_PAGESIZE);
  std::vector<std::shared_ptr<const fpaudit::io::MappedFile>> maps;
  for (int i = 0; i < 4; ++i) {
    const std::string p = write("t" + std::to_string(i) + ".bin", std::string(4 * page, 'y'));
    maps.push_back(fpaudit::io::MappedFile::open(p));
    fs::resize_file(p, 10);
  }
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 50; ++k) {
        char b[8];
        try {
          maps[i]->copy_out(3 * page, sizeof b, b);
        } catch (const InputError& e) {
          errors[i] = e.what();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(errors[i].starts_with((dir_ / ("t" + std::to_string(i) + ".bin")).string() +
                                      ": file shrank while being read"))
        << errors[i];
  }
}

TEST_F(Faults, SigbusOutsideAGuardedReadStillKills) {
  // The guard only catches faults of its own reads; any other SIGBUS keeps its default action.
  const long page = ::sysconf(_SC_PAGESIZE);
  const std::string p = write("k.bin", std::string(2 * page, 'z'));
  const auto m = fpaudit::io::MappedFile::open(p);
  char b[4];
  m->copy_out(0, 4, b);  // installs the handler
#ifdef FPAUDIT_SANITIZED
  // Under ASan the handler installed before ours is ASan's: it reports the fault and exits
  // non-zero instead of dying of the signal. Still a death, which is what is checked.
  const auto dies = ::testing::ExitedWithCode(1);
  const char* says = "AddressSanitizer: BUS";
#else
  const auto dies = ::testing::KilledBySignal(SIGBUS);
  const char* says = "";
#endif
  EXPECT_EXIT(::raise(SIGBUS), dies, says);
  EXPECT_EXIT(
      {
        fs::resize_file(p, 1);
        // An unguarded read of a vanished page (what a caller of TensorView::bytes() does).
        volatile char c = reinterpret_cast<const volatile char*>(m->data())[page + 1];
        (void)c;
      },
      dies, says);
}

// ---- unreadable files ----

TEST_F(Faults, UnreadableFileIsAnInputErrorThroughTheCli) {
  const std::string p = write("locked.npy", slurp(kCorpus / "npy/f4_2x3.npy"));
  fs::permissions(p, fs::perms::none);
  const bool nobody = need_unprivileged_child();
  if (!nobody && ::access(p.c_str(), R_OK) == 0) {
    GTEST_SKIP() << "running with CAP_DAC_OVERRIDE but not as root: chmod 000 does not deny reading";
  }
  const RunResult r =
      run({"audit", p, "--quiet"}, nobody ? as_nobody("") : std::function<void()>{});
  if (nobody && r.exit_code == 125) GTEST_SKIP() << kNobodySkip;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fpaudit: error: " + p + ": cannot open: Permission denied\n");
}

// ---- outputs: full disk, read-only directory, nothing half written ----

TEST_F(Faults, JsonAndHtmlToDevFullFailWithOneLine) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  for (const char* flag : {"--json", "--html"}) {
    const RunResult r =
        run({"audit", (kCorpus / "npy/f4_2x3.npy").string(), "--quiet", flag, "/dev/full"});
    EXPECT_EQ(r.exit_code, 1) << flag;
    EXPECT_EQ(r.err, "fpaudit: error: cannot write /dev/full: No space left on device\n") << flag;
  }
}

TEST_F(Faults, FileSizeLimitMidWriteLeavesNoPartialOrTemporaryFile) {
  // A disk filling up while the report is written: RLIMIT_FSIZE makes write(2) fail with EFBIG
  // after 1 KiB (SIGXFSZ ignored, so the write returns the error). The JSON goes to a temporary
  // file that must be removed, and an existing report must stay as it was.
  const fs::path out_dir = dir_ / "out";
  fs::create_directories(out_dir);
  const fs::path json = out_dir / "report.json";
  std::ofstream(json) << "previous report\n";
  const auto limit = [] {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit lim{1024, 1024};
    ::setrlimit(RLIMIT_FSIZE, &lim);
  };
  const RunResult r = run({"audit", (kSamples / "digits_mlp_weights.safetensors").string(),
                           "--quiet", "--json", json.string()},
                          limit);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "fpaudit: error: cannot write " + json.string() + ": File too large\n");
  EXPECT_EQ(listing(out_dir), std::vector<std::string>{"report.json"});
  EXPECT_EQ(slurp(json), "previous report\n");
}

TEST_F(Faults, ReadOnlyDirectoryFailsWithOneLineAndLeavesNothing) {
  const fs::path ro = dir_ / "ro";
  fs::create_directories(ro);
  // 0555: nobody may write, not even the owner (as root, the CLI runs as nobody).
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                          fs::perms::group_exec | fs::perms::others_read |
                          fs::perms::others_exec);
  const bool nobody = need_unprivileged_child();
  if (!nobody && ::access(ro.c_str(), W_OK) == 0) {
    GTEST_SKIP() << "running with CAP_DAC_OVERRIDE but not as root: a mode 0555 directory is "
                    "still writable; the missing-directory case below covers the error path";
  }
  const std::string input = (kCorpus / "npy/f4_2x3.npy").string();
  for (const char* flag : {"--json", "--html"}) {
    const std::string out = (ro / "report.out").string();
    const RunResult r = run({"audit", input, "--quiet", flag, out},
                            nobody ? as_nobody(input) : std::function<void()>{});
    if (nobody && r.exit_code == 125) GTEST_SKIP() << kNobodySkip;
    EXPECT_EQ(r.exit_code, 1) << flag;
    EXPECT_EQ(r.err, "fpaudit: error: cannot write " + out + ": Permission denied\n") << flag;
    EXPECT_TRUE(listing(ro).empty());
  }
}

TEST_F(Faults, MissingOutputDirectoryFailsWithOneLine) {
  const std::string out = (dir_ / "no/such/dir/report.json").string();
  const RunResult r =
      run({"audit", (kCorpus / "npy/f4_2x3.npy").string(), "--quiet", "--json", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "fpaudit: error: cannot write " + out + ": No such file or directory\n");
  EXPECT_FALSE(fs::exists(dir_ / "no"));
}

TEST_F(Faults, TruncatedInputThroughTheCliIsExitTwoWithOneLine) {
  const std::string bytes = slurp(kCorpus / "safetensors/f32_f16.safetensors");
  const std::string p = write("cut.safetensors", bytes.substr(0, bytes.size() - 1));
  const fs::path json = dir_ / "r.json";
  const RunResult r = run({"audit", p, "--quiet", "--json", json.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("fpaudit: error: " + p + ": header: tensor ")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(json));
}

}  // namespace

// ---- limits: overflowing shapes, absurd header lengths, deep or huge JSON, many tensors ----

namespace {

std::string npy_bytes(const std::string& dict, unsigned version = 1) {
  std::string h = dict;
  const std::size_t pre = version == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(version) + '\0';
  for (std::size_t i = 0; i < (version == 1 ? 2u : 4u); ++i)
    out += static_cast<char>(h.size() >> (8 * i));
  return out + h;
}

std::string le64(std::uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>(v >> (8 * i));
  return out;
}

std::string safetensors_bytes(const std::string& header, const std::string& data = "") {
  return le64(header.size()) + header + data;
}

}  // namespace

TEST_F(Faults, ShapesWhoseElementCountOverflows) {
  // 2^32 * 2^32 * 16 = 2^68 elements; 2^62 float32 elements = 2^64 bytes: one past 64 bits.
  const std::string a = write("a.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                                                 "'shape': (4294967296, 4294967296, 16), }"));
  EXPECT_EQ(read_all(a), a + ": byte 60: header: shape [4294967296, 4294967296, 16] has more "
                             "elements than fit in 64 bits");
  const std::string b = write("b.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                                                 "'shape': (4611686018427387904,), }"));
  EXPECT_EQ(read_all(b), b + ": byte 60: header: shape [4611686018427387904] of <f4 needs more "
                             "bytes than fit in 64 bits");
  const std::string c = write("c.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                                                 "'shape': (18446744073709551616,), }"));
  EXPECT_EQ(read_all(c), c + ": byte 61: header: shape dimension does not fit in 64 bits");
  const std::string d =
      write("d.safetensors",
            safetensors_bytes(
                R"({"t":{"dtype":"F32","shape":[4294967296,4294967296,2],"data_offsets":[0,0]}})"));
  EXPECT_EQ(read_all(d), d + ": header: tensor \"t\": shape [4294967296, 4294967296, 2] has more "
                             "elements than fit in 64 bits");
  const std::string e =
      write("e.safetensors",
            safetensors_bytes(
                R"({"t":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})"));
  EXPECT_EQ(read_all(e), e + ": header: tensor \"t\": shape [4611686018427387904] of F32 needs "
                             "more bits than fit in 64 bits");
  // A zero dimension makes the tensor empty, however large the others.
  const std::string f =
      write("f.safetensors",
            safetensors_bytes(
                R"({"t":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}})"));
  EXPECT_EQ(read_all(f), "");
}

TEST_F(Faults, HeadersOfAbsurdLength) {
  // .npy 2.0: a 32-bit header length of 4 GiB - 1, capped at 1 MiB before anything is read.
  const std::string a = write("a.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 14));
  EXPECT_EQ(read_all(a), a + ": byte 8: header length 4294967295 exceeds the 1048576-byte cap");
  // .safetensors: a 64-bit length of 2^64 - 1.
  const std::string b = write("b.safetensors", le64(~std::uint64_t{0}) + "{}");
  EXPECT_EQ(read_all(b),
            b + ": header length 18446744073709551615 at offset 0 exceeds file size 10");
  // .safetensors: 100,000,001 bytes, inside a (sparse) file large enough to hold it: refused by
  // the reference implementation's cap before a byte of it is read.
  const std::string c = write("c.safetensors", le64(100'000'001) + "{");
  fs::resize_file(c, 8 + 100'000'001 + 16);
  EXPECT_EQ(read_all(c),
            c + ": header length 100000001 at offset 0 exceeds the 100000000-byte cap");
}

TEST_F(Faults, DeeplyNestedJsonIsRefusedWithoutRecursion) {
  for (const std::size_t depth : {4u, 1000u, 200000u}) {
    const std::string p = write(
        "deep.safetensors", safetensors_bytes(std::string(depth, '[') + std::string(depth, ']')));
    EXPECT_EQ(read_all(p), p + ": header: JSON nested deeper than 3 levels; expected {name: "
                               "{dtype, shape, data_offsets}}")
        << depth;
  }
  const std::string q =
      write("deep_obj.safetensors", safetensors_bytes(R"({"t":{"dtype":{"a":{"b":1}}}})"));
  EXPECT_EQ(read_all(q), q + ": header: JSON nested deeper than 3 levels; expected {name: "
                             "{dtype, shape, data_offsets}}");
  // The .npy header grammar has no nesting: a nested tuple is a plain syntax error.
  const std::string n = write("n.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                                                 "'shape': (((((1,),),),),), }"));
  EXPECT_EQ(read_all(n), n + ": byte 61: header: expected a non-negative integer, found \"(\"");
}

TEST_F(Faults, HugeMetadataIsReadAndTooManyTensorsAreRefused) {
  // 100,000 metadata strings (4.4 MB of JSON): accepted.
  std::string meta = R"({"__metadata__":{)";
  for (int i = 0; i < 100000; ++i) meta += (i ? ",\"" : "\"") + std::to_string(i) + "\":\"v\"";
  meta += R"(},"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
  const std::string a = write("meta.safetensors", safetensors_bytes(meta, "\x07"));
  EXPECT_EQ(read_all(a), "");
  EXPECT_EQ(fpaudit::io::read_file(a).metadata->size(), 100000u);

  // One tensor over the limit is refused as the header is parsed (the entries need not even be
  // valid: the count is checked first).
  std::string many = "{";
  for (std::uint64_t i = 0; i <= fpaudit::io::kMaxTensorsPerFile; ++i) {
    many += (i ? ",\"" : "\"") + std::to_string(i) + "\":0";
  }
  many += "}";
  const std::string b = write("many.safetensors", safetensors_bytes(many));
  EXPECT_EQ(read_all(b), b + ": header: more than 262144 tensors; expected at most that many per "
                             "file (a limit of fpaudit)");
}

TEST_F(Faults, ZipListingTooManyMembersIsRefusedBeforeReadingThem) {
  // A (sparse) archive whose ZIP64 end record announces 262,145 members and a central
  // directory big enough for them (APPNOTE 4.3.14-4.3.16): refused from the count alone.
  const std::uint64_t entries = fpaudit::io::kMaxTensorsPerFile + 1, dir_size = entries * 46;
  std::string tail;
  const auto le = [&](std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) tail += static_cast<char>(v >> (8 * i));
  };
  const std::uint64_t zip64_end = dir_size;  // the directory starts at 0 and is all zeros
  le(0x06064b50, 4), le(44, 8), le(45, 2), le(45, 2), le(0, 4), le(0, 4);
  le(entries, 8), le(entries, 8), le(dir_size, 8), le(0, 8);            // ZIP64 end record
  le(0x07064b50, 4), le(0, 4), le(zip64_end, 8), le(1, 4);              // locator
  le(0x06054b50, 4), le(0, 2), le(0, 2), le(0xffff, 2), le(0xffff, 2);  // end record
  le(0xffffffff, 4), le(0xffffffff, 4), le(0, 2);
  const std::string p = write("many.npz", "");
  fs::resize_file(p, dir_size);
  std::ofstream(p, std::ios::binary | std::ios::app) << tail;
  EXPECT_EQ(read_all(p), p + ": byte 0: central directory lists 262145 members; expected at most "
                             "262144 per file (a limit of fpaudit)");
}

TEST_F(Faults, TooManyTensorsThroughTheCliInBoundedMemory) {
  std::string many = "{";
  for (std::uint64_t i = 0; i <= fpaudit::io::kMaxTensorsPerFile; ++i) {
    many += (i ? ",\"" : "\"") + std::to_string(i) +
            R"(":{"dtype":"U8","shape":[1],"data_offsets":[0,1]})";
  }
  many += "}";
  const std::string p = write("many.safetensors", safetensors_bytes(many, "\x01"));
  const RunResult r = run({"audit", p, "--quiet"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fpaudit: error: " + p +
                       ": header: more than 262144 tensors; expected at most that many per file "
                       "(a limit of fpaudit)\n");
#ifdef FPAUDIT_SANITIZED
  const long bound_kib = 1024 * 1024;  // ASan's shadow memory and quarantine come on top
#else
  const long bound_kib = 512 * 1024;
#endif
  EXPECT_LT(r.max_rss_kib, bound_kib) << "peak RSS " << r.max_rss_kib << " KiB";
  std::cerr << "[ info ] " << many.size() << "-byte header, 262145 tensors: refused, peak RSS "
            << r.max_rss_kib << " KiB\n";
}

TEST_F(Faults, ManyValidTensorsAreReadInLinearTime) {
  // Regression: the header used to be parsed through nlohmann's callback parser, which rescans
  // the root object at every tensor's end (quadratic: 100,000 tensors were about 5e9 steps,
  // 262,145 did not finish in 10 minutes). Now a SAX pass checks the limits and the tree is
  // built without a callback. 100,000 one-byte tensors, disjoint, every one checked.
  constexpr int kTensors = 100000;
  std::string header = "{";
  for (int i = 0; i < kTensors; ++i) {
    header += (i ? ",\"t" : "\"t") + std::to_string(i) +
              R"(":{"dtype":"U8","shape":[1],"data_offsets":[)" + std::to_string(i) + "," +
              std::to_string(i + 1) + "]}";
  }
  header += "}";
  const std::string p =
      write("many_valid.safetensors", safetensors_bytes(header, std::string(kTensors, 'x')));
  const auto f = fpaudit::io::read_file(p);
  EXPECT_EQ(f.tensors.size(), static_cast<std::size_t>(kTensors));
}
