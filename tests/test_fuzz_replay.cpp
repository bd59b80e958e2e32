// Replays every committed fuzz input through the fuzz targets' own code (fuzz/fuzz_targets.hpp)
// in the default suite, so that the ordinary build (and the ASan + UBSan build of
// tools/sanitize.sh) checks them without clang or libFuzzer: the seed corpora
// (tests/fuzz/corpus/<target>/) and the inputs of past findings (tests/data/regress/<target>/,
// one file per finding, named after it; docs/RELIABILITY.md lists them). Oracle: the targets'
// contracts (only the expected exception type may escape; accepted format strings
// round-trip through describe()).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;

namespace {

using Target = int (*)(const std::uint8_t*, std::size_t);

struct Named {
  const char* name;
  Target fn;
};
const Named kTargets[] = {{"npy", fpaudit::fuzz::npy},
                          {"npz", fpaudit::fuzz::npz},
                          {"safetensors", fpaudit::fuzz::safetensors},
                          {"format_string", fpaudit::fuzz::format_string},
                          {"fail_if", fpaudit::fuzz::fail_if},
                          {"testfloat_line", fpaudit::fuzz::testfloat_line}};

std::vector<fs::path> inputs(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FuzzReplay, SeedCorporaAndRegressionInputs) {
  const fs::path root(FPAUDIT_SOURCE_DIR);
  std::size_t seeds = 0, regressions = 0;
  for (const Named& t : kTargets) {
    const auto s = inputs(root / "tests/fuzz/corpus" / t.name);
    const auto r = inputs(root / "tests/data/regress" / t.name);
    EXPECT_FALSE(s.empty()) << t.name << ": no seed corpus";
    for (const auto* list : {&s, &r}) {
      for (const fs::path& p : *list) {
        SCOPED_TRACE(p.string());
        const std::string bytes = fpaudit::test::slurp(p);
        EXPECT_EQ(t.fn(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
      }
    }
    seeds += s.size();
    regressions += r.size();
  }
  std::cerr << "[ info ] replayed " << seeds << " seed inputs and " << regressions
            << " regression inputs\n";
}

}  // namespace

namespace {

// Findings of the fuzzers, one test each with the value the spec gives (docs/RELIABILITY.md).

TEST(FuzzFindings, UnsignedSixtyFourBitFormatMagnitudeMask) {
  // fuzz_format_string, input "ue5m59" (tests/data/regress/format_string/): an unsigned format
  // of 5 + 59 = 64 bits made magnitude_mask() shift a 64-bit 1 by 64 (UBSan: shift exponent 64).
  // Without a sign bit every one of the 64 bits is magnitude.
  const fpaudit::FormatSpec f = fpaudit::format_by_name("ue5m59");
  EXPECT_EQ(f.width(), 64);
  EXPECT_EQ(f.magnitude_mask(), ~std::uint64_t{0});
  EXPECT_EQ(f.mask(), ~std::uint64_t{0});
  EXPECT_EQ(fpaudit::format_by_name("ue5m58").magnitude_mask(), (std::uint64_t{1} << 63) - 1);
}

}  // namespace

namespace {

TEST(FuzzFindings, DescribeInvertsTheParserForFnuzBiases) {
  // fuzz_format_string, input "e4m3:fnuz:bias=7": describe() omitted a bias equal to IEEE's
  // default (7), but the parser's default for fnuz is one more (8, LLVM D141863), so the
  // description parsed back to a different format. And each ":fnuz" added one to the bias.
  const fpaudit::FormatSpec f = fpaudit::format_by_name("e4m3:fnuz:bias=7");
  EXPECT_EQ(f.bias, 7);
  EXPECT_EQ(fpaudit::describe(f), "e4m3:fnuz:bias=7");
  EXPECT_TRUE(fpaudit::parse_format_string(fpaudit::describe(f)) == f);
  EXPECT_EQ(fpaudit::format_by_name("e4m3:fnuz").bias, 8);
  EXPECT_EQ(fpaudit::describe(fpaudit::format_by_name("e4m3:fnuz")), "e4m3:fnuz");
  EXPECT_EQ(fpaudit::format_by_name("e4m3:fnuz:fnuz").bias, 8);
  EXPECT_EQ(fpaudit::format_by_name("e5m2:fnuz").bias, 16);
  EXPECT_EQ(fpaudit::format_by_name("e4m3:fnuz:ieee").bias, 7);
}

}  // namespace
