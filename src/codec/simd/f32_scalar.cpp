// The portable build of the bulk kernel: one uint32 lane at a time.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "f32_kernels.hpp"
#include "fpaudit/rounding/flags.hpp"
#include "fpaudit/rounding/stochastic.hpp"

namespace fpaudit::simd {

#include "f32_kernel.inc"

std::uint32_t convert_f32_scalar(const F32Plan& p, const std::uint32_t* in, void* out,
                                 std::size_t n, std::uint64_t first_index) {
  return convert_f32<ScalarLanes>(p, in, out, n, first_index);
}

}  // namespace fpaudit::simd
