#include "bparb/sim/lighter/ws_hub.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "json_out.hpp"

namespace bparb::sim::lighter {

namespace {

bool to_int(std::string_view s, std::int64_t& v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string error_frame(std::int64_t code, std::string_view message) {
  std::string o = "{";
  json::kv(o, "type", "error");
  json::kv(o, "code", code);
  json::kv(o, "message", message);
  o += '}';
  return o;
}

void levels(std::string& o, std::string_view name, const std::vector<LevelUpdate>& side, int pd, int sd, bool reverse) {
  json::key(o, name);
  o += '[';
  auto one = [&](const LevelUpdate& l) {
    if (o.back() != '[') o += ',';
    o += '{';
    json::kd(o, "price", l.price, pd);
    json::kd(o, "size", l.quantity, sd);
    o += '}';
  };
  if (reverse) {
    for (auto it = side.rbegin(); it != side.rend(); ++it) one(*it);
  } else {
    for (const auto& l : side) one(l);
  }
  o += ']';
}

// The venue's exact order_book frame layout (channel first, type last).
std::string book_frame(const LighterMarketRules& m, std::string_view type, const std::vector<LevelUpdate>& asks,
                       const std::vector<LevelUpdate>& bids, bool bids_ascending, int pd, int sd, std::int64_t offset,
                       std::int64_t nonce, std::int64_t begin_nonce, TimestampUs updated_us, std::int64_t now_ms) {
  std::string o = "{";
  json::kv(o, "channel", "order_book:" + std::to_string(m.market_id));
  json::kv(o, "last_updated_at", updated_us);
  json::kv(o, "offset", offset);
  json::key(o, "order_book");
  o += '{';
  json::kv(o, "code", std::int64_t{0});
  levels(o, "asks", asks, pd, sd, false);
  levels(o, "bids", bids, pd, sd, bids_ascending);  // best bid first, as the venue lists them
  json::kv(o, "offset", offset);
  json::kv(o, "nonce", nonce);
  json::kv(o, "last_updated_at", updated_us);
  json::kv(o, "begin_nonce", begin_nonce);
  o += '}';
  json::kv(o, "timestamp", now_ms);
  json::kv(o, "type", type);
  o += '}';
  return o;
}

}  // namespace

LighterHub::LighterHub(LighterApi& api, const Clock& wall_clock) : api_(api), wall_(wall_clock) {
  // Nonces start away from zero so that a snapshot's begin_nonce (0) never equals a real nonce.
  for (const auto& m : api_.rules().markets) books_[m.market_id] = BookState{1000, 100};
  api_.exchange().add_listener(this);
}

LighterHub::~LighterHub() {
  api_.exchange().remove_listener(this);
}

void LighterHub::attach(LighterWsConnection* c) {
  conns_[c];
  std::string o = "{";
  json::kv(o, "session_id", std::to_string(next_session_++));
  json::kv(o, "type", "connected");
  o += '}';
  send(c, std::move(o));
}

void LighterHub::detach(LighterWsConnection* c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  for (const auto& ch : it->second) {
    auto s = subscribers_.find(ch);
    if (s == subscribers_.end()) continue;
    std::erase(s->second, c);
    if (s->second.empty()) subscribers_.erase(s);
  }
  conns_.erase(it);
}

void LighterHub::send(LighterWsConnection* c, std::string text) {
  c->send_text(std::make_shared<const std::string>(std::move(text)));
}

void LighterHub::publish(const std::string& channel, const std::string& text) {
  auto it = subscribers_.find(channel);
  if (it == subscribers_.end()) return;
  auto frame = std::make_shared<const std::string>(text);
  // Copy: a connection may detach itself while sending.
  const std::vector<LighterWsConnection*> targets = it->second;
  for (LighterWsConnection* c : targets) c->send_text(frame);
}

void LighterHub::on_client_message(LighterWsConnection* c, std::string_view text) {
  if (!conns_.count(c)) return;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(text.data(), text.size(), true).get_object().get(obj)) {
    send(c, error_frame(30000, "invalid message"));
    return;
  }
  std::string_view type;
  if (obj["type"].get_string().get(type)) {
    send(c, error_frame(30000, "missing type"));
    return;
  }
  if (type == "ping") {
    send(c, R"({"type":"pong"})");
    return;
  }
  if (type == "pong") return;
  if (type == "jsonapi/sendtx" || type == "jsonapi/sendtxbatch") {
    send_tx(c, text, type == "jsonapi/sendtxbatch");
    return;
  }
  std::string_view channel;
  if ((type != "subscribe" && type != "unsubscribe") || obj["channel"].get_string().get(channel)) {
    send(c, error_frame(30000, "invalid message"));
    return;
  }
  if (type == "unsubscribe") {
    std::string key(channel);
    std::replace(key.begin(), key.end(), '/', ':');
    conns_[c].erase(key);
    auto s = subscribers_.find(key);
    if (s != subscribers_.end()) {
      std::erase(s->second, c);
      if (s->second.empty()) subscribers_.erase(s);
    }
    return;
  }
  std::string_view auth;
  if (obj["auth"].get_string().get(auth)) auth = {};
  subscribe(c, channel, auth);
}

void LighterHub::subscribe(LighterWsConnection* c, std::string_view channel, std::string_view auth) {
  // "name/a[/b]" -> name and its numeric arguments.
  const std::size_t slash = channel.find('/');
  const std::string_view name = channel.substr(0, slash);
  std::vector<std::int64_t> args;
  std::string_view rest = slash == std::string_view::npos ? std::string_view{} : channel.substr(slash + 1);
  while (!rest.empty()) {
    const std::size_t s = rest.find('/');
    std::int64_t v = 0;
    if (!to_int(rest.substr(0, s), v)) {
      send(c, error_frame(30012, "invalid channel"));
      return;
    }
    args.push_back(v);
    rest = s == std::string_view::npos ? std::string_view{} : rest.substr(s + 1);
  }
  std::string key(channel);
  std::replace(key.begin(), key.end(), '/', ':');
  auto& mine = conns_[c];
  if (mine.count(key)) {
    send(c, error_frame(30003, "Already Subscribed"));
    return;
  }
  std::string reply;
  if (name == "order_book" && args.size() == 1 && api_.market_by_id(args[0])) {
    reply = book_snapshot(*api_.market_by_id(args[0]));
    ++book_snapshots_;
  } else if (name == "trade" && args.size() == 1 && api_.market_by_id(args[0])) {
    reply = "{";
    json::kv(reply, "channel", key);
    json::raw(reply, "trades", "[]");
    json::kv(reply, "type", "subscribed/trade");
    reply += '}';
  } else if ((name == "account_all" && args.size() == 1) ||
             ((name == "account_all_orders" && args.size() == 1) ||
              (name == "account_orders" && args.size() == 2 && api_.market_by_id(args[0])))) {
    const std::int64_t acct = args.back();
    const auto a = api_.account_of(acct);
    if (!a) {
      send(c, error_frame(30012, "account not found"));
      return;
    }
    if (name != "account_all") {
      const auto who = api_.verify_auth_token(auth);
      if (!who || *who != acct) {
        send(c, error_frame(20013, "invalid auth token"));
        return;
      }
    }
    // Open orders (and positions for account_all) keyed by market.
    std::map<std::int64_t, std::string> orders;
    for (const SimOrder& o : api_.exchange().open_orders(*a)) {
      const LighterMarketRules* m = api_.market_by_symbol(o.symbol);
      if (!m || (name == "account_orders" && m->market_id != args[0])) continue;
      std::string& list = orders[m->market_id];
      if (list.empty()) list = "[";
      json::item(list, api_.order_json(o));
    }
    reply = "{";
    json::kv(reply, "account", acct);
    json::kv(reply, "channel", key);
    std::string ords = "{";
    for (auto& [mid, list] : orders) json::raw(ords, std::to_string(mid), list + "]");
    ords += '}';
    json::raw(reply, "orders", ords);
    if (name == "account_all") {
      std::string pos = "{";
      for (const PositionView& p : api_.exchange().positions(*a)) {
        if (const LighterMarketRules* m = api_.market_by_symbol(p.symbol)) {
          json::raw(pos, std::to_string(m->market_id), api_.position_json(*m, &p));
        }
      }
      pos += '}';
      json::raw(reply, "positions", pos);
      json::raw(reply, "trades", "{}");
    }
    json::kv(reply, "type", "subscribed/" + std::string(name));
    reply += '}';
  } else {
    send(c, error_frame(30012, "invalid channel"));
    return;
  }
  mine.insert(key);
  subscribers_[key].push_back(c);
  send(c, std::move(reply));
}

std::string LighterHub::book_snapshot(const LighterMarketRules& m) {
  const BookState& b = books_.at(m.market_id);
  auto snap = api_.exchange().depth_snapshot(m.symbol, 0);
  static const std::vector<LevelUpdate> kEmpty;
  const std::int64_t now_ms = wall_.now_ms();
  return book_frame(m, "subscribed/order_book", snap ? snap->asks : kEmpty, snap ? snap->bids : kEmpty,
                    /*bids_ascending=*/true, api_.price_decimals(m), api_.size_decimals(m), b.offset, b.nonce, 0,
                    api_.exchange().clock().now_us(), now_ms);
}

void LighterHub::on_depth(const DepthDelta& d) {
  const LighterMarketRules* m = api_.market_by_symbol(d.symbol);
  if (!m) return;
  BookState& b = books_.at(m->market_id);
  const std::int64_t begin = b.nonce;
  // One nonce step per changed level, so updates advance the nonce by varying amounts; the offset
  // moves by a different stride, never by one, as on the venue (docs/lighter.md).
  b.nonce += static_cast<std::int64_t>(d.bids.size() + d.asks.size()) + 1;
  b.offset += 3 + static_cast<std::int64_t>(d.bids.size());
  const std::string channel = "order_book:" + std::to_string(m->market_id);
  if (!subscribers_.count(channel)) return;
  std::int64_t sent_begin = begin;
  if (break_chain_next_ > 0) {  // the fault: a frame that does not follow the previous one
    --break_chain_next_;
    ++chain_breaks_;
    sent_begin = begin + 1;
  }
  // The delta's sides are in the Exchange's order; sizes are absolute, zero removes the level.
  publish(channel,
          book_frame(*m, "update/order_book", d.asks, d.bids, /*bids_ascending=*/false, api_.price_decimals(*m),
                     api_.size_decimals(*m), b.offset, b.nonce, sent_begin, d.engine_time_us, wall_.now_ms()));
}

std::string LighterHub::trade_json(const TradeEvent& e, const LighterMarketRules& m) const {
  OrderMeta buyer;
  OrderMeta seller;
  const bool bk = api_.meta_of(e.buyer_order_id, buyer);
  const bool sk = api_.meta_of(e.seller_order_id, seller);
  std::string o = "{";
  json::kv(o, "trade_id", e.trade_id);
  json::kv(o, "market_id", m.market_id);
  json::kd(o, "size", e.quantity, api_.size_decimals(m));
  json::kd(o, "price", e.price, api_.price_decimals(m));
  json::kd(o, "usd_amount", e.quantity.mul(e.price, Rounding::kTowardZero), 6);
  json::kv(o, "ask_id", api_.order_index_of(e.seller_order_id));
  json::kv(o, "bid_id", api_.order_index_of(e.buyer_order_id));
  // Orders the front-end did not place (the market model's) belong to no Lighter account: 0.
  json::kv(o, "ask_account_id", sk ? seller.account_index : 0);
  json::kv(o, "bid_account_id", bk ? buyer.account_index : 0);
  json::kb(o, "is_maker_ask", !e.buyer_is_maker);
  json::kv(o, "block_height", std::int64_t{0});
  json::kv(o, "timestamp", e.engine_time_us / kUsPerMs);
  json::kv(o, "type", "trade");
  o += '}';
  return o;
}

void LighterHub::on_trade(const TradeEvent& e) {
  last_trade_id_ = e.trade_id;
  last_buyer_ = e.buyer_order_id;
  last_seller_ = e.seller_order_id;
  last_buyer_is_maker_ = e.buyer_is_maker;
  const LighterMarketRules* m = api_.market_by_symbol(e.symbol);
  if (!m) return;
  const std::string channel = "trade:" + std::to_string(m->market_id);
  if (!subscribers_.count(channel)) return;
  std::string o = "{";
  json::kv(o, "channel", channel);
  json::raw(o, "trades", "[" + trade_json(e, *m) + "]");
  json::kv(o, "type", "update/trade");
  o += '}';
  publish(channel, o);
}

void LighterHub::on_order(const OrderEvent& e) {
  const auto acct = api_.account_index_of(e.account);
  const LighterMarketRules* m = api_.market_by_symbol(e.order->symbol);
  if (!acct || !m) return;
  if (e.type == OrderEventType::kAccepted && drop_on_next_orders_ > 0 && close_all_) {
    // The fault: every connection goes before the order's first frame (the closer detaches them all).
    --drop_on_next_orders_;
    ++connection_drops_;
    close_all_();
  }
  if (e.type == OrderEventType::kCancelled && api_.replaced_by_modify(e.order->id)) return;  // a Modify
  const std::string order = api_.order_json(*e.order);
  const std::string mid = std::to_string(m->market_id);
  const std::string ids[3] = {"account_all:" + std::to_string(*acct), "account_all_orders:" + std::to_string(*acct),
                              "account_orders:" + mid + ":" + std::to_string(*acct)};
  for (int i = 0; i < 3; ++i) {
    if (!subscribers_.count(ids[i])) continue;
    std::string o = "{";
    json::kv(o, "account", *acct);
    json::kv(o, "channel", ids[i]);
    std::string orders = "{\"";
    orders += mid;
    orders += "\":[";
    orders += order;
    orders += "]}";
    json::raw(o, "orders", orders);
    if (i == 0 && e.type == OrderEventType::kFill && e.trade_id == last_trade_id_) {
      TradeEvent t;
      t.symbol = e.order->symbol;
      t.trade_id = e.trade_id;
      t.price = e.fill_price;
      t.quantity = e.fill_quantity;
      t.buyer_order_id = last_buyer_;
      t.seller_order_id = last_seller_;
      t.buyer_is_maker = last_buyer_is_maker_;
      t.engine_time_us = e.engine_time_us;
      json::raw(o, "trades", "{\"" + mid + "\":[" + trade_json(t, *m) + "]}");
    }
    json::kv(o, "type", i == 0 ? "update/account_all" : i == 1 ? "update/account_all_orders" : "update/account_orders");
    o += '}';
    publish(ids[i], o);
  }
}

void LighterHub::on_position(const PositionEvent& e) {
  const auto acct = api_.account_index_of(e.account);
  const LighterMarketRules* m = api_.market_by_symbol(e.position->symbol);
  if (!acct || !m) return;
  const std::string channel = "account_all:" + std::to_string(*acct);
  if (!subscribers_.count(channel)) return;
  std::string o = "{";
  json::kv(o, "account", *acct);
  json::kv(o, "channel", channel);
  json::raw(o, "positions", "{\"" + std::to_string(m->market_id) + "\":" + api_.position_json(*m, e.position) + "}");
  json::kv(o, "type", "update/account_all");
  o += '}';
  publish(channel, o);
}

void LighterHub::send_tx(LighterWsConnection* c, std::string_view text, bool batch) {
  simdjson::dom::parser parser;
  simdjson::dom::element data;
  const char* type = batch ? "jsonapi/sendtxbatch" : "jsonapi/sendtx";
  std::string id;
  auto reply_error = [&](const TxOutcome& t) {
    std::string o = "{";
    json::kv(o, "code", static_cast<std::int64_t>(t.code));
    if (!id.empty()) json::kv(o, "id", id);
    json::kv(o, "message", t.message);
    json::kv(o, "type", type);
    o += '}';
    send(c, std::move(o));
  };
  if (parser.parse(text.data(), text.size(), true)["data"].get(data)) {
    reply_error(TxOutcome{21501, "invalid tx info: no data", {}});
    return;
  }
  std::string_view sv;
  if (!data["id"].get_string().get(sv)) id = std::string(sv);
  std::vector<std::int64_t> types;
  std::vector<std::string> infos;
  if (!batch) {
    std::int64_t t = 0;
    simdjson::dom::element info;
    if (data["tx_type"].get_int64().get(t) || data["tx_info"].get(info)) {
      reply_error(TxOutcome{21501, "invalid tx info: missing field", {}});
      return;
    }
    types.push_back(t);
    // tx_info as the signed JSON object or as its JSON string: both are seen (docs/lighter.md).
    if (info.is_string()) {
      infos.emplace_back(info.get_string().value_unsafe());
    } else {
      infos.push_back(simdjson::minify(info));
    }
  } else {
    std::string_view tt;
    std::string_view ti;
    simdjson::dom::parser p2;
    simdjson::dom::parser p3;
    simdjson::dom::array ta;
    simdjson::dom::array ia;
    if (data["tx_types"].get_string().get(tt) || data["tx_infos"].get_string().get(ti) ||
        p2.parse(tt.data(), tt.size(), true).get_array().get(ta) ||
        p3.parse(ti.data(), ti.size(), true).get_array().get(ia)) {
      reply_error(TxOutcome{21501, "invalid tx info: tx_types / tx_infos", {}});
      return;
    }
    for (simdjson::dom::element e : ta) {
      std::int64_t t = 0;
      if (e.get_int64().get(t)) return reply_error(TxOutcome{21501, "invalid tx info: tx_types", {}});
      types.push_back(t);
    }
    for (simdjson::dom::element e : ia) {
      std::string_view s;
      if (e.get_string().get(s)) return reply_error(TxOutcome{21501, "invalid tx info: tx_infos", {}});
      infos.emplace_back(s);
    }
  }
  TxOutcome batch_error;
  const std::vector<TxOutcome> outs = api_.submit_batch(types, infos, batch_error);
  if (batch_error.code != 200) {
    reply_error(batch_error);
    return;
  }
  std::string o = "{";
  json::kv(o, "code", std::int64_t{200});
  if (!id.empty()) json::kv(o, "id", id);
  json::kv(o, "predicted_execution_time_ms", wall_.now_ms());
  if (batch) {
    std::string hashes = "[";
    for (const auto& t : outs) {
      if (hashes.size() > 1) hashes += ',';
      json::str(hashes, t.tx_hash);
    }
    json::raw(o, "tx_hashes", hashes + "]");
  } else {
    json::kv(o, "tx_hash", outs.front().tx_hash);
  }
  json::kv(o, "type", type);
  o += '}';
  send(c, std::move(o));
}

}  // namespace bparb::sim::lighter
