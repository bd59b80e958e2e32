// The yardsticks `fpaudit bench` measures fpaudit's kernels against, in the same run: memory
// bandwidth (stream read, memcpy), the hardware conversion instructions (F16C VCVTPS2PH,
// AVX512-BF16 VCVTNEPS2BF16) and OpenBLAS sgemm (loaded with dlopen, as the exact GEMM does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fpaudit::cli::bench {

// Sum of all words (AVX-512 when available, else what the compiler makes of a plain loop);
// returned so the read cannot be optimised away.
std::uint64_t stream_read(const std::uint32_t* in, std::size_t n);

// binary32 -> binary16 RNE with F16C (VCVTPS2PH, Intel SDM Vol. 2A), 16 lanes at a time with
// AVX-512 or 8 with AVX. False (nothing written) when the CPU lacks F16C; *why says so.
// Both instruction loops prefetch 1024 elements ahead, as the bulk kernels do.
bool f16c_convert(const float* in, std::uint16_t* out, std::size_t n, std::string* why);
// binary32 -> bfloat16 with VCVTNEPS2BF16 (AVX512-BF16; RNE, but binary32 subnormals read as
// zero, SDM Vol. 2A). False when the CPU lacks AVX512-BF16.
bool bf16_convert(const float* in, std::uint16_t* out, std::size_t n, std::string* why);

// cblas_sgemm from a run-time loaded OpenBLAS: C = A * B, row-major, on `threads` threads.
// False when no OpenBLAS can be loaded.
bool sgemm(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c,
           unsigned threads, std::string* why);

}  // namespace fpaudit::cli::bench
