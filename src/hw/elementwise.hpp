// A path's run function from a per-element conversion: n elements of In (bits as stored) to n
// of Out, each through Convert. Shared by the backends whose API converts one value at a time
// (Eigen's scalars, NVIDIA's host functions).
#pragma once

#include <cstddef>
#include <cstring>

namespace fpaudit::hw {

// noinline: a caller that wraps it in MXCSR writes (x86::run_with_mxcsr) keeps the conversions
// between those writes.
template <class In, class Out, Out (*Convert)(In)>
__attribute__((noinline)) void convert_each(const void* in, void* out, std::size_t n) {
  const auto* src = static_cast<const unsigned char*>(in);
  auto* dst = static_cast<unsigned char*>(out);
  for (std::size_t i = 0; i < n; ++i) {
    In x;
    std::memcpy(&x, src + sizeof(In) * i, sizeof(In));
    const Out y = Convert(x);
    std::memcpy(dst + sizeof(Out) * i, &y, sizeof(Out));
  }
}

}  // namespace fpaudit::hw
