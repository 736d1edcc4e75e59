// Google Benchmark suite for the daemon's hot path beyond the book (book_bench.cpp) and the synthetic
// depth parse (depth_parse_bench.cpp):
//  - WS frame parsing per stream type: depth (bpsim-recorded), bookTicker, trade, markPrice, orderUpdate
//  - depth parse + apply + top of book over a recorded bpsim stream
//  - VWAP walk on a bpsim book
//  - strategy: BasisEvaluator::evaluate_best for one pair and for all 5 pairs (10 books)
//  - risk: RiskGate::check for one leg
//  - request serialization (RequestWriter::write_batch, 2 legs) and ED25519 signing
//  - the whole tick-to-wire: frame bytes -> signed HTTP batch request bytes (engine trades every iteration)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/strategy/basis.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "nonce_pool_signer.hpp"
#include "tick_to_wire.hpp"

namespace bparb {
namespace {

// Live-shaped samples (docs/backpack.md §5, §7).
const char* const kBookTicker =
    R"({"stream":"bookTicker.ETH_USDC","data":{"A":"0.4087","B":"0.0020","E":"1754517402450016","T":"1754517402449064","a":"3667.50","b":"3667.49","e":"bookTicker","s":"ETH_USDC","u":1328288557}})";
const char* const kTrade =
    R"({"stream":"trade.ETH_USDC_PERP","data":{"E":"1754601477746429","T":"1754601477744000","a":"5121860761","b":"5121861755","e":"trade","m":false,"p":"3870.25","q":"0.0008","s":"ETH_USDC_PERP","t":10782547}})";
const char* const kMarkPrice =
    R"({"stream":"markPrice.SOL_USDC_PERP","data":{"E":1747291031914525,"T":1747291031910025,"e":"markPrice","f":"-0.0000039641039274236048482914","i":"173.44031179","n":1747296000000,"p":"173.35998175","s":"SOL_USDC_PERP"}})";
const char* const kOrderFill =
    R"({"stream":"account.orderUpdate","data":{"E":"1754939110175879","L":"4299.16","N":"ETH","O":"USER","Q":"4.30","S":"Bid","T":"1754939110174705","V":"RejectTaker","X":"Filled","Z":"4.299160","c":1234,"e":"orderFill","f":"GTC","i":"5406825793","l":"0.0010","m":false,"n":"0.000001","o":"MARKET","q":"0.0010","r":false,"s":"ETH_USDC","t":2888471,"z":"0.0010"}})";

const bench::CapturedStream& recorded() {
  static const bench::CapturedStream s = [] {
    bench::CapturedStream c = bench::capture_depth_stream(42, "SOL_USDC_PERP", 20000);
    for (auto& f : c.frames) f.reserve(f.size() + backpack::kJsonPadding);
    return c;
  }();
  return s;
}

void parse_one(benchmark::State& state, const char* text, backpack::WsFrameType want) {
  std::string f(text);
  f.reserve(f.size() + backpack::kJsonPadding);
  backpack::JsonParser parser;
  backpack::WsFrame out;
  for (auto _ : state) {
    const backpack::ParseError e = backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), out);
    if (!e.ok() || out.type != want) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f.size()));
}
void BM_ParseBookTicker(benchmark::State& s) {
  parse_one(s, kBookTicker, backpack::WsFrameType::kBookTicker);
}
void BM_ParseTrade(benchmark::State& s) {
  parse_one(s, kTrade, backpack::WsFrameType::kTrade);
}
void BM_ParseMarkPrice(benchmark::State& s) {
  parse_one(s, kMarkPrice, backpack::WsFrameType::kMarkPrice);
}
void BM_ParseOrderUpdate(benchmark::State& s) {
  parse_one(s, kOrderFill, backpack::WsFrameType::kOrderUpdate);
}
BENCHMARK(BM_ParseBookTicker);
BENCHMARK(BM_ParseTrade);
BENCHMARK(BM_ParseMarkPrice);
BENCHMARK(BM_ParseOrderUpdate);

// Recorded bpsim depth frames (SOL_USDC_PERP, model re-quotes + taker flow), parse only.
void BM_ParseDepthRecorded(benchmark::State& state) {
  const auto& rec = recorded();
  backpack::JsonParser parser;
  backpack::WsFrame out;
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& f = rec.frames[i];
    if (++i == rec.frames.size()) i = 0;
    if (!backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), out).ok()) {
      state.SkipWithError("parse failed");
      break;
    }
    bytes += static_cast<std::int64_t>(f.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["levels_per_frame"] = static_cast<double>(rec.levels) / static_cast<double>(rec.frames.size());
}
BENCHMARK(BM_ParseDepthRecorded);

// Parse + DepthSync/OrderBook apply + top of book over the whole recorded stream per iteration.
void BM_DepthReplayRecorded(benchmark::State& state) {
  const auto& rec = recorded();
  MarketSpec spec;
  spec.symbol = "SOL_USDC_PERP";
  spec.tick_size = Decimal::from_string("0.01");
  spec.step_size = Decimal::from_string("0.01");
  OrderBook book(spec);
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 0;
  DepthSync sync(book, cfg);
  backpack::JsonParser parser;
  backpack::WsFrame out;
  for (auto _ : state) {
    state.PauseTiming();
    sync.reset();
    sync.on_snapshot(rec.snapshot);
    state.ResumeTiming();
    for (const std::string& f : rec.frames) {
      backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), out);
      sync.on_delta(out.depth);
      benchmark::DoNotOptimize(book.top(Side::kBid));
      benchmark::DoNotOptimize(book.top(Side::kAsk));
    }
  }
  if (!sync.synced() || sync.stats().gaps != 0) state.SkipWithError("lost sync");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rec.frames.size()));
}
BENCHMARK(BM_DepthReplayRecorded)->Unit(benchmark::kMillisecond);

// Shared 5-pair harness (bpsim books, flat engine).
bench::TickToWire& harness() {
  static bench::TickToWire t;
  return t;
}

BasisInputs inputs_for(bench::TickToWire& t, std::size_t pair) {
  BasisInputs in;
  in.spot = {&t.market(2 * pair), &t.book(2 * pair), 0};
  in.perp = {&t.market(2 * pair + 1), &t.book(2 * pair + 1), 0};
  in.account = t.account().view;
  in.account.available_base = t.account().available_base[pair];
  in.max_notional_usd = Decimal::from_int(1000);
  in.now = t.clock().now_us();
  return in;
}

void BM_VwapWalkBpsimBook(benchmark::State& state) {
  bench::TickToWire& t = harness();
  const OrderBook& b = t.book(1);  // SOL perp
  // Everything on the first 9 ask levels plus one step: the walk touches 10 levels (or all if fewer).
  const std::size_t n = std::min<std::size_t>(9, b.level_count(Side::kAsk) - 1);
  Decimal qty = b.step_size();
  for (std::size_t i = 0; i < n; ++i) qty += b.level(Side::kAsk, i).quantity;
  for (auto _ : state) benchmark::DoNotOptimize(b.walk(Side::kBid, qty));
  state.counters["levels"] = b.walk(Side::kBid, qty).levels;
}
BENCHMARK(BM_VwapWalkBpsimBook);

void BM_StrategyEvaluateOnePair(benchmark::State& state) {
  bench::TickToWire& t = harness();
  BasisEvaluator ev(t.engine_params().basis, 60, 0, 0, "SOL");
  const BasisInputs in = inputs_for(t, 0);
  for (auto _ : state) benchmark::DoNotOptimize(ev.evaluate_best(in));
}
BENCHMARK(BM_StrategyEvaluateOnePair);

// One strategy tick over all 5 pairs (10 books): observe + evaluate_best per pair.
void BM_StrategyTick5Pairs(benchmark::State& state) {
  bench::TickToWire& t = harness();
  std::vector<BasisEvaluator> evs;
  std::vector<BasisInputs> ins;
  for (std::size_t p = 0; p < 5; ++p) {
    evs.emplace_back(t.engine_params().basis, 60, 0, static_cast<std::uint32_t>(p), "pair");
    ins.push_back(inputs_for(t, p));
  }
  TimestampUs now = t.clock().now_us();
  for (auto _ : state) {
    now += 1000;
    for (std::size_t p = 0; p < 5; ++p) {
      evs[p].observe(t.book(2 * p), t.book(2 * p + 1), now);
      ins[p].now = now;
      benchmark::DoNotOptimize(evs[p].evaluate_best(ins[p]));
    }
  }
  state.SetItemsProcessed(state.iterations() * 5);
}
BENCHMARK(BM_StrategyTick5Pairs);

// The same tick with evaluate_best_fast (what ArbEngine needs: the touch-price short-circuit skips the
// walks when no direction can reach min_spread_threshold, the normal state of these books).
void BM_StrategyTick5PairsFast(benchmark::State& state) {
  bench::TickToWire& t = harness();
  std::vector<BasisEvaluator> evs;
  std::vector<BasisInputs> ins;
  for (std::size_t p = 0; p < 5; ++p) {
    evs.emplace_back(t.engine_params().basis, 60, 0, static_cast<std::uint32_t>(p), "pair");
    ins.push_back(inputs_for(t, p));
  }
  TimestampUs now = t.clock().now_us();
  for (auto _ : state) {
    now += 1000;
    for (std::size_t p = 0; p < 5; ++p) {
      evs[p].observe(t.book(2 * p), t.book(2 * p + 1), now);
      ins[p].now = now;
      benchmark::DoNotOptimize(evs[p].evaluate_best_fast(ins[p]));
    }
  }
  state.SetItemsProcessed(state.iterations() * 5);
}
BENCHMARK(BM_StrategyTick5PairsFast);

// The 5-pair tick on a quiet market: bpsim books at its ordinary 2 bps basis (below the default
// 10 bps min_spread_threshold), the steady state between opportunities. (The harness books above sit at
// the spike basis, ~72 bps, so every pair there is an opportunity and needs the full evaluation.)
struct QuietBooks {
  bench::SimBooks sb = bench::make_sim_books(42, 2.0);
  std::vector<std::unique_ptr<OrderBook>> books;
  QuietBooks() {
    for (std::size_t i = 0; i < sb.markets.size(); ++i) {
      books.push_back(std::make_unique<OrderBook>(sb.markets[i]));
      books.back()->load_snapshot(sb.snapshots[i], 1'795'132'860LL * kUsPerSecond);
    }
  }
};

template <bool kFast>
void strategy_tick_quiet(benchmark::State& state) {
  static QuietBooks q;
  bench::TickToWire& t = harness();
  std::vector<BasisEvaluator> evs;
  std::vector<BasisInputs> ins;
  for (std::size_t p = 0; p < 5; ++p) {
    evs.emplace_back(t.engine_params().basis, 60, 0, static_cast<std::uint32_t>(p), "pair");
    BasisInputs in;
    in.spot = {&q.sb.markets[2 * p], q.books[2 * p].get(), 0};
    in.perp = {&q.sb.markets[2 * p + 1], q.books[2 * p + 1].get(), 0};
    in.account = t.account().view;
    in.account.available_base = t.account().available_base[p];
    in.max_notional_usd = Decimal::from_int(1000);
    ins.push_back(in);
  }
  TimestampUs now = 1'795'132'860LL * kUsPerSecond;
  int opportunities = 0;
  for (auto _ : state) {
    now += 1000;
    for (std::size_t p = 0; p < 5; ++p) {
      evs[p].observe(*q.books[2 * p], *q.books[2 * p + 1], now);
      ins[p].now = now;
      const BasisQuote r = kFast ? evs[p].evaluate_best_fast(ins[p]) : evs[p].evaluate_best(ins[p]);
      opportunities += r.opportunity;
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * 5);
  state.counters["opportunities"] = opportunities;
}
void BM_StrategyTick5PairsQuiet(benchmark::State& state) {
  strategy_tick_quiet<false>(state);
}
void BM_StrategyTick5PairsQuietFast(benchmark::State& state) {
  strategy_tick_quiet<true>(state);
}
BENCHMARK(BM_StrategyTick5PairsQuiet);
BENCHMARK(BM_StrategyTick5PairsQuietFast);

void BM_RiskCheckOneLeg(benchmark::State& state) {
  bench::TickToWire& t = harness();
  OrderCheck c;
  c.notional_usd = Decimal::from_int(100);
  c.position_notional_after_usd = Decimal::from_int(100);
  c.perp_spec = &t.market(1);
  c.perp_notional_after_usd = Decimal::from_int(100);
  c.book = {true, t.clock().now_us()};
  AccountRisk a;
  a.net_equity = Decimal::from_int(100000);
  for (auto _ : state) benchmark::DoNotOptimize(t.risk().check(c, a));
}
BENCHMARK(BM_RiskCheckOneLeg);

std::array<backpack::OrderRequest, 2> two_legs() {
  std::array<backpack::OrderRequest, 2> r{};
  r[0].symbol = "SOL_USDC";
  r[0].side = Side::kBid;
  r[0].price = Decimal::from_string("150.42");
  r[0].quantity = Decimal::from_string("0.67");
  r[0].price_decimals = 2;
  r[0].quantity_decimals = 2;
  r[0].time_in_force = TimeInForce::kIoc;
  r[0].client_id = 123456;
  r[1] = r[0];
  r[1].symbol = "SOL_USDC_PERP";
  r[1].side = Side::kAsk;
  r[1].price = Decimal::from_string("151.31");
  r[1].client_id = 123457;
  return r;
}

void BM_SerializeBatch2(benchmark::State& state) {
  backpack::RequestWriter w;
  backpack::WrittenRequest out;
  const auto reqs = two_legs();
  backpack::RequestAuth auth;
  auth.timestamp_ms = 1'795'132'800'000;
  for (auto _ : state) {
    if (w.write_batch(reqs, auth, out) != backpack::RequestError::kOk) state.SkipWithError("write failed");
    benchmark::DoNotOptimize(out.body.data());
  }
}
BENCHMARK(BM_SerializeBatch2);

void BM_SignBatch2(benchmark::State& state) {
  bench::TickToWire& t = harness();
  backpack::RequestWriter w;
  backpack::WrittenRequest out;
  backpack::RequestAuth auth;
  auth.timestamp_ms = 1'795'132'800'000;
  w.write_batch(two_legs(), auth, out);
  const std::string msg(out.signing_string);
  char sig[backpack::kSignatureBase64Chars + 1];
  for (auto _ : state) benchmark::DoNotOptimize(t.key().sign_base64(msg, sig));
  state.counters["msg_bytes"] = static_cast<double>(msg.size());
}
BENCHMARK(BM_SignBatch2);

// Prototype: nonce precomputed off the hot path (src/bench/nonce_pool_signer.hpp). The timed region is
// the sign-time work only; refills (one fixed-base scalar multiplication each) are paused.
void BM_SignBatch2NoncePool(benchmark::State& state) {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
  bench::NoncePoolSigner s(seed, 1024);
  backpack::RequestWriter w;
  backpack::WrittenRequest out;
  backpack::RequestAuth auth;
  auth.timestamp_ms = 1'795'132'800'000;
  w.write_batch(two_legs(), auth, out);
  const std::string msg(out.signing_string);
  char sig[backpack::kSignatureBase64Chars + 1];
  s.refill(1024);
  for (auto _ : state) {
    if (s.available() == 0) {
      state.PauseTiming();
      s.refill(1024);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(s.sign_base64(msg, sig));
  }
}
BENCHMARK(BM_SignBatch2NoncePool);

// The refill cost that moves off the hot path (per nonce).
void BM_NoncePoolRefillOne(benchmark::State& state) {
  std::array<std::uint8_t, 32> seed{};
  bench::NoncePoolSigner s(seed, 1);
  std::uint8_t sig[64];
  for (auto _ : state) {
    s.refill(1);
    state.PauseTiming();
    s.sign("x", sig);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_NoncePoolRefillOne);

void BM_SerializeAndSignBatch2(benchmark::State& state) {
  bench::TickToWire& t = harness();
  backpack::RequestWriter w;
  backpack::WrittenRequest out;
  const auto reqs = two_legs();
  backpack::RequestAuth auth;
  auth.key = &t.key();
  auth.timestamp_ms = 1'795'132'800'000;
  for (auto _ : state) {
    if (w.write_batch(reqs, auth, out) != backpack::RequestError::kOk) state.SkipWithError("write failed");
    benchmark::DoNotOptimize(out.signature.data());
  }
}
BENCHMARK(BM_SerializeAndSignBatch2);

// The whole path: a spike frame makes the engine trade; the timed region is frame bytes -> signed
// HTTP request bytes. Rendering the next frames and the exchange's "IOC expired" acks are not timed.
void BM_TickToWireTrade(benchmark::State& state) {
  bench::TickToWire t;
  std::string spike, revert;
  spike.reserve(16 * 1024);
  revert.reserve(16 * 1024);
  for (auto _ : state) {
    state.PauseTiming();
    spike = t.next_frame();
    state.ResumeTiming();
    if (!t.on_frame(spike)) {
      state.SkipWithError("spike frame did not trade");
      break;
    }
    state.PauseTiming();
    t.settle();
    revert = t.next_frame();
    t.on_frame(revert);
    state.ResumeTiming();
  }
  state.counters["request_bytes"] = static_cast<double>(t.wire().size());
}
BENCHMARK(BM_TickToWireTrade)->Unit(benchmark::kMicrosecond);

// A book update the engine evaluates but does not trade on (the common case).
void BM_TickNoTrade(benchmark::State& state) {
  bench::TickToWire t;
  std::vector<std::string> frames;
  for (int i = 0; i < 4096; ++i) {
    frames.push_back(t.next_quiet_frame());
    frames.back().reserve(frames.back().size() + backpack::kJsonPadding);
  }
  // Frames carry contiguous ids: replay them in order, re-rendering a new batch when exhausted.
  std::size_t i = 0;
  for (auto _ : state) {
    if (i == frames.size()) {
      state.PauseTiming();
      for (auto& f : frames) {
        f = t.next_quiet_frame();
        f.reserve(f.size() + backpack::kJsonPadding);
      }
      i = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(t.on_frame(frames[i++]));
  }
  if (t.orders_written() != 0) state.SkipWithError("quiet frames traded");
}
BENCHMARK(BM_TickNoTrade);

}  // namespace
}  // namespace bparb

BENCHMARK_MAIN();
