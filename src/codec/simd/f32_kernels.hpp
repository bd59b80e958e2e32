// The three builds of src/codec/simd/f32_kernel.inc (internal to src/codec).
#pragma once

#include <cstddef>
#include <cstdint>

#include "f32_plan.hpp"

namespace fpaudit::simd {

// Each returns the OR of the elements' flags (Flags::bits). The AVX-512 one needs AVX512F/BW/
// DQ/VL, the AVX2 one AVX2; the caller checks (bulk_f32.cpp).
std::uint32_t convert_f32_scalar(const F32Plan& p, const std::uint32_t* in, void* out,
                                 std::size_t n, std::uint64_t first_index);
std::uint32_t convert_f32_avx2(const F32Plan& p, const std::uint32_t* in, void* out, std::size_t n,
                               std::uint64_t first_index);
std::uint32_t convert_f32_avx512(const F32Plan& p, const std::uint32_t* in, void* out,
                                 std::size_t n, std::uint64_t first_index);

}  // namespace fpaudit::simd
