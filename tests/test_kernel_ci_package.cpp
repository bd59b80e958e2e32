// The CMake package end to end: `cmake --install` this build into a temporary prefix, configure
// examples/kernel_ci (a separate project doing find_package(fpaudit CONFIG REQUIRED)) against
// it, build it and run its tests. Oracle: the example's own expectations: the correct kernel's
// GoogleTest and `fpaudit verify` checks pass, the deliberately wrong kernel's fail (and the
// failure names the vector file's line and the decoded values).
#include <gtest/gtest.h>

#include "subprocess.hpp"

namespace {

using fpaudit::test::run_program;
using fpaudit::test::TempDir;

TEST(KernelCiPackage, InstalledPackageBuildsTheExampleAndCatchesTheWrongKernel) {
  TempDir dir;
  const std::string prefix = (dir.path / "prefix").string(), build = (dir.path / "build").string();
  const std::string cmake = FPAUDIT_CMAKE_COMMAND;
  auto r = run_program(cmake, {"--install", FPAUDIT_BINARY_DIR, "--prefix", prefix});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* installed :
       {"/bin/fpaudit", "/include/fpaudit/testing.hpp", "/lib/cmake/fpaudit/fpauditConfig.cmake",
        "/lib/cmake/fpaudit/fpauditConfigVersion.cmake", "/lib/cmake/fpaudit/fpauditTargets.cmake",
        "/share/fpaudit/vectors/v1/MANIFEST.json"})
    EXPECT_TRUE(std::filesystem::exists(prefix + installed)) << installed;

  r = run_program(cmake, {"-S", std::string(FPAUDIT_SOURCE_DIR) + "/examples/kernel_ci", "-B",
                          build, "-DCMAKE_PREFIX_PATH=" + prefix,
                          std::string("-DCMAKE_CXX_COMPILER=") + FPAUDIT_CXX_COMPILER});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_program(cmake, {"--build", build, "-j2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // WILL_FAIL on the wrong kernel's tests: ctest passes only if they fail.
  r = run_program(FPAUDIT_CTEST_COMMAND, {"--test-dir", build, "--output-on-failure"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("100% tests passed, 0 tests failed out of 4"), std::string::npos) << r.out;

  r = run_program("./kernel_test_good", {}, {.cwd = build});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = run_program("./kernel_test_wrong", {}, {.cwd = build});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("f32_to_bf16: 2758 cases, 1252 mismatches (1252 in the result, 0 in the "
                       "flags only)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("f32_to_bf16.level1.tf:7: f32_to_bf16(00008001 = 4.59191494e-41): got "
                       "0000 (0), expected 0001 (9.184e-41)"),
            std::string::npos)
      << r.out;
}

}  // namespace
