// The generic block-FMA inner product of Khattak and Mikaitis ("Accurate Models of NVIDIA Tensor
// Cores", ACM TACO, doi 10.1145/3830409; MATLAB-tensor-core, models/tools/Generic_BFMA_TC.m and
// GEMM.m): one parameter record describes every NVIDIA tensor core from V100 to B200 and the AMD
// CDNA1-3 matrix cores; one function (block_fma_dot) evaluates it in exact integer arithmetic.
// docs/TENSOR_CORES.md 1 states every step; the step names B0-B9 below are that document's.
//
// One output element D = sum_k a_k b_k + c is computed as a chain along K: the K products are cut
// into instructions of `instruction_k` products (one MMA), each cut into groups of `terms`
// products (one block = one hardware inner-product unit); every block adds its products to the
// running value and rounds once into the result format `acc` (the model's `frmode`). How the
// addend c enters an instruction is `c_entry`. The path selects how a block forms its sum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fpaudit/codec/exact_value.hpp"
#include "fpaudit/format/format_spec.hpp"
#include "fpaudit/rounding/options.hpp"

namespace fpaudit::gemm {

// How a block cuts each aligned addend to its fixed-point grid (K&M `stkbitenabled`).
enum class FusedAlignment : std::uint8_t {
  truncate,  // magnitude truncated (stkbitenabled = 0: every NVIDIA and AMD model)
  sticky,    // truncated to one more bit, whose last bit is the OR of the bits cut off
  rne,       // rounded to the nearest grid point, ties to even (fpaudit extension)
};

// How a block forms its sum (K&M path selectors, tried in this order in Generic_BFMA_TC.m).
enum class BlockPath : std::uint8_t {
  global,    // every product and c aligned to one exponent, one fixed-point sum (NVIDIA)
  late_sum,  // products aligned and summed; c added after by a two-operand add (CDNA3 16-bit)
  odd_even,  // odd and even positions summed apart, combined, then c added (CDNA3 fp8)
  pairwise,  // products rounded to `acc`, a binary tree of `acc` additions, then c (CDNA2)
  exact,     // exact sum of every product and c, one rounding (CDNA1, `correct_rounding`)
};

// How the addend c (the running value of the chain) enters one instruction.
enum class AddendEntry : std::uint8_t {
  aligned,  // c is an addend of the instruction's first block (K&M GEMM.m)
  last,     // the instruction's blocks chain from +0; then D = round(T + c) exactly, once, with
            // `c_rounding` (fits the fp8 mma.sync data of H100/H200/B200; docs/TENSOR_CORES.md 4)
};

std::string_view to_string(FusedAlignment a);
std::string_view to_string(BlockPath p);
std::string_view to_string(AddendEntry e);

struct BlockFma {
  int terms = 4;           // K&M `fma`: products per block
  int fraction_bits = 23;  // K&M 23 + `neab`: the block's grid is 2^(E_max - fraction_bits)
  FusedAlignment alignment = FusedAlignment::truncate;
  BlockPath path = BlockPath::global;
  Rounding align_rounding = Rounding::rtz;  // K&M `armode`: two-operand adds (late_sum, odd_even)
  bool normalise_products = false;   // K&M denorm_prd = 0: a product significand in [2,4) is halved
  int min_exponent = -1024;          // K&M `min_exp_limit`: E_max is at least this
  bool zero_c_exponent_126 = false;  // K&M `c_min_exp_limit` = 1: a zero c has exponent -126
                                     // (else -1024) on the late_sum and odd_even paths
  bool product_limit = false;   // K&M `prd_limit`: a product >= 2^(emax_acc + 1) makes the block
                                // +inf (NaN if both signs occur)
  bool flush_inputs = false;    // K&M in_subnormals = 0: subnormal a, b read as 0
  bool flush_results = false;   // K&M out_subnormals = 0: subnormal c and block results are 0
  bool overflow_to_inf = true;  // a block result past max finite is +-inf in every rounding mode
  int instruction_k = 0;        // products per instruction; a multiple of terms (0: = terms)
  int interleave = 0;  // 0: an instruction's groups are consecutive runs of `terms`; w > 0:
                       // product i of the instruction goes to group (i / w) mod groups
  AddendEntry c_entry = AddendEntry::aligned;
  Rounding c_rounding = Rounding::rne;  // c_entry = last
};

// One input element as the model reads it.
struct BlockOperand {
  std::uint64_t sig = 0;  // finite: |x| = sig x 2^lsb
  std::int32_t lsb = 0;
  std::int32_t e = 0;  // alignment exponent: max(floor(log2 |x|), emin of the element's format)
  ValueClass cls = ValueClass::zero;
  bool neg = false;
  bool subnormal = false;  // |x| < 2^emin (K&M B0 flushes these when flush_inputs)
};

// `emin`: the element format's emin (its subnormals keep that exponent, K&M 3.7).
BlockOperand block_operand(const ExactValue& v, int emin);

// Which evaluator block_fma_dot runs. `fast` (the default): the plan-time specialised one of
// src/gemm/block_fma_fast.cpp where it takes the model and the data (the common case; any block
// it does not take is handed whole to the readable one), else the readable one with its 64-bit
// block sums. `reference`: the readable step-by-step evaluator alone (src/gemm/block_fma.cpp,
// 128-bit and ExactAccumulator sums). Both give the same bits (tests/test_block_fma_fast.cpp).
enum class BlockFmaEvaluator : std::uint8_t { fast, reference };

// Reusable buffers (one per thread).
struct BlockFmaWorkspace {
  __extension__ typedef unsigned __int128 Mag;
  struct Term {
    Mag mag;
    std::int32_t lsb, e;
    bool neg;
  };
  std::vector<Term> terms;
  std::vector<ExactValue> leaves;                // pairwise path
  std::vector<std::vector<std::size_t>> groups;  // product positions per group of an instruction
  int built_terms = 0, built_k = 0, built_interleave = -1;  // what `groups` was built for
};

// D = a . b + c under the model: K products a[k] b[k] (k = 0..K-1) and the addend c (a value of
// `acc`), result a value of `acc` (or +-inf, NaN). frmode rounds every block result into acc.
// Special values first, over every product and c (K&M GEMM.m step 4): a NaN product (0 x inf
// included) or c gives NaN; +inf with -inf gives NaN; otherwise an infinity gives it.
// `finite_sig_or`, when the caller knows that every a[k] and b[k] is finite or zero: the OR of
// their significands (saves the per-call scan; model_gemm computes it per row and column).
ExactValue block_fma_dot(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                         const BlockOperand* a, const BlockOperand* b, std::size_t K,
                         const ExactValue& c, BlockFmaWorkspace& ws,
                         const std::uint64_t* finite_sig_or = nullptr,
                         BlockFmaEvaluator evaluator = BlockFmaEvaluator::fast);

}  // namespace fpaudit::gemm
