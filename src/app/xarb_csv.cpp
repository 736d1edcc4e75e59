#include "bparb/app/xarb_csv.hpp"

#include <cstdio>
#include <ctime>

namespace bparb::app {
namespace {

// Empty when either price is missing: a spread against an empty side means nothing.
std::string spread(Decimal sell, Decimal buy) {
  if (!sell.is_positive() || !buy.is_positive()) return {};
  return (sell - buy).str();
}

std::string price(Decimal p) {
  return p.is_positive() ? p.str() : std::string();
}

const char* leg_side(Side s) {
  return s == Side::kBid ? "buy" : "sell";
}

}  // namespace

std::string iso_utc_ms(TimestampUs t) {
  const TimestampUs day = utc_day_start(t);
  const std::time_t secs = static_cast<std::time_t>(day / kUsPerSecond);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  const int ms = static_cast<int>((t - day) / kUsPerMs);  // < 86,400,000
  char buf[96];  // room for any int in each field, so the compiler can prove nothing is cut
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                ms / 3'600'000, ms / 60'000 % 60, ms / 1'000 % 60, ms % 1'000);
  return buf;
}

XarbCsvWriter::XarbCsvWriter(std::string dir, std::string_view ticker, const Clock& clock)
    : clock_(clock),
      bbo_(dir, "bbo_" + std::string(ticker) + "_", kXarbBboCsvHeader),
      trades_(dir, "trades_" + std::string(ticker) + "_", kXarbTradesCsvHeader) {}

bool XarbCsvWriter::on_bbo(const XarbBboSample& s) {
  const TimestampUs now = clock_.now_us();
  if (wrote_bbo_ && now - last_bbo_us_ < kBboInterval) return false;
  wrote_bbo_ = true;
  last_bbo_us_ = now;
  std::string row = iso_utc_ms(now);
  row.append(",").append(price(s.backpack_bid));
  row.append(",").append(price(s.backpack_ask));
  row.append(",").append(price(s.lighter_bid));
  row.append(",").append(price(s.lighter_ask));
  // long: buy Backpack's ask, sell Lighter's bid; short: sell Backpack's bid, buy Lighter's ask.
  row.append(",").append(spread(s.lighter_bid, s.backpack_ask));
  row.append(",").append(spread(s.backpack_bid, s.lighter_ask));
  row.append(",").append(s.has_signal ? to_string(s.signal) : "none");
  row.append("\n");
  bbo_.put(now, row);
  return true;
}

void XarbCsvWriter::on_trade(const XarbTradeSample& t) {
  const TimestampUs now = clock_.now_us();
  const bool long_bp = t.direction == XarbDirection::kLongBackpack;
  const Side bp_side = long_bp ? Side::kBid : Side::kAsk;
  // Per unit: what the sell leg got minus what the buy leg paid.
  const Decimal captured = long_bp ? t.lighter_price - t.backpack_price : t.backpack_price - t.lighter_price;
  const Decimal pnl = captured.mul(t.quantity, Rounding::kDown) - t.backpack_fee - t.lighter_fee;
  std::string row = iso_utc_ms(now);
  row.append(",").append(to_string(t.direction));
  row.append(",").append(t.quantity.str());
  row.append(",").append(leg_side(bp_side)).append(",").append(t.backpack_price.str());
  row.append(",").append(leg_side(opposite(bp_side))).append(",").append(t.lighter_price.str());
  row.append(",").append(captured.str());
  row.append(",").append(pnl.str());
  row.append(",").append(t.backpack_fee.str());
  row.append(",").append(t.lighter_fee.str());
  row.append("\n");
  trades_.put(now, row);
  trades_.flush();
}

void XarbCsvWriter::flush() {
  bbo_.flush();
  trades_.flush();
}

}  // namespace bparb::app
