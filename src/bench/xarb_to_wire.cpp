#include "xarb_to_wire.hpp"

#include <spdlog/sinks/null_sink.h>

#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "bparb/venue/lighter/adapter.hpp"
#include "bparb/venue/lighter/orders.hpp"
#include "tick_to_wire.hpp"

namespace bparb::bench {
namespace {

constexpr std::int64_t kLighterMarketId = 1;
// ExpiredAt of a transaction: now + this (the sender's default, tx_sender.hpp).
constexpr DurationUs kTxExpiryUs = 600 * kUsPerSecond - kUsPerSecond;

Decimal dec(const char* s) {
  Decimal d;
  if (Decimal::parse(s, d) != DecimalParseError::kOk) throw std::logic_error(std::string("bad decimal ") + s);
  return d;
}

MarketSpec backpack_btc_perp() {
  MarketSpec s;
  s.symbol = "BTC_USDC_PERP";
  s.base_symbol = "BTC";
  s.quote_symbol = "USDC";
  s.type = MarketType::kPerp;
  s.tick_size = dec("0.1");
  s.min_price = dec("0.1");
  s.step_size = dec("0.0001");
  s.min_quantity = dec("0.0001");
  s.funding_interval_ms = 3'600'000;
  s.imf.present = true;
  s.imf.base = dec("0.02");
  s.imf.factor = dec("0");
  return s;
}

lighter::MarketDetails lighter_btc() {
  lighter::MarketDetails m;
  m.market_id = kLighterMarketId;
  m.symbol = "BTC";
  m.kind = lighter::MarketKind::kPerp;
  m.active = true;
  m.size_decimals = 5;
  m.price_decimals = 1;
  m.quote_decimals = 6;
  m.min_base_amount = dec("0.00020");
  m.min_quote_amount = dec("10");
  return m;
}

RiskLimits xarb_bench_limits() {
  RiskLimits l;
  l.max_position_usd = Decimal::from_int(10'000);
  l.max_total_exposure_usd = Decimal::from_int(100'000);
  l.max_daily_loss_usd = Decimal::from_int(1'000);
  l.min_account_balance_usd = Decimal::from_int(100);
  l.max_book_age_ms = 365LL * 24 * 3600 * 1000;  // the clock moves 250 ms per trade; book age is not measured
  l.max_orders_per_minute = 100'000;
  return l;
}

// The shipped defaults, except what a tight loop of entries needs: no wait after a trade, no penalty for
// the books' age or for the dislocation's own volatility (each frame opens or closes it), positions and
// exposure well above one entry.
CrossVenueStrategyParams xarb_bench_params() {
  CrossVenueStrategyParams p;
  p.xarb.target_notional_usd = Decimal::from_int(1'000);
  p.xarb.max_position_backpack = Decimal::from_int(1);
  p.xarb.max_position_lighter = Decimal::from_int(1);
  p.xarb.max_total_exposure_usd = Decimal::from_int(1'000'000);
  p.xarb.min_net_edge_bps = Decimal::from_int(1);
  p.xarb.max_book_age_ms = 365LL * 24 * 3600 * 1000;
  p.xarb.stale_after_ms = 365LL * 24 * 3600 * 1000;
  p.xarb.resync_grace_ms = 0;
  p.xarb.volatility_threshold_bps = Decimal::from_int(100'000);
  p.xarb.min_confidence = dec("0.1");
  p.opening_delay_us = 0;
  p.opportunity_log_interval_us = 365LL * 24 * 3600 * kUsPerSecond;
  return p;
}

std::array<std::uint8_t, backpack::kSeedBytes> xarb_bench_seed() {
  std::array<std::uint8_t, backpack::kSeedBytes> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 7 + 5);
  return s;
}

// Both books: Backpack 49999.0 / 50001.0, Lighter 49999.5 / 50001.5, one BTC at each of three levels a side.
constexpr const char* kBackpackBids = R"([["49999.0","1"],["49998.0","1"],["49997.0","1"]])";
constexpr const char* kBackpackAsks = R"([["50001.0","1"],["50002.0","1"],["50003.0","1"]])";
constexpr const char* kLighterBids =
    R"([{"price":"49999.5","size":"1.00000"},{"price":"49998.5","size":"1.00000"},{"price":"49997.5","size":"1.00000"}])";
constexpr const char* kLighterAsks =
    R"([{"price":"50001.5","size":"1.00000"},{"price":"50002.5","size":"1.00000"},{"price":"50003.5","size":"1.00000"}])";

}  // namespace

XarbToWire::XarbToWire(const XarbToWireOptions& opts)
    : opts_(opts),
      clock_(1'795'132'860LL * kUsPerSecond),
      lt_market_(lighter_btc()),
      risk_(xarb_bench_limits(), clock_),
      strategy_(xarb_bench_params()),
      key_(backpack::SigningKey::from_seed(xarb_bench_seed())) {
  const MarketSpec bp_spec = backpack_btc_perp();
  MarketSpec lt_spec = lighter::book_spec(lt_market_);
  lt_spec.type = MarketType::kPerp;
  lt_spec.base_symbol = "BTC";
  lt_spec.quote_symbol = "USDC";
  lt_spec.funding_interval_ms = 3'600'000;
  bp_id_ = markets_.add(VenueId::kBackpack, bp_spec);
  lt_id_ = markets_.add(VenueId::kLighter, lt_spec, lighter_tier_fees(xarb_bench_params().xarb.lighter_fee_tier));
  bp_book_ = std::make_unique<OrderBook>(markets_.market(bp_id_));
  lt_book_ = std::make_unique<OrderBook>(lighter::book_spec(lt_market_));

  // Backpack's book from a REST-shaped snapshot, Lighter's from its subscription's first frame.
  DepthSyncConfig sc;
  sc.snapshot_delay = 0;
  bp_sync_ = std::make_unique<DepthSync>(*bp_book_, sc);
  DepthSnapshot snap;
  snap.last_update_id = 5'000;
  snap.timestamp_us = clock_.now_us();
  for (const char* p : {"49999.0", "49998.0", "49997.0"}) snap.bids.push_back({dec(p), Decimal::from_int(1)});
  for (const char* p : {"50001.0", "50002.0", "50003.0"}) snap.asks.push_back({dec(p), Decimal::from_int(1)});
  bp_sync_->on_snapshot(snap, clock_.now_us());
  bp_next_id_ = bp_sync_->last_update_id() + 1;
  lt_sync_ = std::make_unique<lighter::BookSync>(*lt_book_, kLighterMarketId, clock_);
  lt_nonce_ = 904'845;
  lt_offset_ = 10;
  render_lighter_frame(true, kLighterBids, kLighterAsks);
  if (!lighter::parse_ws_frame(
           lt_parser_, lighter::JsonInput(frame_buf_.data(), frame_buf_.size(), frame_buf_.capacity()), lt_frame_)
           .ok() ||
      lt_sync_->on_frame(lt_frame_.book).action != lighter::SyncAction::kNone || !lt_book_->valid())
    throw std::runtime_error("the Lighter snapshot frame did not load");
  if (!bp_book_->valid()) throw std::runtime_error("the Backpack snapshot did not load");

  backpack::RestClientOptions ro;
  ro.http.base_url = "https://" + opts_.host;
  rest_ = std::make_unique<backpack::RestClient>(io_, clock_, ro, &key_);
  backpack::BackpackWsOptions wo;
  wo.ws.url = "wss://" + opts_.host + "/";
  ws_ = std::make_unique<backpack::BackpackWs>(io_, clock_, wo, &key_);
  adapter_ = std::make_unique<backpack::BackpackAdapter>(
      io_, clock_, *rest_, *ws_, markets_, clock_.now_us(),
      std::make_shared<spdlog::logger>("xarb-to-wire", std::make_shared<spdlog::sinks::null_sink_st>()), forward_);
  adapter_->set_request_hook(&XarbToWire::on_adapter_requests, this);

  auto signer = lighter::Signer::create(
      "0102030405060708091011121314151617181920212223242526272829303132333435363738393a",
      lighter::SignerConfig{lighter::kChainIdMainnet, 12'345, 3, lighter::TxInfoLayout::kCurrent});
  if (!signer) throw std::runtime_error("the Lighter key did not load");
  signer_ = std::make_unique<lighter::Signer>(std::move(*signer));
  // Start-up's nextNonce fetch, answered here: the manager asks for it, the "venue" names the next nonce.
  if (nonces_.acquire().status != lighter::NonceStatus::kFetch)
    throw std::logic_error("the nonce manager asked no fetch");
  nonces_.on_fetched(opts_.lighter_first_nonce);

  exec::EngineParams ep;
  ep.stats_interval_us = 365LL * 24 * 3600 * kUsPerSecond;
  ep.first_client_id = 1000;
  engine_ = std::make_unique<exec::ArbEngine>(ep, markets_, risk_, portfolio_, *this, *this, &strategy_);
  portfolio_.add_pair(Decimal{});
  engine_->add_pair("BTC", {bp_id_, lt_id_}, {bp_book_.get(), lt_book_.get()});
  exec::AccountSnapshot account{};
  account.view.fees = {Decimal::from_int(8), Decimal::from_int(10), Decimal::from_int(2), Decimal::from_int(5)};
  account.view.available_quote = Decimal::from_int(100'000);
  account.view.available_margin = Decimal::from_int(100'000);
  account.net_equity = Decimal::from_int(100'000);
  engine_->on_account(account, clock_.now_us());
  exec::VenueAccount la;
  la.known = true;
  la.net_equity = Decimal::from_int(100'000);
  la.available_margin = Decimal::from_int(100'000);
  engine_->on_venue_account(VenueId::kLighter, la);
  strategy_.set_venue_state(0, VenueId::kBackpack, {true, true, true, Decimal{}});
  strategy_.set_venue_state(0, VenueId::kLighter, {true, true, true, Decimal::from_int(100'000)});

  bp_wire_.reserve(4096);
  lt_wire_.reserve(4096);
  frame_buf_.reserve(4096);
  bp_frame_.depth.bids.reserve(64);
  bp_frame_.depth.asks.reserve(64);
  lt_frame_.book.levels.bids.reserve(64);
  lt_frame_.book.levels.asks.reserve(64);
  clock_.advance_us(kUsPerSecond);
}

XarbToWire::~XarbToWire() = default;

void XarbToWire::pad_frame() {
  const std::size_t pad = std::max(backpack::kJsonPadding, lighter::kJsonPadding);
  if (frame_buf_.capacity() < frame_buf_.size() + pad) frame_buf_.reserve(frame_buf_.size() + pad);
}

void XarbToWire::render_backpack_frame(std::string_view bids, std::string_view asks) {
  const std::string t = std::to_string(clock_.now_us());
  const std::string id = std::to_string(bp_next_id_++);
  frame_buf_ = "{\"stream\":\"depth.BTC_USDC_PERP\",\"data\":{\"e\":\"depth\",\"E\":\"" + t +
               "\",\"s\":\"BTC_USDC_PERP\",\"a\":" + std::string(asks) + ",\"b\":" + std::string(bids) +
               ",\"U\":" + id + ",\"u\":" + id + ",\"T\":\"" + t + "\"}}";
  pad_frame();
}

// As the venue sends order_book/{market}: the nonce chain (begin_nonce = the previous nonce) and the offset.
void XarbToWire::render_lighter_frame(bool snapshot, std::string_view bids, std::string_view asks) {
  const std::int64_t begin = lt_nonce_;
  lt_nonce_ += 7;
  ++lt_offset_;
  const std::string t = std::to_string(clock_.now_us());
  const std::string off = std::to_string(lt_offset_);
  frame_buf_ = R"({"channel":"order_book:1","last_updated_at":)" + t + R"(,"offset":)" + off +
               R"(,"order_book":{"code":0,"asks":)" + std::string(asks) + R"(,"bids":)" + std::string(bids) +
               R"(,"offset":)" + off + R"(,"nonce":)" + std::to_string(lt_nonce_) + R"(,"last_updated_at":)" + t +
               R"(,"begin_nonce":)" + std::to_string(begin) + R"(},"timestamp":)" +
               std::to_string(clock_.now_us() / 1000) + R"(,"type":")" + (snapshot ? "subscribed" : "update") +
               R"(/order_book"})";
  pad_frame();
}

// A dislocation moves a venue's whole touch: Backpack's bids step back under the new ask (the book stays
// uncrossed), Lighter's asks step up over the new bid; the close frame puts the touch back.
const std::string& XarbToWire::backpack_open_frame() {  // an ask 0.2% under Lighter's bid
  render_backpack_frame(R"([["49999.0","0"],["49998.0","0"],["49997.0","0"],["49898.0","1"]])",
                        R"([["49899.0","0.1"]])");
  return frame_buf_;
}
const std::string& XarbToWire::backpack_close_frame() {
  render_backpack_frame(R"([["49999.0","1"],["49998.0","1"],["49997.0","1"],["49898.0","0"]])", R"([["49899.0","0"]])");
  return frame_buf_;
}
const std::string& XarbToWire::lighter_open_frame() {  // a bid 0.2% over Backpack's ask
  render_lighter_frame(false, R"([{"price":"50101.0","size":"0.10000"}])",
                       R"([{"price":"50001.5","size":"0.00000"},{"price":"50002.5","size":"0.00000"},)"
                       R"({"price":"50003.5","size":"0.00000"},{"price":"50102.0","size":"1.00000"}])");
  return frame_buf_;
}
const std::string& XarbToWire::lighter_close_frame() {
  render_lighter_frame(false, R"([{"price":"50101.0","size":"0.00000"}])",
                       R"([{"price":"50001.5","size":"1.00000"},{"price":"50002.5","size":"1.00000"},)"
                       R"({"price":"50003.5","size":"1.00000"},{"price":"50102.0","size":"0.00000"}])");
  return frame_buf_;
}

int XarbToWire::on_frame(XarbFrameVenue venue, const std::string& f, XarbStageTimes* times) noexcept {
  times_ = times;
  legs_ = 0;
  if (times) times->start = steady_ns();
  const TimestampUs now = clock_.now_us();
  bool updated = false;
  if (venue == XarbFrameVenue::kBackpack) {
    const backpack::ParseError e =
        backpack::parse_ws_frame(bp_parser_, backpack::JsonInput(f.data(), f.size(), f.capacity()), bp_frame_);
    if (times) times->parsed = steady_ns();
    if (!e.ok() || bp_frame_.type != backpack::WsFrameType::kDepth) {
      ++parse_errors_;
    } else {
      const SyncAction a = bp_sync_->on_delta(bp_frame_.depth, now);
      updated = a == SyncAction::kBookUpdated;
      if (!updated) ++sync_errors_;
    }
  } else {
    const lighter::ParseError e =
        lighter::parse_ws_frame(lt_parser_, lighter::JsonInput(f.data(), f.size(), f.capacity()), lt_frame_);
    if (times) times->parsed = steady_ns();
    if (!e.ok() || lt_frame_.type != lighter::WsType::kOrderBook) {
      ++parse_errors_;
    } else {
      const lighter::SyncResult r = lt_sync_->on_frame(lt_frame_.book);
      updated = r.event == lighter::SyncEvent::kApplied;
      if (!updated) ++sync_errors_;
    }
  }
  if (updated) engine_->on_book_update(0, now);  // either venue's book is the pair's (the daemon's node)
  times_ = nullptr;
  return legs_;
}

void XarbToWire::finish_trade(DurationUs advance_us) {
  const TimestampUs now = clock_.now_us();
  for (std::size_t i = 0; i < leg_count_; ++i) {
    exec::OrderAck a;
    a.client_id = leg_ids_[i];
    a.kind = exec::OrderAck::Kind::kAccepted;
    a.status = OrderStatus::kNew;
    engine_->on_order_ack(a, now);
    exec::OrderUpdate u;
    u.client_id = leg_ids_[i];
    u.kind = exec::OrderUpdate::Kind::kExpired;
    engine_->on_order_update(u, now);
  }
  leg_count_ = 0;
  if (last_grant_.status == lighter::NonceStatus::kReady)
    nonces_.on_outcome(last_grant_, lighter::TxOutcome::kAccepted);
  last_grant_ = lighter::NonceGrant{};
  clock_.advance_us(advance_us);
}

// ---- the engine's commands -> both legs' bytes

void XarbToWire::place_orders(std::span<const exec::OrderSpec> orders) {
  if (times_) times_->decided = steady_ns();
  ++entries_;
  for (const exec::OrderSpec& o : orders) {
    if (leg_count_ < leg_ids_.size()) leg_ids_[leg_count_++] = o.client_id;
    if (o.instrument == bp_id_) {
      if (times_) times_->backpack_start = steady_ns();
      adapter_->place_orders(std::span<const exec::OrderSpec>(&o, 1));  // maps and hands it to on_adapter_requests
    } else if (o.instrument == lt_id_) {
      if (times_) times_->lighter_start = steady_ns();
      write_lighter(o);
    } else {
      ++write_errors_;
    }
  }
}

void XarbToWire::on_adapter_requests(void* ctx, std::span<const backpack::OrderRequest> orders) noexcept {
  auto* self = static_cast<XarbToWire*>(ctx);
  if (orders.size() != 1) return void(++self->write_errors_);
  backpack::RequestAuth auth;
  auth.key = nullptr;  // signed below, as the daemon's RestClient does
  auth.timestamp_ms = self->clock_.now_ms();
  if (self->writer_.write_order(orders[0], auth, self->written_) != backpack::RequestError::kOk)
    return void(++self->write_errors_);
  const std::size_t sig_len = self->key_.sign_base64(self->written_.signing_string, self->sig_);
  self->written_.signature = std::string_view(self->sig_, sig_len);
  char len[24];
  const int len_n = std::snprintf(len, sizeof len, "%zu", self->written_.body.size());
  std::string& w = self->bp_wire_;
  w.clear();
  w += "POST /api/v1/order HTTP/1.1\r\nHost: ";
  w += self->opts_.host;
  w += "\r\nContent-Type: application/json; charset=utf-8\r\nX-API-Key: ";
  w += self->key_.public_key_base64();
  w += "\r\nX-Signature: ";
  w += self->written_.signature;
  w += "\r\nX-Timestamp: ";
  w += self->written_.timestamp;
  w += "\r\nX-Window: ";
  w += self->written_.window;
  w += "\r\nContent-Length: ";
  w.append(len, static_cast<std::size_t>(len_n));
  w += "\r\n\r\n";
  w += self->written_.body;
  if (self->times_) self->times_->backpack_wired = steady_ns();
  ++self->legs_;
}

// The Lighter adapter's mapping of an order (LighterAdapter::place_orders), the sender's nonce and signature
// (LighterTxSender::dispatch) and the session's jsonapi/sendtx text (LighterWs::send_tx).
void XarbToWire::write_lighter(const exec::OrderSpec& o) noexcept {
  const TimestampUs now = clock_.now_us();
  if (o.client_id == 0 || o.client_id > lighter::kMaxLighterClientId || o.tif == TimeInForce::kFok)
    return void(++write_errors_);
  lighter::NeutralOrder n;
  n.market_id = lt_market_.market_id;
  n.side = o.side;
  n.price = lighter::Amount::of(o.price);
  n.quantity = lighter::Amount::of(o.quantity);
  n.market = o.type == OrderType::kMarket;
  n.tif = o.post_only                                ? lighter::NeutralTif::kPostOnly
          : (n.market || o.tif == TimeInForce::kIoc) ? lighter::NeutralTif::kIoc
                                                     : lighter::NeutralTif::kGtc;
  n.reduce_only = o.reduce_only;
  n.client_id = o.client_id;
  const auto tx = lighter::to_create_order(n, lt_market_, now);
  if (!tx) return void(++write_errors_);
  const lighter::NonceGrant g = nonces_.acquire();
  if (g.status != lighter::NonceStatus::kReady) return void(++write_errors_);
  last_grant_ = g;
  last_nonce_ = g.nonce;
  const std::int64_t expired_at = (now + kTxExpiryUs) / kUsPerMs;
  if (signer_->sign_create_order(*tx, g.nonce, expired_at, signed_).has_value()) return void(++write_errors_);
  char digits[24];
  lt_wire_.clear();
  lt_wire_ += R"({"type":"jsonapi/sendtx","data":{"id":")";
  const auto r = std::to_chars(digits, digits + sizeof digits, next_request_id_++);
  lt_wire_.append(digits, static_cast<std::size_t>(r.ptr - digits));
  lt_wire_ += R"(","tx_type":)";
  const auto t = std::to_chars(digits, digits + sizeof digits, static_cast<int>(signed_.tx_type));
  lt_wire_.append(digits, static_cast<std::size_t>(t.ptr - digits));
  lt_wire_ += R"(,"tx_info":)";
  lt_wire_ += signed_.tx_info();
  lt_wire_ += "}}";
  if (times_) times_->lighter_wired = steady_ns();
  ++legs_;
}

}  // namespace bparb::bench
