// Rendering audit results: the JSON document (schema in docs/AUDIT_JSON.md), the terminal table,
// and the numeric fields that --fail-if gates read. One list of fields serves all three.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/audit/tensor_audit.hpp"

namespace fpaudit::report {

inline constexpr std::string_view kAuditSchema = "fpaudit.audit/1";

// The numeric fields of a result row (as in the JSON record), by name; nullopt if unknown.
std::optional<double> row_field(const audit::TensorAudit& t, const audit::ResultRow& r,
                                std::string_view name);
// Every numeric field name, in JSON order.
const std::vector<std::string>& row_field_names();

struct FileError {  // a file that could not be audited (directory mode)
  std::string file;
  std::string message;
};

// The whole run as JSON text (2-space indent, keys in a fixed order, newline-terminated).
// Deterministic: the same input gives the same bytes whatever the thread count.
std::string audit_json(const std::vector<audit::TensorAudit>& tensors, const audit::AuditConfig& cfg,
                       const std::vector<FileError>& errors);

// The terminal table: one row per tensor and plain format (every scaling variant too with
// all_rows), riskiest first, fitting `width` columns.
std::string audit_table(const std::vector<audit::TensorAudit>& tensors, std::size_t width = 100,
                        bool all_rows = false);

// Rows in riskiest-first order (as the table prints them): pairs of (tensor index, row index).
std::vector<std::pair<std::size_t, std::size_t>> riskiest_first(const std::vector<audit::TensorAudit>& tensors);

}  // namespace fpaudit::report
