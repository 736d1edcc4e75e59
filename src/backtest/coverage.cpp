#include "bparb/backtest/coverage.hpp"

#include <utility>

namespace bparb::backtest {

std::size_t BookValidityTracker::add(std::string symbol, bool traded) {
  Market m;
  m.v.symbol = std::move(symbol);
  m.v.traded = traded;
  m_.push_back(std::move(m));
  return m_.size() - 1;
}

void BookValidityTracker::set(std::size_t i, bool valid, TimestampUs t) noexcept {
  Market& m = m_[i];
  if (m.valid == valid) return;
  m.valid = valid;
  if (!opened_ || closed_) return;  // outside the window only the state is followed
  if (valid) {
    m.since = t;
    if (m.v.first_valid_us == 0) m.v.first_valid_us = t;
  } else {
    m.v.valid_us += t - m.since;
    ++m.v.invalidations;
  }
}

void BookValidityTracker::open_window(TimestampUs t) noexcept {
  if (opened_) return;
  opened_ = true;
  for (Market& m : m_) {
    if (!m.valid) continue;
    m.since = t;
    m.v.first_valid_us = t;
  }
}

void BookValidityTracker::close_window(TimestampUs t) noexcept {
  if (!opened_ || closed_) return;
  closed_ = true;
  for (Market& m : m_) {
    if (m.valid) m.v.valid_us += t - m.since;
  }
}

std::vector<BookValidity> BookValidityTracker::result() const {
  std::vector<BookValidity> out;
  out.reserve(m_.size());
  for (const Market& m : m_) out.push_back(m.v);
  return out;
}

std::size_t FundingFeedTracker::add(std::string perp_symbol, std::int64_t interval_ms) {
  Perp p;
  p.v.symbol = std::move(perp_symbol);
  p.interval_ms = interval_ms;
  f_.push_back(std::move(p));
  return f_.size() - 1;
}

bool FundingFeedTracker::recorded(std::size_t i, std::int64_t funding_time_ms) noexcept {
  Perp& p = f_[i];
  ++p.v.recorded_frames;
  if (p.interval_ms <= 0 || funding_time_ms <= 0 || funding_time_ms % p.interval_ms != 0) {
    ++p.v.off_grid;
    return false;
  }
  p.last_for_ms = funding_time_ms;
  return true;
}

void FundingFeedTracker::settled(std::size_t i, std::int64_t t_ms) noexcept {
  Perp& p = f_[i];
  if (p.last_for_ms == t_ms) {
    ++p.v.settlements_recorded;
  } else {
    ++p.v.settlements_modelled;
  }
}

std::vector<FundingFeed> FundingFeedTracker::result() const {
  std::vector<FundingFeed> out;
  out.reserve(f_.size());
  for (const Perp& p : f_) out.push_back(p.v);
  return out;
}

std::string no_valid_book_reason(const std::vector<BookValidity>& books) {
  std::string out;
  for (const BookValidity& b : books) {
    if (b.first_valid_us != 0 || !b.traded) continue;
    if (!out.empty()) out += "; ";
    out += b.symbol + " never had a valid order book (" + std::to_string(b.depth_frames) + " depth frames, " +
           std::to_string(b.snapshots) + " snapshots): ";
    if (b.depth_frames == 0) {
      out += "the recording has no depth for it";
    } else if (b.snapshots == 0) {
      out +=
          "the recording has no rest_depth snapshot to start its depth diffs from, so the book cannot be "
          "synchronised";
    } else {
      out += "its depth diffs never continued from any of its snapshots (sequence gaps)";
    }
  }
  return out;
}

}  // namespace bparb::backtest
