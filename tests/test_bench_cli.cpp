// `fpaudit bench --json`: the records' shape (docs/BENCHMARKS.md). No timing is asserted (the
// machine is shared); the oracle is the documented schema: every record has name, one of
// ns_per_element / gflops, baseline, and ratio = baseline time / kernel time > 0; names start
// with convert, audit, gemm or startup.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "subprocess.hpp"

namespace {

namespace fs = std::filesystem;

TEST(BenchCli, JsonRecordsFollowTheSchema) {
  const fs::path dir = fs::temp_directory_path() / ("fpaudit_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path json = dir / "bench.json";
  // One conversion and the start-up kernels only, to stay fast.
  const fpaudit::test::RunResult run =
      fpaudit::test::run_cli({"bench", "--quick", "--filter", "e5m2_rne", "--json", json.string()});
  ASSERT_EQ(run.exit_code, 0);
  std::ifstream in(json);
  const nlohmann::json doc = nlohmann::json::parse(in);
  ASSERT_TRUE(doc.contains("records"));
  ASSERT_EQ(doc["records"].size(), 1u);
  const auto& r = doc["records"][0];
  EXPECT_EQ(r["name"], "convert_e5m2_rne");
  EXPECT_GT(r["ns_per_element"].get<double>(), 0);
  EXPECT_TRUE(r["baseline"] == "f16c_vcvtps2ph" || r["baseline"] == "memcpy");
  EXPECT_GT(r["baseline_ns_per_element"].get<double>(), 0);
  const double ratio =
      r["baseline_ns_per_element"].get<double>() / r["ns_per_element"].get<double>();
  EXPECT_NEAR(r["ratio"].get<double>(), ratio, 1e-9 * ratio);
  fs::remove_all(dir);
}

TEST(BenchCli, UnknownOptionIsAUsageError) {
  const fpaudit::test::RunResult run = fpaudit::test::run_cli({"bench", "--no-such-option"});
  ASSERT_EQ(run.term_signal, 0);
  EXPECT_EQ(run.exit_code, 2);
}

}  // namespace
