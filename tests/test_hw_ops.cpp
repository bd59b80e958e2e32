// Arithmetic paths (include/fpaudit/hw/op_path.hpp, op_check.hpp): AVX512-FP16 VADDPH, VMULPH,
// VDIVPH, VSQRTPH, VFMADD213PH on binary16.
//
// Oracles, by test:
//  * EveryOpPath/*: fpaudit's correctly rounded arithmetic (include/fpaudit/arith/arith.hpp,
//    held to MPFR by tests/test_arith_*.cpp) configured to the path's documented semantics
//    (SDM entries quoted in src/hw/x86/op_paths.cpp), on all 2^16 operands (sqrt), every pair
//    of a boundary set plus 2^20 random pairs, every triple of a smaller set plus random and
//    near-cancelling triples (FMA).
//  * Facts*: literal bit patterns from the SDM text: the QNaN indefinite 0xFE00 (sign 1, quiet,
//    payload 0), subnormals neither read as zero nor flushed whatever MXCSR says.
//  * Documented*, Classes*: synthetic paths in software whose every result is known.
// Paths this machine cannot run are skipped with the reason (GTEST_SKIP).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fpaudit/arith/arith.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/op_check.hpp"
#include "fpaudit/hw/path.hpp"
#include "subprocess.hpp"

namespace {

using namespace fpaudit;
using namespace fpaudit::hw;
using fpaudit::test::run_cli;

const FormatSpec f16 = format_by_name("binary16");

const OpPath* find_op(const std::string& name) {
  for (const OpPath& p : op_paths())
    if (p.name == name) return &p;
  return nullptr;
}

#define REQUIRE_OP(var, name)                              \
  const OpPath* var = find_op(name);                       \
  ASSERT_NE(var, nullptr) << name << " is not registered"; \
  if (std::string why; !path_available(*var, &why)) GTEST_SKIP() << name << ": " << why

// Runs a path on one operand tuple.
std::uint16_t run1(const OpPath& p, std::uint16_t a, std::uint16_t b = 0, std::uint16_t c = 0) {
  const std::uint16_t ops[3] = {a, b, c};
  const void* ptrs[3] = {&ops[0], &ops[1], &ops[2]};
  std::uint16_t out = 0;
  p.run(ptrs, &out, 1);
  return out;
}

TEST(OpPaths, TheFiveOperationsAreRegistered) {
  for (const char* n :
       {"x86.vaddph", "x86.vmulph", "x86.vdivph", "x86.vsqrtph", "x86.vfmadd213ph"}) {
    const OpPath* p = find_op(n);
    ASSERT_NE(p, nullptr) << n;
    EXPECT_NE(find_operation(p->operation), nullptr) << n;
    EXPECT_EQ(p->format, f16);
  }
}

class EveryOpPath : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryOpPath, MatchesItsDocumentedSemantics) {
  REQUIRE_OP(p, GetParam());
  OpCheckOptions opt;
  opt.threads = 2;
  const OpCheckResult r = check_op_path(*p, opt);
  EXPECT_GT(r.inputs, 0u);
  EXPECT_EQ(r.vs_documented.total, 0u) << p->name << ": unexplained differences (a finding)";
  // With RNE the only difference from IEEE is the invalid operation's NaN (0xFE00, not the
  // reference's +0x7E00).
  if (p->documented.rounding == Rounding::rne) {
    EXPECT_EQ(r.vs_ieee.total, r.vs_ieee.count(MismatchClass::nan_payload)) << p->name;
  }
}

std::vector<std::string> op_path_names() {
  std::vector<std::string> v;
  for (const OpPath& p : op_paths()) v.push_back(p.name);
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, EveryOpPath, ::testing::ValuesIn(op_path_names()),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

TEST(OpFacts, InvalidGivesQNaNIndefinite) {
  REQUIRE_OP(add, "x86.vaddph");
  REQUIRE_OP(sq, "x86.vsqrtph");
  REQUIRE_OP(div, "x86.vdivph");
  EXPECT_EQ(run1(*add, 0x7C00, 0xFC00), 0xFE00);  // inf + -inf
  EXPECT_EQ(run1(*sq, 0xBC00), 0xFE00);           // sqrt(-1)
  EXPECT_EQ(run1(*sq, 0x8000), 0x8000);           // sqrt(-0) = -0 (IEEE 754-2019 5.4.1)
  EXPECT_EQ(run1(*div, 0x0000, 0x0000), 0xFE00);  // 0 / 0
  EXPECT_EQ(run1(*div, 0x3C00, 0x0000), 0x7C00);  // 1 / 0 = +inf
}

TEST(OpFacts, SubnormalsIgnoreMxcsrDazFtz) {
  REQUIRE_OP(mul, "x86.vmulph.mxcsr_daz_ftz");
  REQUIRE_OP(add, "x86.vaddph.mxcsr_daz_ftz");
  // 2^-24 x 1 = 2^-24 (smallest subnormal, 0x0001); 2^-14 x 2^-1 = 2^-15 (subnormal 0x0200).
  EXPECT_EQ(run1(*mul, 0x0001, 0x3C00), 0x0001);
  EXPECT_EQ(run1(*mul, 0x0400, 0x3800), 0x0200);
  // 2^-24 + 2^-24 = 2^-23 (0x0002): operands not read as zero.
  EXPECT_EQ(run1(*add, 0x0001, 0x0001), 0x0002);
}

TEST(OpFacts, FmaNaNOrderIsBThenAThenC) {
  REQUIRE_OP(fma, "x86.vfmadd213ph");
  // a = sNaN payload 1, b = sNaN payload 0x100, c = qNaN payload 2: b comes out, quieted.
  EXPECT_EQ(run1(*fma, 0x7C01, 0x7D00, 0x7E02), 0x7F00);
  // Only a and c NaN: a (quieted).
  EXPECT_EQ(run1(*fma, 0x7C01, 0x3C00, 0x7E02), 0x7E01);
  // 0 x inf + 1: invalid, QNaN indefinite.
  EXPECT_EQ(run1(*fma, 0x0000, 0x7C00, 0x3C00), 0xFE00);
}

// ---- the machinery, on software paths ----

// A software "path": the reference with FTZ (tiny results flushed), documented as plain IEEE.
void ftz_mul(const void* const* ops, void* out, std::size_t n) {
  ConvertOptions o;
  o.subnormals.ftz = true;
  for (std::size_t i = 0; i < n; ++i)
    static_cast<std::uint16_t*>(out)[i] =
        static_cast<std::uint16_t>(mul(f16, static_cast<const std::uint16_t*>(ops[0])[i],
                                       static_cast<const std::uint16_t*>(ops[1])[i], o)
                                       .bits);
}

OpPath software_mul(bool documented_ftz) {
  OpPath p;
  p.name = "test.ftz_mul";
  p.format = f16;
  p.operation = "mul";
  p.documented.subnormals.ftz = documented_ftz;
  p.available = [](std::string*) { return true; };
  p.run = ftz_mul;
  return p;
}

TEST(OpClasses, FlushedResultsAreClassifiedAndExplained) {
  const OpCheckResult undocumented = check_op_path(software_mul(false));
  EXPECT_GT(undocumented.vs_documented.total, 0u);
  EXPECT_EQ(undocumented.vs_documented.total,
            undocumented.vs_documented.count(MismatchClass::output_flushed_to_zero) +
                undocumented.vs_documented.count(MismatchClass::rounding_direction));
  EXPECT_TRUE(undocumented.finding());
  const OpCheckResult documented = check_op_path(software_mul(true));
  EXPECT_EQ(documented.vs_documented.total, 0u);
  EXPECT_EQ(documented.vs_ieee.total, undocumented.vs_ieee.total);
}

TEST(OpDocumented, NanOrderAndDefaultNan) {
  OpPath p = software_mul(false);
  p.operation = "mulAdd";
  p.default_nan = 0xFE00;
  p.nan_order = {1, 0, 2};
  const std::uint64_t both[] = {0x7C01, 0x7D00, 0x3C00};
  EXPECT_EQ(documented_op_result(p, both), 0x7F00u);  // b first, quieted
  const std::uint64_t invalid[] = {0x0000, 0x7C00, 0x3C00};
  EXPECT_EQ(documented_op_result(p, invalid), 0xFE00u);
  const std::uint64_t plain[] = {0x3C00, 0x4000, 0x3C00};  // 1 x 2 + 1 = 3
  EXPECT_EQ(documented_op_result(p, plain), 0x4200u);
}

TEST(OpCli, ListedCheckedAndSkippedWhenDisabled) {
  const auto list = run_cli({"hw"}, {.stderr_into_stdout = true});
  EXPECT_NE(list.out.find("arithmetic paths"), std::string::npos);
  EXPECT_NE(list.out.find("x86.vfmadd213ph"), std::string::npos);
  const auto off = run_cli({"hw", "check", "x86.vsqrtph"},
                           {.env = {"FPAUDIT_HW_DISABLE=avx512_fp16"}, .stderr_into_stdout = true});
  EXPECT_EQ(off.exit_code, 0) << off.out;
  EXPECT_NE(off.out.find("avx512_fp16 disabled by FPAUDIT_HW_DISABLE; skipped"), std::string::npos)
      << off.out;
  REQUIRE_OP(p, "x86.vsqrtph");
  const auto on = run_cli({"hw", "check", "x86.vsqrtph"}, {.stderr_into_stdout = true});
  EXPECT_EQ(on.exit_code, 0) << on.out;
  EXPECT_NE(on.out.find("inputs: 65536, all 2^16 binary16 operands"), std::string::npos) << on.out;
  EXPECT_NE(
      on.out.find("vs documented (rounding rne, subnormals keep, invalid -> 0xFE00): 0 mismatches"),
      std::string::npos)
      << on.out;
}

}  // namespace
