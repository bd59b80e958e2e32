#include "fpaudit/report/path_report.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "fpaudit/codec/text.hpp"
#include "fpaudit/format/registry.hpp"
#include "fpaudit/report/html_report.hpp"

namespace fpaudit::report {
namespace {

using Json = nlohmann::ordered_json;

std::string classes_text(const hw::MismatchTally& t) {
  if (t.total == 0) return "0";
  std::string s = std::to_string(t.total) + " (";
  bool first = true;
  for (int c = 0; c < hw::kMismatchClassCount; ++c) {
    if (t.by_class[c] == 0) continue;
    s += (first ? "" : ", ") + std::string(hw::to_string(static_cast<hw::MismatchClass>(c))) + " " +
         std::to_string(t.by_class[c]);
    first = false;
  }
  return s + ")";
}

Json tally_json(const audit::PathAuditRow& row, const hw::MismatchTally& t) {
  const hw::ConversionPath* p = hw::find_conversion_path(row.path);
  Json classes = Json::object();
  for (int c = 0; c < hw::kMismatchClassCount; ++c) {
    if (t.by_class[c] == 0) continue;
    Json ex = Json::array();
    if (p)
      for (const auto& e : t.examples[c])
        ex.push_back({{"input", format_hex(p->from, e.input)},
                      {"expected", format_hex(p->to, e.expected)},
                      {"got", format_hex(p->to, e.got)}});
    classes[std::string(hw::to_string(static_cast<hw::MismatchClass>(c)))] = {
        {"count", t.by_class[c]}, {"examples", ex}};
  }
  return {{"mismatches", t.total}, {"classes", classes}};
}

}  // namespace

std::string path_audit_table(const std::vector<audit::PathAuditRow>& rows) {
  std::ostringstream out;
  out << "hardware paths on the tensors' values (vs IEEE | vs documented semantics):\n";
  for (const auto& r : rows) {
    out << "  " << r.tensor << "  " << r.path << "  ";
    if (!r.applicable) {
      out << "not applicable: " << r.reason << '\n';
      continue;
    }
    out << r.elements << " elements  vs IEEE " << classes_text(r.vs_ieee) << "  | vs documented "
        << classes_text(r.vs_documented) << (r.finding() ? "  FINDING: unexplained" : "") << '\n';
  }
  return out.str();
}

std::string add_path_audit_json(const std::string& audit_json_text,
                                const std::vector<audit::PathAuditRow>& rows) {
  Json doc = Json::parse(audit_json_text);
  Json arr = Json::array();
  for (const auto& r : rows) {
    Json j = {{"file", r.file},         {"tensor", r.tensor},        {"path", r.path},
              {"conversion", r.conversion}, {"applicable", r.applicable}};
    if (!r.applicable) {
      j["reason"] = r.reason;
    } else {
      j["elements"] = r.elements;
      j["vs_ieee"] = tally_json(r, r.vs_ieee);
      j["vs_documented"] = tally_json(r, r.vs_documented);
      j["finding"] = r.finding();
    }
    arr.push_back(std::move(j));
  }
  doc["hw_paths"] = std::move(arr);
  return doc.dump(2) + "\n";
}

std::string add_path_audit_html(const std::string& audit_html_text,
                                const std::vector<audit::PathAuditRow>& rows) {
  std::string sec =
      "<section>\n<h2>Hardware paths</h2>\n<p>Conversion paths of this machine run on the tensors' "
      "values; mismatches by class against the IEEE reference and against each path's documented "
      "semantics (docs/HARDWARE.md).</p>\n<div class=\"scroll\"><table><thead><tr><th>tensor</th>"
      "<th>path</th><th>conversion</th><th>elements</th><th>vs IEEE</th><th>vs documented</th>"
      "</tr></thead><tbody>\n";
  for (const auto& r : rows) {
    sec += "<tr><td>" + html_escape(r.tensor) + "</td><td>" + html_escape(r.path) + "</td><td>" +
           html_escape(r.conversion) + "</td>";
    if (!r.applicable)
      sec += "<td colspan=\"3\" class=\"muted\">not applicable: " + html_escape(r.reason) + "</td>";
    else
      sec += "<td>" + std::to_string(r.elements) + "</td><td>" + html_escape(classes_text(r.vs_ieee)) +
             "</td><td>" + html_escape(classes_text(r.vs_documented)) +
             (r.finding() ? " <strong>FINDING: unexplained</strong>" : "") + "</td>";
    sec += "</tr>\n";
  }
  sec += "</tbody></table></div>\n</section>\n";
  std::string out = audit_html_text;
  const std::size_t at = out.rfind("<script>");
  out.insert(at == std::string::npos ? out.size() : at, sec);
  return out;
}

}  // namespace fpaudit::report
