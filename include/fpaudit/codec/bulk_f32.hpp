// Bulk conversion of binary32 arrays into any format a FormatSpec describes: the speed path
// behind convert_span. One integer algorithm (src/codec/simd/f32_kernel.inc), parameterised at
// run time by constants derived from the target format, compiled three times: AVX-512, AVX2 and
// plain scalar code, chosen at run time from CPUID. Every variant is bit-identical to encode()
// (results and flags), which stays the readable reference: tests/test_bulk_f32.cpp holds them
// equal on every 16-bit upper half crossed with boundary low bits, and long_bulk_f32_exhaustive
// on all 2^32 inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/flags.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit {

enum class KernelIsa : std::uint8_t { scalar, avx2, avx512 };
std::string_view to_string(KernelIsa k);

// True when this CPU (and OS) can run the variant; otherwise *why (if given) says what is missing.
bool kernel_available(KernelIsa k, std::string* why = nullptr);

// The variant convert_span uses: the override if one is set, else the best available.
KernelIsa active_kernel();
// Forces a variant (tests, benchmarks); nullopt restores automatic choice. Forcing a variant
// the CPU cannot run throws std::invalid_argument. Not thread-safe against concurrent converts.
void set_kernel_override(std::optional<KernelIsa> k);

// Whether the fast kernels handle conversions from binary32 into `to` under `opt`: signed
// formats with a zero, 1 <= mantissa bits <= 14, width <= 16, bias <= 127 (so every binade of
// the target lies inside binary32's exponent range). Everything else goes through encode().
bool bulk_f32_supported(const FormatSpec& to, const ConvertOptions& opt);

// in: n binary32 patterns; out: n elements of storage_bytes(to) bytes. Element i uses
// stochastic index first_index + i. Returns the OR of all flags, as convert_span does.
// Requires bulk_f32_supported(to, opt) and kernel_available(isa).
Flags convert_f32_bulk(KernelIsa isa, const FormatSpec& to, const std::uint32_t* in, void* out,
                       std::size_t n, const ConvertOptions& opt, std::uint64_t first_index = 0);

}  // namespace fpaudit
