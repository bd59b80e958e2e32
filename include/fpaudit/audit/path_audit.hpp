// `fpaudit audit --paths LIST`: run hardware conversion paths (include/fpaudit/hw/path.hpp) on a
// tensor's own values and count, by mismatch class, where each differs from the IEEE reference
// and from its documented semantics (the same comparison as `fpaudit hw check`, on the user's
// data instead of the generated input sets).
//
// A path applies to a tensor when its source format is the tensor's element format (a binary32
// tensor for x86.vcvtneps2bf16); other (tensor, path) pairs are reported as not applicable, with
// the reason, and so are unavailable paths. The values arrive as binary64 from the reader (exact
// for every float dtype) and are converted back to the source format's patterns exactly; a NaN
// reaches the path as the reader decoded it (payload kept, a signalling NaN quieted).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/hw/check.hpp"

namespace fpaudit::audit {

struct PathAuditRow {
  std::string file, tensor;  // the tensor
  std::string path;          // the path's name
  std::string conversion;    // "binary32 -> bfloat16"
  bool applicable = false;
  std::string reason;        // why not, when !applicable
  std::uint64_t elements = 0;
  hw::MismatchTally vs_ieee, vs_documented;  // examples: the first in storage order
  bool finding() const { return applicable && vs_documented.total != 0; }
};

// The paths named by a comma-separated LIST of names or '*' patterns (as `hw check`). Throws
// std::invalid_argument naming an entry that matches no conversion path.
std::vector<const hw::ConversionPath*> select_conversion_paths(const std::string& list);

// One row per path for this tensor. `element_format` is the registry name of the tensor's element
// format ("binary32"), empty when its dtype has none. `examples` per class are kept.
std::vector<PathAuditRow> audit_paths(const TensorMeta& meta, const std::string& element_format,
                                      const ValueStream& values,
                                      const std::vector<const hw::ConversionPath*>& paths,
                                      unsigned threads = 1, std::size_t examples = 2);

}  // namespace fpaudit::audit
