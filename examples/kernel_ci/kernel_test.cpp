// The kernel checked with fpaudit/testing.hpp: a few literal cases, then every case of the
// shipped vector file (results computed by fpaudit and pinned by its MANIFEST.json sha256).
#include <fpaudit/testing.hpp>

#include "kernel.hpp"

TEST(Bf16Kernel, TiesGoToEven) {
  EXPECT_BITEXACT("bf16", f32_to_bf16_kernel(0x3F808000u), 0x3F80);  // 1 + 2^-8: tie, to 1
  EXPECT_BITEXACT("bf16", f32_to_bf16_kernel(0x3F818000u), 0x3F82);  // tie, up to even
  EXPECT_BITEXACT("bf16", f32_to_bf16_kernel(0x3F80C000u), 0x3F81);  // above the tie
}

TEST(Bf16Kernel, ShippedVectors) {
  EXPECT_TRUE(fpaudit::testing::check_vector_file(
      KERNEL_VECTORS, "f32_to_bf16", [](std::span<const std::uint64_t> in) {
        return std::uint64_t{f32_to_bf16_kernel(static_cast<std::uint32_t>(in[0]))};
      }));
}
