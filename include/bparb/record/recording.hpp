#pragma once
// Market-data recordings: the on-disk format shared by the recorder, the backtester and bpsim's
// replay mode (tests/record/FORMAT.md has the same description with examples).
//
// A recording is either ONE file or a DIRECTORY laid out as `<market>/<YYYY-MM-DD>.frames[.gz]`
// (UTC date of the receive time). Files ending in `.gz` are gzip (several gzip members appended one
// after another are fine, so a recorder may append to a .gz); anything else is plain text. Each line:
//
//   <receive_time_us> [<venue>] <kind> <payload>\n
//
//   receive_time_us  decimal µs since the Unix epoch, local receive time (non-negative)
//   venue            the venue whose wire format the payload is in: backpack | lighter (core/venue.hpp);
//                    absent: backpack (recordings from before the tag). An unknown venue ends the stream
//                    with an error naming the file and line.
//   kind             ws | rest_depth | event
//   payload          the rest of the line (no newline inside; JSON never needs one):
//     ws          the WebSocket text frame exactly as received, e.g.
//                 {"stream":"depth.SOL_USDC","data":{"e":"depth","E":..,"s":"SOL_USDC","a":[..],"b":[..],"U":..,"u":..,"T":..}}
//     rest_depth  {"symbol":"SOL_USDC","data":<the GET /api/v1/depth response body>}
//     event       {"type":"reconnect"|"gap"|"resync", ...optional "symbol", "detail"...}
//                 Reconnects and sequence gaps are written as such — a recording never papers over
//                 a hole; replay resynchronises from the next rest_depth line.
// Within a file lines are in receive order. A directory is read as one stream merged across markets by
// receive time (ties: market directory name order); each market's files are read in date order.
//
// RecordingReader streams (never loads a whole file), counts and skips malformed lines remembering
// where they were, and counts lines whose time goes backwards within a file (delivered, not dropped).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/record/frame_source.hpp"

namespace bparb::record {

// Parses one line (without its newline; a trailing '\r' is ignored). False if malformed, with a
// static reason ("bad time", "unknown kind", "empty payload", ...).
bool parse_frame_line(std::string_view line, FrameLine& out, const char** reason = nullptr) noexcept;
// Kind name -> kind; false if unknown.
bool parse_frame_kind(std::string_view s, FrameKind& out) noexcept;

struct MalformedLine {
  std::string file;
  std::uint64_t line_no = 0;  // 1-based within its file
  std::string reason;
};

struct ReaderStats {
  std::uint64_t lines = 0;                     // well-formed lines delivered
  std::uint64_t malformed = 0;                 // skipped (empty lines are skipped silently and not counted)
  std::uint64_t out_of_order = 0;              // delivered lines whose time is below the previous line of the same file
  std::uint64_t files = 0;                     // files opened
  std::vector<MalformedLine> malformed_lines;  // the first kMaxMalformedKept of them
  static constexpr std::size_t kMaxMalformedKept = 100;
};

struct ReaderOptions {
  // true: every market's files are decompressed and split into lines on a thread of its own (one per
  // market directory, or one for a single file), `batch_lines` lines at a time, at most
  // `batches_in_flight` batches ahead of the consumer; next() then only merges. The batches' buffers are
  // reused, so once they have grown to the largest batch nothing is allocated per line. Same lines,
  // order, stats and errors as false (the caller's thread does everything).
  bool decode_ahead = false;
  std::size_t batch_lines = 2048;
  std::size_t batches_in_flight = 4;
};

class RecordingReader final : public FrameSource {
 public:
  // `path`: a file or a recording directory. Throws std::runtime_error (start-up) if it does not exist,
  // a directory holds no *.frames / *.frames.gz files, or a file cannot be opened.
  explicit RecordingReader(const std::string& path, ReaderOptions options = {});
  ~RecordingReader() override;
  RecordingReader(const RecordingReader&) = delete;
  RecordingReader& operator=(const RecordingReader&) = delete;

  bool next(FrameLine& out) override;
  const ReaderStats& stats() const noexcept { return stats_; }
  // A read error (corrupt gzip stream, I/O error) ends the stream early: next() returns false and
  // error() says why. Empty when the stream ended normally.
  const std::string& error() const noexcept { return error_; }
  // Files in reading order (for a directory: per market, by date).
  std::vector<std::string> files() const;

 private:
  struct Cursor;
  struct Batch;
  class Ahead;
  bool advance(Cursor& c);
  bool advance_ahead(Cursor& c);
  std::vector<std::unique_ptr<Cursor>> cursors_;
  Cursor* last_ = nullptr;  // cursor whose line was delivered last (advanced at the next call)
  bool primed_ = false;
  ReaderStats stats_;
  std::string error_;
};

// Every line of a recording decoded once into memory (one byte arena + an index), to be replayed any
// number of times without decompressing again (backtest --sweep). Memory: the uncompressed payload bytes
// plus 24 bytes per line.
class DecodedRecording {
 public:
  // Reads `path` to its end with a RecordingReader(path, options). Throws std::runtime_error for what
  // the reader throws and for a read error that ended the stream early (its message).
  explicit DecodedRecording(const std::string& path, ReaderOptions options = {.decode_ahead = true});

  // A FrameSource over the decoded lines from the first; payload views stay valid while *this lives.
  class Source final : public FrameSource {
   public:
    explicit Source(const DecodedRecording& r) noexcept : r_(&r) {}
    bool next(FrameLine& out) override;

   private:
    const DecodedRecording* r_;
    std::size_t pos_ = 0;
  };
  Source source() const noexcept { return Source(*this); }

  std::size_t size() const noexcept { return items_.size(); }
  const ReaderStats& stats() const noexcept { return stats_; }  // of the one read

 private:
  struct Item {
    TimestampUs t = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    FrameKind kind = FrameKind::kWs;
    VenueId venue = VenueId::kBackpack;
  };
  std::string bytes_;
  std::vector<Item> items_;
  ReaderStats stats_;
};

// Appends lines to one file. `.gz` path -> gzip (a new gzip member per writer; level 6; GzipWriter in
// gzip.hpp), else plain. flush() makes everything written so far readable (gzip sync flush + fflush).
class RecordingWriter {
 public:
  // append = false truncates. Throws std::runtime_error if the file cannot be opened.
  explicit RecordingWriter(const std::string& path, bool append = true);
  ~RecordingWriter();  // closes (flushes) the file
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Writes one line. Returns false (and writes nothing) if the payload contains '\n' / '\r' or is
  // empty, or time is negative; throws std::runtime_error on an I/O error.
  bool write(TimestampUs receive_time_us, FrameKind kind, std::string_view payload);
  // The same with the line's venue tag ("<time> <venue> <kind> <payload>").
  bool write(TimestampUs receive_time_us, VenueId venue, FrameKind kind, std::string_view payload);
  void flush();
  void close();
  std::uint64_t lines_written() const noexcept { return lines_; }
  // Bytes this writer put in the file (compressed size for .gz, including gzip header/trailer once closed).
  std::uint64_t bytes_written() const noexcept;

 private:
  bool write_line(TimestampUs receive_time_us, const VenueId* venue, FrameKind kind, std::string_view payload);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint64_t lines_ = 0;
  std::uint64_t bytes_closed_ = 0;
};

// "<market>/<YYYY-MM-DD>.frames[.gz]" relative path for a line received at `t` (UTC date).
std::string recording_file_name(std::string_view market, TimestampUs t, bool gzip);

}  // namespace bparb::record
