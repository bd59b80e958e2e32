// The audit's inputs: command-line paths (files, directories, FILE:TENSOR, raw dumps) turned
// into tensors the auditor can stream. The glue between the io stage and the audit stage.
#pragma once

#include <string>
#include <vector>

#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/report/audit_report.hpp"

namespace fpaudit::cli {

struct RawArgs {
  std::string dtype;  // set: every path is a raw dump of this dtype
  std::string shape;  // "4096,1024"; empty: one dimension to the end of the file
  std::uint64_t offset = 0;
};

struct AuditInput {
  audit::TensorMeta meta;
  audit::ValueStream values;
  // Set for a binary32 tensor whose bytes lie in the file as they are (not in an archive):
  // the audit then reads it by position, in binary32, on all its threads.
  audit::Binary32Reader binary32;
  audit::Binary32Done binary32_done;  // hands the pages read back (bounded memory)
  bool auditable = true;  // integer and bool tensors are listed, not audited
};

// Reads every path. A file that cannot be read is recorded in `errors` (and the others are
// still read) when it was found by walking a directory or when several paths were given; a
// single bad file argument throws its io::InputError.
std::vector<AuditInput> collect_inputs(const std::vector<std::string>& paths, const RawArgs& raw,
                                       std::vector<report::FileError>& errors);

}  // namespace fpaudit::cli
