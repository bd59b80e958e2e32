// The command-line contract of `fpaudit op` (docs/ARITHMETIC.md "fpaudit op"), run on the built
// binary (FPAUDIT_CLI_PATH), without a shell, with inputs in temporary files.
//
// Oracle: literal expected lines worked out by hand from the specs and TestFloat's output layout
// (testfloat_gen: operands, result, two-digit flags byte; uppercase hex zero-padded to the
// format's width; a comparison's result as one digit). binary16: 0x3C00 = 1, 0x4000 = 2,
// 0x4200 = 3, 0x7BFF = 65504, 0x4C00 = 16, 0x7C00 = inf, 0x7E00 = default NaN. E4M3 (OFP8 v1.0
// Table 1): 0x38 = 1, 0x7E = 448, 0x60 = 32, 0x7F = NaN. E5M2: 0x3C = 1, 0x7E qNaN, 0x7D sNaN.
// The stochastic-rounding test checks only the CLI's element numbering against the library
// call it documents.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fpaudit/arith/arith.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"
#include "subprocess.hpp"

namespace {

using Run = fpaudit::test::RunResult;

// `fpaudit op <args> FILE` with `input` written to FILE (so error messages name the file).
Run op(const std::string& args, const std::string& input, const std::string& file_name = "in.txt") {
  fpaudit::test::TempDir dir;
  std::ofstream(dir.path / file_name) << input;
  std::vector<std::string> argv = fpaudit::test::words("op " + args);
  argv.push_back(file_name);
  return fpaudit::test::run_cli(argv, {.cwd = dir.path});
}

void expect_output(const std::string& args, const std::string& input, const std::string& out) {
  const Run r = op(args, input);
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  EXPECT_EQ(r.out, out) << "fpaudit op " << args;
  EXPECT_EQ(r.err, "") << args;
}

void expect_error(const std::string& args, const std::string& input, const std::string& out,
                  const std::string& message) {
  const Run r = op(args, input);
  EXPECT_EQ(r.exit_code, 2) << args;
  EXPECT_EQ(r.out, out) << args;
  EXPECT_EQ(r.err, "fpaudit: error: " + message + "\n") << args;
}

TEST(OpCli, Binary16AddLines) {
  expect_output("f16_add --hex",
                "3C00 4000\n"
                "7bff 0x4C00\n"  // 65504 + 16 = 65520: the tie to 2^16 goes up: overflow
                "\n# comments and blank lines are skipped\n"
                "7C00 FC00\n"  // inf - inf: invalid
                "1 1\n",       // short and lowercase input, padded output
                "3C00 4000 4200 00\n"
                "7BFF 4C00 7C00 05\n"
                "7C00 FC00 7E00 10\n"
                "0001 0001 0002 00\n");
}

TEST(OpCli, RoundingAndPolicies) {
  // x - x = -0 when rounding down (IEEE 754-2019 6.3). 65504 + 65504 = 131008 overflows: +inf
  // in rne, 65504 in rtz (7.4); 65504 + 16 = 65520 in rtz is 65504, inexact, no overflow.
  expect_output("f16_sub --hex --rounding rdown", "3C00 3C00\n", "3C00 3C00 8000 00\n");
  expect_output("f16_add --hex --rounding rtz", "7BFF 7BFF\n7BFF 4C00\n",
                "7BFF 7BFF 7BFF 05\n7BFF 4C00 7BFF 01\n");
  // E4M3: 448 + 32 = 480 overflows: NaN (non-saturating), 448 when saturating.
  expect_output("e4m3_add --hex", "7E 60\n", "7E 60 7F 05\n");
  expect_output("e4m3_add --hex --overflow saturate", "7E 60\n", "7E 60 7E 05\n");
  // E5M2 2^-16 + 2^-16 = 2^-15, a subnormal: flushed by ftz, read as zeros by daz.
  expect_output("e5m2_add --hex --subnormals ftz", "01 01\n", "01 01 00 03\n");
  expect_output("e5m2_add --hex --subnormals daz", "01 01\n", "01 01 00 00\n");
  // 1.25 x 1.5 x 2^-15 rounds to 2^-14: tiny before rounding only (IEEE 754-2019 7.5).
  expect_output("e5m2_mul --hex", "3D 03\n", "3D 03 04 01\n");
  expect_output("e5m2_mul --hex --tininess before", "3D 03\n", "3D 03 04 03\n");
  // 0/0 with a canonical NaN.
  expect_output("f16_div --hex --nan canonical=0x7FFF", "0000 0000\n", "0000 0000 7FFF 10\n");
}

TEST(OpCli, OtherArities) {
  expect_output("bf16_mulAdd --hex", "3F80 4000 4040\n", "3F80 4000 4040 40A0 00\n");  // 1x2+3
  expect_output("e4m3_mulAdd --hex", "38 30 40\n", "38 30 40 42 00\n");  // 1 x 0.5 + 2 = 2.5
  expect_output("f16_sqrt --hex", "4000\nBC00\n", "4000 3DA8 01\nBC00 7E00 10\n");
  expect_output("e2m1_add --hex", "7 7\n", "7 7 7 05\n");  // FP4: 6 + 6 -> max 6, one digit
}

TEST(OpCli, Comparisons) {
  // lt signals on any NaN, lt_quiet only on a signaling one; results are one digit.
  expect_output("e5m2_lt --hex", "3C 40\n7E 3C\n", "3C 40 1 00\n7E 3C 0 10\n");
  expect_output("e5m2_lt_quiet --hex", "7E 3C\n7D 3C\n", "7E 3C 0 00\n7D 3C 0 10\n");
  expect_output("f16_eq --hex", "0000 8000\n", "0000 8000 1 00\n");
  expect_output("float8_e4m3fn_min --hex", "00 80\n", "00 80 80 00\n");  // 9.6: -0 < +0
}

TEST(OpCli, Conversions) {
  // binary32 1.0 -> E5M2 0x3C; 65520 (0x477FF000) in rtz -> 57344 (0x7B), inexact.
  expect_output("f32_to_e5m2 --hex --rounding rtz", "3F800000\n477FF000\n",
                "3F800000 3C 00\n477FF000 7B 01\n");
  expect_output("e4m3:fn_to_f16 --hex", "7E\n", "7E 5F00 00\n");  // 448
}

TEST(OpCli, StochasticIndexIsTheDataLineNumber) {
  const fpaudit::FormatSpec f = fpaudit::format_by_name("f16");
  fpaudit::ConvertOptions o;
  o.rounding = fpaudit::Rounding::sr;
  o.seed = 3;
  std::string want;
  for (std::uint64_t i = 0; i < 8; ++i) {
    const fpaudit::Encoded r = fpaudit::add(f, 0x3C00, 0x0001, o, i);  // 1 + 2^-24
    want +=
        "3C00 0001 " + fpaudit::format_hex(f, r.bits) + " " + fpaudit::format_flags(r.flags) + "\n";
  }
  expect_output("f16_add --hex --rounding sr --seed 3",
                "3C00 0001\n# not a data line\n3C00 0001\n3C00 0001\n3C00 0001\n3C00 0001\n"
                "3C00 0001\n3C00 0001\n3C00 0001\n",
                want);
}

TEST(OpCli, Errors) {
  // Bad line: the lines before it are printed, then the error names the file and line.
  expect_error("f16_add --hex", "3C00 3C00\nZZ 3C00\n", "3C00 3C00 4000 00\n",
               "in.txt:2: column 1 (operand): expected a hex pattern of at most 4 digits for binary16, got \"ZZ\"");
  expect_error("f16_add --hex", "3C00\n", "", "in.txt:1: expected 2 hex operands, got 1");
  expect_error("f16_sqrt --hex", "3C00 3C00\n", "", "in.txt:1: expected 1 hex operand, got 2");
  expect_error("e3m2_add --hex", "40 00\n", "",
               "in.txt:1: column 1 (operand): expected a hex pattern of at most 2 digits for float6_e3m2fn, got \"40\" "
               "(6 bits: at most 3F)");
  expect_error("f16_add", "", "",
               "op: say how operands are written: --hex (bit patterns, TestFloat's form)");
  expect_error("f16_fma --hex", "", "",
               "op: unknown function \"f16_fma\": expected <format>_<operation> (e.g. f16_add, "
               "e4m3_mulAdd) with an operation among add, sub, mul, mulAdd, div, sqrt, min, max, "
               "minimumNumber, maximumNumber, eq, le, lt, eq_signaling, le_quiet, lt_quiet, "
               "<from>_to_<to> (e.g. f32_to_e5m2), <mx>_quantize (e.g. mxfp8_e4m3_quantize), "
               "nvfp4_quantize, or <format>_dot<K>[@MODEL] (e.g. bf16_dot32@amx-bf16)");
  expect_error("f16_add --hex --rounding nearest", "", "",
               "unknown rounding \"nearest\" (expected rne, rna, rtz, rup, rdown, rno, sr)");
}

}  // namespace
