// Rendering of `fpaudit audit --paths` rows (include/fpaudit/audit/path_audit.hpp): a terminal
// table, the "hw_paths" member added to the audit JSON (docs/AUDIT_JSON.md) and a section added
// to the HTML report. Without
// --paths nothing here runs, so the audit JSON stays byte for byte what audit_json writes.
#pragma once

#include <string>
#include <vector>

#include "fpaudit/audit/path_audit.hpp"

namespace fpaudit::report {

// One line per (tensor, path): elements, mismatches vs IEEE by class, vs documented; rows
// that do not apply say why.
std::string path_audit_table(const std::vector<audit::PathAuditRow>& rows);

// audit_json's text with "hw_paths": [...] appended to the top-level object (same 2-space
// indentation, newline-terminated).
std::string add_path_audit_json(const std::string& audit_json_text,
                                const std::vector<audit::PathAuditRow>& rows);

// audit_html's page with a "Hardware paths" section (one table row per (tensor, path)) inserted
// after the tensors' sections, before the page's script.
std::string add_path_audit_html(const std::string& audit_html_text,
                                const std::vector<audit::PathAuditRow>& rows);

}  // namespace fpaudit::report
