#pragma once
// The drawing kit of report.html (report_html.cpp) and its market-maker section (report_mm.cpp): plot
// geometry, an SVG writer printing coordinates to 0.1 px, number and time labels, table cells. Private to
// src/backtest/report*.cpp.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/backtest/report.hpp"

// GCC 12 at -O3 reports a false -Wrestrict inside libstdc++ for `"literal" + std::string&&` (GCC bug
// 105651); the report code builds markup that way throughout, and it has no raw memory copies of its own.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

namespace bparb::backtest::report_svg {

using report_detail::downsample;
using report_detail::format_fixed;
using report_detail::format_utc;
using report_detail::html_escape;
using report_detail::nice_ticks;
using report_detail::nice_time_ticks;
using report_detail::XY;

// Above this many points a line is down-sampled (min/max per bucket), so the page stays light.
constexpr std::size_t kMaxLinePoints = 2000;
// Entry/exit markers per basis chart; beyond this every k-th trade is drawn (the table lists all).
constexpr std::size_t kMaxMarkers = 1000;
constexpr int kHistogramBins = 40;
// Legends sit in the top margin (Plot::top = kLegendTop), never over the data.
constexpr double kLegendY = 13;
constexpr double kLegendTop = 28;

constexpr const char* kPerpColor = "#1f77b4";
constexpr const char* kSpotColor = "#e6550d";
constexpr const char* kEquityColor = "#2c3e50";
constexpr const char* kDrawdownColor = "#d62728";
constexpr const char* kPositiveColor = "#2ca02c";
constexpr const char* kNegativeColor = "#d62728";
constexpr const char* kNetColor = "#3b5b92";

inline std::string px(double v) {
  return format_fixed(v, 1);
}

inline std::string bps(double v) {
  return std::isfinite(v) ? format_fixed(v, 2) : "–";
}

inline std::string seconds_text(double s) {
  if (!std::isfinite(s)) return "–";
  if (s < 120) return format_fixed(s, 1) + " s";
  if (s < 7200) return format_fixed(s / 60, 1) + " min";
  if (s < 172800) return format_fixed(s / 3600, 1) + " h";
  return format_fixed(s / 86400, 1) + " d";
}

inline std::string pct(double fraction) {
  return format_fixed(100 * fraction, 1) + "%";
}

// Label decimals for a tick step: 0.5 -> 1, 2 -> 0, 0.05 -> 2.
inline int step_decimals(double step) {
  if (!(step > 0) || !std::isfinite(step)) return 0;
  return std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 9);
}

inline std::string date_of(TimestampUs t) {
  return format_utc(t).substr(0, 10);
}

inline std::string time_label(TimestampUs t, DurationUs step) {
  const std::string full = format_utc(t);  // "YYYY-MM-DD HH:MM:SS"
  if (step >= kUsPerDay) return full.substr(0, 10);
  if (step >= 60 * kUsPerSecond) return full.substr(11, 5);
  if (step >= kUsPerSecond) return full.substr(11, 8);
  std::int64_t ms = (t / kUsPerMs) % 1000;
  if (ms < 0) ms += 1000;
  std::string s = full.substr(11, 8) + ".";
  s += static_cast<char>('0' + ms / 100);
  s += static_cast<char>('0' + ms / 10 % 10);
  s += static_cast<char>('0' + ms % 10);
  return s;
}

// Plot geometry: a fixed-size viewBox with margins for the axes; data ranges mapped linearly.
struct Plot {
  double width = 960, height = 280;
  double left = 76, right = 20, top = 18, bottom = 46;
  double xlo = 0, xhi = 1, ylo = 0, yhi = 1;

  double x0() const { return left; }
  double x1() const { return width - right; }
  double y0() const { return height - bottom; }  // bottom edge in pixels
  double y1() const { return top; }
  double sx(double x) const { return xhi > xlo ? x0() + (x - xlo) / (xhi - xlo) * (x1() - x0()) : (x0() + x1()) / 2; }
  double sy(double y) const { return yhi > ylo ? y0() - (y - ylo) / (yhi - ylo) * (y0() - y1()) : (y0() + y1()) / 2; }
};

class Svg {
 public:
  Svg(const Plot& p, std::string_view label) : p_(p) {
    out_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " + px(p.width) + " " +
            px(p.height) + "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">\n";
  }
  std::string finish() {
    out_ += "</svg>\n";
    return std::move(out_);
  }
  void raw(std::string_view s) { out_ += s; }

  void line(double xa, double ya, double xb, double yb, std::string_view cls) {
    out_ += "<line x1=\"" + px(xa) + "\" y1=\"" + px(ya) + "\" x2=\"" + px(xb) + "\" y2=\"" + px(yb) + "\" class=\"" +
            std::string(cls) + "\"/>\n";
  }
  void text(double x, double y, std::string_view s, std::string_view anchor, std::string_view cls = "") {
    out_ += "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"" + std::string(anchor) + "\"";
    if (!cls.empty()) out_ += " class=\"" + std::string(cls) + "\"";
    out_ += ">" + html_escape(s) + "</text>\n";
  }
  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view title = "") {
    out_ += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(std::max(w, 0.0)) + "\" height=\"" +
            px(std::max(h, 0.0)) + "\" fill=\"" + std::string(fill) + "\"";
    if (title.empty()) {
      out_ += "/>\n";
    } else {
      out_ += "><title>" + html_escape(title) + "</title></rect>\n";
    }
  }

  // A data series as a polyline (or a dot when it has one point).
  void series(const std::vector<XY>& pts, std::string_view color, std::string_view extra = "") {
    if (pts.empty()) return;
    if (pts.size() == 1) {
      out_ += "<circle cx=\"" + px(p_.sx(pts[0].x)) + "\" cy=\"" + px(p_.sy(pts[0].y)) + "\" r=\"3\" fill=\"" +
              std::string(color) + "\"/>\n";
      return;
    }
    out_ += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"1.5\"";
    if (!extra.empty()) out_ += " " + std::string(extra);
    out_ += " points=\"";
    append_points(pts);
    out_ += "\"/>\n";
  }

  void polygon(const std::vector<XY>& pts, std::string_view fill, std::string_view opacity) {
    if (pts.size() < 3) return;
    out_ += "<polygon fill=\"" + std::string(fill) + "\" fill-opacity=\"" + std::string(opacity) + "\" points=\"";
    append_points(pts);
    out_ += "\"/>\n";
  }

  // ▲ (up) or ▼ (down) centred on a data point, with a hover title.
  void marker(double x, double y, bool up, std::string_view fill, std::string_view title) {
    const double cx = p_.sx(x), cy = p_.sy(y);
    const double tip = up ? cy - 6 : cy + 6, base = up ? cy + 4 : cy - 4;
    out_ += "<polygon class=\"mk\" fill=\"" + std::string(fill) + "\" points=\"" + px(cx) + "," + px(tip) + " " +
            px(cx - 5) + "," + px(base) + " " + px(cx + 5) + "," + px(base) + "\"><title>" + html_escape(title) +
            "</title></polygon>\n";
  }

  void y_axis(const report_detail::Ticks& t, std::string_view title) {
    const int dec = step_decimals(t.step);
    for (double v : t.values) {
      const double y = p_.sy(v);
      line(p_.x0(), y, p_.x1(), y, v == 0 ? "zero" : "grid");
      text(p_.x0() - 6, y + 4, format_fixed(v, dec), "end");
    }
    const double mid = (p_.y0() + p_.y1()) / 2;
    out_ += "<text x=\"14\" y=\"" + px(mid) + "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " + px(mid) +
            ")\" class=\"axis-title\">" + html_escape(title) + "</text>\n";
  }

  void x_value_axis(const report_detail::Ticks& t, std::string_view title) {
    const int dec = step_decimals(t.step);
    for (double v : t.values) {
      const double x = p_.sx(v);
      line(x, p_.y0(), x, p_.y0() + 4, "tick");
      text(x, p_.y0() + 17, format_fixed(v, dec), "middle");
    }
    text((p_.x0() + p_.x1()) / 2, p_.height - 6, title, "middle", "axis-title");
  }

  // UTC time axis; the date is printed under the first tick and wherever the day changes.
  void time_axis(TimestampUs lo, TimestampUs hi) {
    const report_detail::TimeTicks t = nice_time_ticks(lo, hi, 7);
    std::string last_date;
    for (TimestampUs v : t.values) {
      const double x = p_.sx(static_cast<double>(v));
      line(x, p_.y1(), x, p_.y0(), "grid");
      text(x, p_.y0() + 16, time_label(v, t.step), "middle");
      const std::string d = date_of(v);
      if (t.step < kUsPerDay && d != last_date) text(x, p_.y0() + 30, d, "middle", "date");
      last_date = d;
    }
    text(p_.x1(), p_.height - 4, "time (UTC)", "end", "axis-title");
  }

  void frame() {
    out_ += "<rect class=\"frame\" x=\"" + px(p_.x0()) + "\" y=\"" + px(p_.y1()) + "\" width=\"" +
            px(p_.x1() - p_.x0()) + "\" height=\"" + px(p_.y0() - p_.y1()) + "\"/>\n";
  }

 private:
  void append_points(const std::vector<XY>& pts) {
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (i > 0) out_ += ' ';
      out_ += px(p_.sx(pts[i].x));
      out_ += ',';
      out_ += px(p_.sy(pts[i].y));
    }
  }

  const Plot& p_;
  std::string out_;
};

inline std::string no_data(std::string_view what) {
  return "<div class=\"nodata\">no data: " + html_escape(what) + "</div>\n";
}

// Time range of a chart; a single instant is widened to a second either side so it has an axis.
inline void set_time_range(Plot& p, TimestampUs lo, TimestampUs hi) {
  if (hi <= lo) {
    lo -= kUsPerSecond;
    hi += kUsPerSecond;
  }
  p.xlo = static_cast<double>(lo);
  p.xhi = static_cast<double>(hi);
}

inline void card(std::string& out, std::string_view key, const std::string& value, const std::string& sub = "") {
  out += "<div class=\"card\"><div class=\"k\">" + html_escape(key) + "</div><div class=\"v\">" + html_escape(value) +
         "</div>";
  if (!sub.empty()) out += "<div class=\"s\">" + html_escape(sub) + "</div>";
  out += "</div>\n";
}

inline void meta_row(std::string& out, std::string_view k, const std::string& v) {
  out += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(v) + "</td></tr>\n";
}

inline std::string td(const std::string& v, bool num = false, std::string_view cls = "") {
  std::string c = num ? "num" : "";
  if (!cls.empty()) c += c.empty() ? std::string(cls) : " " + std::string(cls);
  return (c.empty() ? "<td>" : "<td class=\"" + c + "\">") + html_escape(v) + "</td>";
}

}  // namespace bparb::backtest::report_svg
