// RecordingReader's decode-ahead mode (one worker thread per market, batches of parsed lines) and
// DecodedRecording must deliver exactly what the plain reader delivers: same lines in the same order,
// same stats (malformed lines with their file and line, out-of-order, files), same errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bparb/record/recording.hpp"

namespace bparb::record {
namespace {

namespace fs = std::filesystem;

struct Got {
  TimestampUs t;
  FrameKind kind;
  std::string payload;
  bool operator==(const Got&) const = default;
};

std::vector<Got> read_all_frames(FrameSource& r) {
  std::vector<Got> out;
  FrameLine l;
  while (r.next(l)) out.push_back({l.receive_time_us, l.kind, std::string(l.payload)});
  return out;
}

// Tiny batches and only two in flight: every batch boundary, file change and wait is exercised.
ReaderOptions ahead_options(std::size_t lines = 3) {
  ReaderOptions o;
  o.decode_ahead = true;
  o.batch_lines = lines;
  o.batches_in_flight = 2;
  return o;
}

void expect_same_stats(const ReaderStats& a, const ReaderStats& b) {
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(a.malformed, b.malformed);
  EXPECT_EQ(a.out_of_order, b.out_of_order);
  EXPECT_EQ(a.files, b.files);
  ASSERT_EQ(a.malformed_lines.size(), b.malformed_lines.size());
  for (std::size_t i = 0; i < a.malformed_lines.size(); ++i) {
    EXPECT_EQ(a.malformed_lines[i].file, b.malformed_lines[i].file);
    EXPECT_EQ(a.malformed_lines[i].line_no, b.malformed_lines[i].line_no);
    EXPECT_EQ(a.malformed_lines[i].reason, b.malformed_lines[i].reason);
  }
}

class DecodeAhead : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("bparb_decode_ahead_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

// The shipped paper recording (two markets, gzip, a reconnect) and the documented sample (a malformed line).
TEST_F(DecodeAhead, SameLinesAndStatsAsThePlainReaderOnTheFixtures) {
  for (const std::string name : {"paper_sol", "sample.frames"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(BPARB_TEST_DATA_DIR) + "/" + name;
    RecordingReader plain(path);
    const auto want = read_all_frames(plain);
    ASSERT_GT(want.size(), 5u);
    for (std::size_t batch : {1u, 3u, 2048u}) {
      RecordingReader fast(path, ahead_options(batch));
      EXPECT_EQ(read_all_frames(fast), want) << "batch " << batch;
      EXPECT_TRUE(fast.error().empty()) << fast.error();
      expect_same_stats(fast.stats(), plain.stats());
    }
  }
}

// Several files per market (dates), malformed and out-of-order lines in a later file: the counts and the
// file/line of each malformed line match.
TEST_F(DecodeAhead, SameStatsAcrossFilesMalformedAndOutOfOrderLines) {
  fs::create_directories(dir / "rec" / "A");
  fs::create_directories(dir / "rec" / "B");
  std::ofstream(dir / "rec" / "A" / "2024-01-01.frames") << "10 ws {\"a\":1}\n30 ws {\"a\":2}\n";
  std::ofstream(dir / "rec" / "A" / "2024-01-02.frames")
      << "5 ws {\"a\":3}\ngarbage\n50 ws {\"a\":4}\n40 ws {\"a\":5}\n";
  {
    RecordingWriter w((dir / "rec" / "B" / "2024-01-01.frames.gz").string(), false);
    for (int i = 0; i < 50; ++i) w.write(i * 3, FrameKind::kWs, "{\"b\":" + std::to_string(i) + "}");
  }
  std::ofstream(dir / "rec" / "B" / "2024-01-02.frames") << "1000 nope {}\n1001 event {\"type\":\"gap\"}\n";
  RecordingReader plain((dir / "rec").string());
  const auto want = read_all_frames(plain);
  EXPECT_EQ(plain.stats().malformed, 2u);
  EXPECT_EQ(plain.stats().out_of_order, 1u);  // 5 after 30 starts a new file (not counted); 40 after 50 is
  for (std::size_t batch : {1u, 2u, 7u}) {
    RecordingReader fast((dir / "rec").string(), ahead_options(batch));
    EXPECT_EQ(read_all_frames(fast), want) << "batch " << batch;
    expect_same_stats(fast.stats(), plain.stats());
  }
}

TEST_F(DecodeAhead, ACorruptGzipEndsTheStreamWithTheSameErrorAfterTheSameLines) {
  const std::string gz = (dir / "t.frames.gz").string();
  {
    RecordingWriter w(gz, false);
    for (int i = 0; i < 3000; ++i)
      w.write(i, FrameKind::kWs, R"({"stream":"trade.SOL_USDC","data":{"i":)" + std::to_string(i * 7919) + "}}");
  }
  fs::resize_file(gz, fs::file_size(gz) / 2);
  RecordingReader plain(gz);
  const auto want = read_all_frames(plain);
  ASSERT_FALSE(plain.error().empty());
  RecordingReader fast(gz, ahead_options(64));
  EXPECT_EQ(read_all_frames(fast), want);
  EXPECT_EQ(fast.error(), plain.error());
  // DecodedRecording refuses a recording that does not read to its end.
  EXPECT_THROW(DecodedRecording{gz}, std::runtime_error);
}

// Destroying a reader whose worker is blocked on a full queue must not hang or leak.
TEST_F(DecodeAhead, AReaderAbandonedMidStreamShutsDown) {
  const std::string f = (dir / "big.frames").string();
  {
    RecordingWriter w(f, false);
    for (int i = 0; i < 5000; ++i) w.write(i, FrameKind::kWs, "{\"n\":" + std::to_string(i) + "}");
  }
  RecordingReader fast(f, ahead_options(4));
  FrameLine l;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(fast.next(l));
  EXPECT_EQ(l.payload, "{\"n\":9}");
}

TEST_F(DecodeAhead, DecodedRecordingReplaysTheSameLinesAnyNumberOfTimes) {
  const std::string path = std::string(BPARB_TEST_DATA_DIR) + "/paper_sol";
  RecordingReader plain(path);
  const auto want = read_all_frames(plain);
  const DecodedRecording decoded(path);
  EXPECT_EQ(decoded.size(), want.size());
  EXPECT_EQ(decoded.stats().lines, plain.stats().lines);
  for (int pass = 0; pass < 2; ++pass) {
    auto src = decoded.source();
    EXPECT_EQ(read_all_frames(src), want) << "pass " << pass;
  }
}

}  // namespace
}  // namespace bparb::record
