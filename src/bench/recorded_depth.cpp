#include "recorded_depth.hpp"

#include <simdjson.h>

#include <charconv>
#include <limits>

namespace bparb::bench {

namespace dom = simdjson::dom;

struct RecordedLineParser::Impl {
  dom::parser parser;
};

namespace {

bool get_i64(dom::element e, std::int64_t& out) {
  switch (e.type()) {
    case dom::element_type::INT64:
      return e.get_int64().get(out) == simdjson::SUCCESS;
    case dom::element_type::UINT64: {
      std::uint64_t v = 0;
      if (e.get_uint64().get(v) != simdjson::SUCCESS ||
          v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return false;
      out = static_cast<std::int64_t>(v);
      return true;
    }
    case dom::element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) != simdjson::SUCCESS || s.empty()) return false;
      auto r = std::from_chars(s.data(), s.data() + s.size(), out);
      return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    default:
      return false;
  }
}

bool field_i64(dom::object o, const char* key, std::int64_t& out) {
  dom::element e;
  return o[key].get(e) == simdjson::SUCCESS && get_i64(e, out);
}

bool get_decimal(dom::element e, Decimal& out) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS && Decimal::parse(s, out) == DecimalParseError::kOk;
}

// [["px","qty"], ...]
bool get_levels(dom::object o, const char* key, std::vector<LevelUpdate>& out) {
  dom::array arr;
  if (o[key].get_array().get(arr) != simdjson::SUCCESS) return false;
  for (dom::element lv : arr) {
    dom::array pair;
    if (lv.get_array().get(pair) != simdjson::SUCCESS || pair.size() < 2) return false;
    LevelUpdate l;
    if (!get_decimal(pair.at(0).value_unsafe(), l.price) || !get_decimal(pair.at(1).value_unsafe(), l.quantity))
      return false;
    out.push_back(l);
  }
  return true;
}

// Optional decimal (Backpack bookTicker sides may be null).
bool opt_decimal(dom::object o, const char* key, Decimal& out, bool& present) {
  dom::element e;
  present = false;
  if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return true;
  present = get_decimal(e, out);
  return present;
}

}  // namespace

bool parse_feed_format(std::string_view s, FeedFormat& out) noexcept {
  if (s == "binance-spot") {
    out = FeedFormat::kBinanceSpot;
  } else if (s == "binance-usdm") {
    out = FeedFormat::kBinanceUsdm;
  } else if (s == "backpack") {
    out = FeedFormat::kBackpack;
  } else {
    return false;
  }
  return true;
}

RecordedLineParser::RecordedLineParser(FeedFormat format, std::int64_t local_ts_to_us)
    : impl_(std::make_unique<Impl>()), format_(format), ts_div_(local_ts_to_us > 0 ? local_ts_to_us : 1) {}

RecordedLineParser::~RecordedLineParser() = default;

LineKind RecordedLineParser::parse(std::string_view line, DepthDelta& delta, DepthSnapshot& snapshot, TopQuote& quote,
                                   TimestampUs& local_us) {
  error_.clear();
  local_us = 0;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return LineKind::kOther;
  if (line.front() >= '0' && line.front() <= '9') {
    const std::size_t sp = line.find(' ');
    std::int64_t ts = 0;
    auto r = std::from_chars(line.data(), line.data() + (sp == std::string_view::npos ? line.size() : sp), ts);
    if (sp == std::string_view::npos || r.ec != std::errc() || r.ptr != line.data() + sp) {
      error_ = "bad local timestamp prefix";
      return LineKind::kError;
    }
    local_us = ts / ts_div_;
    line.remove_prefix(sp + 1);
  }
  dom::element doc;
  if (auto err = impl_->parser.parse(line.data(), line.size(), true).get(doc); err != simdjson::SUCCESS) {
    error_ = std::string("invalid JSON: ") + simdjson::error_message(err);
    return LineKind::kError;
  }
  dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    error_ = "not a JSON object";
    return LineKind::kError;
  }

  std::string_view stream;
  if (root["stream"].get_string().get(stream) != simdjson::SUCCESS) {
    dom::element id;
    if (root["lastUpdateId"].get(id) != simdjson::SUCCESS) return LineKind::kOther;
    // REST snapshot.
    snapshot.bids.clear();
    snapshot.asks.clear();
    snapshot.timestamp_us = 0;
    if (!get_i64(id, snapshot.last_update_id)) {
      error_ = "snapshot lastUpdateId";
      return LineKind::kError;
    }
    std::int64_t t = 0;
    if (field_i64(root, "timestamp", t)) {
      snapshot.timestamp_us = t;  // Backpack: us
    } else if (field_i64(root, "T", t)) {
      snapshot.timestamp_us = t * 1000;  // Binance futures: ms
    }
    if (!get_levels(root, "bids", snapshot.bids) || !get_levels(root, "asks", snapshot.asks)) {
      error_ = "snapshot levels";
      return LineKind::kError;
    }
    return LineKind::kSnapshot;
  }

  dom::object data;
  if (root["data"].get_object().get(data) != simdjson::SUCCESS) {
    error_ = "envelope without data object";
    return LineKind::kError;
  }
  const bool backpack = format_ == FeedFormat::kBackpack;
  const bool is_depth = backpack ? stream.starts_with("depth.") : stream.find("@depth") != std::string_view::npos;
  const bool is_ticker =
      backpack ? stream.starts_with("bookTicker.") : stream.find("@bookTicker") != std::string_view::npos;

  if (is_depth) {
    delta.clear();
    std::int64_t first = 0;
    std::int64_t last = 0;
    if (!field_i64(data, "U", first) || !field_i64(data, "u", last)) {
      error_ = "depth U/u";
      return LineKind::kError;
    }
    if (format_ == FeedFormat::kBinanceUsdm) {
      std::int64_t pu = 0;
      if (!field_i64(data, "pu", pu)) {
        error_ = "depth pu";
        return LineKind::kError;
      }
      first = pu + 1;  // continuity is pu == prev u on Binance futures
    }
    delta.first_update_id = first;
    delta.last_update_id = last;
    std::int64_t t = 0;
    if (backpack) {
      if (field_i64(data, "T", t)) delta.engine_time_us = t;
      if (field_i64(data, "E", t)) delta.event_time_us = t;
    } else {
      if (field_i64(data, "E", t)) delta.event_time_us = t * 1000;
      delta.engine_time_us = field_i64(data, "T", t) ? t * 1000 : delta.event_time_us;
    }
    if (!get_levels(data, "b", delta.bids) || !get_levels(data, "a", delta.asks)) {
      error_ = "depth levels";
      return LineKind::kError;
    }
    return LineKind::kDepth;
  }
  if (is_ticker) {
    quote = TopQuote{};
    if (!field_i64(data, "u", quote.update_id)) {
      error_ = "bookTicker u";
      return LineKind::kError;
    }
    bool bq = false;
    bool aq = false;
    if (!opt_decimal(data, "b", quote.bid, quote.has_bid) || !opt_decimal(data, "B", quote.bid_qty, bq) ||
        !opt_decimal(data, "a", quote.ask, quote.has_ask) || !opt_decimal(data, "A", quote.ask_qty, aq)) {
      error_ = "bookTicker prices";
      return LineKind::kError;
    }
    return LineKind::kBookTicker;
  }
  return LineKind::kOther;
}

}  // namespace bparb::bench
