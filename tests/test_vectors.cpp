// fpaudit/vectors (function table, TestFloat lines, case generation, comparison) and the
// `fpaudit gen` / `fpaudit verify` commands.
//
// Oracles: literal lines and messages worked out by hand from TestFloat's layout and the specs
// (binary16 0x3C00 = 1, 0x4000 = 2, 0x4200 = 3; bfloat16 0x3F80 = 1, 0x7F7F = max finite,
// 0x7F80 = inf; E4M3 (OFP8 v1.0 Table 1) 0x7E = 448, 0x7F NaN, 0x01 = 2^-9, 0x08 = 2^-6); the
// MPFR references (fpaudit::reference::reference_convert and tests/arith_mpfr_oracle.hpp, which
// never call src/codec) for the generated expected results; enumeration for exhaustive order;
// the .npy reader for the writer.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <sstream>

#include "arith_mpfr_oracle.hpp"
#include "fpaudit/codec/decode.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/io/npy_writer.hpp"
#include "fpaudit/io/readers.hpp"
#include "fpaudit/reference/mpfr_reference.hpp"
#include "fpaudit/vectors/compare.hpp"
#include "fpaudit/vectors/generate.hpp"
#include "fpaudit/vectors/testfloat_line.hpp"
#include "fpaudit/vectors/verify.hpp"
#include "subprocess.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::vectors;
using fpaudit::test::run_cli;
using fpaudit::test::slurp;
using fpaudit::test::TempDir;
using fpaudit::test::words;

std::vector<std::vector<std::uint64_t>> cases(const std::string& name, GenerateOptions opt = {}) {
  std::vector<std::vector<std::uint64_t>> out;
  generate_cases(parse_function(name), opt, [&](std::span<const std::uint64_t> ops) {
    out.emplace_back(ops.begin(), ops.end());
  });
  return out;
}

TEST(VectorFunctions, NamesResolveToFormatsAndArity) {
  const Function conv = parse_function("f32_to_bf16");
  EXPECT_EQ(conv.kind, FunctionKind::conversion);
  EXPECT_EQ(conv.operands.at(0).name, "binary32");
  EXPECT_EQ(conv.results.at(0).name, "bfloat16");
  const Function fma = parse_function("f16_mulAdd");
  EXPECT_EQ(fma.arity(), 3);
  EXPECT_EQ(fma.results.at(0).name, "binary16");
  const Function lt = parse_function("e5m2_lt_quiet");  // longest suffix: lt_quiet, not lt
  EXPECT_EQ(lt.op->name, "lt_quiet");
  EXPECT_TRUE(lt.boolean_result);
  EXPECT_FALSE(lt.uses_rounding);
  const Function mx = parse_function("mxfp8_e4m3_quantize");
  EXPECT_EQ(mx.arity(), 32);
  ASSERT_EQ(mx.results.size(), 33u);
  EXPECT_EQ(mx.results[0].name, "float8_e8m0fnu");
  EXPECT_EQ(mx.results[1].name, "float8_e4m3fn");
  EXPECT_EQ(parse_function("nvfp4_quantize").arity(), 16);
  EXPECT_THROW(parse_function("f16_fma"), std::invalid_argument);
  EXPECT_THROW(parse_function("q9_add"), std::invalid_argument);
}

TEST(TestFloatLine, ParsesAndWritesTestFloatsLayout) {
  const Function add = parse_function("f16_add");
  const auto p = parse_testfloat_line("3c00\t0x4000  4200 00\r", add);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->operands, (std::vector<std::uint64_t>{0x3C00, 0x4000}));
  EXPECT_EQ(p->outcome.results, (std::vector<std::uint64_t>{0x4200}));
  EXPECT_EQ(p->outcome.flags.bits, 0);
  EXPECT_EQ(format_testfloat_line(add, p->operands, p->outcome), "3C00 4000 4200 00");
  EXPECT_FALSE(parse_testfloat_line("   ", add).has_value());
  EXPECT_FALSE(parse_testfloat_line("# comment", add).has_value());
  const Function lt = parse_function("f16_lt");
  EXPECT_EQ(parse_testfloat_line("3C00 4000 1 00", lt)->outcome.results[0], 1u);
  // 7BFF + 4C00 = 65520 rounds to inf: overflow | inexact = 05.
  EXPECT_EQ(format_testfloat_line(add, std::vector<std::uint64_t>{0x7BFF, 0x4C00},
                                  evaluate(add, std::vector<std::uint64_t>{0x7BFF, 0x4C00}, {})),
            "7BFF 4C00 7C00 05");
}

void expect_parse_error(const std::string& line, const std::string& fn, const std::string& msg) {
  try {
    parse_testfloat_line(line, parse_function(fn));
    ADD_FAILURE() << "no error for \"" << line << "\"";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), msg) << line;
  }
}

TEST(TestFloatLine, ErrorsNameTheColumn) {
  expect_parse_error("3C00 4000 4200", "f16_add",
                     "expected 4 columns (2 operands, 1 result, flags), got 3");
  expect_parse_error("3C00 4000 zz 00", "f16_add",
                     "column 3 (result): expected a hex pattern of at most 4 digits for binary16, "
                     "got \"zz\"");
  expect_parse_error("3C00 4000 4200 20", "f16_add",
                     "column 4 (flags): expected two hex digits 00..1F (TestFloat's flags byte), "
                     "got \"20\"");
  expect_parse_error("3C00 4000 2 00", "f16_lt",
                     "column 3 (result): expected 0 or 1 (a comparison's result), got \"2\"");
  expect_parse_error("100 00 00", "e4m3_to_f32",
                     "column 1 (operand): expected a hex pattern of at most 2 digits for "
                     "float8_e4m3fn, got \"100\"");
}

TEST(Compare, UlpDistanceOnTheOrderedLine) {
  const FormatSpec bf16 = format_by_name("bf16");
  EXPECT_EQ(ulp_distance(bf16, 0x3F80, 0x3F81), 1u);
  EXPECT_EQ(ulp_distance(bf16, 0x0000, 0x8000), 0u);  // +0 and -0
  EXPECT_EQ(ulp_distance(bf16, 0x0001, 0x8001), 2u);  // through zero
  EXPECT_EQ(ulp_distance(bf16, 0x7F7F, 0x7F80), 1u);  // max finite to inf
  EXPECT_FALSE(ulp_distance(bf16, 0x7FC0, 0x3F80).has_value());
  EXPECT_TRUE(result_matches(bf16, 0x7FC0, 0xFFC1, 1));  // NaN vs NaN under a tolerance
  EXPECT_FALSE(result_matches(bf16, 0x7FC0, 0xFFC1, 0));
}

TEST(Generate, StructuralPatternsHoldTheFormatsBoundaries) {
  const auto p = structural_patterns(format_by_name("e4m3"));
  const std::set<std::uint64_t> s(p.begin(), p.end());
  // OFP8 v1.0 Table 1: 0x7E = 448 (max), 0x7F NaN, 0x01 = 2^-9 (min subnormal), 0x07 max
  // subnormal, 0x08 = 2^-6 (min normal), 0x38 = 1; and their negatives.
  for (std::uint64_t b : {0x00, 0x01, 0x07, 0x08, 0x38, 0x7E, 0x7F, 0x80, 0x81, 0xFE, 0xFF})
    EXPECT_TRUE(s.count(b)) << std::hex << b;
  const auto h = structural_patterns(format_by_name("f16"));
  const std::set<std::uint64_t> hs(h.begin(), h.end());
  for (std::uint64_t b :
       {0x0001, 0x03FF, 0x0400, 0x3BFF, 0x3C00, 0x3C01, 0x7BFF, 0x7C00, 0x7C01, 0x7E00, 0xFC00})
    EXPECT_TRUE(hs.count(b)) << std::hex << b;
}

TEST(Generate, ConversionCasesHitMidpointsAndOverflowThreshold) {
  const auto c = cases("f32_to_e4m3");
  std::set<std::uint64_t> s;
  for (const auto& x : c) s.insert(x[0]);
  // 448 + 16 = 464 is the midpoint between E4M3's max and the next step (OFP8: 480 would be
  // 2^8 x 1.875): f32 464 = 0x43E80000 and its neighbours.
  for (std::uint64_t b : {0x43E80000u, 0x43E7FFFFu, 0x43E80001u, 0xC3E80000u})
    EXPECT_TRUE(s.count(b)) << std::hex << b;
  // 1 + 2^-4, the midpoint between 1 and 1.125 (0x3F880000).
  EXPECT_TRUE(s.count(0x3F880000u));
  // 2^-10, half the smallest subnormal 2^-9: the underflow tie (0x3A800000).
  EXPECT_TRUE(s.count(0x3A800000u));
}

TEST(Generate, LevelTwoCoversEveryTargetOfSixteenBits) {
  GenerateOptions two;
  two.level = Level::two;
  two.count = 0;
  std::set<std::uint64_t> one_set, two_set;
  for (const auto& x : cases("f32_to_bf16")) one_set.insert(x[0]);
  for (const auto& x : cases("f32_to_bf16", two)) two_set.insert(x[0]);
  // 0x40498000: the tie between bfloat16 0x4049 (3.140625) and 0x404A (3.15625), a target
  // that is not structural: level 2 walks every bfloat16 value, level 1 only the structural ones.
  EXPECT_TRUE(two_set.count(0x40498000u));
  EXPECT_FALSE(one_set.count(0x40498000u));
  EXPECT_GT(two_set.size(), 65536u * 4);
}

TEST(Generate, DeterministicAndSeeded) {
  GenerateOptions a;
  a.seed = 7;
  EXPECT_EQ(cases("f16_mulAdd", a), cases("f16_mulAdd", a));
  GenerateOptions b = a;
  b.seed = 8;
  EXPECT_NE(cases("f16_mulAdd", a), cases("f16_mulAdd", b));
  GenerateOptions few = a;
  few.count = 10;
  GenerateOptions more = a;
  more.count = 20;
  EXPECT_EQ(cases("f32_to_bf16", more).size() - cases("f32_to_bf16", few).size(), 10u);
}

TEST(Generate, ExhaustiveEnumeratesEveryPairInOrder) {
  GenerateOptions ex;
  ex.level = Level::exhaustive;
  const auto c = cases("e4m3_mul", ex);
  ASSERT_EQ(c.size(), 65536u);
  for (std::size_t i = 0; i < c.size(); ++i) {
    ASSERT_EQ(c[i][0], i >> 8);
    ASSERT_EQ(c[i][1], i & 0xFF);
  }
  EXPECT_THROW(cases("f16_mul", ex), std::invalid_argument);  // 2^32 cases
  EXPECT_EQ(cases("f16_to_f32", ex).size(), 65536u);
}

// The generated expected results against MPFR: conversions through reference_convert,
// operations through the arithmetic oracle.
TEST(Generate, ExpectedResultsEqualMpfr) {
  for (const char* name : {"f32_to_bf16", "f32_to_e4m3", "f32_to_e2m1", "f16_to_e5m2"}) {
    const Function fn = parse_function(name);
    for (ConvertOptions opt :
         {ConvertOptions{}, ConvertOptions{Rounding::rtz, Overflow::saturate}}) {
      std::uint64_t mismatches = 0;
      for (const auto& c : cases(name)) {
        const Outcome got = evaluate(fn, c, opt);
        const Encoded want = reference::reference_convert(fn.operands[0], c[0], fn.results[0], opt);
        if (got.results[0] != want.bits || !(got.flags == want.flags)) ++mismatches;
      }
      EXPECT_EQ(mismatches, 0u) << name;
    }
  }
  for (const char* name : {"f16_add", "f16_mul", "f16_mulAdd", "e4m3_div", "bf16_sqrt"}) {
    const Function fn = parse_function(name);
    arith_oracle::ArithOracle oracle(fn.operands[0]);
    GenerateOptions opt;
    opt.count = 300;
    std::uint64_t checked = 0, mismatches = 0;
    const auto all = cases(name, opt);
    for (std::size_t i = 0; i < all.size(); i += 13) {  // a spot check: every 13th case
      const Outcome got = evaluate(fn, all[i], {});
      const Encoded want = oracle.apply(fn.op->name, all[i], {});
      ++checked;
      if (got.results[0] != want.bits || !(got.flags == want.flags)) ++mismatches;
    }
    EXPECT_GT(checked, 20u);
    EXPECT_EQ(mismatches, 0u) << name;
  }
}

// Dot products: the sequential binary32 model without FMA against the host's binary32
// arithmetic (x86-64 SSE: round to nearest even, no FTZ/DAZ by default, no contraction under
// -std=c++20), an independent evaluation of acc = fl(acc + fl(a_i b_i)) from +0. bfloat16
// products are exact in binary32, so fl(a_i b_i) = a_i b_i; cases with a NaN are skipped (the
// host's NaN payload rules are not the model's).
TEST(Generate, DotProductsEqualHostBinary32Summation) {
  const Function fn = parse_function("bf16_dot8@sequential-fp32");
  EXPECT_EQ(fn.arity(), 16);
  EXPECT_EQ(fn.results[0].name, "binary32");
  const FormatSpec bf16 = format_by_name("bf16");
  std::uint64_t checked = 0;
  for (const auto& c : cases(fn.name)) {
    float acc = 0.0f;
    bool nan = false;
    for (std::size_t i = 0; i < 8; ++i) {
      const auto a = static_cast<float>(to_double(bf16, c[i]));
      const auto b = static_cast<float>(to_double(bf16, c[8 + i]));
      nan = nan || a != a || b != b;
      acc = acc + a * b;
    }
    if (nan || acc != acc) continue;
    std::uint32_t want;
    std::memcpy(&want, &acc, 4);
    ASSERT_EQ(evaluate(fn, c, {}).results[0], want) << format_testfloat_line(fn, c, {});
    ++checked;
  }
  EXPECT_GT(checked, 1000u);
  EXPECT_THROW(parse_function("bf16_dot0"), std::invalid_argument);
  EXPECT_THROW(parse_function("bf16_dot4@nope"), std::invalid_argument);
}

TEST(Verify, StreamCountsAndDescribesMismatches) {
  std::istringstream in("3C00 4000 4200 00\n3C00 4000 4201 00\n3C00 4000 4200 01\n");
  const VerifySummary s = verify_results(in, "t.tf", parse_function("f16_add"), {}, {});
  EXPECT_EQ(s.cases, 3u);
  EXPECT_EQ(s.result_mismatches, 1u);
  EXPECT_EQ(s.flag_mismatches, 1u);
  ASSERT_EQ(s.first.size(), 2u);
  EXPECT_EQ(s.first[0].where, "t.tf:2");
  EXPECT_EQ(s.first[0].text,
            "f16_add(3C00 = 1, 4000 = 2): got 4201 (3.002) flags 00 (.....), expected 4200 (3) "
            "flags 00 (.....)");
  EXPECT_EQ(summary_line(parse_function("f16_add"), s),
            "f16_add: 3 cases, 2 mismatches (1 in the result, 1 in the flags only)");
}

TEST(NpyWriter, ReadsBackWithTheReader) {
  TempDir dir;
  const std::string path = (dir.path / "a.npy").string();
  const std::string data("\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00", 12);
  io::write_npy(path, "<u2", {3, 2}, data);
  const io::TensorFile f = io::read_npy(path);
  ASSERT_EQ(f.tensors.size(), 1u);
  EXPECT_EQ(f.tensors[0].dtype, io::DType::u16);
  EXPECT_EQ(f.tensors[0].shape, (std::vector<std::uint64_t>{3, 2}));
  std::vector<std::uint64_t> bits;
  io::for_each_chunk(f.tensors[0], 16, [&](const io::Chunk& c) {
    bits.insert(bits.end(), c.bits.begin(), c.bits.end());
  });
  EXPECT_EQ(bits, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(io::npy_bytes("<f4", {2}, std::string(8, '\0')).size() % 64, 8u);  // 64-byte header
  EXPECT_THROW(io::npy_bytes("<f4", {3}, std::string(8, '\0')), std::invalid_argument);
}

// ---- the commands ----

TEST(GenCli, ByteIdenticalAcrossRunsAndFormats) {
  TempDir dir;
  for (const char* format : {"testfloat", "jsonl"}) {
    const auto cmd = words(std::string("gen f16_mulAdd --seed 5 --count 500 --format ") + format);
    const auto a = run_cli(cmd), b = run_cli(cmd);
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_FALSE(a.out.empty());
    EXPECT_EQ(a.out, b.out) << format;
    EXPECT_NE(
        a.out,
        run_cli(words(std::string("gen f16_mulAdd --seed 6 --count 500 --format ") + format)).out);
  }
  const std::string p1 = (dir.path / "one").string(), p2 = (dir.path / "two").string();
  ASSERT_EQ(run_cli({"gen", "f32_to_e4m3", "--format", "npy", "--out", p1}).exit_code, 0);
  ASSERT_EQ(run_cli({"gen", "f32_to_e4m3", "--format", "npy", "--out", p2 + ".npy"}).exit_code, 0);
  for (const char* part : {".inputs.npy", ".expected.npy", ".flags.npy"})
    EXPECT_EQ(slurp(p1 + part), slurp(p2 + part)) << part;
  const io::TensorFile in = io::read_npy(p1 + ".inputs.npy");
  EXPECT_EQ(in.tensors[0].dtype, io::DType::f32);
  const io::TensorFile out = io::read_npy(p1 + ".expected.npy");
  EXPECT_EQ(out.tensors[0].dtype, io::DType::u8);  // E4M3 patterns in uint8
  EXPECT_EQ(in.tensors[0].count, out.tensors[0].count);
  // The first line of the testfloat output: f32 +0 -> E4M3 +0, no flags.
  EXPECT_EQ(run_cli({"gen", "f32_to_e4m3"}).out.substr(0, 15), "00000000 00 00\n");
}

TEST(VerifyCli, ExitCodesAndOptions) {
  TempDir dir;
  const auto file = [&](const std::string& text) {
    const auto p = dir.path / "k.tf";
    std::ofstream(p) << text;
    return p.string();
  };
  auto verify = [&](const std::string& args, const std::string& text) {
    file(text);
    return run_cli(words("verify " + args + " k.tf"), {.cwd = dir.path});
  };
  // 1.00390625 (0x3F808000) is the tie between 0x3F80 and 0x3F81: RNE gives 0x3F80, inexact.
  auto r = verify("f32_to_bf16", "3F800000 3F80 00\n3F808000 3F80 01\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "f32_to_bf16: 2 cases, all match\n");
  r = verify("f32_to_bf16", "3F800000 3F80 00\n3F808000 3F81 01\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "mismatch k.tf:2: f32_to_bf16(3F808000 = 1.00390625): got 3F81 (1.008) flags 01 "
            "(....x), expected 3F80 (1) flags 01 (....x)\n"
            "f32_to_bf16: 2 cases, 1 mismatch (1 in the result, 0 in the flags only)\n");
  EXPECT_EQ(verify("f32_to_bf16 --tolerance-ulps 1", "3F808000 3F81 01\n").exit_code, 0);
  EXPECT_EQ(verify("f32_to_bf16 --tolerance-ulps 1", "3F808000 3F82 01\n").exit_code, 1);
  r = verify("f32_to_bf16", "3F808000 3F80 00\n");  // flags only
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("(0 in the result, 1 in the flags only)"), std::string::npos);
  EXPECT_EQ(verify("f32_to_bf16 --ignore-flags", "3F808000 3F80 00\n").exit_code, 0);
  // 2^-127 (f32 subnormal 0x00400000) is exact in bfloat16 (0x0040); a flush-to-zero kernel
  // gives +0 with underflow | inexact: a deviation --semantics ftz accepts.
  EXPECT_EQ(verify("f32_to_bf16", "00400000 0000 03\n").exit_code, 1);
  EXPECT_EQ(verify("f32_to_bf16 --semantics ftz", "00400000 0000 03\n").exit_code, 0);
  // Saturating E4M3: 1000 -> 0x7E (448) with overflow | inexact.
  EXPECT_EQ(verify("f32_to_e4m3 --semantics saturate", "447A0000 7E 05\n").exit_code, 0);
  EXPECT_EQ(verify("f32_to_e4m3", "447A0000 7E 05\n").exit_code, 1);
  r = verify("f32_to_bf16", "3F800000 3F80 00\n3F800000 3F8 0\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "fpaudit: error: k.tf:2: column 3 (flags): expected two hex digits 00..1F "
            "(TestFloat's flags byte), got \"0\"\n");
  r = verify("f32_to_bf16 --semantics fast", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(verify("f16_fma", "").exit_code, 2);
}

TEST(VerifyCli, NpyArrays) {
  TempDir dir;
  const std::string p = (dir.path / "c").string();
  ASSERT_EQ(run_cli({"gen", "e4m3_add", "--level", "exhaustive", "--format", "npy", "--out", p})
                .exit_code,
            0);
  auto r = run_cli(
      {"verify", "e4m3_add", "--inputs", p + ".inputs.npy", "--outputs", p + ".expected.npy"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "e4m3_add: 65536 cases, all match\n");
  // A kernel that got case 0x3838 (1 + 1) wrong: 0x40 (2) replaced by 0x41.
  std::string bad = slurp(p + ".expected.npy");
  const std::size_t header = bad.size() - 65536, at = header + 0x3838;
  ASSERT_EQ(static_cast<unsigned char>(bad[at]), 0x40);
  bad[at] = 0x41;
  io::write_npy(p + ".bad.npy", "|u1", {65536}, bad.substr(header));
  r = run_cli({"verify", "e4m3_add", "--inputs", p + ".inputs.npy", "--outputs", p + ".bad.npy"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "mismatch index 14392: e4m3_add(38 = 1, 38 = 1): got 41 (2.25), expected 40 (2)\n"
            "e4m3_add: 65536 cases, 1 mismatch (1 in the result, 0 in the flags only)\n");
  r = run_cli({"verify", "f16_add", "--inputs", p + ".inputs.npy", "--outputs", p + ".bad.npy"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
