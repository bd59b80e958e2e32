// Dot-product and GEMM paths: a named, self-describing kernel of this machine or of a library
// (a VDPBF16PS loop, an AMX TDPBF16PS tile GEMM, OpenBLAS, oneDNN, Eigen) that computes
// C = A x B on the user's data. Each path documents its accumulation twice: as one line of text
// with its source, and as an accumulation model spec (gemm::parse_model, docs/GEMM.md 3) that
// should reproduce it bit for bit. `fpaudit hw check` (include/fpaudit/hw/gemm_check.hpp) holds
// every path to that model, element by element, and measures its distance from the exact
// result (gemm::exact_gemm).
//
// Backends register GEMM paths through the same PathRegistry as conversion paths
// (include/fpaudit/hw/path.hpp, PathRegistry::add(GemmPath)); a CUDA backend (cuBLASLt) adds
// its GEMM paths there too, under its own macro, without touching the core.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/format/format_spec.hpp"

namespace fpaudit::hw {

struct GemmPath {
  std::string name;         // "x86.vdpbf16ps.loop", "onednn.matmul.bf16": backend, API, variant
  FormatSpec a, b;          // input formats (registered: bfloat16, binary16, binary32, ...)
  FormatSpec out;           // output format (binary32 for the bf16 kernels; half for Eigen half)
  std::string semantics;    // one line, with its source: "per pair ... (SDM VDPBF16PS)"
  // The accumulation model that documents the path (gemm::parse_model spec, e.g.
  // "vdpbf16ps", "amx-bf16:amx_k=32", "blocked:acc=binary32,chunk=256,fma=1"). Empty when no
  // model is known to describe it (the check then reports only the distance from exact).
  std::string model;
  // For libraries that pick a kernel at run time: the model for one run, chosen by the note
  // that run() returned (oneDNN: "impl brg:avx512_core_amx_bf16, ..." -> amx-bf16). Null: `model`
  // documents every run. Returns "" when no model is known for that kernel.
  std::function<std::string(const std::string& run_note)> model_for_run;
  // Whether this machine, OS, build and installed libraries can run the path; on false, *why
  // (when non-null) says why in one line ("CPU lacks amx_bf16", "libopenblas.so.0 does not
  // export cblas_sbgemm"). Never executes the instructions it asks about.
  std::function<bool(std::string* why)> available;
  // C = A x B: A is M x K, B is K x N, C is M x N, all row-major and packed, elements as
  // storage_bytes() little-endian containers of a, b and out. C is overwritten (beta = 0).
  // Returns a note on what ran, for reports (oneDNN: the ISA it dispatched to; may be empty).
  // Call only when available() is true. Thread-safe. Throws std::runtime_error on a failure of
  // the underlying library.
  std::function<std::string(std::size_t M, std::size_t N, std::size_t K, const void* A,
                            const void* B, void* C)>
      run;
};

// Every registered GEMM path, available here or not, in backend order (built once).
std::span<const GemmPath> gemm_paths();

// The GEMM path with this exact name, or nullptr.
const GemmPath* find_gemm_path(std::string_view name);

// GEMM paths whose name matches `pattern` (exact, or '*' wildcards).
std::vector<const GemmPath*> match_gemm_paths(std::string_view pattern);

// available() with the reason; never throws.
bool path_available(const GemmPath& p, std::string* why = nullptr);

}  // namespace fpaudit::hw
