#include "backends.hpp"

#include "fpaudit/format/registry.hpp"
#include "fpaudit/hw/cpu_features.hpp"

namespace fpaudit::hw {

ConversionPath make_path(std::string name, std::string_view from, std::string_view to,
                         std::string semantics, ConvertOptions documented,
                         std::function<bool(std::string*)> available,
                         void (*run)(const void*, void*, std::size_t)) {
  ConversionPath p;
  p.name = std::move(name);
  p.from = format_by_name(from);
  p.to = format_by_name(to);
  p.semantics = std::move(semantics);
  p.documented = documented;
  p.available = std::move(available);
  p.run = run;
  return p;
}

std::function<bool(std::string*)> needs_f16c() {
  return [](std::string* why) {
    return cpu_supports_all({CpuFeature::avx, CpuFeature::f16c}, why);
  };
}

std::function<bool(std::string*)> needs_avx512_fp16() {
  return [](std::string* why) {
    return cpu_supports_all({CpuFeature::avx512f, CpuFeature::avx512bw, CpuFeature::avx512vl,
                             CpuFeature::avx512_fp16},
                            why);
  };
}

std::function<bool(std::string*)> needs_avx512_bf16() {
  return [](std::string* why) {
    return cpu_supports_all({CpuFeature::avx512f, CpuFeature::avx512_bf16}, why);
  };
}

std::function<bool(std::string*)> built_and(const char* why_missing,
                                            std::function<bool(std::string*)> cpu) {
  return [why_missing, cpu = std::move(cpu)](std::string* why) {
    if (why_missing[0] != '\0') {
      if (why) *why = why_missing;
      return false;
    }
    return cpu(why);
  };
}

ConvertOptions documented_options(Rounding r, bool daz, bool ftz) {
  ConvertOptions o;
  o.rounding = r;
  o.subnormals.daz = daz;
  o.subnormals.ftz = ftz;
  return o;
}

void register_all_backends(PathRegistry& r) {
  register_x86_paths(r);
  register_cxx_paths(r);
  register_eigen_paths(r);
  register_x86_op_paths(r);
  register_x86_gemm_paths(r);
  register_openblas_paths(r);
  register_onednn_paths(r);
  register_eigen_gemm_paths(r);
#ifdef FPAUDIT_HW_CUDA
  register_cuda_paths(r);
#endif
}

}  // namespace fpaudit::hw
