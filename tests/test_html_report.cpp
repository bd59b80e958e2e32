// The HTML page: self-contained (nothing fetched from anywhere), data strings escaped, one SVG per
// histogram and per loss-scale sweep, the format windows labelled, riskiest rows first, and the
// same bytes for the same input. The audits are built by hand (no file IO, no auditing).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fpaudit/format/registry.hpp"
#include "fpaudit/report/html_report.hpp"

using namespace fpaudit;
using namespace fpaudit::audit;
using fpaudit::report::audit_html;
using fpaudit::report::FileError;

namespace {

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

ResultRow row(const std::string& format, const std::string& scaling, std::uint64_t n, std::uint64_t overflow,
              std::uint64_t underflow, std::uint64_t subnormal, double rel_sq) {
  ResultRow r;
  r.format = format;
  r.scaling = scaling;
  r.stats.count = n;
  r.stats.exact = n / 2;
  r.stats.inexact = n - n / 2 - overflow;
  r.stats.overflow_inf = overflow;
  r.stats.underflow_to_zero = underflow;
  r.stats.subnormal_out = subnormal;
  r.stats.err_count = r.stats.rel_count = n - overflow;
  r.stats.sum_sq_rel_err = rel_sq;
  r.stats.max_rel_err = 0.06;
  r.stats.max_ulp_err = 0.5;
  r.stats.signal_power = 100.0;
  r.stats.noise_power = 1e-3;
  r.bits_per_element = format == "binary16" ? 16 : 8;
  return r;
}

AuditConfig config() {
  AuditConfig cfg;
  cfg.formats = {format_by_name("binary16"), format_by_name("float8_e4m3fn")};
  cfg.options.overflow = Overflow::saturate;
  return cfg;
}

TensorAudit weight_tensor(const std::string& name) {
  TensorAudit t;
  t.meta = {"model.safetensors", name, "bf16", {64, 16}, 1024, 16};
  t.role = Role::weight;
  t.range.count = 1024;
  t.range.zero = 4;
  t.range.amax = 3.5;
  t.range.min_nonzero = 0x1.8p-12;
  for (int b = -12; b <= 1; ++b) t.range.histogram[b] = std::uint64_t(10 + 5 * (b + 12));
  t.rows.push_back(row("binary16", "none", 1024, 0, 0, 0, 1e-7));
  t.rows.push_back(row("float8_e4m3fn", "none", 1024, 0, 3, 40, 1e-1));
  ResultRow amax = row("float8_e4m3fn", "amax", 1024, 0, 0, 2, 5e-2);
  amax.scale = 128.0;
  t.rows.push_back(amax);
  ResultRow mx = row("mxfp8_e4m3", "mx", 1024, 0, 0, 0, 4e-2);
  mx.scale_rule = "floor";
  mx.bits_per_element = 8.25;
  mx.blocks = 32;
  mx.blocks_clipped = 1;
  mx.elements_clipped = 1;
  mx.scale_exponents = {{-6, 10}, {-5, 22}};
  t.rows.push_back(mx);
  return t;
}

TensorAudit grad_tensor(const std::string& name) {
  TensorAudit t;
  t.meta = {"grads.safetensors", name, "f32", {4096}, 4096, 4096};
  t.role = Role::grad;
  t.range.count = 4096;
  t.range.amax = 0x1.2p-4;
  t.range.min_nonzero = 0x1p-40;
  for (int b = -40; b <= -5; ++b) t.range.histogram[b] = std::uint64_t(1 + (b + 40) * (b + 40));
  t.rows.push_back(row("binary16", "none", 4096, 0, 900, 700, 2e-2));
  t.rows.push_back(row("float8_e4m3fn", "none", 4096, 0, 2500, 300, 3e-1));
  LossScaleSweep sw;
  sw.min_log2 = -8;
  sw.max_log2 = 32;
  for (const char* f : {"binary16", "bfloat16", "float8_e4m3fn", "float8_e5m2"}) {
    LossScaleFormat lf;
    lf.format = f;
    for (int k = sw.min_log2; k <= sw.max_log2; ++k) {
      lf.underflow_frac.push_back(k < 10 ? 0.2 / (1 + k + 8) : 0.0);
      lf.subnormal_frac.push_back(k < 14 ? 0.1 : 0.0);
      lf.overflow_frac.push_back(k > 19 ? 1e-4 * (k - 19) : 0.0);
    }
    lf.max_no_overflow_log2 = 19;
    lf.recommended_log2 = 18;
    sw.formats.push_back(lf);
  }
  sw.dynamic_settle_log2 = 19;
  sw.dynamic_steps_to_settle = 6000;
  t.loss_scale = sw;
  Recommendation rec;
  rec.met = true;
  rec.format = "bfloat16";
  rec.scaling = "none";
  rec.bits_per_element = 16;
  rec.reason = "narrowest candidate within the budget (rms < 1%)";
  t.recommendation = rec;
  return t;
}

}  // namespace

TEST(HtmlReport, SelfContained) {
  const std::vector<TensorAudit> ts = {weight_tensor("layer.0.weight"), grad_tensor("layer.0.weight.grad")};
  const std::string page = audit_html(ts, config(), {});
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<iframe"), std::string::npos);
  EXPECT_EQ(page.find("href=\"/"), std::string::npos);
  // Every link is an in-page anchor.
  for (auto p = page.find("href=\""); p != std::string::npos; p = page.find("href=\"", p + 1))
    EXPECT_EQ(page[p + 6], '#') << page.substr(p, 40);
  // Balanced structure.
  EXPECT_EQ(count(page, "<svg"), count(page, "</svg>"));
  EXPECT_EQ(count(page, "<section"), count(page, "</section>"));
  EXPECT_EQ(count(page, "<table"), count(page, "</table>"));
  EXPECT_EQ(count(page, "<details"), count(page, "</details>"));
  EXPECT_EQ(count(page, "<script>"), 1u);  // the page's own (sorting, print)
  EXPECT_NE(page.find("</html>\n"), std::string::npos);
}

TEST(HtmlReport, EscapesEveryDataString) {
  std::vector<TensorAudit> ts = {weight_tensor("<script>alert('x')</script>&\"q\"")};
  ts[0].meta.file = "dir/<b>evil</b>.safetensors";
  ts[0].meta.dtype = "<i>";
  ts[0].rows[1].format = "<fmt>";
  ts[0].recommendation = Recommendation{false, "", "", "", 0, "budget <unmet> & more"};
  const std::vector<FileError> errors = {{"<bad>.npy", "cannot parse <header> & \"shape\""}};
  const std::string page = audit_html(ts, config(), errors);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;q&quot;"), std::string::npos);
  EXPECT_EQ(count(page, "<script"), 1u);
  EXPECT_EQ(page.find("<b>evil"), std::string::npos);
  EXPECT_NE(page.find("dir/&lt;b&gt;evil&lt;/b&gt;.safetensors"), std::string::npos);
  EXPECT_EQ(page.find("<i>"), std::string::npos);
  EXPECT_EQ(page.find("<fmt>"), std::string::npos);
  EXPECT_NE(page.find("&lt;fmt&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;bad&gt;.npy"), std::string::npos);
  EXPECT_NE(page.find("cannot parse &lt;header&gt; &amp; &quot;shape&quot;"), std::string::npos);
  EXPECT_NE(page.find("budget &lt;unmet&gt; &amp; more"), std::string::npos);
  EXPECT_EQ(fpaudit::report::html_escape("a<b>&'\""), "a&lt;b&gt;&amp;&#39;&quot;");
  EXPECT_EQ(fpaudit::report::html_escape(std::string("x\0y\x1b", 4)), "x\uFFFDy\uFFFD");
}

TEST(HtmlReport, OneSvgPerHistogramAndPerSweep) {
  const std::vector<TensorAudit> ts = {weight_tensor("w0"), grad_tensor("g0"), weight_tensor("w1"), grad_tensor("g1")};
  const std::string page = audit_html(ts, config(), {});
  EXPECT_EQ(count(page, "<svg"), 6u);  // 4 histograms + 2 sweeps
  EXPECT_EQ(count(page, "aria-label=\"magnitude histogram of "), 4u);
  EXPECT_EQ(count(page, "aria-label=\"loss-scale sweep of "), 2u);
  EXPECT_NE(page.find("aria-label=\"loss-scale sweep of g1\""), std::string::npos);
  for (int i = 0; i < 4; ++i)
    EXPECT_NE(page.find("<section class=\"tensor\" id=\"tensor-" + std::to_string(i) + "\">"), std::string::npos);
  // Histogram bars carry their counts; the sweep has one line per series per format.
  EXPECT_NE(page.find("<title>binade -12: 10 values"), std::string::npos);
  EXPECT_EQ(count(page, "<polyline"), 2u * 4u * 3u);
  // Sweep markers: recommended static scale 2^18 and the dynamic scaler's settle point 2^19.
  EXPECT_NE(page.find("static 2\u00b9\u2078"), std::string::npos);
  EXPECT_NE(page.find("dynamic 2\u00b9\u2079"), std::string::npos);
  EXPECT_NE(page.find("settles at 2<sup>19</sup> after 6000 steps"), std::string::npos);
  EXPECT_NE(page.find("Recommendation:</strong> <code>bfloat16</code>"), std::string::npos);
}

TEST(HtmlReport, FormatWindowsLabelled) {
  const std::vector<TensorAudit> ts = {weight_tensor("w")};
  const std::string page = audit_html(ts, config(), {});
  // Lanes: binary16 normal binades [-14, 15], subnormals from 2^-24; E4M3 normal [-6, 8] from 2^-9.
  EXPECT_NE(page.find(">normal [-14, 15]</text>"), std::string::npos);
  EXPECT_NE(page.find(">normal [-6, 8]</text>"), std::string::npos);
  EXPECT_NE(page.find(">subnormal</text>"), std::string::npos);
  EXPECT_NE(page.find(">overflow</text>"), std::string::npos);
  EXPECT_NE(page.find("font-weight=\"600\">binary16</text>"), std::string::npos);
  EXPECT_NE(page.find("font-weight=\"600\">float8_e4m3fn</text>"), std::string::npos);
  // The windows table: smallest positive, subnormal and normal binades, the overflow threshold.
  EXPECT_NE(page.find("2<sup>-24</sup> &asymp; 5.96e-08</td><td class=\"nw\">-24 &hellip; -15</td>"
                      "<td class=\"nw\">-14 &hellip; 15</td><td class=\"nw\">65504</td>"),
            std::string::npos);
  EXPECT_NE(page.find("2<sup>-9</sup> &asymp; 0.001953</td><td class=\"nw\">-9 &hellip; -7</td>"
                      "<td class=\"nw\">-6 &hellip; 8</td><td class=\"nw\">448</td>"),
            std::string::npos);
  // FTZ paints the subnormal window as flushed.
  AuditConfig ftz = config();
  ftz.options.subnormals.ftz = true;
  const std::string p2 = audit_html(ts, ftz, {});
  EXPECT_NE(p2.find(">subnormal (ftz \u2192 0)</text>"), std::string::npos);
}

TEST(HtmlReport, HeaderAndSummaryOrder) {
  const std::vector<TensorAudit> ts = {weight_tensor("quiet"), grad_tensor("risky")};
  const std::vector<FileError> errors = {{"broken.npy", "truncated"}};
  const std::string page = audit_html(ts, config(), errors);
  EXPECT_NE(page.find("<th>rounding</th><td>rne"), std::string::npos);
  EXPECT_NE(page.find("<th>overflow policy</th><td>saturate"), std::string::npos);
  EXPECT_NE(page.find("<th>subnormals</th><td>keep"), std::string::npos);
  EXPECT_NE(page.find("<code>binary16</code>, <code>float8_e4m3fn</code>"), std::string::npos);
  EXPECT_NE(page.find("File errors (1)"), std::string::npos);
  EXPECT_NE(page.find("&middot; 1 file error</p>"), std::string::npos);
  EXPECT_NE(page.find("<code>broken.npy</code>: truncated"), std::string::npos);
  // Plain summary: riskiest first, so "risky" (underflow) precedes "quiet"; the scaling rows sit in
  // a collapsed <details> with their block counts.
  const auto plain = page.find("id=\"summary-plain\"");
  const auto scaled = page.find("<details id=\"summary-scaled\">");
  ASSERT_NE(plain, std::string::npos);
  ASSERT_NE(scaled, std::string::npos);
  const std::string plain_table = page.substr(plain, scaled - plain);
  EXPECT_LT(plain_table.find(">risky</a>"), plain_table.find(">quiet</a>"));
  EXPECT_EQ(plain_table.find("mx:floor"), std::string::npos);
  EXPECT_EQ(plain_table.find(">amax<"), std::string::npos);
  const std::string scaled_part = page.substr(scaled, page.find("</details>", scaled) - scaled);
  EXPECT_NE(scaled_part.find("<td>mx:floor</td>"), std::string::npos);
  EXPECT_NE(scaled_part.find("<td>amax</td>"), std::string::npos);
  EXPECT_NE(scaled_part.find("blocks clipped"), std::string::npos);
  EXPECT_NE(scaled_part.find("<td class=\"n\">8.25</td><td class=\"n\">32</td><td class=\"n bad\">1</td>"),
            std::string::npos);
}

TEST(HtmlReport, Deterministic) {
  const std::vector<TensorAudit> ts = {weight_tensor("a"), grad_tensor("b")};
  const std::vector<FileError> errors = {{"x.npy", "bad"}};
  const std::string a = audit_html(ts, config(), errors);
  const std::vector<TensorAudit> copy = ts;
  const std::string b = audit_html(copy, config(), errors);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, audit_html(ts, config(), errors));
}

TEST(HtmlReport, EdgeCases) {
  // No tensors, no formats; a tensor of zeros (empty histogram) and a sweep that always overflows.
  EXPECT_NE(audit_html({}, AuditConfig{}, {}).find("No tensors were audited"), std::string::npos);
  TensorAudit z;
  z.meta = {"f", "zeros", "f32", {8}, 8, 8};
  z.range.count = 8;
  z.range.zero = 8;
  z.role = Role::grad;
  LossScaleSweep sw;
  sw.min_log2 = -2;
  sw.max_log2 = 2;
  LossScaleFormat lf;
  lf.format = "binary16";
  lf.underflow_frac = lf.subnormal_frac = {0, 0, 0, 0, 0};
  lf.overflow_frac = {1, 1, 1, 1, 1};
  sw.formats.push_back(lf);
  z.loss_scale = sw;
  const std::string page = audit_html({z}, config(), {});
  EXPECT_NE(page.find("no nonzero finite values"), std::string::npos);
  EXPECT_NE(page.find("overflows at every scale"), std::string::npos);
  lf.overflow_frac = {0, 0, 0, 0, 0};
  z.loss_scale->formats[0] = lf;
  EXPECT_NE(audit_html({z}, config(), {}).find("no nonzero values: no static scale"), std::string::npos);
  EXPECT_EQ(count(page, "<svg"), 2u);
  EXPECT_EQ(page.find("nan"), std::string::npos);
}
