#include "bparb/record/recording.hpp"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "bparb/record/gzip.hpp"

namespace bparb::record {
namespace fs = std::filesystem;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_frames_file(const fs::path& p) {
  const std::string n = p.filename().string();
  return ends_with(n, ".frames") || ends_with(n, ".frames.gz");
}

}  // namespace

namespace {
// A venue tag that names no venue: not a line to skip (its data would be replayed as another venue's),
// so the readers end the stream with an error naming the file and line.
constexpr const char* kUnknownVenue = "unknown venue tag (known: backpack, lighter)";
}  // namespace

bool parse_frame_kind(std::string_view s, FrameKind& out) noexcept {
  if (s == "ws") {
    out = FrameKind::kWs;
  } else if (s == "rest_depth") {
    out = FrameKind::kRestDepth;
  } else if (s == "event") {
    out = FrameKind::kEvent;
  } else {
    return false;
  }
  return true;
}

namespace {

// A line's receive time: digits only. Up to 18 digits (which cannot overflow) are read eight at a time,
// checked and converted without a branch per digit; longer ones go through from_chars, which refuses a
// value that does not fit. Every line of a recording starts with one, so this runs 135 k times for the
// Binance sample (BENCHMARKS.md §7).
bool parse_time_digits(std::string_view ts, std::int64_t& out) noexcept {
  if (ts.size() > 18) {
    const auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), out);
    return ec == std::errc() && ptr == ts.data() + ts.size();
  }
  constexpr std::uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ull;
  constexpr std::uint64_t kZeros = 0x3030303030303030ull;
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (; i + 8 <= ts.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, ts.data() + i, 8);
    // Every byte 0x30..0x39: high nibble 3, and still 3 after adding 6.
    if ((w & kHigh) != kZeros || ((w + 0x0606060606060606ull) & kHigh) != kZeros) return false;
    w -= kZeros;
    w = (w * 10) + (w >> 8);
    w = (((w & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
         (((w >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
        32;
    v = v * 100000000u + w;
  }
  for (; i < ts.size(); ++i) {
    const unsigned d = static_cast<unsigned char>(ts[i]) - unsigned{'0'};
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = static_cast<std::int64_t>(v);
  return true;
}

}  // namespace

bool parse_frame_line(std::string_view line, FrameLine& out, const char** reason) noexcept {
  auto fail = [&](const char* r) {
    if (reason != nullptr) *reason = r;
    return false;
  };
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail("missing fields (want: <time_us> <kind> <payload>)");
  const std::string_view ts = line.substr(0, sp1);
  if (ts.empty() || ts.front() < '0' || ts.front() > '9') return fail("bad receive time");
  std::int64_t t = 0;
  if (!parse_time_digits(ts, t)) return fail("bad receive time");
  std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail("missing payload");
  out.venue = VenueId::kBackpack;  // an untagged line
  if (!parse_frame_kind(line.substr(sp1 + 1, sp2 - sp1 - 1), out.kind)) {
    // "<time> <venue> <kind> <payload>": a tag is a word followed by a known kind.
    const std::size_t sp3 = line.find(' ', sp2 + 1);
    if (sp3 == std::string_view::npos || !parse_frame_kind(line.substr(sp2 + 1, sp3 - sp2 - 1), out.kind))
      return fail("unknown kind");
    if (!parse_venue_id(line.substr(sp1 + 1, sp2 - sp1 - 1), out.venue)) return fail(kUnknownVenue);
    sp2 = sp3;
  }
  const std::string_view payload = line.substr(sp2 + 1);
  if (payload.empty()) return fail("empty payload");
  if (payload.front() != '{') return fail("payload is not a JSON object");
  out.receive_time_us = t;
  out.payload = payload;
  return true;
}

std::string recording_file_name(std::string_view market, TimestampUs t, bool gzip) {
  const std::time_t secs = static_cast<std::time_t>(utc_day_start(t) / kUsPerSecond);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[48];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::string out(market);
  out += '/';
  out += date;
  out += gzip ? ".frames.gz" : ".frames";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reader: one cursor per market (or the single file); each cursor walks its files in order.

struct RecordingReader::Cursor {
  std::vector<std::string> files;
  std::size_t file_index = 0;
  std::unique_ptr<LineReader> reader;  // reads plain and gzip files alike
  std::uint64_t line_no = 0;
  TimestampUs prev_time = 0;
  std::string_view raw;  // current raw line, points into reader's buffer
  FrameLine line;
  bool has_line = false;
  // Decode-ahead mode: the worker and the batch being consumed (null: none taken yet / given back).
  std::unique_ptr<Ahead> ahead;
  Batch* batch = nullptr;
  std::size_t batch_pos = 0;

  bool open_next(std::string& error) {
    reader.reset();
    if (file_index >= files.size()) return false;
    const std::string& f = files[file_index++];
    try {
      reader = std::make_unique<LineReader>(f);
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
    line_no = 0;
    prev_time = 0;
    return true;
  }

  // Reads one raw line. False at end of file or on error (error set: corrupt/truncated gzip, I/O).
  bool read_raw(std::string& error) {
    if (reader->next(raw)) return true;
    if (!reader->error().empty()) error = reader->error();
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Decode ahead: one worker thread per cursor turns its files into batches of parsed lines.

struct RecordingReader::Batch {
  struct Item {
    TimestampUs t = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    FrameKind kind = FrameKind::kWs;
    VenueId venue = VenueId::kBackpack;
    bool first_of_file = false;  // first line of a file after the cursor's first (out-of-order restarts)
  };
  struct Bad {
    std::size_t file = 0;
    std::uint64_t line_no = 0;
    const char* reason = "";
  };
  std::string bytes;  // payloads, back to back
  std::vector<Item> items;
  std::vector<Bad> bad;            // malformed lines met while filling this batch
  std::uint64_t files_opened = 0;  // files after the first one the worker opened for this batch
  std::string error;               // a read error ended the cursor's stream after `items`
  bool last = false;               // nothing follows this batch

  void clear() noexcept {
    bytes.clear();
    items.clear();
    bad.clear();
    files_opened = 0;
    error.clear();
    last = false;
  }
};

class RecordingReader::Ahead {
 public:
  Ahead(const std::vector<std::string>& files, std::unique_ptr<LineReader> first, const ReaderOptions& o)
      : files_(files), lines_per_batch_(std::max<std::size_t>(o.batch_lines, 1)) {
    const std::size_t n = std::max<std::size_t>(o.batches_in_flight, 2);
    all_.reserve(n);
    free_.reserve(n);
    full_.assign(n, nullptr);
    for (std::size_t i = 0; i < n; ++i) {
      all_.push_back(std::make_unique<Batch>());
      all_.back()->items.reserve(lines_per_batch_);
      all_.back()->bytes.reserve(kBatchBytes + (1u << 12));
      free_.push_back(all_.back().get());
    }
    worker_ = std::thread([this, r = std::move(first)]() mutable { run(std::move(r)); });
  }
  ~Ahead() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  Ahead(const Ahead&) = delete;
  Ahead& operator=(const Ahead&) = delete;

  // The next batch in order (blocks until the worker has filled it). The last one has `last` set.
  Batch* take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_count_ > 0; });
    Batch* b = full_[full_head_];
    full_head_ = (full_head_ + 1) % full_.size();
    --full_count_;
    lock.unlock();
    cv_.notify_all();
    return b;
  }
  void give_back(Batch* b) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(b);  // within the reserved capacity: there are only all_.size() batches
    }
    cv_.notify_all();
  }

 private:
  static constexpr std::size_t kBatchBytes = 1u << 18;

  Batch* get_free() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stop_ || !free_.empty(); });
    if (stop_) return nullptr;
    Batch* b = free_.back();
    free_.pop_back();
    b->clear();
    return b;
  }
  void publish(Batch* b) {
    {
      std::lock_guard lock(mu_);
      full_[(full_head_ + full_count_) % full_.size()] = b;
      ++full_count_;
    }
    cv_.notify_all();
  }

  void run(std::unique_ptr<LineReader> reader) {
    Batch* b = get_free();
    if (b == nullptr) return;
    std::size_t file = 0;
    std::uint64_t line_no = 0;
    std::string_view raw;
    FrameLine fl;
    bool file_start = false;
    for (;;) {
      while (reader->next(raw)) {
        ++line_no;
        if (raw.empty() || raw == "\r") continue;
        const char* reason = "";
        if (!parse_frame_line(raw, fl, &reason)) {
          if (reason == kUnknownVenue) {
            b->error = files_[file] + ":" + std::to_string(line_no) + ": " + reason;
            break;
          }
          b->bad.push_back({file, line_no, reason});
        } else {
          b->items.push_back({fl.receive_time_us, static_cast<std::uint32_t>(b->bytes.size()),
                              static_cast<std::uint32_t>(fl.payload.size()), fl.kind, fl.venue, file_start});
          file_start = false;
          b->bytes.append(fl.payload);
        }
        if (b->items.size() >= lines_per_batch_ || b->bad.size() >= lines_per_batch_ ||
            b->bytes.size() >= kBatchBytes) {
          publish(b);
          b = get_free();
          if (b == nullptr) return;
        }
      }
      if (!b->error.empty()) break;  // an unknown venue tag
      if (!reader->error().empty()) {
        b->error = reader->error();
        break;
      }
      if (++file >= files_.size()) break;
      try {
        reader = std::make_unique<LineReader>(files_[file]);
      } catch (const std::exception& e) {
        b->error = e.what();
        break;
      }
      ++b->files_opened;
      line_no = 0;
      file_start = true;
    }
    b->last = true;
    publish(b);
  }

  const std::vector<std::string>& files_;
  const std::size_t lines_per_batch_;
  std::vector<std::unique_ptr<Batch>> all_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Batch*> free_;
  std::vector<Batch*> full_;  // ring of published batches
  std::size_t full_head_ = 0;
  std::size_t full_count_ = 0;
  bool stop_ = false;
  std::thread worker_;  // last: started once everything above exists
};

RecordingReader::RecordingReader(const std::string& path, ReaderOptions options) {
  std::error_code ec;
  const fs::path root(path);
  if (!fs::exists(root, ec)) throw std::runtime_error("recording not found: " + path);
  if (fs::is_directory(root, ec)) {
    std::vector<fs::path> markets;
    for (const auto& e : fs::directory_iterator(root)) {
      if (e.is_directory()) markets.push_back(e.path());
    }
    std::sort(markets.begin(), markets.end());
    for (const auto& m : markets) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(m)) {
        if (e.is_regular_file() && is_frames_file(e.path())) files.push_back(e.path().string());
      }
      if (files.empty()) continue;
      std::sort(files.begin(), files.end());  // YYYY-MM-DD sorts chronologically
      auto c = std::make_unique<Cursor>();
      c->files = std::move(files);
      cursors_.push_back(std::move(c));
    }
    if (cursors_.empty()) {
      throw std::runtime_error("recording directory " + path + " holds no <market>/<date>.frames[.gz] files");
    }
  } else {
    auto c = std::make_unique<Cursor>();
    c->files.push_back(path);
    cursors_.push_back(std::move(c));
  }
  for (auto& c : cursors_) {
    std::string err;
    if (!c->open_next(err)) throw std::runtime_error("recording: " + err);
    ++stats_.files;
  }
  if (options.decode_ahead) {
    for (auto& c : cursors_) c->ahead = std::make_unique<Ahead>(c->files, std::move(c->reader), options);
  }
  // Cursors are primed with their first line at the first next().
}

RecordingReader::~RecordingReader() = default;

std::vector<std::string> RecordingReader::files() const {
  std::vector<std::string> out;
  for (const auto& c : cursors_) out.insert(out.end(), c->files.begin(), c->files.end());
  return out;
}

bool RecordingReader::advance_ahead(Cursor& c) {
  for (;;) {
    if (c.batch == nullptr) {
      c.batch = c.ahead->take();
      c.batch_pos = 0;
      stats_.files += c.batch->files_opened;
      for (const Batch::Bad& bad : c.batch->bad) {
        ++stats_.malformed;
        if (stats_.malformed_lines.size() < ReaderStats::kMaxMalformedKept)
          stats_.malformed_lines.push_back({c.files[bad.file], bad.line_no, bad.reason});
      }
    }
    Batch& b = *c.batch;
    if (c.batch_pos < b.items.size()) {
      const Batch::Item& it = b.items[c.batch_pos++];
      c.line.receive_time_us = it.t;
      c.line.kind = it.kind;
      c.line.venue = it.venue;
      c.line.payload = std::string_view(b.bytes.data() + it.offset, it.length);
      if (it.first_of_file) c.prev_time = 0;  // out-of-order is counted within a file
      if (it.t < c.prev_time) ++stats_.out_of_order;
      c.prev_time = it.t;
      c.has_line = true;
      return true;
    }
    if (!b.error.empty()) {
      error_ = b.error;
      return false;
    }
    if (b.last) return false;  // kept: nothing more will be taken from this cursor
    c.ahead->give_back(c.batch);
    c.batch = nullptr;
  }
}

bool RecordingReader::advance(Cursor& c) {
  c.has_line = false;
  if (c.ahead) return advance_ahead(c);
  for (;;) {
    if (c.reader == nullptr) return false;
    if (!c.read_raw(error_)) {
      if (!error_.empty()) return false;
      if (!c.open_next(error_)) return false;
      ++stats_.files;
      continue;
    }
    ++c.line_no;
    if (c.raw.empty() || c.raw == "\r") continue;
    const char* reason = "";
    if (!parse_frame_line(c.raw, c.line, &reason)) {
      if (reason == kUnknownVenue) {
        error_ = c.files[c.file_index - 1] + ":" + std::to_string(c.line_no) + ": " + reason;
        return false;
      }
      ++stats_.malformed;
      if (stats_.malformed_lines.size() < ReaderStats::kMaxMalformedKept) {
        stats_.malformed_lines.push_back({c.files[c.file_index - 1], c.line_no, reason});
      }
      continue;
    }
    if (c.line.receive_time_us < c.prev_time) ++stats_.out_of_order;
    c.prev_time = c.line.receive_time_us;
    c.has_line = true;
    return true;
  }
}

bool RecordingReader::next(FrameLine& out) {
  if (!error_.empty()) return false;
  if (!primed_) {
    primed_ = true;
    for (auto& c : cursors_) {
      advance(*c);
      if (!error_.empty()) return false;
    }
  } else if (last_ != nullptr) {
    advance(*last_);
    if (!error_.empty()) return false;
  }
  last_ = nullptr;
  for (auto& c : cursors_) {
    if (c->has_line && (last_ == nullptr || c->line.receive_time_us < last_->line.receive_time_us)) last_ = c.get();
  }
  if (last_ == nullptr) return false;
  out = last_->line;
  ++stats_.lines;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Decoded in memory

DecodedRecording::DecodedRecording(const std::string& path, ReaderOptions options) {
  RecordingReader reader(path, options);
  FrameLine l;
  while (reader.next(l)) {
    items_.push_back({l.receive_time_us, bytes_.size(), static_cast<std::uint32_t>(l.payload.size()), l.kind, l.venue});
    bytes_.append(l.payload);
  }
  if (!reader.error().empty()) throw std::runtime_error(reader.error());
  stats_ = reader.stats();
  bytes_.shrink_to_fit();
  items_.shrink_to_fit();
}

bool DecodedRecording::Source::next(FrameLine& out) {
  if (pos_ >= r_->items_.size()) return false;
  const Item& it = r_->items_[pos_++];
  out.receive_time_us = it.t;
  out.kind = it.kind;
  out.venue = it.venue;
  out.payload = std::string_view(r_->bytes_.data() + it.offset, it.length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Writer

struct RecordingWriter::Impl {
  std::string path;
  std::unique_ptr<GzipWriter> gz;
  std::FILE* file = nullptr;
  std::uint64_t plain_bytes = 0;
  std::string line;  // reused

  void fail(const char* what) const { throw std::runtime_error(path + ": " + what); }
};

RecordingWriter::RecordingWriter(const std::string& path, bool append) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  if (ends_with(path, ".gz")) {
    impl_->gz = std::make_unique<GzipWriter>(path, append, 6);
  } else {
    impl_->file = std::fopen(path.c_str(), append ? "ab" : "wb");
    if (impl_->file == nullptr) throw std::runtime_error("cannot open " + path + " for writing");
  }
}

RecordingWriter::~RecordingWriter() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; close() explicitly to see errors
  }
}

bool RecordingWriter::write(TimestampUs receive_time_us, FrameKind kind, std::string_view payload) {
  return write_line(receive_time_us, nullptr, kind, payload);
}

bool RecordingWriter::write(TimestampUs receive_time_us, VenueId venue, FrameKind kind, std::string_view payload) {
  return write_line(receive_time_us, &venue, kind, payload);
}

bool RecordingWriter::write_line(TimestampUs receive_time_us, const VenueId* venue, FrameKind kind,
                                 std::string_view payload) {
  if (receive_time_us < 0 || payload.empty() || payload.find_first_of("\r\n") != std::string_view::npos) return false;
  if (impl_->gz == nullptr && impl_->file == nullptr) impl_->fail("write after close");
  std::string& l = impl_->line;
  l.clear();
  char num[24];
  const auto r = std::to_chars(num, num + sizeof num, receive_time_us);
  l.append(num, r.ptr);
  l += ' ';
  if (venue != nullptr) {
    l += venue_name(*venue);
    l += ' ';
  }
  l += frame_kind_name(kind);
  l += ' ';
  l += payload;
  l += '\n';
  if (impl_->gz != nullptr) {
    impl_->gz->write(l.data(), l.size());
  } else {
    if (std::fwrite(l.data(), 1, l.size(), impl_->file) != l.size()) impl_->fail("write failed");
    impl_->plain_bytes += l.size();
  }
  ++lines_;
  return true;
}

void RecordingWriter::flush() {
  if (impl_->gz != nullptr) impl_->gz->sync_flush();
  if (impl_->file != nullptr && std::fflush(impl_->file) != 0) impl_->fail("flush failed");
}

void RecordingWriter::close() {
  if (impl_->gz != nullptr) {
    bytes_closed_ = impl_->gz->bytes_out();
    std::unique_ptr<GzipWriter> gz = std::move(impl_->gz);
    gz->close();
    bytes_closed_ = gz->bytes_out();
  }
  if (impl_->file != nullptr) {
    const int rc = std::fclose(impl_->file);
    impl_->file = nullptr;
    bytes_closed_ = impl_->plain_bytes;
    if (rc != 0) impl_->fail("close failed");
  }
}

std::uint64_t RecordingWriter::bytes_written() const noexcept {
  if (impl_->gz != nullptr) return impl_->gz->bytes_out();
  if (impl_->file != nullptr) return impl_->plain_bytes;
  return bytes_closed_;
}

}  // namespace bparb::record
