// include/fpaudit/testing.hpp: the assertions pass on agreement and fail, with the values
// decoded, on disagreement (gtest-spi's EXPECT_NONFATAL_FAILURE catches the expected failures),
// and check_vector_file passes a correct kernel and catches a wrong one.
//
// Oracles: literal patterns (bfloat16 0x3F80 = 1, 0x3F81 = 1.0078125, 0x3F82 = 1.015625;
// binary16 0x3C00 = 1); the kernels under test are hand-written bit manipulations
// (round-to-nearest-even f32 -> bf16 by the carry trick, and truncation), checked against the
// shipped vectors/v1/f32_to_bf16.level1.tf, whose results test_vectors_shipped.cpp pins and
// test_vectors.cpp holds to MPFR.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fpaudit/testing.hpp"
#include "subprocess.hpp"

namespace {

const std::string kVectors = std::string(FPAUDIT_SOURCE_DIR) + "/vectors/v1/f32_to_bf16.level1.tf";

std::uint64_t bf16_rne(std::uint64_t x) {
  if ((x & 0x7FFFFFFF) > 0x7F800000) return (x >> 16) | 0x40;  // NaN: keep payload, quiet it
  return (x + 0x7FFF + ((x >> 16) & 1)) >> 16;
}
std::uint64_t bf16_truncate(std::uint64_t x) { return x >> 16; }

TEST(TestingHpp, BitExactPassesAndFailsDecoded) {
  EXPECT_BITEXACT("bf16", 0x3F80, 0x3F80);
  ASSERT_BITEXACT(fpaudit::format_by_name("f16"), 0x3C00, 0x3C00);
  EXPECT_NONFATAL_FAILURE(
      EXPECT_BITEXACT("bf16", 0x3F81, 0x3F80),
      "0x3F81 is 3F81 (1.008) but 0x3F80 is 3F80 (1) in bfloat16 (1 ulp apart)");
}

TEST(TestingHpp, WithinUlps) {
  EXPECT_WITHIN_ULPS("bf16", 0x3F81, 0x3F80, 1);
  EXPECT_WITHIN_ULPS("bf16", 0x0000, 0x8000, 0);  // +0 and -0
  EXPECT_NONFATAL_FAILURE(EXPECT_WITHIN_ULPS("bf16", 0x3F82, 0x3F80, 1),
                          "(2 ulps apart, allowed 1)");
}

TEST(TestingHpp, VectorFilePassesACorrectKernel) {
  EXPECT_TRUE(fpaudit::testing::check_vector_file(
      kVectors, "f32_to_bf16", [](std::span<const std::uint64_t> in) { return bf16_rne(in[0]); }));
}

TEST(TestingHpp, VectorFileCatchesAWrongKernel) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_TRUE(fpaudit::testing::check_vector_file(
          kVectors, "f32_to_bf16",
          [](std::span<const std::uint64_t> in) { return bf16_truncate(in[0]); })),
      "mismatch");
  const auto r = fpaudit::testing::check_vector_file(
      kVectors, "f32_to_bf16",
      [](std::span<const std::uint64_t> in) { return bf16_truncate(in[0]); });
  EXPECT_FALSE(r);
  // The report names the file and line and decodes both results.
  EXPECT_NE(std::string(r.message()).find("f32_to_bf16.level1.tf:"), std::string::npos);
  EXPECT_NE(std::string(r.message()).find("expected"), std::string::npos);
}

TEST(TestingHpp, FlagsAreComparedWhenTheKernelReportsThem) {
  fpaudit::test::TempDir dir;
  const auto path = (dir.path / "v.tf").string();
  std::ofstream(path) << "3F808000 3F80 01\n";  // the tie 1 + 2^-8: RNE to 1, inexact
  auto kernel = [](std::span<const std::uint64_t> in) {
    return fpaudit::vectors::Outcome{{bf16_rne(in[0])}, fpaudit::Flags{}};  // forgets inexact
  };
  EXPECT_FALSE(fpaudit::testing::check_vector_file_with_flags(path, "f32_to_bf16", kernel));
  fpaudit::vectors::VerifyOptions no_flags;
  no_flags.ignore_flags = true;
  EXPECT_TRUE(
      fpaudit::testing::check_vector_file_with_flags(path, "f32_to_bf16", kernel, no_flags));
  EXPECT_FALSE(fpaudit::testing::check_vector_file(path + ".missing", "f32_to_bf16",
                                                   [](auto in) { return bf16_rne(in[0]); }));
}

}  // namespace
