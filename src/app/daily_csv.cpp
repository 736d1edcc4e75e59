#include "bparb/app/daily_csv.hpp"

#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace bparb::app {

std::string utc_date(TimestampUs t) {
  const std::time_t secs = static_cast<std::time_t>(utc_day_start(t) / kUsPerSecond);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

DailyCsv::DailyCsv(DailyCsv&& o) noexcept
    : dir_(std::move(o.dir_)),
      prefix_(std::move(o.prefix_)),
      header_(o.header_),
      path_(std::move(o.path_)),
      f_(std::exchange(o.f_, nullptr)),
      day_end_(o.day_end_),
      bytes_(o.bytes_) {}

DailyCsv& DailyCsv::operator=(DailyCsv&& o) noexcept {
  if (this != &o) {
    close();
    dir_ = std::move(o.dir_);
    prefix_ = std::move(o.prefix_);
    header_ = o.header_;
    path_ = std::move(o.path_);
    f_ = std::exchange(o.f_, nullptr);
    day_end_ = o.day_end_;
    bytes_ = o.bytes_;
  }
  return *this;
}

void DailyCsv::close() {
  if (f_ != nullptr) std::fclose(f_);
  f_ = nullptr;
}

void DailyCsv::roll(TimestampUs t) {
  if (f_ != nullptr && t < day_end_) return;
  close();
  path_ = (std::filesystem::path(dir_) / (prefix_ + utc_date(t) + ".csv")).string();
  f_ = std::fopen(path_.c_str(), "ab");
  if (f_ == nullptr) throw std::runtime_error("cannot open " + path_ + " for writing");
  day_end_ = utc_day_start(t) + kUsPerDay;
  // "ab" positions at the end: an existing file of the same day (restart) already has its header.
  if (std::ftell(f_) == 0) {
    if (std::fwrite(header_.data(), 1, header_.size(), f_) != header_.size()) {
      throw std::runtime_error("write failed: " + path_);
    }
    bytes_ += header_.size();
  }
}

void DailyCsv::put(TimestampUs t, std::string_view row) {
  roll(t);
  if (std::fwrite(row.data(), 1, row.size(), f_) != row.size()) throw std::runtime_error("write failed: " + path_);
  bytes_ += row.size();
}

void DailyCsv::flush() {
  if (f_ != nullptr) std::fflush(f_);
}

void TradesCsv::write(const TradeCsvRow& r) {
  PerPair* pp = nullptr;
  for (PerPair& p : pairs_) {
    if (p.pair == r.pair) pp = &p;
  }
  if (pp == nullptr) {
    pairs_.push_back(
        PerPair{std::string(r.pair), DailyCsv(dir_, "trades_" + std::string(r.pair) + "_", kTradesCsvHeader)});
    pp = &pairs_.back();
  }
  std::string row;
  row.reserve(160);
  row += std::to_string(r.t);
  row += ',';
  row += r.pair;
  row += ',';
  row += std::to_string(r.position_id);
  row += ',';
  row += r.purpose;
  row += ',';
  row += r.symbol;
  row += ',';
  row += r.side;
  row += ',';
  row += r.quantity.str();
  row += ',';
  row += r.price.str();
  row += ',';
  row += r.fee.str();
  row += ',';
  row += r.fee_symbol;
  row += ',';
  row += r.maker ? "maker" : "taker";
  row += ',';
  row += std::to_string(r.client_id);
  row += '\n';
  pp->file.put(r.t, row);
  // Fills are rare and a trader tails this file: make each row visible at once.
  pp->file.flush();
  ++rows_;
}

void TradesCsv::flush() {
  for (PerPair& p : pairs_) p.file.flush();
}

}  // namespace bparb::app
