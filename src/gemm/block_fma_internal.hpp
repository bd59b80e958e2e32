// What the block-FMA model's two evaluators share (include/fpaudit/gemm/block_fma.hpp): the
// readable evaluator's pieces that the fast one hands its rare cases to (src/gemm/block_fma.cpp),
// the fast evaluator's entry point (src/gemm/block_fma_fast.cpp), and the one rounding shift both
// use for the two-operand adds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fpaudit/gemm/block_fma.hpp"

namespace fpaudit::gemm::detail {

// mag / 2^sh rounded to an integer: `mode` on the signed value (-1)^neg mag / 2^sh (rtz and
// anything else truncate, K&M `armode` 'rd' / 'ru' / 'rne'); sh <= 0 shifts left (exact: the
// callers' magnitudes leave the room). U: a 64- or 128-bit unsigned integer.
template <class U>
U shift_right(U mag, int sh, bool neg, Rounding mode) {
  constexpr int kBits = static_cast<int>(sizeof(U) * 8);
  if (sh <= 0) return mag << -sh;
  const U q = sh >= kBits ? 0 : mag >> sh;
  const U rem = sh >= kBits ? mag : mag & ((static_cast<U>(1) << sh) - 1);
  if (rem == 0) return q;
  switch (mode) {
    case Rounding::rdown:
      return neg ? q + 1 : q;
    case Rounding::rup:
      return neg ? q : q + 1;
    case Rounding::rne: {
      if (sh > kBits) return q;  // rem < 2^kBits <= half
      const U half = static_cast<U>(1) << (sh - 1);
      return (rem > half || (rem == half && (q & 1))) ? q + 1 : q;
    }
    default:
      return q;
  }
}

// The readable evaluator (block_fma.cpp), entered part way:
// one block: the products at positions `pos` of the instruction starting at k0, plus c;
ExactValue reference_block(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                           const BlockOperand* a, const BlockOperand* b,
                           const std::vector<std::size_t>& pos, std::size_t k0, std::size_t K,
                           const ExactValue& c, BlockFmaWorkspace& ws);
// an instruction's running value c added last to its blocks' value t (AddendEntry::last);
ExactValue reference_add_last(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                              const ExactValue& t, const ExactValue& c);
// the chain from the instruction starting at k0 on, with running value `run` (ws.groups built).
ExactValue reference_chain(const BlockFma& p, const FormatSpec& acc, Rounding frmode,
                           const BlockOperand* a, const BlockOperand* b, std::size_t K,
                           std::size_t k0, const ExactValue& run, BlockFmaWorkspace& ws);

// The fast evaluator (block_fma_fast.cpp): the whole chain of one dot product, or false when it
// does not take the model or the data (then nothing is written and the caller runs the readable
// one). Called after the special-value pre-check: every a[k], b[k] is finite or zero, c is
// finite or zero, and `sig_or` is the OR of their significands. ws.groups is built.
bool fast_dot(const BlockFma& p, const FormatSpec& acc, Rounding frmode, const BlockOperand* a,
              const BlockOperand* b, std::size_t K, const ExactValue& c, std::uint64_t sig_or,
              BlockFmaWorkspace& ws, ExactValue& out);

}  // namespace fpaudit::gemm::detail
