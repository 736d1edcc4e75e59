#pragma once
// Raw DEFLATE (RFC 1951) decoding for GzipReader.
//
// Why our own: reading a recording is bound by decompression, and Boost.Beast's port of zlib's inflate
// spends ~12 instructions per output byte on recorded JSON (byte-at-a-time match copies, a 32-bit bit
// reservoir refilled two bytes at a time, every call's output copied into a separate window). This
// decoder keeps a 64-bit bit buffer refilled eight bytes at a time, resolves a code with one or two table
// lookups, and decodes into its own buffer that doubles as the 32 KiB history, so a match is a forward
// copy of 8 or 16 bytes at a time (BENCHMARKS.md §7).
//
// Input is pushed in pieces: decode() takes what the caller holds and asks for more (kNeedInput) while
// fewer than kInputMargin bytes are left and more may follow; with `eof` set it decodes to the end and
// reports a stream cut short as kTruncated, after handing out everything decoded before the cut.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bparb::record {

class Inflater {
 public:
  enum class Status : std::uint8_t {
    kOutput,     // output is ready (the buffer filled up): take it and call again
    kNeedInput,  // fewer than kInputMargin bytes left and `eof` not set: call again with more
    kEnd,        // the final block ended; consumed stops at the byte after it
    kTruncated,  // `eof` and the stream is not finished
    kCorrupt,    // invalid data: error() says what
  };
  // The most input a block header or one symbol can need (a dynamic header is at most ~570 bytes).
  static constexpr std::size_t kInputMargin = 1024;

  Inflater();
  // Starts a new stream (drops any pending output).
  void reset() noexcept;
  // Decodes from in[0, avail). `consumed` is set to the bytes taken (never more than avail). Output goes to
  // the internal buffer (pending()); call only when it is drained. Any status may come with output.
  Status decode(const unsigned char* in, std::size_t avail, bool eof, std::size_t& consumed) noexcept;

  const unsigned char* pending() const noexcept { return buf_.data() + take_; }
  std::size_t pending_size() const noexcept { return out_ - take_; }
  void take(std::size_t n) noexcept { take_ += n; }
  // What was wrong after kCorrupt (a static string).
  const char* error() const noexcept { return error_; }
  // After kEnd: how many bytes counted in `consumed` lie past the end of the stream (at most 7; they were
  // read ahead into the bit buffer and belong to whatever follows, e.g. the gzip trailer).
  std::size_t unused_bytes() const noexcept { return unused_; }

 private:
  enum class Mode : std::uint8_t { kHeader, kStored, kCodes, kDone };
  static constexpr unsigned kLitRoot = 10;  // first-level index bits of the literal/length table
  static constexpr unsigned kDistRoot = 8;
  // Long codes go to second-level tables of at most 2^(15 - root) entries, one per first-level slot that
  // long codes share; there are at most as many such slots as symbols.
  static constexpr std::size_t kLitEntries = (1u << kLitRoot) + 288 * (1u << (15 - kLitRoot));
  static constexpr std::size_t kDistEntries = (1u << kDistRoot) + 32 * (1u << (15 - kDistRoot));

  struct Bits;
  Status run(Bits& b, bool eof) noexcept;
  Status read_header(Bits& b) noexcept;
  Status read_dynamic(Bits& b) noexcept;
  Status decode_codes(Bits& b, bool eof) noexcept;
  Status corrupt(const Bits& b, const char* what) noexcept;
  // Fills `table` for the code with lengths lens[0, n): entry = payload[symbol] | code length.
  static bool build(const std::uint8_t* lens, unsigned n, std::uint32_t* table, unsigned root, bool allow_single,
                    const std::uint32_t* payload) noexcept;

  std::vector<unsigned char> buf_;  // history (at most the last 32 KiB) followed by new output
  std::size_t out_ = 0;             // end of output in buf_
  std::size_t take_ = 0;            // output before this was handed out
  std::uint64_t base_ = 0;          // stream offset of buf_[0] (how far back a distance may reach)
  std::uint64_t hold_ = 0;          // bit buffer, next bit lowest
  unsigned bits_ = 0;               // valid bits in hold_
  unsigned pad_ = 0;                // zero bits added past the end of input (eof only)
  std::size_t unused_ = 0;
  std::uint32_t stored_left_ = 0;  // bytes left in the current stored block
  Mode mode_ = Mode::kHeader;
  bool last_block_ = false;
  const char* error_ = "";
  std::array<std::uint32_t, kLitEntries> lit_{};
  std::array<std::uint32_t, kDistEntries> dist_{};
};

}  // namespace bparb::record
