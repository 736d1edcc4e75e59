#include "bparb/sim/backpack/ws_hub.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "bparb/sim/backpack/rest_api_json.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/keys.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace bparb::sim {

namespace bp = bparb::backpack;

namespace {

constexpr int kErrInvalidRequest = 4000;
constexpr int kErrAuth = 4001;
constexpr int kErrInvalidStream = 4006;

constexpr std::string_view kOrderUpdate = "account.orderUpdate";
constexpr std::string_view kPositionUpdate = "account.positionUpdate";

bool is_private(std::string_view stream) {
  return stream.starts_with("account.");
}

// Index key of a private subscription: "<account>|<stream>".
std::string private_key(AccountId a, std::string_view stream) {
  std::string k = std::to_string(a);
  k += '|';
  k += stream;
  return k;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

void write_position_fields(JsonWriter& w, const PositionView& p, TimestampUs now, TimestampUs engine,
                           std::optional<PositionEventType> type) {
  w.begin_object();
  if (type) w.kv("e", position_event_name(*type));
  w.key("E").num_str(now).kv("s", p.symbol).kv("b", p.break_even_price).kv("B", p.entry_price);
  w.kv("f", p.imf).kv("M", p.mark_price).kv("m", p.mmf).kv("q", p.net_quantity);
  w.kv("Q", p.net_exposure_quantity).kv("n", p.net_exposure_notional);
  w.key("i").unum(p.position_id).kv("p", p.pnl_realized).kv("P", p.pnl_unrealized).kv("l", "0");
  w.key("T").num_str(engine);
  w.end_object();
}

}  // namespace

WsHub::WsHub(SimRuntime& runtime) : rt_(runtime) {
  rt_.exchange().add_listener(this);
}

WsHub::~WsHub() {
  rt_.exchange().remove_listener(this);
}

void WsHub::attach(WsConnection* c) {
  conns_.emplace(c, ConnState{});
}

void WsHub::detach(WsConnection* c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  for (const auto& stream : it->second.streams) {
    const std::string key = is_private(stream) ? private_key(it->second.account, stream) : stream;
    auto s = subscribers_.find(key);
    if (s == subscribers_.end()) continue;
    auto& v = s->second;
    v.erase(std::remove(v.begin(), v.end(), c), v.end());
    if (v.empty()) subscribers_.erase(s);
  }
  conns_.erase(it);
}

std::size_t WsHub::close_all(std::string_view reason, bool hard) {
  std::vector<WsConnection*> all;
  all.reserve(conns_.size());
  for (auto& [c, st] : conns_) all.push_back(c);
  for (WsConnection* c : all) c->close_connection(reason, hard);
  return all.size();
}

std::size_t WsHub::subscriber_count(std::string_view stream) const {
  auto it = subscribers_.find(std::string(stream));
  return it == subscribers_.end() ? 0 : it->second.size();
}

void WsHub::send_error(WsConnection* c, std::string_view id_json, int code, std::string_view message) {
  ++counters_.subscribe_errors;
  std::string f;
  JsonWriter w(f);
  w.begin_object().key("error").begin_object().key("code").num(code).kv("message", message).end_object();
  w.key("id").raw(id_json.empty() ? std::string_view("null") : id_json).end_object();
  c->send_text(std::make_shared<const std::string>(std::move(f)));
}

void WsHub::on_client_message(WsConnection* c, std::string_view text) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  ConnState& st = it->second;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object()) {
    send_error(c, {}, kErrInvalidRequest, "Invalid request: expected a JSON object");
    return;
  }
  std::string id_json;
  simdjson::dom::element idv;
  if (root["id"].get(idv) == simdjson::SUCCESS) {
    if (idv.is_int64() || idv.is_uint64() || idv.is_string() || idv.is_null()) id_json = simdjson::minify(idv);
  }
  std::string_view method;
  if (root["method"].get_string().get(method) != simdjson::SUCCESS) {
    send_error(c, id_json, kErrInvalidRequest, "Invalid request: missing method");
    return;
  }
  std::vector<std::string> streams;
  simdjson::dom::array params;
  if (root["params"].get_array().get(params) != simdjson::SUCCESS) {
    send_error(c, id_json, kErrInvalidRequest, "Invalid request: params must be an array of stream names");
    return;
  }
  for (auto p : params) {
    std::string_view s;
    if (p.get_string().get(s) != simdjson::SUCCESS) {
      send_error(c, id_json, kErrInvalidStream, "Invalid stream");
      continue;
    }
    streams.emplace_back(s);
  }
  std::vector<std::string> sig;
  bool has_sig = false;
  simdjson::dom::array sig_arr;
  if (root["signature"].get_array().get(sig_arr) == simdjson::SUCCESS) {
    has_sig = true;
    for (auto p : sig_arr) {
      std::string_view s;
      if (p.get_string().get(s) == simdjson::SUCCESS) {
        sig.emplace_back(s);
      } else if (p.is_int64()) {
        sig.push_back(std::to_string(p.get_int64().value_unsafe()));  // tolerate numeric ts/window
      } else {
        sig.emplace_back();
      }
    }
  }
  if (method == "SUBSCRIBE") {
    subscribe(c, st, streams, has_sig, sig, id_json);
  } else if (method == "UNSUBSCRIBE") {
    unsubscribe(c, st, streams);
  } else {
    send_error(c, id_json, kErrInvalidRequest, "Invalid request: unknown method");
  }
}

void WsHub::subscribe(WsConnection* c, ConnState& st, const std::vector<std::string>& streams, bool has_sig,
                      const std::vector<std::string>& sig, std::string_view id_json) {
  Exchange& ex = rt_.exchange();
  // Validate names first.
  std::vector<std::string> ok_public, ok_private;
  for (const auto& s : streams) {
    bool valid = false;
    if (is_private(s)) {
      for (std::string_view base : {kOrderUpdate, kPositionUpdate}) {
        if (s == base) {
          valid = true;
        } else if (s.size() > base.size() + 1 && std::string_view(s).starts_with(base) && s[base.size()] == '.') {
          valid = ex.market(std::string_view(s).substr(base.size() + 1)) != nullptr;
        }
      }
      if (valid) ok_private.push_back(s);
    } else {
      for (std::string_view type : {"depth.", "bookTicker.", "trade.", "markPrice.", "ticker."}) {
        if (std::string_view(s).starts_with(type))
          valid = ex.market(std::string_view(s).substr(type.size())) != nullptr;
      }
      if (valid) ok_public.push_back(s);
    }
    if (!valid) {
      spdlog::info("bpsim ws: invalid stream '{}'", s);
      send_error(c, id_json, kErrInvalidStream, "Invalid stream");
    }
  }
  for (const auto& s : ok_public) {
    if (st.streams.insert(s).second) subscribers_[s].push_back(c);
  }
  if (ok_private.empty()) return;

  // Private: verify "instruction=subscribe&timestamp=<ts>&window=<w>" signed by the given key.
  if (!has_sig || sig.size() != 4) {
    send_error(c, id_json, kErrAuth, "Missing signature");
    return;
  }
  const std::string& key = sig[0];
  auto ts = to_int(sig[2]);
  auto window = to_int(sig[3]);
  if (!ts || !window || *window <= 0 || *window > bp::kMaxWindowMs) {
    send_error(c, id_json, kErrAuth, "Invalid signature");
    return;
  }
  const std::int64_t now_ms = rt_.server_time_ms();
  if (now_ms > *ts + *window || *ts > now_ms + *window) {
    send_error(c, id_json, kErrAuth, "Request has expired");
    return;
  }
  const std::string signing = "instruction=subscribe&timestamp=" + sig[2] + "&window=" + sig[3];
  if (!bp::verify_signature_base64(key, sig[1], signing)) {
    send_error(c, id_json, kErrAuth, "Invalid signature");
    return;
  }
  auto acct = ex.find_account(key);
  if (!acct) {
    send_error(c, id_json, kErrAuth, "Unknown API key");
    return;
  }
  if (st.has_account && st.account != *acct) {
    send_error(c, id_json, kErrAuth, "Connection already subscribed with another API key");
    return;
  }
  st.has_account = true;
  st.account = *acct;
  ++counters_.private_subscribes;
  const TimestampUs now = rt_.sim_clock().now_us();
  for (const auto& s : ok_private) {
    if (st.streams.insert(s).second) subscribers_[private_key(*acct, s)].push_back(c);
    if (!std::string_view(s).starts_with(kPositionUpdate)) continue;
    // Snapshot of open positions (no "e") on the subscribed stream.
    std::optional<std::string_view> filter;
    if (s.size() > kPositionUpdate.size()) filter = std::string_view(s).substr(kPositionUpdate.size() + 1);
    for (const auto& p : ex.positions(*acct, filter)) {
      scratch_.clear();
      JsonWriter w(scratch_);
      write_position_fields(w, p, now, now, std::nullopt);
      c->send_text(make_frame(s, scratch_));
      ++counters_.frames_sent;
    }
  }
}

void WsHub::unsubscribe(WsConnection* c, ConnState& st, const std::vector<std::string>& streams) {
  for (const auto& s : streams) {
    auto it = st.streams.find(s);
    if (it == st.streams.end()) continue;
    const std::string key = is_private(s) ? private_key(st.account, s) : s;
    st.streams.erase(it);
    auto sub = subscribers_.find(key);
    if (sub == subscribers_.end()) continue;
    auto& v = sub->second;
    v.erase(std::remove(v.begin(), v.end(), c), v.end());
    if (v.empty()) subscribers_.erase(sub);
  }
}

std::shared_ptr<const std::string> WsHub::make_frame(std::string_view stream, std::string_view data_json) {
  std::string f;
  f.reserve(data_json.size() + stream.size() + 24);
  // "stream" before "data", like the exchange (docs/backpack.md §5): a client's one-pass envelope reader
  // then sees the stream name before the payload, as it will live.
  f += "{\"stream\":\"";
  json_escape_append(f, stream);
  f += "\",\"data\":";
  f += data_json;
  f += '}';
  return std::make_shared<const std::string>(std::move(f));
}

void WsHub::publish_to(const std::string& key, std::string_view stream, std::string_view data_json) {
  auto it = subscribers_.find(key);
  if (it == subscribers_.end() || it->second.empty()) return;
  FaultInjector& faults = rt_.faults();
  if (faults.stream_stalled(stream, rt_.wall_clock().now_us())) return;
  auto frame = make_frame(stream, data_json);
  if (faults.take_malformed_frame()) {
    frame = std::make_shared<const std::string>(frame->substr(0, frame->size() / 2));
  } else if (faults.take_oversized_frame()) {
    std::string big = *frame;  // still valid JSON: trailing whitespace
    if (big.size() < kOversizedFrameBytes) big.append(kOversizedFrameBytes - big.size(), ' ');
    frame = std::make_shared<const std::string>(std::move(big));
  }
  // Copy: a send may close a connection, which detaches it and edits the vector.
  std::vector<WsConnection*> targets = it->second;
  for (WsConnection* c : targets) {
    if (conns_.find(c) == conns_.end()) continue;
    c->send_text(frame);
    ++counters_.frames_sent;
  }
}

// ---------------------------------------------------------------- ExchangeListener

void WsHub::on_depth(const DepthDelta& d) {
  std::string stream = "depth.";
  stream += d.symbol;
  if (subscribers_.find(stream) == subscribers_.end()) return;
  if (rt_.faults().take_depth_gap(d.symbol)) return;
  scratch_.clear();
  JsonWriter w(scratch_);
  w.begin_object().kv("e", "depth").key("E").num_str(d.event_time_us != 0 ? d.event_time_us : d.engine_time_us);
  w.kv("s", d.symbol);
  w.key("a").begin_array();
  for (const auto& l : d.asks) w.begin_array().dec(l.price).dec(l.quantity).end_array();
  w.end_array();
  w.key("b").begin_array();
  for (const auto& l : d.bids) w.begin_array().dec(l.price).dec(l.quantity).end_array();
  w.end_array();
  w.key("U").num(d.first_update_id).key("u").num(d.last_update_id).key("T").num_str(d.engine_time_us);
  w.end_object();
  publish_to(stream, stream, scratch_);
}

void WsHub::on_book_ticker(const BookTickerEvent& e) {
  std::string stream = "bookTicker.";
  stream += e.symbol;
  if (subscribers_.find(stream) == subscribers_.end()) return;
  scratch_.clear();
  JsonWriter w(scratch_);
  w.begin_object().kv("e", "bookTicker").key("E").num_str(rt_.sim_clock().now_us()).kv("s", e.symbol);
  w.kv("a", e.ask_price).kv("A", e.ask_quantity).kv("b", e.bid_price).kv("B", e.bid_quantity);
  w.key("u").num(e.update_id).key("T").num_str(e.engine_time_us);
  w.end_object();
  publish_to(stream, stream, scratch_);
}

void WsHub::on_trade(const TradeEvent& e) {
  std::string stream = "trade.";
  stream += e.symbol;
  if (subscribers_.find(stream) == subscribers_.end()) return;
  scratch_.clear();
  JsonWriter w(scratch_);
  w.begin_object().kv("e", "trade").key("E").num_str(rt_.sim_clock().now_us()).kv("s", e.symbol);
  w.kv("p", e.price).kv("q", e.quantity).kv("b", std::to_string(e.buyer_order_id));
  w.kv("a", std::to_string(e.seller_order_id)).key("t").num(e.trade_id).key("T").num_str(e.engine_time_us);
  w.kv_bool("m", e.buyer_is_maker);
  w.end_object();
  publish_to(stream, stream, scratch_);
}

void WsHub::on_mark_price(const MarkPriceEvent& e) {
  if (e.view == nullptr) return;
  std::string stream = "markPrice.";
  stream += e.view->symbol;
  if (subscribers_.find(stream) == subscribers_.end()) return;
  scratch_.clear();
  JsonWriter w(scratch_);
  w.begin_object().kv("e", "markPrice").key("E").num_str(rt_.sim_clock().now_us()).kv("s", e.view->symbol);
  w.kv("p", e.view->mark_price);
  if (e.is_perp) {
    w.kv("f", e.view->funding_rate).kv("i", e.view->index_price).key("n").num(e.view->next_funding_timestamp_ms);
  } else {
    w.kv("i", e.view->index_price);
  }
  w.key("T").num_str(e.engine_time_us);
  w.end_object();
  publish_to(stream, stream, scratch_);
}

void WsHub::on_ticker(const TickerEvent& e) {
  if (e.view == nullptr) return;
  std::string stream = "ticker.";
  stream += e.view->symbol;
  if (subscribers_.find(stream) == subscribers_.end()) return;
  const TickerView& t = *e.view;
  scratch_.clear();
  JsonWriter w(scratch_);
  w.begin_object().kv("e", "ticker").key("E").num_str(rt_.sim_clock().now_us()).kv("s", t.symbol);
  w.kv("o", t.first_price).kv("c", t.last_price).kv("h", t.high).kv("l", t.low).kv("v", t.volume);
  w.kv("V", t.quote_volume).key("n").num(t.trades);
  w.end_object();
  publish_to(stream, stream, scratch_);
}

void WsHub::on_order(const OrderEvent& e) {
  if (e.order == nullptr) return;
  const SimOrder& o = *e.order;
  const std::string all = private_key(e.account, kOrderUpdate);
  std::string one = all;
  one += '.';
  one += o.symbol;
  const bool to_all = subscribers_.find(all) != subscribers_.end();
  const bool to_one = subscribers_.find(one) != subscribers_.end();
  if (!to_all && !to_one) return;
  // A fill the client never hears about on the stream (it must find it in the fills history).
  if (e.type == OrderEventType::kFill && rt_.faults().take_order_fill_drop()) return;
  scratch_.clear();
  JsonWriter w(scratch_);
  w.begin_object().kv("e", order_event_name(e.type)).key("E").num_str(rt_.sim_clock().now_us()).kv("s", o.symbol);
  if (o.client_id) w.key("c").unum(*o.client_id);
  w.kv("S", side_name(o.side)).kv("o", order_type_ws_name(o.order_type)).kv("f", tif_name(o.time_in_force));
  if (o.quantity) w.kv("q", *o.quantity);
  if (o.quote_quantity) {
    w.kv("Q", *o.quote_quantity);
  } else if (o.price && o.quantity) {
    w.kv("Q", o.price->mul(*o.quantity, Rounding::kNearest));
  }
  if (o.price) w.kv("p", *o.price);
  w.kv("X", order_status_name(o.status));
  if (e.type == OrderEventType::kExpired && o.expiry_reason) w.kv("R", expiry_reason_name(*o.expiry_reason));
  w.kv("i", o.id_str());
  if (e.type == OrderEventType::kFill) {
    w.key("t").num(e.trade_id).kv("l", e.fill_quantity).kv("L", e.fill_price).kv_bool("m", e.is_maker);
    w.kv("n", e.fee).kv("N", e.fee_symbol);
  } else {
    w.kv_null("t");
  }
  w.kv("z", o.executed_quantity).kv("Z", o.executed_quote_quantity).kv("V", stp_name(o.self_trade_prevention));
  w.key("T").num_str(e.engine_time_us).kv("O", "USER").kv_bool("y", o.post_only);
  w.kv_bool("r", o.reduce_only.value_or(false));
  w.end_object();
  if (to_all) publish_to(all, kOrderUpdate, scratch_);
  if (to_one) publish_to(one, std::string(kOrderUpdate) + "." + o.symbol, scratch_);
}

void WsHub::on_position(const PositionEvent& e) {
  if (e.position == nullptr) return;
  const PositionView& p = *e.position;
  const std::string all = private_key(e.account, kPositionUpdate);
  std::string one = all;
  one += '.';
  one += p.symbol;
  const bool to_all = subscribers_.find(all) != subscribers_.end();
  const bool to_one = subscribers_.find(one) != subscribers_.end();
  if (!to_all && !to_one) return;
  scratch_.clear();
  JsonWriter w(scratch_);
  write_position_fields(w, p, rt_.sim_clock().now_us(), e.engine_time_us, e.type);
  if (to_all) publish_to(all, kPositionUpdate, scratch_);
  if (to_one) publish_to(one, std::string(kPositionUpdate) + "." + p.symbol, scratch_);
}

}  // namespace bparb::sim
