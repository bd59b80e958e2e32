// The command-line contract of `fpaudit formats`, `info` and `convert` (docs/CLI.md), tested on
// the built binary (FPAUDIT_CLI_PATH), run without a shell, with inputs written to temporary files.
//
// Oracle: literal expected lines, worked out by hand from the specs (IEEE 754-2019 Table 3.5,
// OCP OFP8 v1.0 Table 1, OCP MX v1.0 Tables 3-4, docs/CONVERSION_RULES.md), e.g. E4M3 max 448
// = 0x7E, 465 > 464 (the midpoint to the NaN-coded 480) overflows. The stochastic-rounding
// test checks only the CLI's element numbering against the library call it documents.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fpaudit/codec/convert.hpp"
#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"
#include "subprocess.hpp"

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

class Cli : public ::testing::Test {
 protected:
  std::string write_file(const std::string& name, const std::string& content) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }

  // Runs `fpaudit <args>` with `input` on stdin.
  Result run(const std::string& args, const std::string& input = "") {
    const fpaudit::test::RunResult r =
        fpaudit::test::run_cli(fpaudit::test::words(args), {.stdin_text = input});
    return {r.exit_code, r.out, r.err};
  }

  // Runs each command and checks that it exits 0 and prints each of the lines (among others).
  struct Expected {
    std::string args;
    std::vector<std::string> lines;
  };
  void expect_lines(const std::vector<Expected>& cases) {
    for (const Expected& c : cases) {
      const Result r = run(c.args);
      EXPECT_EQ(r.exit_code, 0) << c.args;
      const auto out = r.lines();
      for (const std::string& want : c.lines)
        EXPECT_NE(std::find(out.begin(), out.end(), want), out.end())
            << "fpaudit " << c.args << "\nmissing line: " << want << "\noutput:\n"
            << r.out;
    }
  }

  // Runs each command and checks exit code 2, the stdout printed before the error (usually
  // nothing) and the one-line error on stderr.
  struct Failure {
    std::string args, input, out, message;
  };
  void expect_errors(const std::vector<Failure>& cases) {
    for (const Failure& c : cases) {
      const Result r = run(c.args, c.input);
      EXPECT_EQ(r.exit_code, 2) << c.args;
      EXPECT_EQ(r.out, c.out) << c.args;
      EXPECT_EQ(r.err, "fpaudit: error: " + c.message + "\n") << c.args;
    }
  }

  fpaudit::test::TempDir tmp_;
  const fs::path& dir_ = tmp_.path;
};

// ---- convert --hex ----

TEST_F(Cli, ConvertHexOneToE4M3) {
  const Result r = run("convert --from f16 --to e4m3 --hex", "0x3C00\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "3C00 38 00\n");  // 1.0: E4M3 0.0111.000 = 0x38, exact
  EXPECT_EQ(r.err, "");
}

TEST_F(Cli, ConvertHexE4M3Overflow) {
  // binary16 0x5F44 = 465 (field 23, mantissa 0x344 = 836: (1 + 836/1024) x 2^8), 0x5F40 = 464,
  // 0x5F00 = 448. OFP8 v1.0: 448 is E4M3's max; 465 lies past the midpoint 464 to the
  // NaN-coded 480: NaN (0x7F) with overflow|inexact (0x05); 464 ties to the even 448 (0x7E).
  const std::string in = "5F44\n5F40\n5F00\n";
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex", in).out,
            "5F44 7F 05\n5F40 7E 01\n5F00 7E 00\n");
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex --overflow saturate", in).out,
            "5F44 7E 05\n5F40 7E 01\n5F00 7E 00\n");
  // Toward zero, 465 rounds to 448 with unbounded exponent: no overflow (CONVERSION_RULES 3).
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex --rounding rtz", in).out,
            "5F44 7E 01\n5F40 7E 01\n5F00 7E 00\n");
}

TEST_F(Cli, ConvertHexNaNsAndInfinities) {
  // IEEE 754-2019 6.2.3 / 7.2: a signaling NaN becomes quiet, flag invalid (0x10).
  EXPECT_EQ(run("convert --from f32 --to f16 --hex", "7F800001\n7FC00000\nFFC00000\n").out,
            "7F800001 7E00 10\n7FC00000 7E00 00\nFFC00000 FE00 00\n");
  // Infinity into E4M3 (no infinities): NaN with invalid; saturate: max finite with invalid.
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex", "7C00\nFC00\n").out,
            "7C00 7F 10\nFC00 FF 10\n");
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex --overflow saturate", "7C00\nFC00\n").out,
            "7C00 7E 10\nFC00 FE 10\n");
  // E4M3's NaN carries no payload: binary16's default quiet NaN with the sign.
  EXPECT_EQ(run("convert --from e4m3 --to f16 --hex", "7F\nFF\n7E\n").out,
            "7F 7E00 00\nFF FE00 00\n7E 5F00 00\n");
}

TEST_F(Cli, ConvertHexSmallFormats) {
  // binary32 min subnormal 2^-149 into binary16: rounds to +0, underflow|inexact (0x03).
  EXPECT_EQ(run("convert --from f32 --to f16 --hex", "00000001\n").out, "00000001 0000 03\n");
  // E8M0 (MX v1.0 5.4.1): 1.0 = 0x7F; 3.0 ties to the even exponent field: 2.0 = 0x80.
  EXPECT_EQ(run("convert --from f32 --to e8m0 --hex", "3F800000\n40400000\n").out,
            "3F800000 7F 00\n40400000 80 01\n");
  // FP4 E2M1 (MX v1.0 Table 4): 6.0 = 0x7 is max; 8.0 overflows to max (no inf, no NaN).
  EXPECT_EQ(run("convert --from f32 --to e2m1 --hex", "40C00000\n41000000\n").out,
            "40C00000 7 00\n41000000 7 05\n");
  // FP6 E2M3 is 6 bits: two hex digits, at most 3F. 0x3F = -7.5 (1 11 111).
  EXPECT_EQ(run("convert --from e2m3 --to f32 --hex", "3F\n0x01\n").out,
            "3F C0F00000 00\n01 3E000000 00\n");  // 0x01 = 0.125 (subnormal 1/8 x 2^0)
}

TEST_F(Cli, ConvertSkipsBlankLinesAndComments) {
  const Result r = run("convert --from f16 --to e4m3 --hex",
                       "# header comment\n\n   \n  3c00 trailing words ignored\n\t# indented\n"
                       "0x4000\r\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "3C00 38 00\n4000 40 00\n");
}

TEST_F(Cli, ConvertReadsAFileArgumentAndDash) {
  const std::string file = write_file("in.txt", "3C00\n");
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex '" + file + "'").out, "3C00 38 00\n");
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex -", "3C00\n").out, "3C00 38 00\n");
}

TEST_F(Cli, ConvertStochasticIndexIsTheDataLineNumber) {
  // Element i of the data lines (comments and blanks not counted) uses stochastic index i, as
  // convert_span does for element i of an array.
  std::string plain, commented, expected;
  const fpaudit::FormatSpec f16 = fpaudit::format_by_name("f16");
  const fpaudit::FormatSpec e4m3 = fpaudit::format_by_name("e4m3");
  fpaudit::ConvertOptions opt;
  opt.rounding = fpaudit::Rounding::sr;
  opt.seed = 42;
  for (std::uint64_t i = 0; i < 40; ++i) {
    const std::uint64_t bits = 0x2E66;  // 0.0999755859375: between E4M3 0x1C and 0x1D
    plain += "2E66\n";
    commented += "# line\n\n2E66\n";
    const fpaudit::Encoded r = fpaudit::convert(f16, bits, e4m3, opt, i);
    char buf[32];
    std::snprintf(buf, sizeof buf, "2E66 %02X %02X\n", static_cast<unsigned>(r.bits), r.flags.bits);
    expected += buf;
  }
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex --rounding sr --seed 42", plain).out, expected);
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex --rounding sr --seed 42", commented).out,
            expected);
  EXPECT_NE(expected.find(" 1C 01"), std::string::npos);  // both outcomes occur
  EXPECT_NE(expected.find(" 1D 01"), std::string::npos);
}

// ---- convert --dec ----

TEST_F(Cli, ConvertDecimal) {
  const Result r = run("convert --to bf16 --dec", "0.1\n-465\n1e-7\ninf\n-0\nnan\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            // 0.1 = 1.6 x 2^-4; 1.6 x 128 = 204.8 -> 205 = 0x4D | 0x80: 0x3DCD = 0.10009765625.
            "0.1 3DCD 01 0.10009765625\n"
            // 465 = 1.81640625 x 2^8; 8 bits of precision: between 464 and 466, a tie: even 464.
            "-465 C3E8 01 -464\n"
            // 1e-7 = 1.6777216 x 2^-24; x 128 = 214.7 -> 215 = 0xD7: (1 + 87/128) x 2^-24.
            "1e-7 33D7 01 1.001171767711639404296875e-07\n"
            "inf 7F80 00 inf\n"
            "-0 8000 00 -0\n"
            "nan 7FC0 00 nan\n");
}

TEST_F(Cli, ConvertDecimalIsExactForLongInputs) {
  // The exact binary64 value of 0.1 converts with no flag; one more nonzero digit 27 places
  // further down makes it inexact (and rounds up under rup).
  const std::string x = "0.1000000000000000055511151231257827021181583404541015625";
  const std::string y = x + "000000000000000000000000001";
  EXPECT_EQ(run("convert --to f64 --dec", x + "\n" + y + "\n").out,
            x + " 3FB999999999999A 00 " + x + "\n" + y + " 3FB999999999999A 01 " + x + "\n");
  EXPECT_EQ(
      run("convert --to f64 --dec --rounding rup", y + "\n").out,
      y + " 3FB999999999999B 01 0.10000000000000001942890293094023945741355419158935546875\n");
}

TEST_F(Cli, ConvertDecimalE4M3) {
  EXPECT_EQ(run("convert --from f32 --to e4m3 --dec", "465\n464\n448\n-465\n0.001\n").out,
            "465 7F 05 nan\n"
            "464 7E 01 448\n"
            "448 7E 00 448\n"
            "-465 FF 05 -nan\n"
            // 0.001 / 2^-9 = 0.512 subnormal quanta -> 1 x 2^-9, underflow|inexact.
            "0.001 01 03 0.001953125\n");
  EXPECT_EQ(run("convert --to e4m3 --dec --overflow saturate", "465\n").out, "465 7E 05 448\n");
}

// ---- convert errors ----

TEST_F(Cli, ConvertBadLineStopsWithFileAndLine) {
  const std::string file = write_file("bad.txt", "3C00\n# c\nzz\n3C00\n");
  const Result r = run("convert --from f16 --to e4m3 --hex '" + file + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "3C00 38 00\n");  // lines before the bad one are printed, nothing after
  EXPECT_EQ(r.err, "fpaudit: error: " + file +
                       ":3: expected a hex pattern of at most 4 digits for binary16, got \"zz\"\n");
}

TEST_F(Cli, ConvertBadLinesOnStdin) {
  expect_errors({
      {"convert --from f16 --to e4m3 --hex", "3C00\n10000\n", "3C00 38 00\n",
       "<stdin>:2: expected a hex pattern of at most 4 digits for binary16, got \"10000\""},
      {"convert --from e2m3 --to e4m3 --hex", "40\n", "",
       "<stdin>:1: expected a hex pattern of at most 2 digits for float6_e2m3fn, got \"40\" (6 "
       "bits: at most 3F)"},
      {"convert --to e4m3 --dec", "0.5\n1,5\n", "0.5 30 00 0.5\n",
       "<stdin>:2: expected a decimal number (e.g. 0.1, -465, 1e-7, inf, nan), got \"1,5\""},
  });
}

TEST_F(Cli, UnknownAndBadFormats) {
  const std::pair<std::string, std::string> cases[] = {
      {"nosuch",
       "invalid format \"nosuch\": not a registered format (see `fpaudit formats`) nor a custom "
       "e<E>m<M>[:options] string"},
      {"e4m3:bogus",
       "invalid format \"e4m3:bogus\": unknown option \"bogus\" (expected fn, fnuz, ieee, nonan, "
       "bias=N, nosub, nozero, unsigned)"},
      {"e70m2", "invalid format \"e70m2\": exponent bits 70 out of range (expected 1..20)"},
      {"e4m62",
       "invalid format \"e4m62\": mantissa bits 62 out of range (expected 0..61: at most 62 "
       "significant bits)"},
  };
  for (const auto& [format, message] : cases) {
    expect_errors({{"convert --from f16 --to '" + format + "' --hex", "3C00\n", "", message},
                   {"convert --from '" + format + "' --to f16 --hex", "3C00\n", "", message},
                   {"info '" + format + "'", "", "", message}});
  }
}

TEST_F(Cli, ConvertUsageErrors) {
  expect_errors({
      {"convert --from f16 --to e4m3", "3C00\n", "",
       "convert: say how inputs are written: --hex (bit patterns) or --dec (decimal)"},
      {"convert --to e4m3 --hex", "3C00\n", "",
       "convert --hex needs --from FORMAT (the inputs' format)"},
      {"convert --from f16 --to e4m3 --hex --dec", "3C00\n", "", "--hex excludes --dec"},
      {"convert --from f16 --to e4m3 --hex --rounding up", "3C00\n", "",
       "unknown rounding \"up\" (expected rne, rna, rtz, rup, rdown, rno, sr)"},
      {"convert --from f16 --to e4m3 --hex --sr-bits 40", "3C00\n", "",
       "--sr-bits: Value 40 not in range 1 to 32"},
      {"", "", "", "A subcommand is required"},
      // Canonical NaN bits must be a NaN of the target.
      {"convert --from f16 --to e4m3 --hex --nan canonical=0x7E", "7E01\n", "",
       "--nan canonical=0x7E: 7E is not a NaN of float8_e4m3fn (its NaN encodings: 7F, FF)"},
      {"convert --from f16 --to e2m1 --hex --nan canonical=0x7", "7E01\n", "",
       "--nan canonical=0x7: float4_e2m1fn has no NaN encoding, so there is no canonical NaN to "
       "choose"},
      {"convert --from f16 --to e4m3 --hex --nan quiet", "7E01\n", "",
       "unknown NaN policy \"quiet\" (expected propagate, canonical=0xBITS)"},
  });
  const Result r =
      run("convert --from f16 --to e4m3 --hex '" + (dir_ / "missing.txt").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("fpaudit: error: cannot open", 0), 0u) << r.err;
}

TEST_F(Cli, CanonicalNaN) {
  // binary16 quiet NaN 0x7E01 into E4M3 with canonical NaN 0xFF; binary32 into binary16.
  EXPECT_EQ(run("convert --from f16 --to e4m3 --hex --nan canonical=0xFF", "7E01\n").out,
            "7E01 FF 00\n");
  EXPECT_EQ(run("convert --from f32 --to f16 --hex --nan canonical=7FFF", "7FC00000\n").out,
            "7FC00000 7FFF 00\n");
}

// ---- formats ----

TEST_F(Cli, FormatsTable) {
  const Result r = run("formats");
  EXPECT_EQ(r.exit_code, 0);
  const auto lines = r.lines();
  for (const auto& l : lines) EXPECT_LE(l.size(), 100u) << l;
  EXPECT_EQ(lines.at(0),
            "FORMAT              ALIASES                   BITS   E   M  BIAS  NAN   +INF");
  EXPECT_EQ(
      lines.at(1),
      "binary64            f64 float64 double          64  11  52  1023  ieee  7FF0000000000000");
  expect_lines({{"formats",
                 {
                     "float8_e4m3fn       e4m3 e4m3fn fp8_e4m3         8   4   3     7  fn    -",
                     "float8_e8m0fnu      e8m0 ue8m0                   8   8   0   127  fn    -",
                     // Values: OFP8 v1.0 Table 1 (448, 2^-6, 2^-9), binary16 (65504, 2^-14,
                     // 2^-24), MX v1.0 Table 4 (E2M1: 6, 1, 0.5), E8M0 (2^127, 2^-127).
                     "FORMAT                MAX FINITE    MIN NORMAL  MIN SUBNORMAL      EPSILON",
                     "binary16                   65504   6.10352e-05    5.96046e-08  0.000976562",
                     "float8_e4m3fn                448      0.015625     0.00195312        0.125",
                     "float4_e2m1fn                  6             1            0.5          0.5",
                     "float8_e8m0fnu       1.70141e+38   5.87747e-39              -            1",
                     "binary16            7C01-7FFF, FC01-FFFF",
                     "float8_e4m3fn       7F, FF",
                     "float8_e4m3fnuz     80",
                     "float6_e2m3fn       none",
                 }}});
}

TEST_F(Cli, FormatsJson) {
  const Result r = run("formats --json");
  EXPECT_EQ(r.exit_code, 0);
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), fpaudit::registered_formats().size());
  const nlohmann::json* e4m3 = nullptr;
  const nlohmann::json* e8m0 = nullptr;
  const nlohmann::json* f16 = nullptr;
  for (const auto& f : j) {
    if (f["name"] == "float8_e4m3fn") e4m3 = &f;
    if (f["name"] == "float8_e8m0fnu") e8m0 = &f;
    if (f["name"] == "binary16") f16 = &f;
  }
  ASSERT_TRUE(e4m3 && e8m0 && f16);
  EXPECT_EQ((*e4m3)["max_finite"],
            (nlohmann::json{{"bits", "7E"}, {"exact", "448"}, {"double", 448.0}}));
  EXPECT_EQ((*e4m3)["min_subnormal"]["exact"], "0.001953125");
  EXPECT_EQ((*e4m3)["nan"],
            nlohmann::json::parse(R"([{"first":"7F","last":"7F"},{"first":"FF","last":"FF"}])"));
  EXPECT_EQ((*e4m3)["inf"], nullptr);
  EXPECT_EQ((*e4m3)["nan_style"], "fn");
  EXPECT_EQ((*e4m3)["aliases"], nlohmann::json::parse(R"(["e4m3","e4m3fn","fp8_e4m3"])"));
  EXPECT_EQ((*e4m3)["emin"], -6);
  EXPECT_EQ((*e4m3)["emax"], 8);
  EXPECT_EQ((*f16)["min_subnormal"]["exact"], "5.9604644775390625e-08");
  EXPECT_EQ((*f16)["min_normal"]["bits"], "0400");
  EXPECT_EQ((*f16)["epsilon"]["exact"], "0.0009765625");
  EXPECT_EQ((*f16)["inf"], "7C00");
  EXPECT_EQ((*f16)["neg_inf"], "FC00");
  EXPECT_EQ((*f16)["default_nan"], "7E00");
  EXPECT_EQ((*e8m0)["min_subnormal"], nullptr);
  EXPECT_EQ((*e8m0)["min_normal"]["bits"], "00");
  EXPECT_EQ((*e8m0)["max_finite"]["double"], 1.7014118346046923e38);  // 2^127
  EXPECT_EQ((*e8m0)["signed"], false);
}

// ---- info ----

TEST_F(Cli, InfoFormat) {
  const Result r = run("info e4m3");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "format:         float8_e4m3fn\n"
            "aliases:        e4m3, e4m3fn, fp8_e4m3\n"
            "source:         OCP OFP8 v1.0 Table 1 (E4M3)\n"
            "structure:      e4m3:fn\n"
            "bits:           8 = sign 1 + exponent 4 + mantissa 3, 2 hex digits\n"
            "precision:      4 bits\n"
            "bias:           7\n"
            "emin, emax:     -6, 8\n"
            "NaN style:      fn\n"
            "max finite:     0x7E = 448\n"
            "min normal:     0x08 = 2^-6 = 0.015625\n"
            "min subnormal:  0x01 = 2^-9 = 0.001953125\n"
            "epsilon:        2^-3 = 0.125\n"
            "zero:           0x00 (+0), 0x80 (-0)\n"
            "infinity:       none\n"
            "NaN:            0x7F, 0xFF\n"
            "default NaN:    0x7F\n");
}

TEST_F(Cli, InfoCustomFormat) {
  expect_lines({
      {"info e4m3:fnuz:bias=11",
       {"source:         custom format string", "same as:        float8_e4m3b11fnuz",
        "max finite:     0x7F = 30",  // 1.875 x 2^(15 - 11)
        "zero:           0x00 (no -0)", "NaN:            0x80"}},
      {"info e3m2:fn:nosub",
       {"min subnormal:  none (no subnormals)", "min normal:     0x04 = 2^-2 = 0.25"}},
      {"info e6m9",
       {"bits:           16 = sign 1 + exponent 6 + mantissa 9, 4 hex digits",
        "bias:           31"}},
  });
}

TEST_F(Cli, InfoBits) {
  Result r = run("info e4m3 0x7E");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "format:         float8_e4m3fn (e4m3:fn)\n"
            "bits:           0x7E = 0 1111 110\n"
            "sign:           0 (+)\n"
            "exponent field: 1111 = 0xF = 15 (1.m x 2^8)\n"
            "mantissa field: 110 = 0x6 = 6\n"
            "class:          normal\n"
            "value:          448\n"
            "next down:      0x7D = 416\n"
            "next up:        none\n"
            "ulp:            2^5 = 32\n");
  r = run("info f16 0x8001");
  EXPECT_EQ(r.out,
            "format:         binary16 (e5m10)\n"
            "bits:           0x8001 = 1 00000 0000000001\n"
            "sign:           1 (-)\n"
            "exponent field: 00000 = 0x0 = 0 (subnormal: 0.m x 2^-14)\n"
            "mantissa field: 0000000001 = 0x1 = 1\n"
            "class:          subnormal\n"
            "value:          -5.9604644775390625e-08\n"
            "next down:      0x8002 = -1.1920928955078125e-07\n"
            "next up:        0x8000 = -0\n"
            "ulp:            2^-24 = 5.9604644775390625e-08\n");
  expect_lines({
      {"info f16 0x7D00", {"class:          NaN (signaling)", "next up:        none"}},
      {"info f16 0x7BFF", {"next up:        0x7C00 = inf"}},
      // fnuz: no -0, so the value below +0 is -min and the value above -min is +0.
      {"info e4m3fnuz 0x00", {"next down:      0x81 = -0.0009765625"}},
      {"info e4m3fnuz 0x81", {"next up:        0x00 = 0"}},
      {"info e8m0 0x00", {"next down:      none", "sign:           none (unsigned format)"}},
  });
  expect_errors({{"info e4m3 0x100", "", "",
                  "expected a hex pattern of at most 2 digits for float8_e4m3fn, got \"0x100\""}});
}

TEST_F(Cli, InfoDecimalValue) {
  Result r = run("info bf16 0.1");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "format:         bfloat16 (e8m7)\n"
            "input:          0.1\n"
            "options:        rounding rne, overflow ieee, subnormals keep, tininess after, nan "
            "propagate\n"
            "result:         0x3DCD = 0.10009765625\n"
            "class:          normal\n"
            "flags:          0x01 ....x (inexact)\n"
            // 0.10009765625 - 0.1 = 0.00009765625 = 2^-10 / 10; relative: 2^-10 = 0.0009765625.
            "error:          0.00009765625 (result - input)\n"
            "relative error: 0.0009765625 ((result - input) / input)\n"
            "below:          0x3DCC = 0.099609375\n"
            "above:          0x3DCD = 0.10009765625\n");
  r = run("info e4m3 465");
  EXPECT_EQ(r.out,
            "format:         float8_e4m3fn (e4m3:fn)\n"
            "input:          465\n"
            "options:        rounding rne, overflow ieee, subnormals keep, tininess after, nan "
            "propagate\n"
            "result:         0x7F = nan\n"
            "class:          NaN\n"
            "flags:          0x05 ..o.x (overflow, inexact)\n"
            "error:          none (input or result not finite)\n"
            "below:          0x7E = 448\n"
            "above:          none\n");
  expect_lines({
      {"info e4m3 465 --overflow saturate",
       {"result:         0x7E = 448", "error:          -17 (result - input)"}},
      // A negative number is a value, not an option; -inf and -nan need `--` before them.
      {"info e4m3 -465", {"result:         0xFF = -nan", "above:          0xFE = -448"}},
      {"info f16 -- -inf", {"result:         0xFC00 = -inf"}},
      {"info f16 1e-7 --rounding rtz",
       {"result:         0x0001 = 5.9604644775390625e-08",
        "flags:          0x03 ...ux (underflow, inexact)"}},
      {"info f16 1e-7 --rounding rtz --subnormals ftz", {"result:         0x0000 = 0"}},
      {"info f16 0.5", {"error:          0 (exact)"}},
  });
  expect_errors({{"info f16 banana", "", "",
                  "expected a decimal number (e.g. 0.1, -465, 1e-7, inf, nan), got \"banana\""}});
}

TEST_F(Cli, HelpExitsZero) {
  const Result r = run("convert --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--rounding"), std::string::npos);
}

}  // namespace
