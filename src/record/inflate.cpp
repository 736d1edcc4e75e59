#include "inflate.hpp"

#include <algorithm>
#include <cstring>

namespace bparb::record {

namespace {

// Block layout facts of RFC 1951 §3.2.5-3.2.7.
constexpr std::uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                        31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                        2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                         33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                         6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
// Order in which a dynamic header lists the code-length code's lengths.
constexpr std::uint8_t kCodeLengthOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

constexpr std::size_t kWindow = 32768;  // the farthest a distance reaches back
constexpr std::size_t kMaxMatch = 258;
constexpr std::size_t kChunk = std::size_t{1} << 18;  // output decoded per slide of the history
constexpr std::size_t kLimit = kWindow + kChunk;      // decoding stops once a match might not fit below this
constexpr std::size_t kSlack = 16;                    // a match copy may write up to 15 bytes past its end

// A table entry: bits 0-7 the code length (or a second-level table's index bits), bit 8 set for a link to a
// second-level table, bits 9-12 how many extra bits follow the code, bit 13 "a match length", bit 14 "end of
// block" (literal/length table) or "no such distance" (distance table), bits 16-31 the literal, the length or
// distance base, the code-length symbol, or the second-level table's offset. The symbol's part comes from a
// payload table built once, so that decoding a length or distance needs no further lookup. A slot no code
// reaches has both flags and value 0xffff: refused by every caller in its rare path.
constexpr std::uint32_t kLinkBit = 1u << 8;
constexpr std::uint32_t kLengthBit = 1u << 13;
constexpr std::uint32_t kEndBit = 1u << 14;
constexpr std::uint32_t entry(std::uint32_t value, std::uint32_t flags, std::uint32_t len) {
  return value << 16 | flags | len;
}
constexpr std::uint32_t kInvalid = entry(0xffff, kLengthBit | kEndBit, 0);
constexpr bool is_link(std::uint32_t e) {
  return (e & kLinkBit) != 0;
}
constexpr unsigned len_of(std::uint32_t e) {
  return e & 0xff;
}
constexpr unsigned extra_of(std::uint32_t e) {
  return e >> 9 & 15;
}
constexpr unsigned value_of(std::uint32_t e) {
  return e >> 16;
}

constexpr std::array<std::uint32_t, 288> kLitPayload = [] {
  std::array<std::uint32_t, 288> t{};
  for (std::uint32_t s = 0; s < 256; ++s) t[s] = entry(s, 0, 0);
  t[256] = entry(0, kEndBit, 0);
  for (std::uint32_t s = 257; s < 286; ++s) t[s] = entry(kLenBase[s - 257], kLengthBit | kLenExtra[s - 257] << 9, 0);
  t[286] = t[287] = kInvalid;  // fixed codes include them; a stream must not use them
  return t;
}();
constexpr std::array<std::uint32_t, 32> kDistPayload = [] {
  std::array<std::uint32_t, 32> t{};
  for (std::uint32_t s = 0; s < 30; ++s) t[s] = entry(kDistBase[s], kDistExtra[s] << 9, 0);
  t[30] = t[31] = kInvalid;
  return t;
}();
constexpr std::array<std::uint32_t, 19> kCodeLengthPayload = [] {
  std::array<std::uint32_t, 19> t{};
  for (std::uint32_t s = 0; s < 19; ++s) t[s] = entry(s, 0, 0);
  return t;
}();

unsigned reverse_bits(unsigned code, unsigned len) {
  unsigned r = 0;
  for (unsigned i = 0; i < len; ++i, code >>= 1) r = r << 1 | (code & 1);
  return r;
}

}  // namespace

// The bit buffer while decode() runs (in registers); hold_/bits_/pad_ carry it between calls.
struct Inflater::Bits {
  std::uint64_t hold;
  unsigned bits;
  unsigned pad;
  const unsigned char* p;
  const unsigned char* end;

  // At least 56 bits afterwards. Eight bytes at a time while eight remain: the bits above `bits` then hold
  // the start of the next byte, which the next load ORs in again unchanged. Past the end of input the
  // buffer is filled with zero bits, counted in `pad`, so that using them is seen (cut()).
  void refill() noexcept {
    if (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      hold |= w << bits;
      p += (63 - bits) >> 3;
      bits |= 56;
      return;
    }
    while (bits < 56) {
      if (p != end) {
        hold |= static_cast<std::uint64_t>(*p++) << bits;
      } else {
        pad += 8;
      }
      bits += 8;
    }
  }
  unsigned peek(unsigned n) const noexcept { return static_cast<unsigned>(hold & ((std::uint64_t{1} << n) - 1)); }
  void drop(unsigned n) noexcept {
    hold >>= n;
    bits -= n;
  }
  // True once a bit past the end of input was used: the stream is cut short.
  bool cut() const noexcept { return bits < pad; }
};

Inflater::Inflater() : buf_(kLimit + kSlack) {}

void Inflater::reset() noexcept {
  out_ = take_ = 0;
  base_ = 0;
  hold_ = 0;
  bits_ = pad_ = 0;
  unused_ = 0;
  stored_left_ = 0;
  mode_ = Mode::kHeader;
  last_block_ = false;
  error_ = "";
}

Inflater::Status Inflater::corrupt(const Bits& b, const char* what) noexcept {
  if (b.cut()) return Status::kTruncated;  // garbage decoded from past the end: the stream was cut
  error_ = what;
  return Status::kCorrupt;
}

bool Inflater::build(const std::uint8_t* lens, unsigned n, std::uint32_t* table, unsigned root, bool allow_single,
                     const std::uint32_t* payload) noexcept {
  unsigned count[16] = {};
  for (unsigned i = 0; i < n; ++i) ++count[lens[i]];
  count[0] = 0;
  unsigned max = 15;
  while (max > 0 && count[max] == 0) --max;
  std::fill(table, table + (std::size_t{1} << root), kInvalid);
  if (max == 0) return true;  // no codes: every lookup is invalid (a block may use no distances)
  int left = 1;
  for (unsigned len = 1; len <= 15; ++len) {
    left = left * 2 - static_cast<int>(count[len]);
    if (left < 0) return false;  // over-subscribed
  }
  // An incomplete code is only allowed as a single one-bit code.
  if (left > 0 && (!allow_single || max != 1)) return false;
  unsigned next[16] = {};
  unsigned code = 0;
  for (unsigned len = 1; len <= 15; ++len) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  std::uint16_t rev[320] = {};
  const unsigned root_mask = (1u << root) - 1;
  std::uint8_t sub_bits[1u << kLitRoot] = {};
  for (unsigned s = 0; s < n; ++s) {
    const unsigned len = lens[s];
    if (len == 0) continue;
    rev[s] = static_cast<std::uint16_t>(reverse_bits(next[len]++, len));
    if (len > root) {
      std::uint8_t& sb = sub_bits[rev[s] & root_mask];
      sb = std::max<std::uint8_t>(sb, static_cast<std::uint8_t>(len - root));
    }
  }
  if (max > root) {
    std::size_t offset = std::size_t{1} << root;
    for (unsigned i = 0; i <= root_mask; ++i) {
      if (sub_bits[i] == 0) continue;
      const std::size_t size = std::size_t{1} << sub_bits[i];
      std::fill(table + offset, table + offset + size, kInvalid);
      table[i] = entry(static_cast<std::uint32_t>(offset), kLinkBit, sub_bits[i]);
      offset += size;
    }
  }
  for (unsigned s = 0; s < n; ++s) {
    const unsigned len = lens[s];
    if (len == 0) continue;
    const std::uint32_t e = payload[s] | len;
    if (len <= root) {
      for (unsigned i = rev[s]; i <= root_mask; i += 1u << len) table[i] = e;
    } else {
      const std::uint32_t link = table[rev[s] & root_mask];
      std::uint32_t* sub = table + value_of(link);
      const unsigned size = 1u << len_of(link);
      for (unsigned i = rev[s] >> root; i < size; i += 1u << (len - root)) sub[i] = e;
    }
  }
  return true;
}

Inflater::Status Inflater::read_dynamic(Bits& b) noexcept {
  b.refill();
  const unsigned nlen = b.peek(5) + 257;
  const unsigned ndist = (b.peek(10) >> 5) + 1;
  const unsigned ncode = (b.peek(14) >> 10) + 4;
  b.drop(14);
  if (nlen > 286 || ndist > 30) return corrupt(b, "too many length or distance symbols");
  std::uint8_t lens[320] = {};
  for (unsigned i = 0; i < ncode; ++i) {
    if (b.bits < 3) b.refill();
    lens[kCodeLengthOrder[i]] = static_cast<std::uint8_t>(b.peek(3));
    b.drop(3);
  }
  // The code-length code has at most 7-bit codes: one level in dist_, which is rebuilt below.
  if (!build(lens, 19, dist_.data(), 7, false, kCodeLengthPayload.data())) {
    return corrupt(b, "invalid code lengths set");
  }
  const unsigned total = nlen + ndist;
  unsigned n = 0;
  while (n < total) {
    if (b.bits < 14) b.refill();
    const std::uint32_t e = dist_[b.peek(7)];
    const unsigned sym = value_of(e);
    if (sym > 18) return corrupt(b, "invalid code lengths set");
    b.drop(len_of(e));
    if (sym < 16) {
      lens[n++] = static_cast<std::uint8_t>(sym);
      continue;
    }
    unsigned repeat = 0;
    std::uint8_t value = 0;
    if (sym == 16) {
      if (n == 0) return corrupt(b, "invalid bit length repeat");
      value = lens[n - 1];
      repeat = 3 + b.peek(2);
      b.drop(2);
    } else if (sym == 17) {
      repeat = 3 + b.peek(3);
      b.drop(3);
    } else {
      repeat = 11 + b.peek(7);
      b.drop(7);
    }
    if (n + repeat > total) return corrupt(b, "invalid bit length repeat");
    std::fill(lens + n, lens + n + repeat, value);
    n += repeat;
  }
  if (b.cut()) return Status::kTruncated;
  if (lens[256] == 0) return corrupt(b, "invalid code -- missing end-of-block");
  if (!build(lens, nlen, lit_.data(), kLitRoot, true, kLitPayload.data())) {
    return corrupt(b, "invalid literal/lengths set");
  }
  if (!build(lens + nlen, ndist, dist_.data(), kDistRoot, true, kDistPayload.data())) {
    return corrupt(b, "invalid distances set");
  }
  mode_ = Mode::kCodes;
  return Status::kOutput;
}

Inflater::Status Inflater::read_header(Bits& b) noexcept {
  b.refill();
  const unsigned header = b.peek(3);
  b.drop(3);
  if (b.cut()) return Status::kTruncated;
  last_block_ = (header & 1) != 0;
  switch (header >> 1) {
    case 0: {  // stored: LEN and its complement, byte-aligned
      b.drop(b.bits & 7);
      const unsigned len = b.peek(16);
      const unsigned nlen = static_cast<unsigned>(b.hold >> 16 & 0xffff);
      b.drop(32);
      if (b.cut()) return Status::kTruncated;
      if (len != (~nlen & 0xffff)) return corrupt(b, "invalid stored block lengths");
      stored_left_ = len;
      mode_ = Mode::kStored;
      return Status::kOutput;
    }
    case 1: {  // fixed codes
      std::uint8_t lens[288 + 32];
      std::fill(lens, lens + 144, 8);
      std::fill(lens + 144, lens + 256, 9);
      std::fill(lens + 256, lens + 280, 7);
      std::fill(lens + 280, lens + 288, 8);
      std::fill(lens + 288, lens + 320, 5);
      build(lens, 288, lit_.data(), kLitRoot, false, kLitPayload.data());
      build(lens + 288, 32, dist_.data(), kDistRoot, false, kDistPayload.data());
      mode_ = Mode::kCodes;
      return Status::kOutput;
    }
    case 2:
      return read_dynamic(b);
    default:
      return corrupt(b, "invalid block type");
  }
}

Inflater::Status Inflater::run(Bits& b, bool eof) noexcept {
  const auto margin_left = [&b] { return static_cast<std::size_t>(b.end - b.p) >= kInputMargin; };
  for (;;) {
    switch (mode_) {
      case Mode::kDone:
        return Status::kEnd;
      case Mode::kHeader: {
        if (last_block_) {
          // The stream ends at the next byte boundary; whole bytes still buffered belong to what follows.
          b.drop(b.bits & 7);
          unused_ = (b.bits - b.pad) / 8;
          b.hold = 0;
          b.bits = b.pad = 0;
          mode_ = Mode::kDone;
          return Status::kEnd;
        }
        if (!eof && !margin_left()) return Status::kNeedInput;
        const Status s = read_header(b);
        if (s != Status::kOutput) return s;
        break;
      }
      case Mode::kStored: {
        while (stored_left_ > 0) {
          if (out_ >= kLimit) return Status::kOutput;
          if (b.cut()) return Status::kTruncated;
          // Whole bytes still in the bit buffer come first.
          while (stored_left_ > 0 && b.bits >= b.pad + 8 && out_ < kLimit) {
            buf_[out_++] = static_cast<unsigned char>(b.hold);
            b.drop(8);
            --stored_left_;
          }
          if (b.bits == b.pad) {
            b.hold = 0;  // drop what a wide load read ahead: it is copied from the input below
            b.bits = b.pad = 0;
          } else {
            continue;  // output full or block done
          }
          const std::size_t n =
              std::min<std::size_t>({stored_left_, static_cast<std::size_t>(b.end - b.p), kLimit - out_});
          std::memcpy(buf_.data() + out_, b.p, n);
          b.p += n;
          out_ += n;
          stored_left_ -= static_cast<std::uint32_t>(n);
          if (stored_left_ > 0 && b.p == b.end) return eof ? Status::kTruncated : Status::kNeedInput;
        }
        mode_ = Mode::kHeader;
        break;
      }
      case Mode::kCodes: {
        const Status s = decode_codes(b, eof);
        if (s != Status::kOutput || mode_ == Mode::kCodes) return s;
        break;
      }
    }
  }
}

Inflater::Status Inflater::decode_codes(Bits& bits, bool eof) noexcept {
  // Locals throughout: output bytes are unsigned char, which may alias anything, so state left in members
  // would be stored and reloaded around every byte written.
  Bits b = bits;
  const std::uint64_t base = base_;
  unsigned char* const buf = buf_.data();
  std::size_t out = out_;
  const std::uint32_t* const lit = lit_.data();
  const std::uint32_t* const dist = dist_.data();
  constexpr unsigned kLitMask = (1u << kLitRoot) - 1;
  constexpr unsigned kDistMask = (1u << kDistRoot) - 1;
  Status status = Status::kOutput;
  for (;;) {
    if (out > kLimit - kMaxMatch) break;  // output full: kOutput
    if (!eof && static_cast<std::size_t>(b.end - b.p) < kInputMargin) {
      status = Status::kNeedInput;
      break;
    }
    b.refill();
    std::uint32_t e = lit[b.hold & kLitMask];
    if (is_link(e)) e = lit[value_of(e) + ((b.hold >> kLitRoot) & ((1u << len_of(e)) - 1))];
    b.drop(len_of(e));
    const std::uint32_t kind = e & (kLengthBit | kEndBit);
    if (kind == 0) {  // a literal
      if (b.cut()) {
        status = Status::kTruncated;
        break;
      }
      buf[out++] = static_cast<unsigned char>(value_of(e));
      continue;
    }
    if (kind != kLengthBit) {
      if (kind == kEndBit) {  // end of block
        if (b.cut()) {
          status = Status::kTruncated;
          break;
        }
        mode_ = Mode::kHeader;
      } else {  // 286 and 287 (fixed codes) or no code at all
        status = corrupt(b, "invalid literal/length code");
      }
      break;
    }
    const unsigned len = value_of(e) + b.peek(extra_of(e));
    b.drop(extra_of(e));
    e = dist[b.hold & kDistMask];
    if (is_link(e)) e = dist[value_of(e) + ((b.hold >> kDistRoot) & ((1u << len_of(e)) - 1))];
    if ((e & kEndBit) != 0) {
      status = corrupt(b, "invalid distance code");
      break;
    }
    b.drop(len_of(e));
    const std::size_t d = value_of(e) + b.peek(extra_of(e));
    b.drop(extra_of(e));
    if (b.cut()) {
      status = Status::kTruncated;
      break;
    }
    if (d > base + out) {
      status = corrupt(b, "invalid distance too far back");
      break;
    }
    unsigned char* dst = buf + out;
    const unsigned char* src = dst - d;
    unsigned char* const stop = dst + len;
    if (d >= 16) {
      do {
        std::memcpy(dst, src, 16);
        dst += 16;
        src += 16;
      } while (dst < stop);
    } else if (d >= 8) {
      do {
        std::memcpy(dst, src, 8);
        dst += 8;
        src += 8;
      } while (dst < stop);
    } else if (d == 1) {
      std::memset(dst, *src, len);
    } else {
      for (unsigned i = 0; i < len; ++i) dst[i] = src[i];
    }
    out += len;
  }
  out_ = out;
  bits = b;
  return status;
}

Inflater::Status Inflater::decode(const unsigned char* in, std::size_t avail, bool eof,
                                  std::size_t& consumed) noexcept {
  consumed = 0;
  if (take_ != out_) return Status::kOutput;
  if (out_ > kLimit - kMaxMatch) {
    // Keep the last 32 KiB as history and decode after it.
    const std::size_t shift = out_ - kWindow;
    std::memmove(buf_.data(), buf_.data() + shift, kWindow);
    base_ += shift;
    out_ = take_ = kWindow;
  }
  Bits b{hold_, bits_, pad_, in, in + avail};
  const Status s = run(b, eof);
  hold_ = b.bits == 0 ? 0 : b.hold & ((std::uint64_t{1} << b.bits) - 1);
  bits_ = b.bits;
  pad_ = b.pad;
  consumed = static_cast<std::size_t>(b.p - in);
  return s;
}

}  // namespace bparb::record
