// `fpaudit bench [--quick] [--json FILE] [--filter TEXT]`: a self-benchmark in the manner of
// `openssl speed`. Each kernel runs on synthetic data next to its baseline, interleaved in the
// same run (median of several passes each), and is reported as a throughput and a ratio:
//   ratio = kernel throughput / baseline throughput   (higher is better; 1 = as fast)
// Kernels and baselines:
//   convert_*  binary32 -> format through convert_span (the dispatched bulk kernels), 1 thread;
//              baseline: F16C VCVTPS2PH (binary16 RNE), or VCVTNEPS2BF16 for bfloat16 targets;
//              where the CPU has neither, a memcpy of the input.
//   audit_*    audit_tensor_binary32 of one binary32 tensor (read by position, as the CLI reads a
//              binary32 file) against binary16, bfloat16, E4M3, E5M2 with full statistics;
//              baseline: a read-only pass over the same input.
//   gemm_*     the exact GEMM reference (gemm/exact_gemm.hpp), binary32 output; baseline:
//              OpenBLAS cblas_sgemm on the same shape and thread count (GFLOP/s = 2MNK / time).
//   startup_*  spawning `fpaudit formats` / `fpaudit convert` on 10 lines; baseline: /bin/true.
// The input of the conversion and audit kernels: N(0,1) x 2^e, e uniform in -8..8 (the
// "normal" set of docs/BENCHMARKS.md), 2^26 values (256 MiB), 2^24 with --quick.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_baselines.hpp"
#include "commands.hpp"
#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/report/output_file.hpp"

extern char** environ;

namespace fpaudit::cli {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

struct BenchArgs {
  bool quick = false;
  std::string json;
  std::string filter;
};

struct Record {
  std::string name;
  bool gflops = false;  // else ns per element
  double value = 0;     // ns/element or GFLOP/s
  std::string baseline;
  double baseline_value = 0;
  double ratio = 0;     // throughput / baseline throughput
  double gb_per_s = 0;  // input bytes per second (element kernels)
  unsigned threads = 1;
};

double seconds_of(const std::function<void()>& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median times of kernel and baseline, measured alternately after one warm-up each.
std::pair<double, double> time_pair(const std::function<void()>& kernel,
                                    const std::function<void()>& base, int reps) {
  kernel();
  base();
  std::vector<double> tk, tb;
  for (int r = 0; r < reps; ++r) {
    tb.push_back(seconds_of(base));
    tk.push_back(seconds_of(kernel));
  }
  return {median(tk), median(tb)};
}

std::vector<float> normal_set(std::size_t n) {
  std::vector<float> v(n);
  std::mt19937_64 rng(20261124);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::uniform_int_distribution<int> ed(-8, 8);
  for (auto& x : v) x = std::ldexp(nd(rng), ed(rng));
  return v;
}

class Bench {
 public:
  explicit Bench(const BenchArgs& a) : a_(a) {}

  void run() {
    std::printf("%-34s %12s %9s  %-22s %12s %7s\n", "kernel", "ns/elem|GF/s", "GB/s", "baseline",
                "ns/elem|GF/s", "ratio");
    conversions();
    audits();
    gemms();
    startup();
    if (!a_.json.empty()) {
      Json arr = Json::array();
      for (const Record& r : records_) {
        Json j;
        j["name"] = r.name;
        j[r.gflops ? "gflops" : "ns_per_element"] = r.value;
        j["baseline"] = r.baseline;
        j[r.gflops ? "baseline_gflops" : "baseline_ns_per_element"] = r.baseline_value;
        j["ratio"] = r.ratio;
        if (!r.gflops) j["gb_per_s"] = r.gb_per_s;
        j["threads"] = r.threads;
        arr.push_back(j);
      }
      Json doc;
      doc["kernel_isa"] = std::string(to_string(active_kernel()));
      doc["quick"] = a_.quick;
      doc["records"] = arr;
      report::write_output_file(a_.json, doc.dump(2) + "\n");
    }
  }

 private:
  bool wanted(const std::string& name) const {
    return a_.filter.empty() || name.find(a_.filter) != std::string::npos;
  }
  int reps() const { return a_.quick ? 3 : 7; }

  void add(Record r) {
    if (r.gflops)
      std::printf("%-34s %12.1f %9s  %-22s %12.1f %7.3f\n", r.name.c_str(), r.value, "",
                  r.baseline.c_str(), r.baseline_value, r.ratio);
    else
      std::printf("%-34s %12.3f %9.2f  %-22s %12.3f %7.3f\n", r.name.c_str(), r.value, r.gb_per_s,
                  r.baseline.c_str(), r.baseline_value, r.ratio);
    std::fflush(stdout);
    records_.push_back(std::move(r));
  }

  const std::vector<float>& input() {
    if (input_.empty()) input_ = normal_set(std::size_t{1} << (a_.quick ? 24 : 26));
    return input_;
  }

  void conversions() {
    struct Case {
      const char* name;
      const char* format;
      Rounding mode;
      std::optional<KernelIsa> isa;
      bool policies = false;  // saturate + daz + ftz
      bool quick = true;
    };
    const std::vector<Case> cases = {
        {"convert_f16_rne", "binary16", Rounding::rne, {}},
        {"convert_bf16_rne", "bfloat16", Rounding::rne, {}},
        {"convert_e4m3_rne", "float8_e4m3fn", Rounding::rne, {}},
        {"convert_e5m2_rne", "float8_e5m2", Rounding::rne, {}},
        {"convert_e2m1_rne", "float4_e2m1fn", Rounding::rne, {}},
        {"convert_custom_e3m4_fnuz_b5_rne", "e3m4:fnuz:bias=5", Rounding::rne, {}, false, false},
        {"convert_f16_rna", "binary16", Rounding::rna, {}, false, false},
        {"convert_f16_rtz", "binary16", Rounding::rtz, {}, false, false},
        {"convert_e4m3_rna", "float8_e4m3fn", Rounding::rna, {}, false, false},
        {"convert_e4m3_rtz", "float8_e4m3fn", Rounding::rtz, {}, false, false},
        {"convert_e4m3_rup", "float8_e4m3fn", Rounding::rup, {}, false, false},
        {"convert_e4m3_rdown", "float8_e4m3fn", Rounding::rdown, {}, false, false},
        {"convert_e4m3_rno", "float8_e4m3fn", Rounding::rno, {}, false, false},
        {"convert_e4m3_rne_sat_daz_ftz", "float8_e4m3fn", Rounding::rne, {}, true, false},
        {"convert_f16_sr", "binary16", Rounding::sr, {}},
        {"convert_bf16_sr", "bfloat16", Rounding::sr, {}, false, false},
        {"convert_e4m3_sr", "float8_e4m3fn", Rounding::sr, {}},
        {"convert_f16_rne_avx2", "binary16", Rounding::rne, KernelIsa::avx2, false, false},
        {"convert_e4m3_rne_avx2", "float8_e4m3fn", Rounding::rne, KernelIsa::avx2, false, false},
        {"convert_f16_rne_scalar", "binary16", Rounding::rne, KernelIsa::scalar, false, false},
        {"convert_e4m3_rne_scalar", "float8_e4m3fn", Rounding::rne, KernelIsa::scalar, false,
         false},
    };
    const FormatSpec f32 = format_by_name("binary32");
    for (const Case& c : cases) {
      if ((a_.quick && !c.quick) || !wanted(c.name)) continue;
      if (c.isa && !kernel_available(*c.isa)) {
        std::printf("%-34s skipped: %s unavailable\n", c.name,
                    std::string(to_string(*c.isa)).c_str());
        continue;
      }
      const std::vector<float>& in = input();
      const std::size_t n = in.size();
      const FormatSpec f = format_by_name(c.format);
      ConvertOptions opt;
      opt.rounding = c.mode;
      opt.seed = 1;
      if (c.policies) {
        opt.overflow = Overflow::saturate;
        opt.subnormals = {true, true};
      }
      std::vector<std::uint8_t> out(n * storage_bytes(f), 1);
      std::vector<std::uint16_t> base_out(n, 1);
      const bool bf16 = f.name == "bfloat16";
      std::string base_name = bf16 ? "vcvtneps2bf16" : "f16c_vcvtps2ph";
      std::string why;
      auto hw = [&] {
        return bf16 ? bench::bf16_convert(in.data(), base_out.data(), n, &why)
                    : bench::f16c_convert(in.data(), base_out.data(), n, &why);
      };
      std::function<void()> base = [&] { (void)hw(); };
      if (!hw()) {
        base_name = "memcpy";
        base = [&] { std::memcpy(base_out.data(), in.data(), n * sizeof(std::uint16_t)); };
      }
      set_kernel_override(c.isa);
      const auto [tk, tb] = time_pair(
          [&] { (void)convert_span(f32, in.data(), f, out.data(), n, opt); }, base, reps());
      set_kernel_override(std::nullopt);
      Record r;
      r.name = c.name;
      r.value = tk * 1e9 / double(n);
      r.gb_per_s = 4.0 * double(n) / tk / 1e9;
      r.baseline = base_name;
      r.baseline_value = tb * 1e9 / double(n);
      r.ratio = tb / tk;
      add(r);
    }
  }

  void audits() {
    const unsigned hwc = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned threads : {1u, std::min(2u, hwc)}) {
      const std::string name = "audit_f16_bf16_e4m3_e5m2_" + std::to_string(threads) + "t";
      if (!wanted(name) || (threads == 2 && hwc < 2)) continue;
      const std::size_t n = std::size_t{1} << (a_.quick ? 20 : 22);
      const std::vector<float>& all = input();
      const std::span<const float> in(all.data(), n);
      audit::AuditConfig cfg;
      for (const char* fname : {"binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2"})
        cfg.formats.push_back(format_by_name(fname));
      cfg.role = audit::Role::weight;
      cfg.threads = threads;
      cfg.per_tensor_scaling = false;
      cfg.mx = false;
      audit::TensorMeta meta;
      meta.name = "bench";
      meta.dtype = "F32";
      meta.count = n;
      meta.shape = {n};
      meta.row_length = n;
      // As the CLI reads a binary32 file: chunks copied out by position, on every thread.
      const audit::Binary32Reader values = [in](std::uint64_t first, std::size_t m,
                                                std::uint32_t* dst) {
        std::memcpy(dst, in.data() + first, m * sizeof(float));
      };
      volatile std::uint64_t sink = 0;
      const auto [tk, tb] = time_pair(
          [&] { (void)audit::audit_tensor_binary32(meta, values, cfg); },
          [&] {
            sink = sink + bench::stream_read(reinterpret_cast<const std::uint32_t*>(in.data()), n);
          },
          a_.quick ? 1 : 3);
      Record r;
      r.name = name;
      r.threads = threads;
      r.value = tk * 1e9 / double(n);
      r.gb_per_s = 4.0 * double(n) / tk / 1e9;
      r.baseline = "stream_read";
      r.baseline_value = tb * 1e9 / double(n);
      r.ratio = tb / tk;
      add(r);
    }
  }

  void gemms() {
    struct Shape {
      std::size_t m, n, k;
    };
    std::vector<Shape> shapes;
    if (a_.quick)
      shapes = {{512, 512, 512}};
    else
      shapes = {{1024, 1024, 1024}, {4096, 4096, 1024}};
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    for (const Shape& s : shapes) {
      for (const char* fname : {"float8_e4m3fn", "binary16", "bfloat16"}) {
        const FormatSpec f = format_by_name(fname);
        const std::string name = "gemm_exact_" +
                                 std::string(fname == std::string("float8_e4m3fn") ? "e4m3"
                                             : fname == std::string("binary16")    ? "f16"
                                                                                   : "bf16") +
                                 "_" + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                                 std::to_string(s.k);
        if (!wanted(name)) continue;
        // N(0,1) (x 64 for 8-bit formats, to use their range), rounded saturating into f;
        // sgemm gets the same values as binary32 (as bench/gemm_bench.cpp).
        std::mt19937_64 rng(42);
        std::normal_distribution<double> nd(0.0, f.width() == 8 ? 64.0 : 1.0);
        ConvertOptions sat;
        sat.overflow = Overflow::saturate;
        const std::size_t sb = storage_bytes(f);
        auto fill = [&](std::size_t count, std::vector<std::uint8_t>& bytes,
                        std::vector<float>& fl) {
          bytes.resize(count * sb);
          fl.resize(count);
          for (std::size_t i = 0; i < count; ++i) {
            const std::uint64_t bits = convert_double(nd(rng), f, sat).bits;
            std::memcpy(bytes.data() + i * sb, &bits, sb);
            fl[i] = static_cast<float>(to_double(f, bits));
          }
        };
        std::vector<std::uint8_t> a, b;
        std::vector<float> af, bf, c(s.m * s.n);
        fill(s.m * s.k, a, af);
        fill(s.k * s.n, b, bf);
        std::string why;
        if (!bench::sgemm(s.m, s.n, s.k, af.data(), bf.data(), c.data(), threads, &why)) {
          std::printf("%-34s skipped: %s\n", name.c_str(), why.c_str());
          continue;
        }
        gemm::MatrixOperand A, B;
        A.format = f;
        A.data = a.data();
        B.format = f;
        B.data = b.data();
        const FormatSpec out = format_by_name("binary32");
        gemm::GemmOptions go;
        go.threads = threads;
        const auto [tk, tb] = time_pair(
            [&] { (void)gemm::exact_gemm(s.m, s.n, s.k, A, B, out, {}, go); },
            [&] {
              (void)bench::sgemm(s.m, s.n, s.k, af.data(), bf.data(), c.data(), threads, nullptr);
            },
            a_.quick ? 1 : 3);
        const double flop = 2.0 * double(s.m) * double(s.n) * double(s.k);
        Record r;
        r.name = name;
        r.gflops = true;
        r.threads = threads;
        r.value = flop / tk / 1e9;
        r.baseline = "openblas_sgemm";
        r.baseline_value = flop / tb / 1e9;
        r.ratio = tb / tk;
        add(r);
      }
    }
  }

  // Wall time of one spawn-and-wait of argv with stdout/stderr to /dev/null.
  static double spawn_seconds(const std::vector<std::string>& argv) {
    std::vector<char*> av;
    for (const auto& s : argv) av.push_back(const_cast<char*>(s.c_str()));
    av.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    const auto t0 = Clock::now();
    pid_t pid = 0;
    double t = -1;
    if (posix_spawn(&pid, av[0], &fa, nullptr, av.data(), environ) == 0) {
      int status = 0;
      waitpid(pid, &status, 0);
      t = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    posix_spawn_file_actions_destroy(&fa);
    return t;
  }

  void startup() {
    char self[4096];
    const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return;
    self[len] = 0;
    char tmpl[] = "/tmp/fpaudit_bench_XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) return;
    const std::string lines = "3c00\n3c01\n0001\n7bff\n8000\nfc00\n7e00\n3555\nc000\n0400\n";
    if (write(fd, lines.data(), lines.size()) != static_cast<ssize_t>(lines.size())) {
    }
    close(fd);
    const std::vector<std::pair<std::string, std::vector<std::string>>> cmds = {
        {"startup_formats", {self, "formats"}},
        {"startup_convert_10_lines",
         {self, "convert", "--from", "binary16", "--to", "float8_e4m3fn", "--hex", tmpl}},
    };
    for (const auto& [name, argv] : cmds) {
      if (!wanted(name)) continue;
      const auto [tk, tb] =
          time_pair([&, &argv = argv] { (void)spawn_seconds(argv); },
                    [] { (void)spawn_seconds({"/bin/true"}); }, a_.quick ? 5 : 11);
      Record r;
      r.name = name;
      r.value = tk * 1e9;  // one "element": the whole run
      r.baseline = "spawn_bin_true";
      r.baseline_value = tb * 1e9;
      r.ratio = tb / tk;
      std::printf("%-34s %9.2f ms (baseline /bin/true %.2f ms, ratio %.3f)\n", name.c_str(),
                  tk * 1e3, tb * 1e3, r.ratio);
      records_.push_back(r);
    }
    unlink(tmpl);
  }

  BenchArgs a_;
  std::vector<float> input_;
  std::vector<Record> records_;
};

}  // namespace

void register_bench(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bench", "Time fpaudit's kernels against hardware baselines on this machine");
  auto args = std::make_shared<BenchArgs>();
  cmd->add_flag("--quick", args->quick, "smaller inputs and fewer passes (under 30 s)");
  cmd->add_option("--json", args->json, "also write the records as JSON to FILE");
  cmd->add_option("--filter", args->filter, "run only the kernels whose name contains TEXT");
  cmd->callback([args] { Bench(*args).run(); });
}

}  // namespace fpaudit::cli
