// The shipped vector set vectors/v1/: every file listed in MANIFEST.json is regenerated with
// `fpaudit gen` and its arguments, and must be byte-identical to the shipped file and hash to the
// manifest's sha256 (computed by coreutils' sha256sum, not by fpaudit). Every shipped file is in
// the manifest. Regenerate with tools/make_vectors.py after a deliberate generator change.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "subprocess.hpp"

namespace {

namespace fs = std::filesystem;
using fpaudit::test::run_cli;
using fpaudit::test::run_program;
using fpaudit::test::slurp;
using fpaudit::test::TempDir;

const fs::path kSet = fs::path(FPAUDIT_SOURCE_DIR) / "vectors" / "v1";

nlohmann::json manifest() { return nlohmann::json::parse(slurp(kSet / "MANIFEST.json")); }

std::string sha256_of(const fs::path& p) {
  const auto r = run_program("sha256sum", {p.string()});
  return r.out.substr(0, 64);
}

TEST(ShippedVectors, ManifestListsEveryFile) {
  const nlohmann::json m = manifest();
  EXPECT_EQ(m.at("version"), 1);
  std::set<std::string> listed;
  for (const auto& f : m.at("files")) listed.insert(f.at("file").get<std::string>());
  std::set<std::string> present;
  std::uintmax_t bytes = 0;
  for (const auto& e : fs::directory_iterator(kSet)) {
    if (e.path().filename() == "MANIFEST.json") continue;
    present.insert(e.path().filename().string());
    bytes += e.file_size();
  }
  EXPECT_EQ(listed, present);
  EXPECT_LT(bytes, 20u << 20);  // a few MB: the issue caps the set at a few tens of MB
}

TEST(ShippedVectors, RegeneratedFilesMatchTheManifest) {
  TempDir dir;
  const nlohmann::json m = manifest();  // named: at() returns into it
  ASSERT_EQ(m.at("files").size(), 20u);
  for (const auto& f : m.at("files")) {
    const std::string name = f.at("file");
    std::vector<std::string> args;
    for (const auto& a : f.at("args")) args.push_back(a.get<std::string>());
    const fs::path out = dir.path / name;
    args.insert(args.end(), {"--out", out.string()});
    const auto r = run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(sha256_of(out), f.at("sha256").get<std::string>()) << name;
    EXPECT_EQ(sha256_of(kSet / name), f.at("sha256").get<std::string>()) << name << " (shipped)";
    const std::string text = slurp(out);
    EXPECT_EQ(static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n')),
              f.at("count").get<std::uint64_t>())
        << name;
  }
}

}  // namespace
