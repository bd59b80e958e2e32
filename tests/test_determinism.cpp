// Determinism (issue #8): the same input gives byte-identical audit JSON and HTML with 1 and 2
// threads and across runs, stochastic rounding included (seeded); `hw check --json` gives the
// same results with 1 and 2 threads. Oracle: the outputs of the runs compared with each other,
// byte for byte (the golden sample JSON in test_audit_cli pins the values themselves).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "subprocess.hpp"

namespace fs = std::filesystem;
using fpaudit::test::RunResult;
using fpaudit::test::slurp;

namespace {

class Determinism : public ::testing::Test {
 protected:
  RunResult run(const std::vector<std::string>& args) {
    return fpaudit::test::run_cli(args, {.cwd = FPAUDIT_SOURCE_DIR});
  }
  fpaudit::test::TempDir tmp_;
  const fs::path& dir_ = tmp_.path;
};

TEST_F(Determinism, AuditJsonAndHtmlAreByteIdenticalAcrossThreadsAndRuns) {
#ifdef FPAUDIT_SANITIZED
  // Under ASan + UBSan the whole sample directory takes minutes: one file of it, every format.
  const std::string input = "vectors/samples/digits_mlp_grads.safetensors";
  std::cerr << "[ info ] sanitizer build: reduced workload (" << input << ")\n";
#else
  const std::string input = "vectors/samples";
#endif
  std::vector<std::string> json, html;
  for (const char* threads : {"1", "2", "2", "1"}) {
    const int k = static_cast<int>(json.size());
    const fs::path j = dir_ / ("a" + std::to_string(k) + ".json");
    const fs::path h = dir_ / ("a" + std::to_string(k) + ".html");
    const RunResult r = run({"audit", input, "--quiet", "--threads", threads, "--rounding", "sr",
                             "--seed", "20261124", "--json", j.string(), "--html", h.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json.push_back(slurp(j));
    html.push_back(slurp(h));
  }
  ASSERT_GT(json[0].size(), 1000u);
  for (std::size_t k = 1; k < json.size(); ++k) {
    EXPECT_TRUE(json[k] == json[0]) << "run " << k << " JSON differs";
    EXPECT_TRUE(html[k] == html[0]) << "run " << k << " HTML differs";
  }
  // A different seed must change the stochastic results: the seed is really used.
  const fs::path other = dir_ / "other.json";
  ASSERT_EQ(run({"audit", input, "--quiet", "--threads", "2", "--rounding", "sr", "--seed", "1",
                 "--json", other.string()})
                .exit_code,
            0);
  EXPECT_NE(slurp(other), json[0]);
}

// `hw check --json` records each path's wall time ("seconds") and the thread count used
// ("threads"); everything else must be identical.
nlohmann::json without_timing(const std::string& text) {
  auto j = nlohmann::json::parse(text);
  for (auto& p : j.at("paths")) {
    p.erase("seconds");
    p.erase("threads");
  }
  return j;
}

TEST_F(Determinism, HwCheckJsonIsIdenticalWithOneAndTwoThreads) {
  std::vector<nlohmann::json> results;
  for (const char* threads : {"1", "2", "2"}) {
    const fs::path j = dir_ / ("hw" + std::to_string(results.size()) + ".json");
    // cxx.f32_to_f16.soft is the software cast: available on every machine.
    const RunResult r =
        run({"hw", "check", "cxx.f32_to_f16.soft", "--threads", threads, "--json", j.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    results.push_back(without_timing(slurp(j)));
  }
  ASSERT_EQ(results[0].at("paths").size(), 1u);
  EXPECT_EQ(results[1], results[0]);
  EXPECT_EQ(results[2], results[0]);
}

}  // namespace
