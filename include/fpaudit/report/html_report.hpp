// The audit as one self-contained HTML page (--html FILE): the run's configuration, the summary
// table (riskiest first, as the terminal table), and per tensor its range facts, an SVG histogram
// of binades with each target format's subnormal / normal / overflow windows, the loss-scale
// sweep plot for gradients and the recommendation.
//
// Self-contained: inline CSS and inline SVG only (no external resources, no fonts by URL); a
// small inline script sorts table columns and opens collapsed parts before printing. Every string
// taken from the data (tensor names, files, messages, format names) is HTML-escaped.
// Deterministic: the same input gives the same bytes (fixed number formatting, no timestamps).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fpaudit/audit/tensor_audit.hpp"
#include "fpaudit/report/audit_report.hpp"

namespace fpaudit::report {

std::string audit_html(const std::vector<audit::TensorAudit>& tensors, const audit::AuditConfig& cfg,
                       const std::vector<FileError>& errors);

// HTML text escaping (& < > " ' become entities), safe in element content and quoted attributes.
std::string html_escape(std::string_view s);

}  // namespace fpaudit::report
