#include "fpaudit/report/html_report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "fpaudit/codec/decode.hpp"

namespace fpaudit::report {
namespace {

using audit::LossScaleFormat;
using audit::LossScaleSweep;
using audit::ResultRow;
using audit::TensorAudit;

// ---------------------------------------------------------------------------------------------
// Number formatting: std::to_chars, so the page never depends on the C locale.

std::string chars(double v, std::chars_format f, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, f, precision);
  std::string s(buf, r.ptr);
  // "-0", "-0.0" and the like read as 0.
  if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("-0.e+") == std::string::npos) s.erase(0, 1);
  return s;
}
std::string fixed(double v, int p) { return chars(v, std::chars_format::fixed, p); }
std::string sci(double v, int p) { return chars(v, std::chars_format::scientific, p); }
std::string gen(double v, int p) { return chars(v, std::chars_format::general, p); }
std::string coord(double v) { return fixed(v, 1); }  // SVG coordinates
std::string u64(std::uint64_t v) { return std::to_string(v); }

// Counts with SI suffixes for axis ticks: 1, 10, 100, 1k, 2.5k, 1M, ...
std::string si(double v) {
  static const char* const suffix[] = {"", "k", "M", "G", "T", "P", "E"};
  int i = 0;
  while (std::fabs(v) >= 1000 && i < 6) {
    v /= 1000;
    ++i;
  }
  return gen(v, 3) + suffix[i];
}

// 2^k as HTML.
std::string pow2_html(int k) { return "2<sup>" + std::to_string(k) + "</sup>"; }

// Unicode superscript digits for SVG text (SVG has no <sup>).
std::string superscript(int k) {
  static const char* const digit[] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                      "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
  std::string out = k < 0 ? "\u207b" : "";
  for (char c : std::to_string(k < 0 ? -static_cast<long>(k) : static_cast<long>(k))) out += digit[c - '0'];
  return out;
}
std::string pow_svg(int base, int k) { return std::to_string(base) + superscript(k); }

std::uint64_t nonzero_finite(const audit::ConversionStats& s) { return s.count - s.zero_in - s.nan_in - s.inf_in; }
double overflow_frac(const ResultRow& r) {
  return r.stats.count ? double(r.stats.overflow_inf + r.stats.overflow_nan + r.stats.saturated) / double(r.stats.count)
                       : 0;
}
double underflow_frac(const ResultRow& r) {
  const auto nz = nonzero_finite(r.stats);
  return nz ? double(r.stats.underflow_to_zero) / double(nz) : 0;
}
double subnormal_frac(const ResultRow& r) {
  const auto nz = nonzero_finite(r.stats);
  return nz ? double(r.stats.subnormal_out) / double(nz) : 0;
}
std::string scaling_label(const ResultRow& r) { return r.scaling == "mx" ? "mx:" + r.scale_rule : r.scaling; }

// Escaped, with line-break opportunities after the separators of dotted tensor paths.
std::string breakable(std::string_view name) {
  std::string out;
  for (char c : html_escape(name)) {
    out += c;
    if (c == '.' || c == '_' || c == '/') out += "<wbr>";
  }
  return out;
}

std::string anchor(std::size_t tensor_index) { return "tensor-" + std::to_string(tensor_index); }

// ---------------------------------------------------------------------------------------------
// A target format's windows in binades (floor(log2|x|)).

struct Window {
  std::string name;       // canonical name (from the config: escape before use)
  std::string structure;  // describe(): "e5m10", "e4m3:fn", ...
  int lowest = 0;         // binade of the smallest positive value; below it values flush to zero
  int emin = 0;           // first normal binade
  int emax = 0;           // last finite binade
  bool subnormals = false;
  double min_positive = 0, min_normal = 0, max_finite = 0;
};

int binade_of(double v, int fallback) { return (std::isfinite(v) && v > 0) ? std::ilogb(v) : fallback; }

Window window_of(const FormatSpec& f) {
  Window w;
  w.name = f.name;
  w.structure = describe(f);
  w.emin = f.emin();
  w.emax = f.emax();
  w.subnormals = f.has_subnormals && f.mantissa_bits > 0;
  w.min_positive = to_double(f, f.min_positive_bits());
  w.max_finite = to_double(f, f.max_finite_bits());
  w.min_normal = std::ldexp(1.0, w.emin);
  w.lowest = binade_of(w.min_positive, w.subnormals ? w.emin - f.mantissa_bits : w.emin);
  return w;
}

// ---------------------------------------------------------------------------------------------
// Page furniture.

constexpr const char* kStyle = R"CSS(
:root { --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --zebra:#f6f8fa; --bad:#fde2dd; --warn:#fff1cc; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #fff; margin: 0 auto; padding: 20px 24px 48px; max-width: 1240px;
       font-size: 14px; line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.meta, .muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
table { border-collapse: collapse; margin: 6px 0 10px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: baseline; }
th { background: #eef1f4; font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td { background: var(--zebra); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nw { white-space: nowrap; }
td.name { min-width: 150px; max-width: 360px; overflow-wrap: anywhere; }
table.rows { font-size: 12.5px; }
table.rows code, table.rows .mono { font-size: 12px; }
table.rows th { white-space: normal; vertical-align: bottom; }
table.rows td, table.rows th { padding: 3px 5px; }
td.bad, tbody tr:nth-child(even) td.bad { background: var(--bad); }
td.warn, tbody tr:nth-child(even) td.warn { background: var(--warn); }
table.sortable th { cursor: pointer; }
table.sortable th:hover { background: #e1e6eb; }
table.kv th { text-align: left; width: 200px; }
.scroll { overflow-x: auto; }
.errors { border: 1px solid #d55e00; background: #fff5f0; padding: 8px 14px; margin: 12px 0; }
.errors h2 { border: 0; margin: 4px 0; color: #a63c00; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
section.tensor { margin-top: 34px; }
section.tensor h2 .idx { color: var(--muted); font-weight: 400; margin-right: 6px; }
section.tensor h2 .name { overflow-wrap: anywhere; }
a { color: #0b5cad; text-decoration: none; }
a:hover { text-decoration: underline; }
a.top { font-size: 12px; font-weight: 400; float: right; }
svg.chart { width: 100%; height: auto; display: block; max-width: 1100px; }
.rec { border-left: 4px solid #009e73; background: #eefaf5; padding: 6px 12px; margin: 10px 0; }
.rec.unmet { border-left-color: #d55e00; background: #fff5f0; }
.legend-note { font-size: 12px; color: var(--muted); margin: 2px 0 8px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  a.top, .noprint { display: none; }
  section.tensor { break-before: page; }
  svg.chart, table { break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td.bad, td.warn, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)CSS";

// Column sorting (click a header) and opening every <details> before printing.
constexpr const char* kScript = R"JS(
(function () {
  function key(cell) {
    var s = cell.getAttribute('data-v');
    if (s === null) s = cell.textContent;
    var n = parseFloat(s);
    return isNaN(n) ? s.toLowerCase() : n;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.title = 'sort by this column';
      th.addEventListener('click', function () {
        var asc = th.getAttribute('data-dir') !== 'asc';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('data-dir'); });
        th.setAttribute('data-dir', asc ? 'asc' : 'desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (typeof x !== typeof y) { x = String(x); y = String(y); }
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
})();
)JS";

// Window colours (light, so the bars and text on them stay readable; also in print).
constexpr const char* kFlushFill = "#dcdcdc";
constexpr const char* kSubFill = "#fcd9a0";
constexpr const char* kNormalFill = "#bfe6cf";
constexpr const char* kOverflowFill = "#f6b49a";
constexpr const char* kBarFill = "#3b6fb6";
// Sweep series and markers (Okabe-Ito hues, plus distinct dash patterns).
constexpr const char* kUnderflowColor = "#0072b2";
constexpr const char* kSubnormalColor = "#e69f00";
constexpr const char* kOverflowColor = "#d55e00";
constexpr const char* kStaticColor = "#009e73";
constexpr const char* kDynamicColor = "#7b3294";

constexpr const char* kSvgText =
    "font-family=\"system-ui, -apple-system, Segoe UI, Roboto, Arial, DejaVu Sans, sans-serif\"";

// Approximate text width in SVG units at a font size (for fitting labels into bands).
double text_width(std::string_view s, double font_size) {
  std::size_t glyphs = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++glyphs;  // count UTF-8 lead bytes
  return double(glyphs) * font_size * 0.58;
}

std::string svg_text(double x, double y, const std::string& escaped, const char* anchor_ = "start", double size = 12,
                     const char* extra = "") {
  return "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" font-size=\"" + gen(size, 4) + "\" text-anchor=\"" +
         anchor_ + "\"" + extra + ">" + escaped + "</text>\n";
}
// A label with a white halo, readable over lines.
constexpr const char* kHalo = " stroke=\"#fff\" stroke-width=\"3.5\" paint-order=\"stroke\" stroke-linejoin=\"round\"";

std::string rect(double x, double y, double w, double h, const std::string& fill, const std::string& extra = "") {
  return "<rect x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" + coord(std::max(w, 0.0)) + "\" height=\"" +
         coord(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"" + extra + "/>";
}
std::string line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
                 const std::string& extra = "") {
  return "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) + "\" y2=\"" + coord(y2) +
         "\" stroke=\"" + stroke + "\" stroke-width=\"" + gen(width, 3) + "\"" + extra + "/>\n";
}

// ---------------------------------------------------------------------------------------------
// The histogram with the format windows.

std::string histogram_svg(const TensorAudit& t, const std::vector<Window>& windows, bool ftz) {
  const auto& hist = t.range.histogram;
  std::uint64_t total = 0, max_count = 0, min_count = 0;
  for (const auto& [b, c] : hist) {
    total += c;
    max_count = std::max(max_count, c);
    if (c && (!min_count || c < min_count)) min_count = c;
  }
  // x domain: the data's binades with a margin, stretched to the nearby window edges.
  int lo = -16, hi = 16;
  if (!hist.empty()) {
    lo = hist.begin()->first - 2;
    hi = hist.rbegin()->first + 2;
    const int dlo = hist.begin()->first, dhi = hist.rbegin()->first;
    for (const Window& w : windows)
      for (int edge : {w.lowest, w.emin, w.emax + 1}) {
        if (edge <= lo && edge >= dlo - 14) lo = edge - 1;
        if (edge > hi && edge <= dhi + 14) hi = edge;
      }
  } else if (!windows.empty()) {  // no data: the formats' windows, within reason
    lo = 0;
    hi = 0;
    for (const Window& w : windows) {
      lo = std::min(lo, std::max(w.lowest - 1, -40));
      hi = std::max(hi, std::min(w.emax + 1, 40));
    }
  }
  while (hi - lo + 1 < 20) {  // a sensible minimum width
    --lo;
    if (hi - lo + 1 < 20) ++hi;
  }
  const int nb = hi - lo + 1;

  const double W = 1000, left = 130, right = 16, top = 40, ph = 230;
  const double pw = W - left - right, bw = pw / nb;
  const double lane_h = 22, lane_gap = 4, lanes_top = top + ph + 8;
  const double lanes_h = windows.empty() ? 0 : double(windows.size()) * (lane_h + lane_gap);
  const double axis_y = lanes_top + lanes_h;  // tick labels below the lanes
  const double H = axis_y + 44;
  auto xpos = [&](double b) { return left + (b - lo) * bw; };  // left edge of binade b

  // y scale: logarithmic when the counts span two decades or more.
  const bool logy = max_count > 0 && double(max_count) >= 100.0 * double(std::max<std::uint64_t>(min_count, 1));
  double ytop = 1;
  const double ybottom_log = std::log10(0.5);
  std::vector<std::pair<double, std::string>> yticks;
  if (logy) {
    const int decades = std::max(1, int(std::ceil(std::log10(double(max_count)) - 1e-12)));
    ytop = decades;
    const int step = decades > 10 ? 2 : 1;
    for (int d = 0; d <= decades; d += step) yticks.emplace_back(d, si(std::pow(10.0, d)));
  } else {
    const double m = std::max<double>(double(max_count), 1);
    double step = 1;
    for (double mag = 1;; mag *= 10) {
      if (m / mag <= 5) {
        step = mag;
        break;
      }
      if (m / (2 * mag) <= 5) {
        step = 2 * mag;
        break;
      }
      if (m / (5 * mag) <= 5) {
        step = 5 * mag;
        break;
      }
    }
    ytop = std::ceil(m / step) * step;
    for (double v = 0; v <= ytop + step / 2; v += step) yticks.emplace_back(v, si(v));
  }
  auto ypos = [&](double v) {  // v: a count (linear) or log10(count) (log)
    const double f = logy ? (v - ybottom_log) / (ytop - ybottom_log) : v / ytop;
    return top + ph - std::clamp(f, 0.0, 1.0) * ph;
  };

  std::string s;
  s += "<svg class=\"chart\" viewBox=\"0 0 " + coord(W) + " " + coord(H) + "\" role=\"img\" " + kSvgText +
       " aria-label=\"magnitude histogram of " + html_escape(t.meta.name) + "\">\n";
  s += rect(0, 0, W, H, "#fff") + "\n";

  // Legend.
  {
    double x = left;
    auto item = [&](const char* fill, const char* label, const char* stroke = nullptr) {
      s += rect(x, 12, 16, 12, fill, stroke ? std::string(" stroke=\"") + stroke + "\"" : std::string()) + "\n";
      s += svg_text(x + 21, 23, label, "start", 13);
      x += 21 + text_width(label, 13) + 18;
    };
    item(kBarFill, "values per binade");
    item(kFlushFill, "flushes to zero", "#999");
    item(kSubFill, "subnormal", "#c98a1e");
    item(kNormalFill, "normal", "#3c9a6a");
    item(kOverflowFill, "overflow", "#c4582e");
  }

  // Grid and y axis.
  s += "<g stroke=\"#e6e9ed\" stroke-width=\"1\">\n";
  for (const auto& [v, label] : yticks) s += line(left, ypos(v), left + pw, ypos(v), "#e6e9ed", 1);
  s += "</g>\n";
  for (const auto& [v, label] : yticks) {
    s += line(left - 5, ypos(v), left, ypos(v), "#57606a", 1);
    s += svg_text(left - 8, ypos(v) + 4.5, label, "end", 13);
  }
  s += svg_text(22, top + ph / 2, logy ? "count (log scale)" : "count", "middle", 13,
                (" transform=\"rotate(-90 22 " + coord(top + ph / 2) + ")\"").c_str());

  // x ticks: every `step` binades, centred under the bars; faint guides through plot and lanes.
  int xstep = 1;
  for (int st : {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})
    if (nb / st <= 24) {
      xstep = st;
      break;
    }
  int first_tick = lo;
  while (((first_tick % xstep) + xstep) % xstep != 0) ++first_tick;
  for (int b = first_tick; b <= hi; b += xstep) {
    const double cx = xpos(b + 0.5);
    s += line(cx, top, cx, axis_y, "#f0f2f4", 1);
    s += line(cx, axis_y, cx, axis_y + 5, "#57606a", 1);
    s += svg_text(cx, axis_y + 19, std::to_string(b), "middle", 13);
  }
  s += svg_text(left + pw / 2, axis_y + 37,
                "binade \u230Alog\u2082|x|\u230B  (bar b counts 2\u1D47 \u2264 |x| < 2\u1D47\u207A\u00B9)", "middle",
                13);

  // Bars.
  const double gap = std::min(1.0, bw * 0.12);
  for (const auto& [b, c] : hist) {
    if (b < lo || b > hi || c == 0) continue;
    const double v = logy ? std::log10(double(c)) : double(c);
    double y = ypos(v);
    if (top + ph - y < 1.5) y = top + ph - 1.5;  // every nonzero bin stays visible
    const double pct = total ? 100.0 * double(c) / double(total) : 0;
    std::string bar = rect(xpos(b) + gap, y, bw - 2 * gap, top + ph - y, kBarFill);
    bar.replace(bar.size() - 2, 2, ">");  // holds its tooltip
    s += bar + "<title>binade " + std::to_string(b) + ": " + u64(c) + " values (" + gen(pct, 3) + "%)</title></rect>\n";
  }
  if (hist.empty())
    s += svg_text(left + pw / 2, top + ph / 2, "no nonzero finite values", "middle", 14, " fill=\"#57606a\"");
  // Plot frame.
  s += line(left, top + ph, left + pw, top + ph, "#57606a", 1);
  s += line(left, top, left, top + ph, "#57606a", 1);

  // One lane per target format: flush | subnormal | normal | overflow, on the bars' x scale.
  double y = lanes_top;
  for (const Window& w : windows) {
    struct Band {
      double from, to;  // binade edges (to exclusive)
      const char* fill;
      std::string label, tip;
    };
    const double xl = lo, xh = hi + 1;
    const bool ftz_sub = ftz && w.subnormals;
    std::vector<Band> bands = {
        {xl, double(w.lowest), kFlushFill, "\u2192 0",
         "flushes to zero: |x| < " + gen(w.min_positive, 6) + " (binade < " + std::to_string(w.lowest) + ")"},
        {double(w.lowest), double(w.emin), ftz_sub ? kFlushFill : kSubFill,
         ftz_sub ? "subnormal (ftz \u2192 0)" : "subnormal",
         "subnormal: binades [" + std::to_string(w.lowest) + ", " + std::to_string(w.emin) + ")" +
             (ftz_sub ? ", flushed to zero (ftz)" : "")},
        {double(w.emin), double(w.emax + 1), kNormalFill,
         "normal [" + std::to_string(w.emin) + ", " + std::to_string(w.emax) + "]",
         "normal: binades [" + std::to_string(w.emin) + ", " + std::to_string(w.emax) + "], max finite " +
             gen(w.max_finite, 6)},
        {double(w.emax + 1), xh, kOverflowFill, "overflow",
         "overflow: |x| > " + gen(w.max_finite, 6) + " (binade > " + std::to_string(w.emax) + ")"},
    };
    for (const Band& band : bands) {
      const double a = std::max(band.from, xl), b = std::min(band.to, xh);
      if (b <= a) continue;
      const double x0 = xpos(a), x1 = xpos(b);
      s += "<g>" + rect(x0, y, x1 - x0, lane_h, band.fill) + "<title>" + html_escape(w.name) + " " +
           html_escape(band.tip) + "</title>";
      std::string label = html_escape(band.label);
      if (text_width(band.label, 12) + 6 > x1 - x0 && band.label.rfind("normal [", 0) == 0) label = "normal";
      if (text_width(label, 12) + 6 <= x1 - x0)
        s += svg_text((x0 + x1) / 2, y + lane_h / 2 + 4.5, label, "middle", 12, " fill=\"#1b1f24\"");
      s += "</g>\n";
    }
    // Boundary ticks between bands.
    for (int edge : {w.lowest, w.emin, w.emax + 1})
      if (edge > lo && edge <= hi) s += line(xpos(edge), y, xpos(edge), y + lane_h, "#57606a", 1);
    // Long (custom) names shrink to fit the margin.
    const double name_size = std::min(13.0, 13.0 * (left - 12) / std::max(1.0, text_width(w.name, 13) * 1.08));
    s += svg_text(left - 8, y + lane_h / 2 + 4.5, html_escape(w.name), "end", std::max(8.0, name_size),
                  " font-weight=\"600\"");
    y += lane_h + lane_gap;
  }
  s += "</svg>\n";
  return s;
}

// The windows as a table, with what the plain conversion did to this tensor.
std::string windows_table(const TensorAudit& t, const std::vector<Window>& windows, bool ftz) {
  std::string s;
  s += "<div class=\"scroll\"><table class=\"windows\"><thead><tr><th>format</th><th>flushes to 0 below</th>"
       "<th>subnormal binades</th><th>normal binades</th><th>overflows above |x| &gt;</th>"
       "<th class=\"n\">uflow%</th><th class=\"n\">subn%</th><th class=\"n\">ovf%</th></tr></thead><tbody>\n";
  for (const Window& w : windows) {
    const ResultRow* plain = nullptr;
    for (const ResultRow& r : t.rows)
      if (r.scaling == "none" && r.format == w.name) {
        plain = &r;
        break;
      }
    s += "<tr><td><code>" + html_escape(w.name) + "</code>";
    if (w.structure != w.name) s += " <span class=\"muted mono\">" + html_escape(w.structure) + "</span>";
    s += "</td>";
    s += "<td class=\"nw\">" + pow2_html(w.lowest) + " &asymp; " + gen(w.min_positive, 4) + "</td>";
    if (w.subnormals)
      s += "<td class=\"nw\">" + std::to_string(w.lowest) + " &hellip; " + std::to_string(w.emin - 1) +
           (ftz ? " <em title=\"flushed to zero (ftz)\">ftz&rarr;0</em>" : "") + "</td>";
    else
      s += "<td class=\"muted\">none</td>";
    s += "<td class=\"nw\">" + std::to_string(w.emin) + " &hellip; " + std::to_string(w.emax) + "</td>";
    s += "<td class=\"nw\">" + gen(w.max_finite, 6) + "</td>";
    if (plain) {
      const double u = underflow_frac(*plain), sub = subnormal_frac(*plain), o = overflow_frac(*plain);
      s += std::string("<td class=\"n") + (u > 0 ? " warn" : "") + "\">" + fixed(100 * u, 3) + "</td>";
      s += "<td class=\"n\">" + fixed(100 * sub, 2) + "</td>";
      s += std::string("<td class=\"n") + (o > 0 ? " bad" : "") + "\">" + fixed(100 * o, 3) + "</td>";
    } else {
      s += "<td class=\"n muted\">&mdash;</td><td class=\"n muted\">&mdash;</td><td class=\"n muted\">&mdash;</td>";
    }
    s += "</tr>\n";
  }
  s += "</tbody></table></div>\n";
  return s;
}

// ---------------------------------------------------------------------------------------------
// The loss-scale sweep: one panel per format, fractions on a log axis (0 on its own baseline).

std::string sweep_svg(const TensorAudit& t, const LossScaleSweep& sw) {
  const std::size_t n = sw.formats.size();
  const int cols = n >= 2 ? 2 : 1;
  const int rows = int((n + std::size_t(cols) - 1) / std::size_t(cols));
  const double W = 1000, legend_h = 34, panel_w = W / cols, panel_h = 262;
  const double ml = 62, mr = 22, mt = 30, plot_h = 180;
  const double H = legend_h + rows * panel_h + 4;

  // Lowest decade on the y axis: from the smallest positive fraction, within [1e-8, 1e-2].
  double min_pos = 1;
  for (const LossScaleFormat& f : sw.formats)
    for (const auto* v : {&f.underflow_frac, &f.subnormal_frac, &f.overflow_frac})
      for (double x : *v)
        if (x > 0 && x < min_pos) min_pos = x;
  const int lowest_decade = std::clamp(int(std::floor(std::log10(min_pos) + 1e-12)), -8, -2);

  std::string s;
  s += "<svg class=\"chart\" viewBox=\"0 0 " + coord(W) + " " + coord(H) + "\" role=\"img\" " + kSvgText +
       " aria-label=\"loss-scale sweep of " + html_escape(t.meta.name) + "\">\n";
  s += rect(0, 0, W, H, "#fff") + "\n";
  {  // Legend.
    double x = ml;
    auto item = [&](const char* color, const char* dash, double width, const char* label) {
      s += line(x, 17, x + 30, 17, color, width, std::string(" stroke-dasharray=\"") + dash + "\"");
      s += svg_text(x + 36, 22, label, "start", 13);
      x += 36 + text_width(label, 13) + 22;
    };
    item(kOverflowColor, "none", 2.4, "overflow");
    item(kUnderflowColor, "7 4", 2, "underflow to 0");
    item(kSubnormalColor, "2 3", 2.2, "subnormal");
    item(kStaticColor, "5 3", 1.6, "recommended static scale");
    item(kDynamicColor, "9 3 2 3", 1.6, "dynamic scaler settles");
  }

  const int kmin = sw.min_log2, kmax = std::max(sw.max_log2, sw.min_log2 + 1);
  int xstep = 1;
  for (int st : {1, 2, 4, 8, 16, 32, 64})
    if ((kmax - kmin) / st <= 10) {
      xstep = st;
      break;
    }
  // The panel that shows the dynamic scaler (it runs on binary16).
  std::size_t dyn_panel = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (sw.formats[i].format == "binary16") {
      dyn_panel = i;
      break;
    }

  for (std::size_t i = 0; i < n; ++i) {
    const LossScaleFormat& f = sw.formats[i];
    const double px = double(i % std::size_t(cols)) * panel_w, py = legend_h + double(i / std::size_t(cols)) * panel_h;
    const double x0 = px + ml, y0 = py + mt, pw = panel_w - ml - mr;
    const double zero_gap = 14, dec_h = plot_h - zero_gap;
    auto xpos = [&](double k) { return x0 + (k - kmin) / double(kmax - kmin) * pw; };
    auto ypos = [&](double v) {
      if (!(v > 0)) return y0 + plot_h;
      const double l = std::clamp(std::log10(v), double(lowest_decade), 0.0);
      return y0 + dec_h * (0.0 - l) / (0.0 - lowest_decade);
    };

    s += svg_text(x0, py + 18, html_escape(f.format), "start", 14, " font-weight=\"600\"");
    // Grid, y ticks.
    for (int d = 0; d >= lowest_decade; --d) {
      s += line(x0, ypos(std::pow(10.0, d)), x0 + pw, ypos(std::pow(10.0, d)), "#e6e9ed", 1);
      s += svg_text(x0 - 7, ypos(std::pow(10.0, d)) + 4, d == 0 ? std::string("1") : pow_svg(10, d), "end", 12.5);
    }
    s += line(x0, y0 + plot_h, x0 + pw, y0 + plot_h, "#57606a", 1);
    s += svg_text(x0 - 7, y0 + plot_h + 4, "0", "end", 12.5);
    // The y axis, broken between the lowest decade and zero.
    const double yb = y0 + dec_h + zero_gap / 2;
    s += line(x0, y0, x0, yb - 3, "#57606a", 1);
    s += line(x0, yb + 3, x0, y0 + plot_h, "#57606a", 1);
    s += line(x0 - 4, yb - 1, x0 + 4, yb - 5, "#57606a", 1);
    s += line(x0 - 4, yb + 5, x0 + 4, yb + 1, "#57606a", 1);
    s += svg_text(px + 14, y0 + plot_h / 2, "fraction of nonzero", "middle", 12.5,
                  (" transform=\"rotate(-90 " + coord(px + 14) + " " + coord(y0 + plot_h / 2) + ")\"").c_str());
    // x ticks.
    int first_tick = kmin;
    while (((first_tick % xstep) + xstep) % xstep != 0) ++first_tick;
    for (int k = first_tick; k <= kmax; k += xstep) {
      s += line(xpos(k), y0, xpos(k), y0 + plot_h, "#f0f2f4", 1);
      s += line(xpos(k), y0 + plot_h, xpos(k), y0 + plot_h + 5, "#57606a", 1);
      s += svg_text(xpos(k), y0 + plot_h + 18, std::to_string(k), "middle", 12.5);
    }
    s += svg_text(x0 + pw / 2, y0 + plot_h + 37, "log\u2082(loss scale)", "middle", 13);

    // Series.
    auto series = [&](const std::vector<double>& v, const char* color, const char* dash, double width,
                      const char* what) {
      if (v.empty()) return;
      std::string pts;
      for (std::size_t j = 0; j < v.size(); ++j) {
        const int k = sw.min_log2 + int(j);
        if (k > kmax) break;
        if (!pts.empty()) pts += ' ';
        pts += coord(xpos(k)) + "," + coord(ypos(v[j]));
      }
      s += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"" + gen(width, 3) +
           "\" stroke-linejoin=\"round\"" +
           (std::string(dash) == "none" ? "" : " stroke-dasharray=\"" + std::string(dash) + "\"") + " points=\"" + pts +
           "\"><title>" + html_escape(f.format) + " " + what + "</title></polyline>\n";
    };
    series(f.subnormal_frac, kSubnormalColor, "2 3", 2.2, "subnormal fraction");
    series(f.underflow_frac, kUnderflowColor, "7 4", 2, "underflow fraction");
    series(f.overflow_frac, kOverflowColor, "none", 2.4, "overflow fraction");

    // Markers: labels on opposite sides of their lines, staggered, so adjacent markers stay legible.
    auto marker = [&](int k, const char* color, const char* dash, const std::string& label, double label_y,
                      bool prefer_left) {
      if (k < kmin || k > kmax) return;
      const double x = xpos(k);
      s += line(x, y0, x, y0 + plot_h, color, 1.6, std::string(" stroke-dasharray=\"") + dash + "\"");
      const double w = text_width(label, 12.5);
      bool left_side = prefer_left ? (x - x0 > w + 8) : !(x0 + pw - x > w + 8);
      s += svg_text(left_side ? x - 5 : x + 5, label_y, label, left_side ? "end" : "start", 12.5,
                    (std::string(" fill=\"") + color + "\" font-weight=\"600\"" + kHalo).c_str());
    };
    if (f.recommended_log2)
      marker(*f.recommended_log2, kStaticColor, "5 3", "static " + pow_svg(2, *f.recommended_log2), y0 + 13, true);
    if (i == dyn_panel && sw.dynamic_settle_log2)
      marker(*sw.dynamic_settle_log2, kDynamicColor, "9 3 2 3", "dynamic " + pow_svg(2, *sw.dynamic_settle_log2),
             y0 + 30, false);
    // Off-scale notes.
    std::string off;
    if (f.recommended_log2 && (*f.recommended_log2 < kmin || *f.recommended_log2 > kmax))
      off = "recommended 2" + superscript(*f.recommended_log2) + " is off this axis";
    if (!f.recommended_log2) {
      const bool any = std::any_of(f.overflow_frac.begin(), f.overflow_frac.end(), [](double v) { return v > 0; });
      off = any ? "overflows at every scale: no static scale" : "no nonzero values: no static scale";
    }
    if (!off.empty())
      s += svg_text(x0 + pw - 4, y0 + 13, off, "end", 12, (std::string(" fill=\"#57606a\"") + kHalo).c_str());
  }
  s += "</svg>\n";
  return s;
}

std::string sweep_table(const LossScaleSweep& sw) {
  std::string s =
      "<div class=\"scroll\"><table><thead><tr><th>format</th><th>largest scale without overflow</th>"
      "<th>recommended static scale</th><th class=\"n\">underflow at it</th>"
      "<th class=\"n\">subnormal at it</th></tr></thead><tbody>\n";
  for (const LossScaleFormat& f : sw.formats) {
    s += "<tr><td class=\"mono\">" + html_escape(f.format) + "</td>";
    s += "<td>" + (f.max_no_overflow_log2 ? pow2_html(*f.max_no_overflow_log2) : std::string("&mdash;")) + "</td>";
    s += "<td>" + (f.recommended_log2 ? pow2_html(*f.recommended_log2) : std::string("&mdash;")) + "</td>";
    std::string u = "&mdash;", sub = "&mdash;";
    if (f.recommended_log2) {
      const long j = long(*f.recommended_log2) - sw.min_log2;
      if (j >= 0 && std::size_t(j) < f.underflow_frac.size()) u = gen(100 * f.underflow_frac[std::size_t(j)], 4) + "%";
      if (j >= 0 && std::size_t(j) < f.subnormal_frac.size())
        sub = gen(100 * f.subnormal_frac[std::size_t(j)], 4) + "%";
    }
    s += "<td class=\"n\">" + u + "</td><td class=\"n\">" + sub + "</td></tr>\n";
  }
  s += "</tbody></table></div>\n";
  return s;
}

// ---------------------------------------------------------------------------------------------
// Tables of result rows.

std::string sqnr_cell(double sq) {
  if (std::isnan(sq)) return "<td class=\"n muted\" data-v=\"-1e999\">&mdash;</td>";
  if (std::isinf(sq))
    return sq > 0 ? "<td class=\"n\" data-v=\"1e999\">exact</td>" : "<td class=\"n\" data-v=\"-1e999\">-inf</td>";
  return "<td class=\"n\">" + fixed(sq, 1) + "</td>";
}

std::string row_cells(const TensorAudit& t, std::size_t ti, const ResultRow& r, bool with_tensor, bool scaling_cols) {
  const auto& st = r.stats;
  const double o = overflow_frac(r), u = underflow_frac(r), sub = subnormal_frac(r);
  std::string s = "<tr>";
  if (with_tensor) s += "<td class=\"name\"><a href=\"#" + anchor(ti) + "\">" + breakable(t.meta.name) + "</a></td>";
  s += "<td class=\"mono\">" + html_escape(r.format) + "</td><td>" + html_escape(scaling_label(r)) + "</td>";
  s += std::string("<td class=\"n") + (o > 0 ? " bad" : "") + "\">" + fixed(100 * o, 3) + "</td>";
  s += std::string("<td class=\"n") + (u > 0 ? " warn" : "") + "\">" + fixed(100 * u, 3) + "</td>";
  s += "<td class=\"n\">" + fixed(100 * sub, 2) + "</td>";
  s += "<td class=\"n\">" + sci(st.rms_rel_err(), 2) + "</td>";
  s += "<td class=\"n\">" + gen(st.max_ulp_err, 3) + "</td>";
  s += sqnr_cell(st.sqnr_db());
  if (scaling_cols) {
    s += "<td class=\"n\">" + gen(r.scale, 4) + "</td>";
    s += "<td class=\"n\">" + gen(r.bits_per_element, 4) + "</td>";
    if (r.blocks) {
      s += "<td class=\"n\">" + u64(r.blocks) + "</td>";
      s += std::string("<td class=\"n") + (r.blocks_clipped ? " bad" : "") + "\">" + u64(r.blocks_clipped) + "</td>";
      s +=
          std::string("<td class=\"n") + (r.elements_clipped ? " bad" : "") + "\">" + u64(r.elements_clipped) + "</td>";
      s += std::string("<td class=\"n") + (r.elements_flushed ? " warn" : "") + "\">" + u64(r.elements_flushed) +
           "</td>";
    } else {
      s += "<td class=\"n muted\" data-v=\"-1\">&mdash;</td><td class=\"n muted\" data-v=\"-1\">&mdash;</td>"
           "<td class=\"n muted\" data-v=\"-1\">&mdash;</td><td class=\"n muted\" data-v=\"-1\">&mdash;</td>";
    }
  }
  s += "</tr>\n";
  return s;
}

std::string rows_head(bool with_tensor, bool scaling_cols) {
  std::string s = "<thead><tr>";
  if (with_tensor) s += "<th>tensor</th>";
  s += "<th>format</th><th>scaling</th><th class=\"n\">ovf%</th><th class=\"n\">uflow%</th><th class=\"n\">subn%</th>"
       "<th class=\"n\">rms_rel</th><th class=\"n\">max_ulp</th><th class=\"n\">SQNR dB</th>";
  if (scaling_cols)
    s += "<th class=\"n\">scale</th><th class=\"n\">bits/elem</th><th class=\"n\">blocks</th>"
         "<th class=\"n\">blocks clipped</th><th class=\"n\">elems clipped</th><th class=\"n\">elems flushed</th>";
  s += "</tr></thead>\n";
  return s;
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + u64(shape[i]);
  return s + "]";
}

std::string magnitude_cell(double v) {
  if (!(v > 0) || !std::isfinite(v)) return gen(v, 6);
  return gen(v, 6) + " <span class=\"muted\">(binade " + std::to_string(std::ilogb(v)) + ")</span>";
}

std::string onoff(bool b) { return b ? "on" : "off"; }

}  // namespace

std::string html_escape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:  // control characters (from untrusted names) read as U+FFFD
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
          out += "\uFFFD";
        else
          out += c;
    }
  }
  return out;
}

std::string audit_html(const std::vector<TensorAudit>& tensors, const audit::AuditConfig& cfg,
                       const std::vector<FileError>& errors) {
  std::vector<Window> windows;
  for (const FormatSpec& f : cfg.formats) windows.push_back(window_of(f));
  const bool ftz = cfg.options.subnormals.ftz;
  std::size_t row_count = 0;
  for (const auto& t : tensors) row_count += t.rows.size();

  std::string h;
  h.reserve(64 * 1024);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<title>fpaudit report</title>\n<style>";
  h += kStyle;
  h += "</style>\n</head>\n<body>\n";

  // ---- header: the run's configuration and file errors ----
  h += "<header id=\"top\">\n<h1>fpaudit audit report</h1>\n";
  h += "<p class=\"meta\">fpaudit 0.1.0 &middot; schema " + html_escape(kAuditSchema) + " &middot; " +
       std::to_string(tensors.size()) + (tensors.size() == 1 ? " tensor" : " tensors") + " &middot; " +
       std::to_string(row_count) + " result rows" +
       (errors.empty()
            ? std::string()
            : " &middot; " + std::to_string(errors.size()) + (errors.size() == 1 ? " file error" : " file errors")) +
       "</p>\n";
  h += "<table class=\"kv\"><tbody>\n";
  {
    std::string fm;
    for (std::size_t i = 0; i < cfg.formats.size(); ++i)
      fm += (i ? ", " : "") + std::string("<code>") + html_escape(cfg.formats[i].name) + "</code>";
    h += "<tr><th>formats</th><td>" + (fm.empty() ? std::string("<span class=\"muted\">none</span>") : fm) +
         "</td></tr>\n";
  }
  h += "<tr><th>rounding</th><td>" + html_escape(to_string(cfg.options.rounding));
  if (cfg.options.rounding == Rounding::sr)
    h += " (seed " + std::to_string(cfg.options.seed) + ", " + std::to_string(cfg.options.sr_bits) + " random bits)";
  h += "</td></tr>\n";
  h += "<tr><th>overflow policy</th><td>" + html_escape(to_string(cfg.options.overflow)) + "</td></tr>\n";
  h += "<tr><th>subnormals</th><td>" + html_escape(to_string(cfg.options.subnormals)) + "</td></tr>\n";
  h += std::string("<tr><th>tininess</th><td>") +
       (cfg.options.tininess == Tininess::after_rounding ? "after rounding" : "before rounding") + "</td></tr>\n";
  h += "<tr><th>per-tensor scaling</th><td>" + onoff(cfg.per_tensor_scaling) +
       " (amax, amax_pow2; 8-bit formats)</td></tr>\n";
  h += "<tr><th>block scaling</th><td>" + onoff(cfg.mx);
  if (cfg.mx) {
    h += " (MX rules: ";
    for (std::size_t i = 0; i < cfg.mx_rules.size(); ++i) h += (i ? ", " : "") + html_escape(cfg.mx_rules[i]);
    h += "; element rounding " + html_escape(to_string(cfg.mx_element_rounding)) + "; NVFP4)";
  }
  h += "</td></tr>\n";
  h += "<tr><th>loss-scale sweep</th><td>" + pow2_html(cfg.loss_scale_min_log2) + " &hellip; " +
       pow2_html(cfg.loss_scale_max_log2) + ", headroom " + std::to_string(cfg.headroom_binades) +
       " binade(s) (gradient tensors)</td></tr>\n";
  if (cfg.recommend)
    h += "<tr><th>recommendation budget</th><td>rms relative error &le; " + gen(cfg.recommend->max_rel_rms, 6) +
         ", overflow fraction &le; " + gen(cfg.recommend->max_overflow, 6) + ", underflow fraction &le; " +
         gen(cfg.recommend->max_underflow_frac, 6) + "</td></tr>\n";
  h += "</tbody></table>\n";
  if (!errors.empty()) {
    h += "<div class=\"errors\"><h2>File errors (" + std::to_string(errors.size()) + ")</h2><ul>\n";
    for (const FileError& e : errors)
      h += "<li><code>" + html_escape(e.file) + "</code>: " + html_escape(e.message) + "</li>\n";
    h += "</ul></div>\n";
  }
  h += "</header>\n";

  // ---- summary ----
  const auto order = riskiest_first(tensors);
  std::size_t plain = 0, scaled = 0;
  for (const auto& [ti, ri] : order) (tensors[ti].rows[ri].scaling == "none" ? plain : scaled)++;
  h += "<h2 id=\"summary\">Summary</h2>\n";
  h += "<p class=\"legend-note\">Riskiest first (overflow, then underflow, then rms relative error). "
       "ovf% of all elements; uflow% and subn% of nonzero finite elements. "
       "<span class=\"noprint\">Click a column header to sort.</span></p>\n";
  h += "<div class=\"scroll\"><table class=\"sortable rows\" id=\"summary-plain\">" + rows_head(true, false) +
       "<tbody>\n";
  for (const auto& [ti, ri] : order)
    if (tensors[ti].rows[ri].scaling == "none") h += row_cells(tensors[ti], ti, tensors[ti].rows[ri], true, false);
  h += "</tbody></table></div>\n";
  if (plain == 0) h += "<p class=\"muted\">No plain conversions.</p>\n";
  if (scaled) {
    // Which kinds of scaling the rows hold, in a fixed order.
    std::string kinds;
    for (const char* kind : {"amax", "amax_pow2", "mx", "nvfp4"}) {
      bool present = false;
      for (const auto& t : tensors)
        for (const ResultRow& r : t.rows) present = present || r.scaling == kind;
      if (!present) continue;
      if (!kinds.empty()) kinds += ", ";
      kinds += std::string(kind) == "mx" ? "MX per scale rule" : std::string(kind);
    }
    for (const auto& t : tensors)  // any other (future) scaling names
      for (const ResultRow& r : t.rows)
        if (r.scaling != "none" && r.scaling != "amax" && r.scaling != "amax_pow2" && r.scaling != "mx" &&
            r.scaling != "nvfp4" && kinds.find(html_escape(r.scaling)) == std::string::npos)
          kinds += (kinds.empty() ? "" : ", ") + html_escape(r.scaling);
    h += "<details id=\"summary-scaled\"><summary>Scaling rows (" + std::to_string(scaled) + "): " + kinds +
         ", with block clipping and flushing</summary>\n";
    h += "<div class=\"scroll\"><table class=\"sortable rows\">" + rows_head(true, true) + "<tbody>\n";
    for (const auto& [ti, ri] : order)
      if (tensors[ti].rows[ri].scaling != "none") h += row_cells(tensors[ti], ti, tensors[ti].rows[ri], true, true);
    h += "</tbody></table></div>\n</details>\n";
  }

  // ---- per tensor ----
  for (std::size_t ti = 0; ti < tensors.size(); ++ti) {
    const TensorAudit& t = tensors[ti];
    h += "<section class=\"tensor\" id=\"" + anchor(ti) + "\">\n";
    h += "<h2><span class=\"idx\">#" + std::to_string(ti + 1) + "</span><span class=\"name\">" +
         html_escape(t.meta.name) + "</span><a class=\"top\" href=\"#summary\">&uarr; summary</a></h2>\n";
    h += "<table class=\"kv\"><tbody>\n";
    h += "<tr><th>file</th><td class=\"mono\">" + html_escape(t.meta.file) + "</td></tr>\n";
    h += "<tr><th>dtype / shape</th><td><code>" + html_escape(t.meta.dtype) + "</code> " + shape_text(t.meta.shape) +
         "</td></tr>\n";
    h += "<tr><th>role</th><td>" + html_escape(to_string(t.role)) + "</td></tr>\n";
    h += "<tr><th>elements</th><td>" + u64(t.range.count) + " (zero " + u64(t.range.zero) + ", NaN " +
         u64(t.range.nan) + ", inf " + u64(t.range.inf) + ")</td></tr>\n";
    h += "<tr><th>amax</th><td>" + magnitude_cell(t.range.amax) + "</td></tr>\n";
    h += "<tr><th>min nonzero</th><td>" + magnitude_cell(t.range.min_nonzero) + "</td></tr>\n";
    if (t.range.amax > 0 && t.range.min_nonzero > 0 && std::isfinite(t.range.amax))
      h += "<tr><th>dynamic range</th><td>" +
           std::to_string(std::ilogb(t.range.amax) - std::ilogb(t.range.min_nonzero) + 1) + " binades</td></tr>\n";
    h += "</tbody></table>\n";

    if (t.recommendation) {
      const auto& r = *t.recommendation;
      if (r.met) {
        h += "<div class=\"rec\"><strong>Recommendation:</strong> <code>" + html_escape(r.format) +
             "</code>, scaling " + html_escape(r.scaling) +
             (r.scale_rule.empty() ? std::string() : " (rule " + html_escape(r.scale_rule) + ")") + ", " +
             gen(r.bits_per_element, 4) + " bits/element &mdash; " + html_escape(r.reason) + "</div>\n";
      } else {
        h += "<div class=\"rec unmet\"><strong>Recommendation:</strong> " + html_escape(r.reason) + "</div>\n";
      }
    }

    h += "<h3>Magnitude histogram and format windows</h3>\n";
    h += histogram_svg(t, windows, ftz);
    if (!windows.empty()) h += windows_table(t, windows, ftz);

    if (t.loss_scale) {
      const LossScaleSweep& sw = *t.loss_scale;
      h += "<h3>Loss-scale sweep</h3>\n";
      h +=
          "<p class=\"legend-note\">Fractions of nonzero finite elements that underflow to zero, land subnormal, or "
          "overflow after multiplying by 2<sup>k</sup> (round to nearest). Recommended static scale: the largest scale "
          "without overflow less " +
          std::to_string(cfg.headroom_binades) + " binade(s) of headroom.</p>\n";
      h += sweep_svg(t, sw);
      h += sweep_table(sw);
      if (sw.dynamic_settle_log2)
        h += "<p>Dynamic loss scaler (binary16; start 2<sup>16</sup>, &times;2 after 2000 clean steps, &divide;2 on "
             "overflow) settles at " +
             pow2_html(*sw.dynamic_settle_log2) + " after " + u64(sw.dynamic_steps_to_settle) + " steps.</p>\n";
      else
        h += "<p class=\"muted\">Dynamic loss scaler: no settle point (overflows at every scale, or no nonzero "
             "values).</p>\n";
    }

    if (!t.rows.empty()) {
      h += "<details><summary>All " + std::to_string(t.rows.size()) + " results for this tensor</summary>\n";
      h += "<div class=\"scroll\"><table class=\"sortable rows\">" + rows_head(false, true) + "<tbody>\n";
      for (const ResultRow& r : t.rows) h += row_cells(t, ti, r, false, true);
      h += "</tbody></table></div>\n</details>\n";
    }
    h += "</section>\n";
  }
  if (tensors.empty()) h += "<p class=\"muted\">No tensors were audited.</p>\n";

  h += "<script>";
  h += kScript;
  h += "</script>\n</body>\n</html>\n";
  return h;
}

}  // namespace fpaudit::report
