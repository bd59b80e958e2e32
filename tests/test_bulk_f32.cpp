// The bulk binary32 kernels (AVX-512, AVX2, scalar) against the scalar reference encode()
// (via convert_float; encode is itself held equal to MPFR by test_codec_vs_mpfr.cpp).
//
// Oracle: encode(), element by element. Inputs: every 16-bit upper half of a binary32 pattern
// (all signs, exponents and top mantissa bits) crossed with low halves at the rounding
// boundaries of every target (0, 1, the half-ulp patterns and their neighbours), plus random
// patterns. Checked: every result bit, and the flags, OR-ed per group of 16 elements (the
// kernels' vector width) and over whole spans. Every named format the kernels take, custom
// formats, every rounding mode, overflow, subnormal, tininess and NaN policy.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fpaudit/codec/bulk_f32.hpp"
#include "fpaudit/codec/convert.hpp"
#include "fpaudit/format/registry.hpp"

namespace fpaudit {
namespace {

std::vector<std::uint32_t> boundary_inputs() {
  // Low halves where rounding decides: a target with m mantissa bits drops 23 - m binary32
  // bits, so its ties sit at 2^(22-m) (+-1 for the neighbours). For m <= 6 that is in the upper
  // half (enumerated); m = 7..10 (bfloat16, e6m9, binary16) put it at 0x8000 .. 0x1000 here.
  const std::vector<std::uint32_t> lows = {0x0000, 0x0001, 0xffff, 0x7fff, 0x8000, 0x8001,
                                           0x1fff, 0x2000, 0x2001, 0x0fff, 0x1000, 0x1001};
  std::vector<std::uint32_t> in;
  in.reserve(65536 * lows.size());
  for (std::uint32_t hi = 0; hi < 65536; ++hi)
    for (std::uint32_t lo : lows) in.push_back((hi << 16) | lo);
  std::mt19937_64 rng(20261124);
  for (int i = 0; i < 100000; ++i) in.push_back(static_cast<std::uint32_t>(rng()));
  return in;
}

const std::vector<std::uint32_t>& inputs() {
  static const std::vector<std::uint32_t> v = boundary_inputs();
  return v;
}

std::vector<KernelIsa> kernels() {
  std::vector<KernelIsa> ks;
  for (KernelIsa k : {KernelIsa::scalar, KernelIsa::avx2, KernelIsa::avx512}) {
    std::string why;
    if (kernel_available(k, &why))
      ks.push_back(k);
    else
      std::printf("[ skipped  ] kernel %s: %s\n", std::string(to_string(k)).c_str(), why.c_str());
  }
  return ks;
}

std::string describe_opt(const ConvertOptions& o) {
  return std::string(to_string(o.rounding)) + "/" + std::string(to_string(o.overflow)) + "/" +
         to_string(o.subnormals) + (o.tininess == Tininess::before_rounding ? "/before" : "") +
         (o.nan.canonical ? "/canonical" : "") +
         (o.rounding == Rounding::sr ? "/r" + std::to_string(o.sr_bits) : "");
}

// Compares every kernel with encode() on all inputs for one (format, options).
void check(const FormatSpec& f, const ConvertOptions& opt, std::uint64_t first_index = 0,
           const std::vector<std::uint32_t>& in = inputs()) {
  ASSERT_TRUE(bulk_f32_supported(f, opt)) << f.name;
  const std::size_t n = in.size(), ob = storage_bytes(f);
  std::vector<std::uint64_t> want(n);
  std::vector<std::uint8_t> want_flags(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Encoded e = convert_float(std::bit_cast<float>(in[i]), f, opt, first_index + i);
    want[i] = e.bits;
    want_flags[i] = e.flags.bits;
  }
  for (KernelIsa k : kernels()) {
    SCOPED_TRACE(f.name + " " + describe_opt(opt) + " kernel " + std::string(to_string(k)));
    // One call over everything (an odd length, so the tail runs too): every result bit.
    const std::size_t len = n - 3;
    std::vector<unsigned char> out(len * ob);
    const Flags all = convert_f32_bulk(k, f, in.data(), out.data(), len, opt, first_index);
    std::uint8_t want_all = 0;
    int bad = 0;
    for (std::size_t i = 0; i < len; ++i) {
      std::uint64_t got = 0;
      std::memcpy(&got, out.data() + i * ob, ob);
      want_all |= want_flags[i];
      if (got != want[i] && ++bad <= 5)
        ADD_FAILURE() << "input 0x" << std::hex << in[i] << " index " << std::dec << first_index + i
                      << ": got 0x" << std::hex << got << ", encode gives 0x" << want[i];
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(all.bits, want_all);
    // Flags per group of 16 consecutive inputs (one AVX-512 vector, two AVX2 ones).
    bad = 0;
    std::vector<unsigned char> tmp(16 * ob);
    for (std::size_t i = 0; i + 16 <= n; i += 16 * 3) {  // every third group: time
      const Flags g = convert_f32_bulk(k, f, in.data() + i, tmp.data(), 16, opt, first_index + i);
      std::uint8_t w = 0;
      for (std::size_t j = i; j < i + 16; ++j) w |= want_flags[j];
      if (g.bits != w && ++bad <= 5)
        ADD_FAILURE() << "flags of inputs from 0x" << std::hex << in[i] << ": got "
                      << flags_letters(g) << ", encode gives " << flags_letters(Flags(w));
    }
    EXPECT_EQ(bad, 0);
  }
}

std::vector<FormatSpec> formats() {
  std::vector<FormatSpec> fs;
  for (const char* name : {"binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "float4_e2m1fn",
                           "float6_e2m3fn", "float6_e3m2fn", "float8_e4m3fnuz", "float8_e5m2fnuz",
                           "float8_e4m3b11fnuz", "float8_e4m3", "float8_e3m4",
                           // custom: no subnormals, wide and narrow, odd bias, 1-bit mantissa IEEE
                           "e5m2:fn:nosub", "e4m3:nosub", "e8m7:fn", "e6m9", "e3m4:fnuz:bias=5",
                           "e2m1", "e5m10:nonan", "e7m8:bias=100"})
    fs.push_back(format_by_name(name));
  return fs;
}

TEST(BulkF32, EveryFormatEveryMode) {
  for (const FormatSpec& f : formats())
    for (Rounding r : {Rounding::rne, Rounding::rna, Rounding::rtz, Rounding::rup, Rounding::rdown,
                       Rounding::rno, Rounding::sr}) {
      ConvertOptions o;
      o.rounding = r;
      o.seed = 0x0123456789abcdefull;
      check(f, o, 1000);
    }
}

TEST(BulkF32, Policies) {
  for (const char* name : {"binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "float4_e2m1fn",
                           "float8_e4m3fnuz", "e5m2:fn:nosub", "e3m4:fnuz:bias=5", "e8m7:fn"}) {
    const FormatSpec f = format_by_name(name);
    for (Rounding r : {Rounding::rne, Rounding::rtz, Rounding::rup, Rounding::sr}) {
      ConvertOptions o;
      o.rounding = r;
      o.overflow = Overflow::saturate;
      o.subnormals = {true, true};
      check(f, o);
      ConvertOptions t;
      t.rounding = r;
      t.tininess = Tininess::before_rounding;
      t.subnormals.ftz = true;
      check(f, t);
    }
    ConvertOptions daz;
    daz.subnormals.daz = true;
    check(f, daz);
    if (f.nan != NanEncoding::none) {
      ConvertOptions c;
      c.nan.canonical = f.default_nan_bits();
      check(f, c);
    }
  }
}

TEST(BulkF32, TininessAndUnderflowBoundaries) {
  // Tininess after rounding is decided by a threshold just below 2^emin (half or a whole p-bit
  // ulp of binade emin-1, per mode and sign); those thresholds and their neighbours, each input
  // repeated 16 times so that whole vectors (and each group's flags) see it, with FTZ on and
  // off and both tininess rules.
  for (const FormatSpec& f : formats()) {
    const std::uint32_t hi = static_cast<std::uint32_t>(f.emin() + 127) << 23;  // 2^emin
    std::vector<std::uint32_t> in;
    for (int j = 0; j < 24; ++j)
      for (int d = -2; d <= 2; ++d)
        for (std::uint32_t sign : {0u, 0x80000000u}) {
          const std::uint32_t v = sign | (hi - (1u << j) + static_cast<std::uint32_t>(d));
          for (int r = 0; r < 16; ++r) in.push_back(v);
        }
    for (Rounding r : {Rounding::rne, Rounding::rna, Rounding::rtz, Rounding::rup, Rounding::rdown,
                       Rounding::rno, Rounding::sr})
      for (bool ftz : {false, true})
        for (Tininess t : {Tininess::after_rounding, Tininess::before_rounding}) {
          ConvertOptions o;
          o.rounding = r;
          o.subnormals.ftz = ftz;
          o.tininess = t;
          check(f, o, 0, in);
        }
  }
}

// Vectors mixing lanes of every class, so that no vector is uniform: the kernels pick a path
// per vector (plain normal range, finite, general with NaN / infinity), and a path must be
// right for every lane it takes. Pool per format: +-0, binary32 subnormals, the target's
// subnormal range (and its rounding boundaries), 2^emin and the tininess thresholds below it,
// normals, the largest finite value and its neighbours (rounding to overflow or not), the
// largest binary32, infinities and NaNs. Half the vectors draw no NaN / infinity (the finite
// path), half draw them too.
std::vector<std::uint32_t> mixed_inputs(const FormatSpec& f) {
  const std::uint32_t emin_b = static_cast<std::uint32_t>(f.emin() + 127);
  const std::uint32_t m = static_cast<std::uint32_t>(f.mantissa_bits), d = 23 - m;
  const std::uint32_t two_emin = emin_b << 23;
  // The largest finite value as binary32 bits (beyond binary32's range: the largest binary32).
  const std::uint64_t mf = f.max_finite_bits();
  const std::int64_t mf_e = static_cast<std::int64_t>(mf >> m) - f.bias + 127;
  const std::uint32_t max_bits = mf_e >= 255
                                     ? 0x7f7fffffu
                                     : static_cast<std::uint32_t>(mf_e << 23) |
                                           (static_cast<std::uint32_t>(mf & ((1u << m) - 1)) << d);
  std::vector<std::uint32_t> finite = {0,
                                       1,
                                       0x3ff,
                                       0x400000,
                                       0x7fffff,
                                       0x800000,
                                       two_emin,
                                       two_emin - 1,
                                       two_emin + 1,
                                       max_bits,
                                       max_bits - 1,
                                       0x7f7fffffu,
                                       0x3f800000u};
  for (std::uint32_t j = 0; j < 24; ++j) finite.push_back(two_emin - (1u << j));  // thresholds
  for (std::uint32_t k = 1; k <= m + 3 && k < emin_b; ++k) {  // the subnormal range and below
    const std::uint32_t b = (emin_b - k) << 23;
    for (std::uint32_t low : {0u, 1u << (d + k - 1 < 23 ? d + k - 1 : 22), 0x2aaaaau, 0x7fffffu})
      finite.push_back(b | low);
  }
  if (max_bits < 0x7f7fffffu)  // just above the largest finite: halfway and beyond
    for (std::uint32_t up : {1u, (1u << (d > 0 ? d - 1 : 0)), 1u << d, 1u << (d + 1)})
      finite.push_back(max_bits + up);
  const std::vector<std::uint32_t> special = {0x7f800000u, 0x7fc00000u, 0x7f800001u, 0x7fffffffu,
                                              0x7fa00000u};
  std::mt19937_64 rng(7);
  std::vector<std::uint32_t> in;
  for (int v = 0; v < 1200; ++v) {
    const bool with_special = v % 2 == 1;
    for (int lane = 0; lane < 16; ++lane) {
      std::uint32_t x = finite[rng() % finite.size()];
      if (with_special && rng() % 8 == 0) x = special[rng() % special.size()];
      in.push_back(x | (rng() % 2 ? 0x80000000u : 0u));
    }
  }
  return in;
}

TEST(BulkF32, MixedClassVectors) {
  for (const FormatSpec& f : formats()) {
    const std::vector<std::uint32_t> in = mixed_inputs(f);
    for (Rounding r : {Rounding::rne, Rounding::rna, Rounding::rtz, Rounding::rup, Rounding::rdown,
                       Rounding::rno, Rounding::sr}) {
      ConvertOptions plain;
      plain.rounding = r;
      check(f, plain, 0, in);
      ConvertOptions all = plain;  // saturate, DAZ and FTZ together
      all.overflow = Overflow::saturate;
      all.subnormals = {true, true};
      check(f, all, 0, in);
      ConvertOptions ftz_before = plain;
      ftz_before.subnormals.ftz = true;
      ftz_before.tininess = Tininess::before_rounding;
      check(f, ftz_before, 0, in);
      ConvertOptions daz = plain;
      daz.subnormals.daz = true;
      check(f, daz, 0, in);
    }
  }
}

TEST(BulkF32, StochasticBitsAndIndices) {
  // Random-bit counts, and first indices at every offset inside a Philox block (element i
  // draws word i mod 4 of counter i / 4), and just below 2^34 so the counter's high word
  // carries inside a vector.
  for (int bits : {1, 3, 8, 16, 31, 32}) {
    ConvertOptions o;
    o.rounding = Rounding::sr;
    o.sr_bits = bits;
    o.seed = 42;
    check(format_by_name("float8_e4m3fn"), o, (std::uint64_t{1} << 34) - 37);
  }
  for (std::uint64_t first : {0, 1, 2, 3, 4, 1021}) {
    ConvertOptions o;
    o.rounding = Rounding::sr;
    o.seed = 0x243f6a8885a308d3ull;
    check(format_by_name("binary16"), o, first);
  }
}

TEST(BulkF32, ConvertSpanUsesTheKernelsAndMatchesEncode) {
  // The public entry: convert_span from binary32 equals element-wise convert() under every
  // forced variant and the automatic choice.
  const FormatSpec f32 = format_by_name("binary32"), e5m2 = format_by_name("e5m2");
  const auto& in = inputs();
  ConvertOptions o;
  o.rounding = Rounding::rna;
  std::vector<std::uint8_t> ref(in.size());
  Flags ref_flags;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const Encoded e = convert(f32, in[i], e5m2, o, i);
    ref[i] = static_cast<std::uint8_t>(e.bits);
    ref_flags |= e.flags;
  }
  for (KernelIsa k : kernels()) {
    set_kernel_override(k);
    EXPECT_EQ(active_kernel(), k);
    std::vector<std::uint8_t> out(in.size());
    const Flags fl = convert_span(f32, in.data(), e5m2, out.data(), in.size(), o);
    EXPECT_EQ(out, ref) << to_string(k);
    EXPECT_EQ(fl.bits, ref_flags.bits) << to_string(k);
  }
  set_kernel_override(std::nullopt);
}

TEST(BulkF32, UnsupportedTargetsAreReported) {
  ConvertOptions o;
  EXPECT_FALSE(bulk_f32_supported(format_by_name("float8_e8m0fnu"), o));  // unsigned, no zero
  EXPECT_FALSE(bulk_f32_supported(format_by_name("binary32"), o));        // wider than 16 bits
  EXPECT_FALSE(bulk_f32_supported(format_by_name("e9m6"), o));            // bias 255 > 127
  EXPECT_FALSE(bulk_f32_supported(format_by_name("e5m0:fn"), o));         // p = 1
  EXPECT_TRUE(bulk_f32_supported(format_by_name("binary16"), o));
}

}  // namespace
}  // namespace fpaudit
