// Accumulation models: bit-exact emulations of how real kernels add up a dot product. A model is
// data (AccumulationModel: a kind and its parameters) evaluated by one function (model_dot /
// model_gemm); there is no class per model. Every intermediate rounding goes through encode()
// (codec/encode.hpp) on an exactly formed sum or product; no host floating-point arithmetic.
//
// Kinds (docs/GEMM.md 3 has the definitions in full, with sources):
//   sequential  acc = +0; for k = 0..K-1: acc = round_F(acc + a_k b_k) (fma) or
//               acc = round_F(acc + round_F(a_k b_k)) (separate multiply and add). In K order.
//   pairwise    leaves of `leaf` consecutive products summed sequentially (as above, from +0),
//               then a binary tree of round_F additions: the leaves [lo, hi) are summed as
//               tree(lo, mid) + tree(mid, hi), mid = lo + ceil((hi - lo) / 2).
//   blocked     partial sums over chunks of `chunk` products, each computed in F1 = `acc` from +0
//               (sequentially, or by the fused model when inner_fused), promoted into an F2 =
//               `outer` accumulator: acc2 = round_F2(acc2 + partial), in chunk order.
//               DeepSeek-V3 (arXiv:2412.19437 3.3.2): WGMMA partials over N_C = 128, promoted to
//               binary32 registers on CUDA cores.
//   fused       the generic block-FMA model of Khattak & Mikaitis ("Accurate Models of NVIDIA
//               Tensor Cores", ACM TACO, doi 10.1145/3830409; after Fasi, Higham, Mikaitis,
//               Pranesh, PeerJ CS 7:e330, 2021): include/fpaudit/gemm/block_fma.hpp, parameters
//               in `block`; per-GPU presets (nvidia-*, amd-*) in tensor_core_presets.hpp and
//               docs/TENSOR_CORES.md.
//   vdpbf16ps   Intel SDM VDPBF16PS: per pair (2i, 2i+1), acc += a[2i+1] b[2i+1] then
//               acc += a[2i] b[2i], each a binary32 FMA with DAZ on inputs, FTZ on outputs, RNE;
//               NaN priority src1 low, src2 low, src1 high, src2 high, srcdest.
//   amx-bf16    Intel SDM TDPBF16PS: per instruction (`amx_k` elements of K), even and odd
//               products accumulated in two binary32 partial sums from +0 (FMA, DAZ, FTZ, RNE),
//               then tmp = even + odd, C = C + tmp (DAZ, FTZ, RNE). A GEMM issues one instruction
//               per amx_k elements of K, in K order, adding into C.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/codec/encode.hpp"
#include "fpaudit/gemm/block_fma.hpp"
#include "fpaudit/gemm/exact_gemm.hpp"
#include "fpaudit/gemm/matrix.hpp"

namespace fpaudit::gemm {

enum class ModelKind : std::uint8_t { sequential, pairwise, blocked, fused, vdpbf16ps, amx_bf16 };

std::string_view to_string(ModelKind k);

struct AccumulationModel {
  std::string name;    // preset name, or the kind's name for a parameterised model
  std::string source;  // where the definition and parameters come from
  ModelKind kind = ModelKind::sequential;
  std::vector<std::string> inputs;  // input formats the parameters were measured for (empty: any)

  // The accumulator F (F1 for blocked; the block result format for fused; binary32 for the x86
  // kinds), the rounding of every intermediate result, DAZ/FTZ on its operations.
  FormatSpec acc;
  Rounding rounding = Rounding::rne;
  Subnormals subnormals{};
  bool fma = true;  // sequential, pairwise leaves, blocked inner: one rounding per multiply-add

  int leaf = 8;  // pairwise: products per leaf

  int chunk = 128;          // blocked: products per partial sum
  FormatSpec outer;         // blocked: F2
  Rounding outer_rounding = Rounding::rne;
  bool inner_fused = false;  // blocked: partials by the fused block model (parameters below)

  BlockFma block;  // fused (and blocked with inner_fused): the block-FMA parameters

  int amx_k = 32;  // amx-bf16: K elements per instruction (32: a full 64-byte tile row); 0: all K

  // Presets of real hardware (docs/TENSOR_CORES.md): the device, the output format D is
  // delivered in (acc's values widened exactly; empty: any), and what the recorded data does not
  // decide or where fpaudit departs from the published model, one line each.
  std::string device;
  std::string output;
  std::vector<std::string> notes;
};

// The named presets, each with its source. Order is stable (the CLI's default model list).
std::vector<AccumulationModel> model_presets();

// "NAME[:key=value,...]": NAME is a preset or a kind (sequential, pairwise, blocked, fused,
// vdpbf16ps, amx-bf16); keys override parameters: acc=FORMAT, rounding=MODE, fma=0|1, daz=0|1,
// ftz=0|1, leaf=N, chunk=N, outer=FORMAT, outer_rounding=MODE, inner=sequential|fused, terms=N,
// fraction_bits=N (or neab=N: fraction_bits = 23 + N), alignment=truncate|sticky|rne,
// path=global|late-sum|odd-even|pairwise|exact, armode=MODE, normalise_products=0|1,
// min_exponent=N, zero_c_exponent_126=0|1, product_limit=0|1, flush_inputs=0|1,
// flush_results=0|1, overflow_to_inf=0|1, instruction_k=N, interleave=N, c_entry=aligned|last,
// c_rounding=MODE, amx_k=N.
// Throws std::invalid_argument naming the bad part.
AccumulationModel parse_model(std::string_view spec);

// The parameters as a spec string that parse_model reads back to the same model.
std::string describe(const AccumulationModel& m);

// One dot product under model m: the inputs are exact values of formats fa, fb (their emin is
// the fused model's exponent clamp for subnormal inputs), the result is the accumulator value
// converted into `out` under opt (exact when out holds the accumulator's values).
Encoded model_dot(const AccumulationModel& m, std::span<const ExactValue> a,
                  std::span<const ExactValue> b, const FormatSpec& fa, const FormatSpec& fb,
                  const FormatSpec& out, const ConvertOptions& opt, std::uint64_t index = 0);

// The same with an addend: D = a . b + c, c a value of the model's accumulator (the tensor
// core's C; for the other kinds the accumulator's initial value, for pairwise added last).
Encoded model_dot(const AccumulationModel& m, std::span<const ExactValue> a,
                  std::span<const ExactValue> b, const FormatSpec& fa, const FormatSpec& fb,
                  const ExactValue& c, const FormatSpec& out, const ConvertOptions& opt,
                  std::uint64_t index = 0);

// Model m on every element of A x B (or on `elements`, indices i * N + j, when given; the result
// then holds one pattern per listed element, in that order). Rows in parallel; deterministic.
std::vector<std::uint64_t> model_gemm(const AccumulationModel& m, std::size_t M, std::size_t N,
                                      std::size_t K, const MatrixOperand& A,
                                      const MatrixOperand& B, const FormatSpec& out,
                                      const ConvertOptions& opt, const GemmOptions& options = {},
                                      std::span<const std::size_t> elements = {});

}  // namespace fpaudit::gemm
