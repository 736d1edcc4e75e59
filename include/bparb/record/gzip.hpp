#pragma once
// A small gzip (RFC 1952) codec for recordings: Boost.Beast's header-only port of zlib's raw deflate for
// writing, our own raw inflate for reading (src/record/inflate.hpp: reading a recording is bound by it) and
// our own table CRC-32 (Crc32 below) — zlib itself is not an approved dependency. The Boost headers stay in
// gzip.cpp so this header is light.
//
// GzipWriter writes one gzip member per writer (header, raw deflate at level 6, CRC32 + ISIZE trailer);
// opening with append=true adds a new member after what the file holds, which every gzip reader
// (including `gzip -d` and ours) reads as one concatenated stream.
// GzipReader reads any number of members, checks header, CRC32 and ISIZE, and reports corrupt or
// truncated input with a clear error instead of silently stopping; a file that does not start with the
// gzip magic is passed through as plain bytes (plain-text recordings, or a `.gz` name on a text file).
// LineReader splits a GzipReader's output into '\n'-terminated lines.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace bparb::record {

// CRC-32 as gzip's trailer uses it (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final
// xor 0xFFFFFFFF). Eight input bytes per step through eight 256-entry tables ("slicing by 8"): the
// byte-at-a-time table loop (boost::crc_32_type) cost as much as inflating the data.
class Crc32 {
 public:
  void update(const void* data, std::size_t n) noexcept;
  std::uint32_t value() const noexcept { return ~state_; }
  void reset() noexcept { state_ = 0xFFFFFFFFu; }

 private:
  std::uint32_t state_ = 0xFFFFFFFFu;
};

class GzipWriter {
 public:
  // Opens `path` (append = false truncates). Throws std::runtime_error if the file cannot be opened.
  explicit GzipWriter(const std::string& path, bool append = true, int level = 6);
  ~GzipWriter();  // close(), swallowing errors: call close() explicitly to see them
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  // Compresses `n` bytes. Throws std::runtime_error on an I/O or codec error (or after close()).
  // No allocation once the deflate state exists (first call).
  void write(const void* data, std::size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  // Sync flush: everything written so far becomes decodable from the file (a byte-aligned empty stored
  // block is emitted) and the file is fflush()ed. A crash afterwards loses nothing written before.
  void sync_flush();
  // Finishes the member (final block + trailer) and closes the file. Idempotent.
  void close();

  std::uint64_t bytes_in() const noexcept;   // uncompressed bytes written
  std::uint64_t bytes_out() const noexcept;  // compressed bytes written to the file (incl. header/trailer)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class GzipReader {
 public:
  // Throws std::runtime_error if `path` cannot be opened.
  explicit GzipReader(const std::string& path);
  ~GzipReader();
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Up to `n` decompressed bytes into `out`. Returns 0 at the end of the input or on error; error()
  // tells them apart (empty at a clean end). Never throws.
  std::size_t read(char* out, std::size_t n) noexcept;
  // The next decompressed bytes without a copy: a view of the reader's own buffer, valid until the next
  // read() or read_view(). Empty at the end of the input or on error (see error()). Never throws.
  std::string_view read_view() noexcept;
  const std::string& error() const noexcept;
  // True when the file started with the gzip magic (false: plain passthrough). Valid after the first read.
  bool is_gzip() const noexcept;
  std::uint64_t members() const noexcept;  // gzip members completed so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lines of a (possibly gzip) file, without the '\n'. A final line without '\n' is still delivered.
class LineReader {
 public:
  explicit LineReader(const std::string& path);  // throws std::runtime_error if it cannot be opened
  // The next line; the view is valid until the next call. False at the end or on error (see error()).
  bool next(std::string_view& line) noexcept;
  const std::string& error() const noexcept { return reader_.error(); }
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  GzipReader reader_;
  std::string_view chunk_;  // the reader's latest piece (read_view())
  std::size_t pos_ = 0;     // unread data in chunk_ starts here
  std::string carry_;       // a line split across pieces, assembled
  bool carried_ = false;    // the last line returned was carry_ (cleared on the next call)
  bool eof_ = false;
};

}  // namespace bparb::record
