// Named block-FMA presets of real matrix engines: every NVIDIA tensor core and AMD matrix core that
// Khattak & Mikaitis model (MATLAB-tensor-core b12b5a7, BSD-2), per input and output format. Each
// preset cites its model file and lines, says which recorded GPU data it reproduces bit for bit
// (vectors/tensor-core-validation/, replayed by tests/test_tensor_core_validation.cpp), where it
// departs from the published parameters and why, and what the data cannot decide.
// docs/TENSOR_CORES.md 3-4 has the table and the evidence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/gemm/models.hpp"

namespace fpaudit::gemm {

// Names are DEVICE-IN-OUT: DEVICE nvidia-v100 ... amd-mi300x, IN fp16 | bf16 | tf32 | fp8
// (fp8: OCP E4M3 and E5M2 on NVIDIA, E4M3FNUZ and E5M2FNUZ on AMD), OUT fp32 | fp16.
std::vector<AccumulationModel> tensor_core_presets();

// The devices (nvidia-v100, ...), in preset order.
std::vector<std::string> tensor_core_devices();

// The preset of `device` (nvidia-h100, or h100) for inputs of format `in` and output `out`.
// Throws std::invalid_argument naming the formats the device has when there is none.
AccumulationModel device_preset(std::string_view device, const FormatSpec& in,
                                const FormatSpec& out);

// Whether `name` names a device (with or without its vendor prefix).
bool is_tensor_core_device(std::string_view name);

}  // namespace fpaudit::gemm
