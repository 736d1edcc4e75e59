#include "bparb/sim/lighter/recording_lines.hpp"

#include <simdjson.h>

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "bparb/venue/lighter/parsers.hpp"

namespace bparb::sim {

namespace {

class LighterFrameDecoder final : public RecordedFrameDecoder {
 public:
  VenueId venue() const noexcept override { return VenueId::kLighter; }

  bool ws_frame(std::string_view payload, RecordedWsFrame& out) override {
    out.depth = nullptr;
    out.snapshot = nullptr;
    out.more_trades = {};
    if (!lighter::parse_ws_frame(parser_, lighter::JsonInput(payload), frame_).ok()) return false;
    switch (frame_.type) {
      case lighter::WsType::kOrderBook: {
        lighter::BookFrame& b = frame_.book;
        const std::string_view name = name_of(b.market_id);
        if (b.snapshot) {
          snapshot_.last_update_id = b.nonce;
          snapshot_.timestamp_us = b.last_updated_at_us;
          snapshot_.bids.assign(b.levels.bids.begin(), b.levels.bids.end());
          snapshot_.asks.assign(b.levels.asks.begin(), b.levels.asks.end());
          out.kind = RecordedFrameKind::kSnapshot;
          out.snapshot = &snapshot_;
          out.snapshot_symbol = name;
          return true;
        }
        DepthDelta& d = b.levels;
        d.symbol = name;
        d.first_update_id = b.begin_nonce + 1;
        d.last_update_id = b.nonce;
        d.event_time_us = b.timestamp_ms * kUsPerMs;
        d.engine_time_us = b.last_updated_at_us;
        out.kind = RecordedFrameKind::kDepth;
        out.depth = &d;
        return true;
      }
      case lighter::WsType::kTrade: {
        if (frame_.snapshot || frame_.trades.empty()) {
          out.kind = RecordedFrameKind::kOther;
          return true;
        }
        trades_.clear();
        for (const lighter::Trade& t : frame_.trades) {
          RecordedTrade r;
          r.symbol = name_of(t.market_id);
          r.price = t.price;
          r.quantity = t.size;
          r.buyer_is_maker = !t.is_maker_ask;  // the maker sold: the buyer took
          trades_.push_back(r);
        }
        out.kind = RecordedFrameKind::kTrade;
        out.trade = trades_.front();
        out.more_trades = std::span<const RecordedTrade>(trades_).subspan(1);
        return true;
      }
      default:
        out.kind = RecordedFrameKind::kOther;
        return true;
    }
  }

  bool unused_ws_frame(std::string_view) const noexcept override { return false; }
  bool rest_depth_symbol(std::string_view, std::string_view&) override { return false; }
  bool rest_depth_snapshot(DepthSnapshot&) override { return false; }

  bool event(std::string_view payload, RecordedEvent& out) override {
    simdjson::dom::element doc;
    if (dom_.parse(payload.data(), payload.size()).get(doc) || doc["type"].get_string().get(out.type)) return false;
    out.symbol.reset();
    std::int64_t id = 0;
    if (doc["market_id"].get_int64().get(id) == simdjson::SUCCESS) {
      out.symbol = name_of(id);
    }
    return true;
  }

 private:
  // "lighter:<id>", kept per market (a deque: the names never move) so views stay valid for the replayers.
  std::string_view name_of(std::int64_t market_id) {
    for (const auto& [id, name] : names_)
      if (id == market_id) return name;
    names_.emplace_back(market_id, "lighter:" + std::to_string(market_id));
    return names_.back().second;
  }

  lighter::JsonParser parser_;
  lighter::WsFrame frame_;
  DepthSnapshot snapshot_;
  std::vector<RecordedTrade> trades_;
  simdjson::dom::parser dom_;
  std::deque<std::pair<std::int64_t, std::string>> names_;
};

}  // namespace

std::unique_ptr<RecordedFrameDecoder> make_lighter_frame_decoder() {
  return std::make_unique<LighterFrameDecoder>();
}

}  // namespace bparb::sim
