#include "bparb/record/gzip.hpp"

#include <array>
#include <boost/beast/zlib/deflate_stream.hpp>
#include <cerrno>
#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdexcept>
#include <vector>

#include "inflate.hpp"

namespace bparb::record {
namespace zlib = boost::beast::zlib;

namespace {

constexpr unsigned char kMagic0 = 0x1f;
constexpr unsigned char kMagic1 = 0x8b;
constexpr unsigned char kMethodDeflate = 8;
// RFC 1952 header flags.
constexpr unsigned kFhcrc = 0x02;
constexpr unsigned kFextra = 0x04;
constexpr unsigned kFname = 0x08;
constexpr unsigned kFcomment = 0x10;
constexpr unsigned kFreserved = 0xe0;
constexpr std::size_t kBufSize = 1u << 16;
// Raw deflate: window 2^15, zlib's default memLevel.
constexpr int kWindowBits = 15;
constexpr int kMemLevel = 8;

void put_le32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint32_t get_le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// kCrcTables[0] is the classic byte table; kCrcTables[k][b] is the CRC contribution of byte b followed by
// k zero bytes, so eight table lookups advance the CRC over eight bytes at once.
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
  }
  return t;
}
constexpr CrcTables kCrcTables = make_crc_tables();

#if defined(__x86_64__)
// The carry-less multiply helpers are plain functions, not lambdas: a lambda does not inherit its
// enclosing function's target.
__attribute__((target("pclmul,sse4.1"))) inline __m128i load16(const unsigned char* q) noexcept {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
}
// x's low half times k's low half, x's high half times k's high half, and the next block y.
__attribute__((target("pclmul,sse4.1"))) inline __m128i fold(__m128i x, __m128i k, __m128i y) noexcept {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), y);
}

// CRC-32 by carry-less multiplication (PCLMULQDQ): 64 bytes are folded into a 512-bit remainder per step,
// the remainder is folded to 128 bits, then to 64 and 32, and a Barrett reduction gives the CRC. The
// constants are powers of x modulo the bit-reflected gzip polynomial (x^(4*128+32), x^(4*128-32) for the
// 64-byte fold, x^(128+32), x^(128-32) for the 16-byte fold, x^64, then the polynomial and floor(x^64 / P)
// for the reduction), as published for this polynomial. Takes n >= 64, a multiple of 16; returns the
// updated (uninverted) register.
__attribute__((target("pclmul,sse4.1"))) std::uint32_t crc_fold_clmul(std::uint32_t crc, const unsigned char* p,
                                                                      std::size_t n) noexcept {
  __m128i x1 = _mm_xor_si128(load16(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
  __m128i x2 = load16(p + 16);
  __m128i x3 = load16(p + 32);
  __m128i x4 = load16(p + 48);
  p += 64;
  n -= 64;
  const __m128i k64 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
  for (; n >= 64; n -= 64, p += 64) {
    x1 = fold(x1, k64, load16(p));
    x2 = fold(x2, k64, load16(p + 16));
    x3 = fold(x3, k64, load16(p + 32));
    x4 = fold(x4, k64, load16(p + 48));
  }
  const __m128i k16 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
  x1 = fold(x1, k16, x2);
  x1 = fold(x1, k16, x3);
  x1 = fold(x1, k16, x4);
  for (; n >= 16; n -= 16, p += 16) x1 = fold(x1, k16, load16(p));
  // 128 -> 64 bits.
  const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
  x2 = _mm_clmulepi64_si128(x1, k16, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
  // 64 -> 32 bits.
  const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);
  x2 = _mm_srli_si128(x1, 4);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, low32), k5, 0x00), x2);
  // Barrett reduction.
  const __m128i poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);
  x2 = _mm_and_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, low32), poly, 0x10), low32);
  x1 = _mm_xor_si128(x1, _mm_clmulepi64_si128(x2, poly, 0x00));
  return static_cast<std::uint32_t>(_mm_extract_epi32(x1, 1));
}

bool cpu_has_clmul() noexcept {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  }();
  return has;
}
#endif

}  // namespace

void Crc32::update(const void* data, std::size_t n) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  const CrcTables& t = kCrcTables;
  std::uint32_t c = state_;
#if defined(__x86_64__)
  if (n >= 64 && cpu_has_clmul()) {  // the bulk by carry-less multiplication, the tail below
    const std::size_t bulk = n & ~std::size_t{15};
    c = crc_fold_clmul(c, p, bulk);
    p += bulk;
    n -= bulk;
  }
#endif
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t lo = get_le32(p) ^ c;
    const std::uint32_t hi = get_le32(p + 4);
    c = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^ t[3][hi & 0xFFu] ^
        t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) c = (c >> 8) ^ t[0][(c ^ *p) & 0xFFu];
  state_ = c;
}

// ---------------------------------------------------------------------------------------------
// Writer

struct GzipWriter::Impl {
  std::string path;
  std::FILE* file = nullptr;
  zlib::deflate_stream deflate;
  Crc32 crc;
  std::vector<unsigned char> out = std::vector<unsigned char>(kBufSize);
  std::uint64_t in_bytes = 0;
  std::uint64_t out_bytes = 0;

  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(path + ": " + what); }

  void put(const void* p, std::size_t n) {
    if (n == 0) return;
    if (std::fwrite(p, 1, n, file) != n) fail(std::string("write failed: ") + std::strerror(errno));
    out_bytes += n;
  }

  // Runs deflate over zs with `flush` until the input is consumed and (for sync/finish) the output drained.
  void run(zlib::z_params& zs, zlib::Flush flush) {
    static const unsigned char kNothing = 0;  // the port rejects a null next_in even with avail_in == 0
    if (zs.next_in == nullptr) zs.next_in = &kNothing;
    for (;;) {
      zs.next_out = out.data();
      zs.avail_out = out.size();
      const std::size_t in_before = zs.avail_in;
      boost::beast::error_code ec;
      deflate.write(zs, flush, ec);
      const std::size_t produced = out.size() - zs.avail_out;
      put(out.data(), produced);
      if (ec == zlib::error::end_of_stream) return;  // only with Flush::finish
      if (ec && ec != zlib::error::need_buffers) fail("deflate failed: " + ec.message());
      const bool progress = produced != 0 || zs.avail_in != in_before;
      if (flush == zlib::Flush::none) {
        if (zs.avail_in == 0) return;
      } else if (flush == zlib::Flush::sync) {
        // Done once the flush fit in the buffer (zlib: avail_out != 0 after the call).
        if (zs.avail_in == 0 && zs.avail_out != 0) return;
      }
      if (!progress && ec == zlib::error::need_buffers && flush != zlib::Flush::finish) return;
      if (!progress && flush == zlib::Flush::finish && ec == zlib::error::need_buffers && produced == 0) {
        fail("deflate made no progress while finishing");
      }
    }
  }
};

GzipWriter::GzipWriter(const std::string& path, bool append, int level) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->deflate.reset(level, kWindowBits, kMemLevel, zlib::Strategy::normal);
  impl_->file = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (impl_->file == nullptr) {
    throw std::runtime_error("cannot open " + path + " for writing: " + std::strerror(errno));
  }
  // Member header: no name, mtime 0 (unknown; recordings carry their own times), OS = Unix.
  const unsigned char header[10] = {kMagic0, kMagic1, kMethodDeflate, 0, 0, 0, 0, 0, 0, 3};
  try {
    impl_->put(header, sizeof header);
  } catch (...) {
    std::fclose(impl_->file);
    impl_->file = nullptr;
    throw;
  }
}

GzipWriter::~GzipWriter() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; close() explicitly to see errors
  }
}

void GzipWriter::write(const void* data, std::size_t n) {
  if (impl_->file == nullptr) impl_->fail("write after close");
  if (n == 0) return;
  impl_->crc.update(data, n);
  impl_->in_bytes += n;
  zlib::z_params zs{};
  zs.next_in = data;
  zs.avail_in = n;
  impl_->run(zs, zlib::Flush::none);
}

void GzipWriter::sync_flush() {
  if (impl_->file == nullptr) impl_->fail("flush after close");
  zlib::z_params zs{};
  zs.avail_in = 0;
  impl_->run(zs, zlib::Flush::sync);
  if (std::fflush(impl_->file) != 0) impl_->fail(std::string("flush failed: ") + std::strerror(errno));
}

void GzipWriter::close() {
  if (impl_->file == nullptr) return;
  std::FILE* f = impl_->file;
  try {
    zlib::z_params zs{};
    zs.avail_in = 0;
    impl_->run(zs, zlib::Flush::finish);
    unsigned char trailer[8];
    put_le32(trailer, impl_->crc.value());
    put_le32(trailer + 4, static_cast<std::uint32_t>(impl_->in_bytes));  // ISIZE: length mod 2^32
    impl_->put(trailer, sizeof trailer);
  } catch (...) {
    impl_->file = nullptr;
    std::fclose(f);
    throw;
  }
  impl_->file = nullptr;
  if (std::fclose(f) != 0) impl_->fail(std::string("close failed: ") + std::strerror(errno));
}

std::uint64_t GzipWriter::bytes_in() const noexcept {
  return impl_->in_bytes;
}
std::uint64_t GzipWriter::bytes_out() const noexcept {
  return impl_->out_bytes;
}

// ---------------------------------------------------------------------------------------------
// Reader

struct GzipReader::Impl {
  enum class State { kStart, kPlain, kHeader, kData, kTrailer, kDone, kError };

  std::string path;
  std::FILE* file = nullptr;
  State state = State::kStart;
  bool gzip = false;
  bool file_eof = false;
  // Input buffer. The first kKeep bytes of a refill repeat the tail of the previous buffer: the inflater
  // may hold up to 7 already-read bytes in its bit buffer when a member ends, and gives them back by
  // rewinding, which must stay inside the buffer.
  static constexpr std::size_t kKeep = 8;
  std::vector<unsigned char> in = std::vector<unsigned char>(kBufSize + kKeep);
  std::size_t pos = 0;
  std::size_t end = 0;
  Inflater inflater;
  Inflater::Status inflated = Inflater::Status::kOutput;  // the last decode's answer
  Crc32 crc;
  std::uint32_t isize = 0;
  std::uint64_t members = 0;
  std::uint64_t member_offset = 0;    // file offset of the current member (for messages)
  std::uint64_t consumed_before = 0;  // file bytes before in[0]
  std::string error;

  ~Impl() {
    if (file != nullptr) std::fclose(file);
  }

  std::uint64_t offset() const { return consumed_before + pos; }

  void set_error(const std::string& what) {
    error = path + ": " + what;
    state = State::kError;
  }

  // Reads more input once everything in the buffer is consumed. False at end of file or on error.
  bool refill() {
    if (pos < end) return true;
    if (file_eof) return false;
    const std::size_t keep = end < kKeep ? end : kKeep;
    std::memmove(in.data(), in.data() + end - keep, keep);
    consumed_before += end - keep;
    pos = keep;
    end = keep;
    const std::size_t got = std::fread(in.data() + end, 1, in.size() - end, file);
    if (got == 0) {
      if (std::ferror(file) != 0) {
        set_error(std::string("read error: ") + std::strerror(errno));
        return false;
      }
      file_eof = true;
      return false;
    }
    end += got;
    return true;
  }

  int get_byte() {
    if (pos >= end && !refill()) return -1;
    return in[pos++];
  }

  // Parses one member header (the magic is already checked but not consumed).
  bool parse_header() {
    unsigned char h[10];
    for (unsigned char& b : h) {
      const int c = get_byte();
      if (c < 0) return truncated("header");
      b = static_cast<unsigned char>(c);
    }
    if (h[0] != kMagic0 || h[1] != kMagic1) {
      set_error("not a gzip member at offset " + std::to_string(member_offset) + " (bad magic)");
      return false;
    }
    if (h[2] != kMethodDeflate) {
      set_error("unsupported gzip compression method " + std::to_string(h[2]));
      return false;
    }
    const unsigned flags = h[3];
    if ((flags & kFreserved) != 0) {
      set_error("corrupt gzip header (reserved flag bits set)");
      return false;
    }
    if ((flags & kFextra) != 0) {
      const int lo = get_byte();
      const int hi = get_byte();
      if (hi < 0) return truncated("header");
      for (int n = lo | hi << 8; n > 0; --n) {
        if (get_byte() < 0) return truncated("header");
      }
    }
    for (const unsigned f : {kFname, kFcomment}) {
      if ((flags & f) == 0) continue;
      for (;;) {
        const int c = get_byte();
        if (c < 0) return truncated("header");
        if (c == 0) break;
      }
    }
    if ((flags & kFhcrc) != 0 && (get_byte() < 0 || get_byte() < 0)) return truncated("header");
    inflater.reset();
    inflated = Inflater::Status::kOutput;
    crc.reset();
    isize = 0;
    state = State::kData;
    return true;
  }

  bool truncated(const char* where) {
    if (state != State::kError) {
      set_error("truncated gzip stream (input ends inside the " + std::string(where) + " of member " +
                std::to_string(members + 1) + ")");
    }
    return false;
  }

  bool check_trailer() {
    unsigned char t[8];
    for (unsigned char& b : t) {
      const int c = get_byte();
      if (c < 0) return truncated("trailer");
      b = static_cast<unsigned char>(c);
    }
    if (get_le32(t) != crc.value()) {
      set_error("CRC32 mismatch in gzip member " + std::to_string(members + 1) + " (corrupt data)");
      return false;
    }
    if (get_le32(t + 4) != isize) {
      set_error("length mismatch in gzip member " + std::to_string(members + 1) + " (corrupt data)");
      return false;
    }
    ++members;
    // Another member may follow (appended recordings); anything else after a member is an error.
    if (pos >= end && !refill()) {
      state = state == State::kError ? State::kError : State::kDone;
      return state == State::kDone;
    }
    member_offset = offset();
    if (in[pos] != kMagic0) {
      set_error("trailing garbage after gzip member " + std::to_string(members) + " at offset " +
                std::to_string(member_offset));
      return false;
    }
    state = State::kHeader;
    return true;
  }

  // Moves the unread input to the front and reads more once fewer than the inflater's margin bytes are left.
  // Keeps kKeep bytes before `pos` for the inflater to give back. False on a read error.
  bool top_up() {
    if (file_eof || end - pos >= Inflater::kInputMargin) return true;
    const std::size_t from = pos < kKeep ? 0 : pos - kKeep;
    std::memmove(in.data(), in.data() + from, end - from);
    consumed_before += from;
    pos -= from;
    end -= from;
    const std::size_t got = std::fread(in.data() + end, 1, in.size() - end, file);
    if (got == 0) {
      if (std::ferror(file) != 0) {
        set_error(std::string("read error: ") + std::strerror(errno));
        return false;
      }
      file_eof = true;
    }
    end += got;
    return true;
  }

  // Makes decoded output pending in the inflater; false when the member ended (state kTrailer) or on an
  // error (state kError).
  bool inflate_more() {
    for (;;) {
      if (inflater.pending_size() > 0) return true;
      switch (inflated) {
        case Inflater::Status::kEnd:
          pos -= inflater.unused_bytes();  // read ahead into the bit buffer: they start the trailer
          state = State::kTrailer;
          return false;
        case Inflater::Status::kTruncated:
          truncated("compressed data");
          return false;
        case Inflater::Status::kCorrupt:
          set_error("corrupt gzip data in member " + std::to_string(members + 1) + ": " + inflater.error());
          return false;
        case Inflater::Status::kOutput:
        case Inflater::Status::kNeedInput:
          break;
      }
      if (!top_up()) return false;
      std::size_t used = 0;
      inflated = inflater.decode(in.data() + pos, end - pos, file_eof, used);
      pos += used;
    }
  }

  // Hands out the next n pending bytes (checksummed).
  const unsigned char* take(std::size_t n) {
    const unsigned char* const p = inflater.pending();
    inflater.take(n);
    crc.update(p, n);
    isize += static_cast<std::uint32_t>(n);
    return p;
  }

  // Inflates into out[0, n); returns bytes produced (0 when the member ended or on an error: see state).
  std::size_t inflate_some(unsigned char* out, std::size_t n) {
    if (!inflate_more()) return 0;
    const std::size_t k = std::min(n, inflater.pending_size());
    std::memcpy(out, take(k), k);
    return k;
  }

  // Two bytes decide gzip vs plain; a one-byte file is plain; an empty one is done.
  void start() {
    if (pos >= end && !refill()) {
      if (state != State::kError) state = State::kDone;
      return;
    }
    if (end - pos < 2 && !file_eof) {
      const std::size_t got = std::fread(in.data() + end, 1, 1, file);
      end += got;
    }
    gzip = end - pos >= 2 && in[pos] == kMagic0 && in[pos + 1] == kMagic1;
    state = gzip ? State::kHeader : State::kPlain;
  }
};

GzipReader::GzipReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = std::fopen(path.c_str(), "rb");
  if (impl_->file == nullptr) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
}

GzipReader::~GzipReader() = default;

std::size_t GzipReader::read(char* out, std::size_t n) noexcept {
  Impl& s = *impl_;
  auto* dst = reinterpret_cast<unsigned char*>(out);
  std::size_t produced = 0;
  while (produced < n) {
    switch (s.state) {
      case Impl::State::kStart:
        s.start();
        break;
      case Impl::State::kPlain: {
        if (s.pos >= s.end && !s.refill()) {
          if (s.state != Impl::State::kError) s.state = Impl::State::kDone;
          break;
        }
        const std::size_t k = std::min(n - produced, s.end - s.pos);
        std::memcpy(dst + produced, s.in.data() + s.pos, k);
        s.pos += k;
        produced += k;
        break;
      }
      case Impl::State::kHeader:
        s.parse_header();
        break;
      case Impl::State::kData:
        produced += s.inflate_some(dst + produced, n - produced);
        break;
      case Impl::State::kTrailer:
        s.check_trailer();
        break;
      case Impl::State::kDone:
      case Impl::State::kError:
        return produced;
    }
  }
  return produced;
}

std::string_view GzipReader::read_view() noexcept {
  Impl& s = *impl_;
  for (;;) {
    switch (s.state) {
      case Impl::State::kStart:
        s.start();
        break;
      case Impl::State::kPlain: {
        if (s.pos >= s.end && !s.refill()) {
          if (s.state != Impl::State::kError) s.state = Impl::State::kDone;
          break;
        }
        const std::string_view v(reinterpret_cast<const char*>(s.in.data() + s.pos), s.end - s.pos);
        s.pos = s.end;
        return v;
      }
      case Impl::State::kHeader:
        s.parse_header();
        break;
      case Impl::State::kData:
        if (s.inflate_more()) {
          const std::size_t n = s.inflater.pending_size();
          return std::string_view(reinterpret_cast<const char*>(s.take(n)), n);
        }
        break;
      case Impl::State::kTrailer:
        s.check_trailer();
        break;
      case Impl::State::kDone:
      case Impl::State::kError:
        return {};
    }
  }
}

const std::string& GzipReader::error() const noexcept {
  return impl_->error;
}
bool GzipReader::is_gzip() const noexcept {
  return impl_->gzip;
}
std::uint64_t GzipReader::members() const noexcept {
  return impl_->members;
}

// ---------------------------------------------------------------------------------------------
// Lines

LineReader::LineReader(const std::string& path) : path_(path), reader_(path) {
  carry_.reserve(1u << 17);
}

bool LineReader::next(std::string_view& line) noexcept {
  if (carried_) {
    carry_.clear();
    carried_ = false;
  }
  try {
    for (;;) {
      if (pos_ < chunk_.size()) {
        const char* const b = chunk_.data() + pos_;
        const void* nl = std::memchr(b, '\n', chunk_.size() - pos_);
        if (nl != nullptr) {
          const std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - b);
          pos_ += len + 1;
          if (carry_.empty()) {
            line = std::string_view(b, len);  // in the reader's buffer: no copy
            return true;
          }
          carry_.append(b, len);
          line = carry_;
          carried_ = true;
          return true;
        }
        carry_.append(b, chunk_.size() - pos_);  // a line continued in the next piece
        pos_ = chunk_.size();
      }
      if (eof_) {
        if (carry_.empty()) return false;
        line = carry_;  // last line without '\n'
        carried_ = true;
        return true;
      }
      chunk_ = reader_.read_view();
      pos_ = 0;
      if (chunk_.empty()) {
        eof_ = true;
        if (!reader_.error().empty()) return false;  // a read error ends the stream; the partial line is dropped
      }
    }
  } catch (...) {  // a line longer than memory allows
    return false;
  }
}

}  // namespace bparb::record
