// GzipWriter / GzipReader / LineReader: round trips, appended members, interop with the system gzip tool,
// and clear errors for corrupt or truncated input.
#include "bparb/record/gzip.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/crc.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace bparb::record {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// Everything a GzipReader yields, read `chunk` bytes at a time.
std::string read_all(const fs::path& p, std::size_t chunk, std::string* error = nullptr) {
  GzipReader r(p.string());
  std::string out;
  std::vector<char> buf(chunk);
  for (;;) {
    const std::size_t n = r.read(buf.data(), buf.size());
    if (n == 0) break;
    out.append(buf.data(), n);
  }
  if (error != nullptr) *error = r.error();
  return out;
}

// Deterministic text that compresses like market data (repetitive JSON with varying numbers), plus some
// incompressible bytes so deflate emits stored blocks too.
std::string sample_text(std::size_t lines) {
  std::string s;
  std::uint64_t x = 88172645463325252ULL;
  for (std::size_t i = 0; i < lines; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s += std::to_string(1723161255000000 + i * 137) + R"( ws {"stream":"depth.SOL_USDC","data":{"a":[["150.)" +
         std::to_string(x % 100) + R"(","3.00"]],"u":)" + std::to_string(i) + "}}\n";
    if (i % 500 == 0) {
      for (int k = 0; k < 300; ++k) s += static_cast<char>('!' + (x >> (k % 50)) % 90);
      s += '\n';
    }
  }
  return s;
}

class GzipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("bparb_gzip_test_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(GzipTest, RoundTripWithSyncFlushesAndAnyReadSize) {
  const std::string text = sample_text(20000);  // ~1.5 MB
  const fs::path p = dir / "a.gz";
  {
    GzipWriter w(p.string(), false);
    // Uneven write sizes with sync flushes in between, like a recorder flushing once a second.
    std::size_t at = 0;
    std::size_t step = 1;
    while (at < text.size()) {
      const std::size_t n = std::min(step, text.size() - at);
      w.write(text.data() + at, n);
      at += n;
      step = step * 3 % 70001 + 1;
      if (at % 7 == 0) w.sync_flush();
    }
    w.close();
    EXPECT_EQ(w.bytes_in(), text.size());
    EXPECT_EQ(w.bytes_out(), fs::file_size(p));
    EXPECT_LT(w.bytes_out(), text.size() / 3);  // it really compresses
  }
  for (const std::size_t chunk : {std::size_t{1} << 16, std::size_t{4096}, std::size_t{7}}) {
    std::string err;
    EXPECT_EQ(read_all(p, chunk, &err), text) << "chunk " << chunk;
    EXPECT_EQ(err, "");
  }
  GzipReader r(p.string());
  char c;
  ASSERT_EQ(r.read(&c, 1), 1u);
  EXPECT_TRUE(r.is_gzip());
}

TEST_F(GzipTest, EmptyMemberAndEmptyFile) {
  const fs::path p = dir / "empty.gz";
  GzipWriter(p.string(), false).close();
  EXPECT_EQ(fs::file_size(p), 20u);  // 10-byte header, 2-byte final empty block, 8-byte trailer
  std::string err;
  EXPECT_EQ(read_all(p, 100, &err), "");
  EXPECT_EQ(err, "");
  spit(dir / "zero", "");
  EXPECT_EQ(read_all(dir / "zero", 100, &err), "");
  EXPECT_EQ(err, "");
}

TEST_F(GzipTest, AppendAddsAMemberAndAllMembersAreRead) {
  const fs::path p = dir / "m.gz";
  {
    GzipWriter w(p.string(), false);
    w.write("first\n");
  }
  {
    GzipWriter w(p.string(), true);  // a restarted recorder appends
    w.write("second\n");
  }
  {
    GzipWriter w(p.string(), true);
    w.write(std::string(100000, 'x') + "\nthird\n");
  }
  GzipReader r(p.string());
  std::string out;
  char buf[333];
  for (std::size_t n; (n = r.read(buf, sizeof buf)) != 0;) out.append(buf, n);
  EXPECT_EQ(r.error(), "");
  EXPECT_EQ(r.members(), 3u);
  EXPECT_EQ(out, "first\nsecond\n" + std::string(100000, 'x') + "\nthird\n");
}

TEST_F(GzipTest, SystemGzipDecompressesOurFiles) {
  const std::string text = sample_text(3000);
  const fs::path p = dir / "ours.gz";
  {
    GzipWriter w(p.string(), false);
    w.write(text.substr(0, 1000));
    w.sync_flush();
    w.write(text.substr(1000));
  }
  {
    GzipWriter w(p.string(), true);
    w.write("appended\n");
  }
  const fs::path out = dir / "ours.txt";
  const std::string cmd = "gzip -t '" + p.string() + "' && gzip -dc '" + p.string() + "' > '" + out.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_EQ(slurp(out), text + "appended\n");
}

TEST_F(GzipTest, WeReadSystemGzipOutputIncludingNameHeaderAndConcatenation) {
  const std::string text = sample_text(3000);
  spit(dir / "plain.txt", text);
  spit(dir / "tail.txt", "tail line without newline");
  const fs::path gz = dir / "theirs.gz";
  // `gzip -c FILE` stores the file name (FNAME flag); two runs concatenated = two members; -9 and -1 differ.
  const std::string cmd =
      "cd '" + dir.string() + "' && gzip -9 -c plain.txt > theirs.gz && gzip -1 -c tail.txt >> theirs.gz";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string err;
  EXPECT_EQ(read_all(gz, 1000, &err), text + "tail line without newline");
  EXPECT_EQ(err, "");

  LineReader lines(gz.string());
  std::string_view l;
  std::size_t n = 0;
  std::string last;
  while (lines.next(l)) {
    ++n;
    last = l;
  }
  EXPECT_EQ(lines.error(), "");
  EXPECT_EQ(n, 3000u + 6u + 1u);  // 3000 lines + 6 noise lines + the tail
  EXPECT_EQ(last, "tail line without newline");
}

TEST_F(GzipTest, PlainFilesPassThrough) {
  spit(dir / "p.frames.gz", "not gzip at all\nsecond\n");  // a .gz name does not make it gzip
  std::string err;
  EXPECT_EQ(read_all(dir / "p.frames.gz", 5, &err), "not gzip at all\nsecond\n");
  EXPECT_EQ(err, "");
  spit(dir / "one", "x");
  EXPECT_EQ(read_all(dir / "one", 5, &err), "x");
  GzipReader r((dir / "one").string());
  char c;
  r.read(&c, 1);
  EXPECT_FALSE(r.is_gzip());
}

// The slicing-by-8 CRC against the check value of the CRC-32 catalogue and against Boost's byte-wise
// crc_32_type for every length 0..300 at every start offset 0..7, and in pieces of any size.
TEST(Crc32Test, MatchesTheStandardCheckValueAndBoostForAnyLengthAlignmentAndSplit) {
  Crc32 check;
  check.update("123456789", 9);
  EXPECT_EQ(check.value(), 0xCBF43926u);
  std::mt19937 rng(7);
  std::vector<unsigned char> buf(4096 + 8);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  for (std::size_t off = 0; off < 8; ++off) {
    for (std::size_t len = 0; len <= 300; ++len) {  // past 64: the carry-less multiply path and its tail
      Crc32 ours;
      ours.update(buf.data() + off, len);
      boost::crc_32_type ref;
      ref.process_bytes(buf.data() + off, len);
      ASSERT_EQ(ours.value(), ref.checksum()) << "offset " << off << " length " << len;
    }
  }
  boost::crc_32_type ref;
  ref.process_bytes(buf.data(), 4096);
  for (std::size_t piece : {1u, 3u, 7u, 8u, 13u, 64u, 65u, 80u, 1000u, 4096u}) {
    Crc32 ours;
    for (std::size_t at = 0; at < 4096; at += piece) ours.update(buf.data() + at, std::min(piece, 4096 - at));
    EXPECT_EQ(ours.value(), ref.checksum()) << "pieces of " << piece;
  }
  Crc32 r;
  r.update("x", 1);
  r.reset();
  EXPECT_EQ(r.value(), 0u);  // CRC of nothing
}

TEST_F(GzipTest, CorruptCrcIsReported) {
  const fs::path p = dir / "c.gz";
  GzipWriter(p.string(), false).write("hello world\n");
  std::string bytes = slurp(p);
  bytes[bytes.size() - 8] = static_cast<char>(bytes[bytes.size() - 8] ^ 0x01);  // CRC32's low byte
  spit(p, bytes);
  std::string err;
  read_all(p, 100, &err);
  EXPECT_NE(err.find("CRC32 mismatch in gzip member 1"), std::string::npos) << err;
  EXPECT_NE(err.find(p.string()), std::string::npos) << err;

  GzipWriter(p.string(), false).write("hello world\n");
  bytes = slurp(p);
  bytes[bytes.size() - 4] = static_cast<char>(bytes[bytes.size() - 4] ^ 0x01);  // ISIZE
  spit(p, bytes);
  read_all(p, 100, &err);
  EXPECT_NE(err.find("length mismatch"), std::string::npos) << err;
}

TEST_F(GzipTest, CorruptDeflateDataIsReported) {
  const fs::path p = dir / "d.gz";
  GzipWriter(p.string(), false).write(sample_text(200));
  std::string bytes = slurp(p);
  for (std::size_t i = 12; i < 40; ++i) bytes[i] = static_cast<char>(0xff);
  spit(p, bytes);
  std::string err;
  read_all(p, 4096, &err);
  // Deterministic input, so the deflate decoder trips on it: "corrupt gzip data in member 1: incomplete length set".
  EXPECT_NE(err.find("corrupt gzip data in member 1"), std::string::npos) << err;
}

TEST_F(GzipTest, TruncatedStreamsAreReported) {
  const fs::path p = dir / "t.gz";
  const std::string text = sample_text(2000);
  GzipWriter(p.string(), false).write(text);
  const std::string bytes = slurp(p);
  struct Case {
    std::size_t keep;
    const char* where;
  };
  for (const Case c :
       {Case{5, "header"}, Case{bytes.size() / 2, "compressed data"}, Case{bytes.size() - 3, "trailer"}}) {
    spit(p, bytes.substr(0, c.keep));
    std::string err;
    const std::string got = read_all(p, 4096, &err);
    EXPECT_NE(err.find("truncated gzip stream"), std::string::npos) << c.keep << ": " << err;
    EXPECT_NE(err.find(c.where), std::string::npos) << c.keep << ": " << err;
    EXPECT_EQ(got, text.substr(0, got.size()));  // what came out before the cut is right
  }
}

TEST_F(GzipTest, SyncFlushedDataIsReadableWhileTheWriterIsOpen) {
  const fs::path p = dir / "live.gz";
  GzipWriter w(p.string(), false);
  w.write("line one\nline two\n");
  w.sync_flush();
  LineReader r(p.string());
  std::string_view l;
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, "line one");
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, "line two");
  EXPECT_FALSE(r.next(l));  // the member is not finished yet: reported as truncated, lines intact
  EXPECT_NE(r.error().find("truncated"), std::string::npos);
  w.close();
}

TEST_F(GzipTest, TrailingGarbageAfterAMemberIsAnError) {
  const fs::path p = dir / "g.gz";
  GzipWriter(p.string(), false).write("ok\n");
  spit(p, slurp(p) + "garbage");
  std::string err;
  EXPECT_EQ(read_all(p, 100, &err), "ok\n");
  EXPECT_NE(err.find("trailing garbage after gzip member 1"), std::string::npos) << err;
}

TEST_F(GzipTest, LongLinesGrowTheLineBuffer) {
  const std::string big(300000, 'y');
  const fs::path p = dir / "long.gz";
  {
    GzipWriter w(p.string(), false);
    w.write("a\n" + big + "\n\nb");
  }
  LineReader r(p.string());
  std::string_view l;
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, "a");
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, big);
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, "");
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, "b");
  EXPECT_FALSE(r.next(l));
  EXPECT_EQ(r.error(), "");
}

// One gzip member of `data` deflated by Boost.Beast at `level` with `strategy` (the writer only uses level 6,
// default strategy): stored blocks (level 0), fixed-code blocks, Huffman-only and run-length output.
std::string gzip_member(const std::string& data, int level, boost::beast::zlib::Strategy strategy) {
  namespace zlib = boost::beast::zlib;
  zlib::deflate_stream ds;
  ds.reset(level, 15, 8, strategy);
  std::string out = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  std::vector<unsigned char> buf(1 << 16);
  zlib::z_params zs{};
  zs.next_in = data.data();
  zs.avail_in = data.size();
  for (;;) {
    zs.next_out = buf.data();
    zs.avail_out = buf.size();
    boost::beast::error_code ec;
    ds.write(zs, zlib::Flush::finish, ec);
    out.append(reinterpret_cast<const char*>(buf.data()), buf.size() - zs.avail_out);
    if (ec == zlib::error::end_of_stream) break;
    if (ec && ec != zlib::error::need_buffers) ADD_FAILURE() << ec.message();
    if (ec && zs.avail_out == buf.size()) break;  // no progress: reported above
  }
  Crc32 crc;
  crc.update(data.data(), data.size());
  for (const std::uint32_t v : {crc.value(), static_cast<std::uint32_t>(data.size())}) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i));
  }
  return out;
}

TEST_F(GzipTest, EveryBlockKindAndMatchDistanceDecodes) {
  namespace zlib = boost::beast::zlib;
  // Market-like text, bytes with no structure, long runs (distance 1), short periods (distances 2-15, the
  // byte-wise copies) and a text longer than the decoder's output chunk (its history slides).
  std::string periods;
  for (int period = 2; period < 40; ++period) {
    for (int i = 0; i < 3000; ++i) periods += static_cast<char>('a' + (i % period));
  }
  std::string noise;
  std::mt19937 rng(7);
  for (int i = 0; i < 70000; ++i) noise += static_cast<char>(rng() & 0xff);
  const std::vector<std::string> texts = {sample_text(4000) + noise + std::string(100000, 'x') + periods,
                                          std::string(1, 'q'), noise.substr(0, 100)};
  const struct {
    int level;
    zlib::Strategy strategy;
  } kinds[] = {{0, zlib::Strategy::normal}, {1, zlib::Strategy::normal},  {6, zlib::Strategy::normal},
               {9, zlib::Strategy::normal}, {6, zlib::Strategy::fixed},   {6, zlib::Strategy::huffman},
               {6, zlib::Strategy::rle},    {6, zlib::Strategy::filtered}};
  const fs::path p = dir / "k.gz";
  for (const std::string& text : texts) {
    for (const auto& k : kinds) {
      spit(p, gzip_member(text, k.level, k.strategy));
      for (const std::size_t chunk : {std::size_t{7}, std::size_t{4096}, std::size_t{1} << 20}) {
        std::string err;
        const std::string got = read_all(p, chunk, &err);
        EXPECT_EQ(err, "") << "level " << k.level << " strategy " << static_cast<int>(k.strategy);
        EXPECT_TRUE(got == text) << "level " << k.level << " strategy " << static_cast<int>(k.strategy) << " chunk "
                                 << chunk << ": " << got.size() << " of " << text.size() << " bytes";
      }
    }
  }
}

TEST_F(GzipTest, ADistanceBeforeTheStartIsCorrupt) {
  // A fixed-code block whose first symbol is a match (length 3, distance 1) with nothing decoded yet:
  // BFINAL 1, BTYPE 01, length code 257 (0000001), distance code 0 (00000), end of block (0000000).
  const unsigned char deflate[] = {0x03, 0x02, 0x00, 0x00};
  std::string bytes = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  bytes.append(reinterpret_cast<const char*>(deflate), sizeof deflate);
  bytes.append(8, '\0');
  const fs::path p = dir / "far.gz";
  spit(p, bytes);
  std::string err;
  EXPECT_EQ(read_all(p, 4096, &err), "");
  EXPECT_NE(err.find("corrupt gzip data in member 1: invalid distance too far back"), std::string::npos) << err;
}

TEST_F(GzipTest, ReadViewYieldsTheSameBytesAsRead) {
  const std::string text = sample_text(6000);  // several of the inflater's output pieces
  const fs::path gz = dir / "v.gz";
  {
    GzipWriter w(gz.string(), false);
    w.write(text.substr(0, 1000));
    w.close();
  }
  {
    GzipWriter w(gz.string(), true);  // a second member
    w.write(text.substr(1000));
    w.close();
  }
  const fs::path plain = dir / "v.txt";
  spit(plain, text);
  for (const fs::path& p : {gz, plain}) {
    GzipReader r(p.string());
    std::string got;
    std::size_t pieces = 0;
    for (std::string_view v = r.read_view(); !v.empty(); v = r.read_view(), ++pieces) got.append(v);
    EXPECT_EQ(r.error(), "") << p;
    EXPECT_TRUE(got == text) << p << ": " << got.size() << " of " << text.size() << " bytes";
    EXPECT_GT(pieces, 1u) << p;
  }
}

TEST_F(GzipTest, OpenErrorsThrow) {
  EXPECT_THROW(GzipReader((dir / "missing.gz").string()), std::runtime_error);
  EXPECT_THROW(GzipWriter((dir / "no" / "such" / "dir.gz").string()), std::runtime_error);
  GzipWriter w((dir / "closed.gz").string(), false);
  w.close();
  EXPECT_THROW(w.write("x"), std::runtime_error);
}

}  // namespace
}  // namespace bparb::record
