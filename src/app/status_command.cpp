#include "bparb/app/status_command.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bparb/app/cli.hpp"
#include "bparb/app/config.hpp"
#include "bparb/core/money.hpp"
#include "bparb/net/http_client.hpp"
#include "bparb/net/url.hpp"

namespace bparb::app {
namespace {

using simdjson::dom::element;

}  // namespace

// The daemon's own HTTP client (net/http_client) rather than a second Beast client here: one GET, one
// connection, the request's deadline covering connect, write and read.
std::optional<HttpAnswer> http_get(const net::Url& url, const std::string& target, std::chrono::milliseconds timeout,
                                   std::string& why) {
  boost::asio::io_context io;
  net::HttpClientOptions opts;
  opts.base_url = fmt::format("{}://{}", url.tls() ? "https" : "http", url.host_header());
  // The operator named this address (`--url`, or the config's [service] address): the daemon's surface is
  // plain HTTP, on loopback by default but reachable on another host when bound there.
  opts.security.allow_insecure_http = true;
  opts.max_connections = 1;
  opts.user_agent = "bparb-status";
  std::optional<HttpAnswer> out;
  try {
    net::HttpClient client(io, std::move(opts));
    net::HttpRequest req;
    req.target = target;
    req.timeout_us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    client.request(std::move(req), [&](net::HttpResult& r) {
      if (r.ok()) {
        out = HttpAnswer{r.response.status, std::move(r.response.body)};
      } else {
        why = r.error_message;
      }
      io.stop();
    });
    io.run();
  } catch (const std::invalid_argument& e) {
    why = e.what();
  }
  return out;
}

namespace {

std::string str_of(element e, const char* k) {
  std::string_view v;
  if (e[k].get_string().get(v)) return {};
  return std::string(v);
}
std::int64_t int_of(element e, const char* k) {
  std::int64_t v = 0;
  if (e[k].get_int64().get(v)) return 0;
  return v;
}
bool bool_of(element e, const char* k) {
  bool v = false;
  if (e[k].get_bool().get(v)) return false;
  return v;
}
Decimal dec_of(element e, const char* k) {
  Decimal d;
  if (Decimal::parse(str_of(e, k), d) != DecimalParseError::kOk) return Decimal::zero();
  return d;
}
// An exact decimal string rounded to cents for the terminal ("-0.6515145" -> "-0.65").
std::string cents(element e, const char* k) {
  return format_usd(dec_of(e, k));
}
// "spread 2.53 fees -1.35 funding 0.00 net 1.18": fees as what they add to the P&L, and cents that add up to
// the printed net (docs/money.md).
std::string split_line(element e) {
  const std::array<Decimal, 3> parts = {dec_of(e, "spread"), Decimal::zero() - dec_of(e, "fees"), dec_of(e, "funding")};
  std::array<std::int64_t, 3> c{};
  const std::int64_t net = split_cents(parts, c);
  return fmt::format("spread {} fees {} funding {} net {}", format_cents(c[0]), format_cents(c[1]), format_cents(c[2]),
                     format_cents(net));
}
std::string age_text(const std::string& seconds) {
  if (seconds.empty()) return "-";
  const std::size_t dot = seconds.find('.');
  return (dot == std::string::npos ? seconds : seconds.substr(0, dot + 2)) + " s";
}

// "0.049500" (seconds) -> "49.5 ms".
std::string ms_text(const std::string& seconds) {
  Decimal d;
  if (Decimal::parse(seconds, d) != DecimalParseError::kOk) return "-";
  return d.mul(Decimal::from_int(1000), Rounding::kNearest).str() + " ms";
}
// A latency summary of the status ({"count", "p50_s", "p90_s", "p99_s"}): "p50 4.2 ms p90 9 ms p99 12 ms (n=31)".
std::string latency_text(element e) {
  const std::int64_t n = int_of(e, "count");
  if (n == 0) return "no sample yet";
  return fmt::format("p50 {} p90 {} p99 {} (n={})", ms_text(str_of(e, "p50_s")), ms_text(str_of(e, "p90_s")),
                     ms_text(str_of(e, "p99_s")), n);
}

// The venue's second line: its stream's last frame, the account's margin, the REST back-off and the order
// path's latencies (each part only where the status has it).
void print_venue_detail(std::ostream& out, element v) {
  std::vector<std::string> parts;
  const std::string last = str_of(v, "last_message_age_seconds");
  if (!last.empty()) parts.push_back("last frame " + age_text(last) + " ago");
  if (!str_of(v, "margin_available").empty() || !str_of(v, "margin_used").empty())
    parts.push_back(
        fmt::format("margin available {} used {} USD", cents(v, "margin_available"), cents(v, "margin_used")));
  element rest;
  if (!v["rest"].get(rest) && rest.is_object())
    parts.push_back(fmt::format("REST 429s {}, back-offs {}{}", int_of(rest, "http_429"), int_of(rest, "backoffs"),
                                bool_of(rest, "backing_off") ? " (BACKING OFF: polls and queries held)" : ""));
  if (!parts.empty()) {
    out << "            ";
    for (std::size_t i = 0; i < parts.size(); ++i) out << (i ? ", " : "") << parts[i];
    out << "\n";
  }
  element lat, ack, tick;
  if (!v["latency"].get(lat) && !lat["order_ack"].get(ack) && !lat["tick_to_order"].get(tick))
    out << fmt::format("            order ack {}; tick-to-order {}\n", latency_text(ack), latency_text(tick));
}

// One market of the market maker ("market_maker" of the status; docs/service.md "The market maker").
std::string mm_pnl_text(element pnl) {
  static constexpr std::array<const char*, 6> kParts = {"spread_capture", "adverse_selection", "inventory",
                                                        "fees",           "funding",           "hedge_cost"};
  std::array<Decimal, 6> parts{};
  for (std::size_t i = 0; i < kParts.size(); ++i) parts[i] = dec_of(pnl, kParts[i]);
  std::array<std::int64_t, 6> c{};
  const std::int64_t total = split_cents(parts, c);
  return fmt::format("spread capture {} adverse {} inventory {} fees {} funding {} hedges {} = {} USD",
                     format_cents(c[0]), format_cents(c[1]), format_cents(c[2]), format_cents(c[3]), format_cents(c[4]),
                     format_cents(c[5]), format_cents(total));
}

void print_market_maker(std::ostream& out, element mm) {
  out << "Market maker:\n";
  simdjson::dom::array markets;
  if (!mm["markets"].get_array().get(markets))
    for (element m : markets) {
      std::string quote;
      element q;
      if (!m["quote"].get(q) && q.is_object())
        quote = fmt::format("quote {} {} {} @ {}{}", str_of(q, "state"), str_of(q, "side"), str_of(q, "quantity"),
                            str_of(q, "price"), bool_of(q, "at_touch") ? " (at touch)" : "");
      else
        quote = "no quote (" + str_of(m, "idle_reason") + ")";
      element fills, pnl, breaker;
      std::string fills_text, pnl_text, breaker_text;
      if (!m["fills"].get(fills))
        fills_text = fmt::format("fills {} quote / {} hedge", int_of(fills, "quote"), int_of(fills, "hedge"));
      if (!m["pnl"].get(pnl)) pnl_text = mm_pnl_text(pnl);
      if (!m["breaker"].get(breaker))
        breaker_text = fmt::format("breaker {} ({} trips)", str_of(breaker, "state"), int_of(breaker, "trips"));
      out << fmt::format("  {} side {}, {}\n", str_of(m, "symbol"), str_of(m, "side"), quote);
      out << fmt::format("      volume {} USD, {}, position {} (cap {}), {}\n", cents(m, "maker_volume_usd"),
                         fills_text, str_of(m, "position"), str_of(m, "inventory_cap"), breaker_text);
      out << fmt::format("      P&L {}, net per 1 M of volume {} USD\n", pnl_text, cents(m, "net_per_million_usd"));
    }
  element total, fills, pnl;
  if (!mm["total"].get(total) && !total["fills"].get(fills) && !total["pnl"].get(pnl))
    out << fmt::format("  total: volume {} USD, fills {} quote / {} hedge, P&L {}, net per 1 M {} USD\n",
                       cents(total, "maker_volume_usd"), int_of(fills, "quote"), int_of(fills, "hedge"),
                       mm_pnl_text(pnl), cents(total, "net_per_million_usd"));
}

std::string trimmed(const std::string& s) {
  std::string t = s;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

}  // namespace

bool status_ready(std::string_view status) {
  simdjson::dom::parser p;
  element doc;
  if (p.parse(status.data(), status.size()).get(doc)) return false;
  return bool_of(doc, "ready");
}

std::string status_json(const StatusDocuments& d, std::string_view url) {
  std::string o = "{\"url\":\"" + std::string(url) + "\",\"status\":" + trimmed(d.status);
  o += ",\"positions\":" + (d.positions.empty() ? std::string("null") : trimmed(d.positions));
  o += ",\"orders\":" + (d.orders.empty() ? std::string("null") : trimmed(d.orders));
  o += ",\"pnl\":" + (d.pnl.empty() ? std::string("null") : trimmed(d.pnl));
  o += "}\n";
  return o;
}

bool print_status_text(std::ostream& out, const StatusDocuments& d, std::string_view url, std::string& why) {
  simdjson::dom::parser ps, pp, po;
  element st;
  if (ps.parse(d.status).get(st) || !st.is_object() || str_of(st, "version").empty()) {
    why = "the answer is not bparb's status document";
    return false;
  }
  out << fmt::format("bparb {} ({}) at {}, up {}\n", str_of(st, "version"), str_of(st, "mode"), url,
                     age_text(str_of(st, "uptime_seconds")));
  const bool ready = bool_of(st, "ready");
  out << fmt::format("Ready: {} | trading state {} (reason {}){}\n", ready ? "yes" : "NO", str_of(st, "trading_state"),
                     str_of(st, "state_reason"), bool_of(st, "trading") ? "" : " | not trading yet");
  simdjson::dom::array reasons;
  if (!st["not_ready_reasons"].get_array().get(reasons))
    for (element r : reasons) {
      std::string_view s;
      if (!r.get_string().get(s)) out << "  - " << s << "\n";
    }
  out << "Venues:\n";
  simdjson::dom::array venues;
  if (!st["venues"].get_array().get(venues))
    for (element v : venues) {
      std::size_t books = 0, valid = 0;
      std::string oldest;
      simdjson::dom::array bs;
      if (!v["books"].get_array().get(bs))
        for (element b : bs) {
          ++books;
          valid += bool_of(b, "valid") ? 1 : 0;
          const std::string age = str_of(b, "age_seconds");
          if (!age.empty() && (oldest.empty() || Decimal::from_string(age) > Decimal::from_string(oldest)))
            oldest = age;
        }
      out << fmt::format(
          "  {:<9} stream {}, books {}/{} synced (oldest update {} ago), reconnects {}, resyncs {}, "
          "gaps {}\n",
          str_of(v, "name"), bool_of(v, "stream_connected") ? "connected" : "DOWN", valid, books, age_text(oldest),
          int_of(v, "reconnects"), int_of(v, "book_resyncs"), int_of(v, "book_gaps"));
      print_venue_detail(out, v);
    }
  element journal_write;
  if (!st["journal_write"].get(journal_write) && journal_write.is_object())
    out << "Journal writes: " << latency_text(journal_write) << "\n";
  out << "Positions:\n";
  element pos;
  simdjson::dom::array plist;
  std::size_t shown = 0;
  if (!d.positions.empty() && !pp.parse(d.positions).get(pos) && !pos["positions"].get_array().get(plist)) {
    for (element p : plist) {
      ++shown;
      std::string legs;
      simdjson::dom::array ls;
      if (!p["legs"].get_array().get(ls))
        for (element l : ls)
          legs += fmt::format("{}{} {} @ {}", legs.empty() ? " | " : ", ", str_of(l, "symbol"), str_of(l, "quantity"),
                              str_of(l, "average_price"));
      element realized;
      const std::string pnl = p["realized"].get(realized) ? std::string() : split_line(realized);
      out << fmt::format("  #{} {} {}{} | realized {}\n", int_of(p, "id"), str_of(p, "pair"), str_of(p, "phase"), legs,
                         pnl);
    }
    simdjson::dom::array ex;
    if (!pos["exposure"].get_array().get(ex))
      for (element e : ex) {
        const std::string net = str_of(e, "net");
        if (net == "0") continue;
        const std::string usd = str_of(e, "net_usd");
        out << fmt::format("  net exposure {} {}{}\n", net, str_of(e, "coin"),
                           usd.empty() ? std::string() : " (" + cents(e, "net_usd") + " USD)");
      }
  }
  if (shown == 0) out << "  none\n";
  out << "Open orders:\n";
  element ord;
  simdjson::dom::array olist;
  shown = 0;
  if (!d.orders.empty() && !po.parse(d.orders).get(ord) && !ord["orders"].get_array().get(olist)) {
    for (element o : olist) {
      if (shown++ == 0)
        out << fmt::format("  {:>10} {:<14} {:<4} {:>14} {:>12} {:>12} {:<8} {:<15} {}\n", "client id", "symbol",
                           "side", "price", "quantity", "filled", "purpose", "state", "age");
      std::uint64_t id = 0;
      if (o["client_id"].get_uint64().get(id)) id = 0;
      out << fmt::format("  {:>10} {:<14} {:<4} {:>14} {:>12} {:>12} {:<8} {:<15} {}\n", id, str_of(o, "symbol"),
                         str_of(o, "side"), str_of(o, "price"), str_of(o, "quantity"), str_of(o, "filled"),
                         str_of(o, "purpose"), str_of(o, "state"), age_text(str_of(o, "age_seconds")));
    }
  }
  if (shown == 0) out << fmt::format("  none\n");
  element mm;
  if (!st["market_maker"].get(mm) && mm.is_object()) print_market_maker(out, mm);
  element today, run;
  if (!st["pnl_today"].get(today)) out << "P&L today (UTC): " << split_line(today) << " USD\n";
  if (!st["pnl_run"].get(run)) out << "P&L this run:    " << split_line(run) << " USD\n";
  simdjson::dom::parser pj;
  element pnl, total;
  if (!d.pnl.empty() && !pj.parse(d.pnl).get(pnl) && !pnl["total"].get(total) && total.is_object())
    out << "P&L total:       " << split_line(total) << " USD (journal, every run)\n";
  element orders;
  if (!st["orders"].get(orders))
    out << fmt::format("Orders: sent {}, rejected {}, cancelled {}, fills {}\n", int_of(orders, "sent"),
                       int_of(orders, "rejected"), int_of(orders, "cancelled"), int_of(orders, "fills"));
  element refusal;
  if (!st["last_refusal"].get(refusal) && refusal.is_object()) {
    const std::int64_t at = int_of(refusal, "at_us"), now = int_of(st, "snapshot_at_us");
    out << fmt::format("Last refusal: {} {} leg: rule={} limit={} value={} ({} ago)\n", str_of(refusal, "pair"),
                       str_of(refusal, "leg"), str_of(refusal, "rule"), str_of(refusal, "limit"),
                       str_of(refusal, "value"),
                       age_text(fmt::format("{}.{:06d}", (now - at) / 1'000'000, (now - at) % 1'000'000)));
  } else {
    out << "Last refusal: none\n";
  }
  element last_error;
  if (!st["last_error"].get(last_error) && last_error.is_object()) {
    const std::int64_t at = int_of(last_error, "time_us"), now = int_of(st, "snapshot_at_us");
    out << fmt::format("Last error ({} ago): {}\n",
                       age_text(fmt::format("{}.{:06d}", (now - at) / 1'000'000, (now - at) % 1'000'000)),
                       str_of(last_error, "text"));
  }
  return true;
}

int cmd_status(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  constexpr std::string_view kUsage =
      "Usage: bparb status [--json] [--url URL | --config FILE]\n"
      "  ask the running daemon (its [service] endpoint; default --config config/bparb.toml) for its status,\n"
      "  positions and open orders. Exit 0 ready, 1 unreachable, 2 bad usage/config, 3 not ready.\n";
  bool json = false;
  std::string url_text, config_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return kExitOk;
    }
    if (a == "--json") {
      json = true;
    } else if ((a == "--url" || a == "--config") && i + 1 < args.size()) {
      (a == "--url" ? url_text : config_path) = args[++i];
    } else {
      err << "bparb status: " << (a == "--url" || a == "--config" ? "missing value for " : "unknown option ") << "'"
          << a << "'\n"
          << kUsage;
      return kExitUsage;
    }
  }
  if (!url_text.empty() && !config_path.empty()) {
    err << "bparb status: give --url or --config, not both\n" << kUsage;
    return kExitUsage;
  }
  if (url_text.empty()) {
    if (config_path.empty()) config_path = "config/bparb.toml";
    Config cfg;
    try {
      cfg = load_config(config_path);
    } catch (const ConfigError& e) {
      err << e.what() << "\n";
      return kExitUsage;
    }
    if (!cfg.service.enabled) {
      err << "bparb status: " << config_path
          << ": service.enabled is false, so the daemon serves no status; set [service] enabled = true "
             "(docs/service.md) and restart it\n";
      return kExitFailure;
    }
    // A wildcard bind is reached on loopback.
    std::string host = cfg.service.address;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    url_text =
        fmt::format("http://{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, cfg.service.port);
  }
  auto url = net::parse_url(url_text);
  if (!url || url->tls()) {
    err << "bparb status: --url " << url_text << ": "
        << (url ? "https is not served; allowed: http://HOST:PORT" : url.error()) << "\n";
    return kExitUsage;
  }
  const std::string base = fmt::format("http://{}", url->host_header());
  const auto timeout = std::chrono::milliseconds(3000);
  std::string why;
  auto status = http_get(*url, "/api/v1/status", timeout, why);
  if (!status) {
    err << "bparb status: cannot reach the daemon at " << base << ": " << why
        << " (is it running with [service] enabled = true on this port?)\n";
    return kExitFailure;
  }
  if (status->status != 200) {
    err << "bparb status: " << base << "/api/v1/status answered HTTP " << status->status << ": "
        << trimmed(status->body) << "\n";
    return status->status == 503 ? kExitNotReady : kExitFailure;
  }
  StatusDocuments docs;
  docs.status = std::move(status->body);
  for (auto [target, into] : {std::pair{"/api/v1/positions", &docs.positions},
                              std::pair{"/api/v1/orders", &docs.orders}, std::pair{"/api/v1/pnl", &docs.pnl}}) {
    auto r = http_get(*url, target, timeout, why);
    if (r && r->status == 200) *into = std::move(r->body);
  }
  if (json) {
    simdjson::dom::parser p;
    element doc;
    if (p.parse(docs.status).get(doc)) {
      err << "bparb status: " << base << "/api/v1/status: the answer is not JSON\n";
      return kExitFailure;
    }
    out << status_json(docs, base);
  } else if (!print_status_text(out, docs, base, why)) {
    err << "bparb status: " << base << ": " << why << "\n";
    return kExitFailure;
  }
  return status_ready(docs.status) ? kExitOk : kExitNotReady;
}

}  // namespace bparb::app
