// The conversion table run on the GPU: paths cuda.device.NAME, each the row's expression in an
// nvcc-compiled kernel (kernels/conversions.cu) launched through the driver (driver.cpp).
// Documented exactly as the host path of the same row: one API, one documentation, so a
// difference between cuda.host.NAME and cuda.device.NAME is a finding whichever side it is on
// (tests/test_cuda_device.cpp compares the two directly on a GPU).
#include <array>
#include <utility>

#include "cuda_conversions.hpp"
#include "driver.hpp"

namespace fpaudit::hw::cuda {

namespace {

template <std::size_t I>
void run_on_device(const void* in, void* out, std::size_t n) {
  const Conversion& c = conversions()[I];
  run_elementwise(c.id, in, c.in_size, out, c.out_size, n);
}

template <std::size_t... I>
constexpr auto device_runs(std::index_sequence<I...>) {
  return std::array<void (*)(const void*, void*, std::size_t), sizeof...(I)>{&run_on_device<I>...};
}

}  // namespace

void register_device_paths(PathRegistry& r) {
  static constexpr auto runs = device_runs(std::make_index_sequence<kConversionCount>{});
  const std::span<const Conversion> table = conversions();
  for (std::size_t i = 0; i < table.size(); ++i)
    r.add(make_cuda_path(
        table[i], std::string("cuda.device.") + table[i].api,
        std::string(table[i].semantics) +
            "; device code (nvcc; cvt.* where the GPU has it): the documented result is the "
            "same, the mechanics above are the host code's",
        [](std::string* why) { return device_ready(why); }, runs[i]));
}

}  // namespace fpaudit::hw::cuda
