#include "bparb/record/recording.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <stdexcept>

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
  const auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
  if (ec != std::errc() || ptr != ts.data() + ts.size()) return fail("bad receive time");
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail("missing payload");
  if (!parse_frame_kind(line.substr(sp1 + 1, sp2 - sp1 - 1), out.kind)) return fail("unknown kind");
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

RecordingReader::RecordingReader(const std::string& path) {
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
  // Cursors are primed with their first line at the first next().
}

RecordingReader::~RecordingReader() = default;

std::vector<std::string> RecordingReader::files() const {
  std::vector<std::string> out;
  for (const auto& c : cursors_) out.insert(out.end(), c->files.begin(), c->files.end());
  return out;
}

bool RecordingReader::advance(Cursor& c) {
  c.has_line = false;
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
  if (receive_time_us < 0 || payload.empty() || payload.find_first_of("\r\n") != std::string_view::npos) return false;
  if (impl_->gz == nullptr && impl_->file == nullptr) impl_->fail("write after close");
  std::string& l = impl_->line;
  l.clear();
  char num[24];
  const auto r = std::to_chars(num, num + sizeof num, receive_time_us);
  l.append(num, r.ptr);
  l += ' ';
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
