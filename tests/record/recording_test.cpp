// RecordingReader / RecordingWriter: round trip (plain, gzip), directory merge, malformed lines, ordering.
#include "bparb/record/recording.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bparb::record {
namespace {

namespace fs = std::filesystem;

struct Got {
  TimestampUs t;
  FrameKind kind;
  std::string payload;
};

std::vector<Got> read_all(RecordingReader& r) {
  std::vector<Got> out;
  FrameLine l;
  while (r.next(l)) out.push_back({l.receive_time_us, l.kind, std::string(l.payload)});
  return out;
}

class RecordingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("bparb_record_test_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  fs::path dir;
};

TEST(FrameLineTest, ParsesTheThreeKindsAndRejectsBadLines) {
  FrameLine l;
  const char* why = "";
  ASSERT_TRUE(parse_frame_line(R"(1723161253937085 ws {"stream":"depth.X","data":{}})", l, &why));
  EXPECT_EQ(l.receive_time_us, 1723161253937085);
  EXPECT_EQ(l.kind, FrameKind::kWs);
  EXPECT_EQ(l.payload, R"({"stream":"depth.X","data":{}})");
  ASSERT_TRUE(parse_frame_line("5 rest_depth {\"symbol\":\"X\"}\r", l));
  EXPECT_EQ(l.kind, FrameKind::kRestDepth);
  EXPECT_EQ(l.payload, "{\"symbol\":\"X\"}");  // trailing CR dropped
  ASSERT_TRUE(parse_frame_line(R"(0 event {"type":"gap"})", l));
  EXPECT_EQ(l.kind, FrameKind::kEvent);

  EXPECT_FALSE(parse_frame_line("", l, &why));
  EXPECT_FALSE(parse_frame_line("12ws {}", l, &why));
  EXPECT_FALSE(parse_frame_line("-5 ws {}", l, &why));
  EXPECT_STREQ(why, "bad receive time");
  EXPECT_FALSE(parse_frame_line("1x ws {}", l, &why));
  EXPECT_FALSE(parse_frame_line("99999999999999999999 ws {}", l, &why));
  EXPECT_STREQ(why, "bad receive time");
  // Receive times of every length up to 19 digits, with a bad byte at every position: the 8-digit steps
  // give what a plain digit loop gives.
  std::uint64_t x = 88172645463325252ULL;
  for (std::size_t len = 1; len <= 19; ++len) {
    for (int rep = 0; rep < 20; ++rep) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::string ts = std::to_string(x).substr(0, len);
      if (ts.size() < len) ts.append(len - ts.size(), '7');
      if (len == 19) ts[0] = '1';  // fits an int64
      ASSERT_TRUE(parse_frame_line(ts + " ws {}", l, &why)) << ts;
      EXPECT_EQ(l.receive_time_us, static_cast<TimestampUs>(std::stoll(ts))) << ts;
      for (std::size_t bad = 1; bad < len; ++bad) {
        for (const char c : {'/', ':', 'a', '\xb0'}) {
          std::string b = ts;
          b[bad] = c;
          EXPECT_FALSE(parse_frame_line(b + " ws {}", l, &why)) << b;
        }
      }
    }
  }
  EXPECT_FALSE(parse_frame_line("1 wss {}", l, &why));
  EXPECT_STREQ(why, "unknown kind");
  EXPECT_FALSE(parse_frame_line("1 ws ", l, &why));
  EXPECT_STREQ(why, "empty payload");
  EXPECT_FALSE(parse_frame_line("1 ws [1,2]", l, &why));
  EXPECT_STREQ(why, "payload is not a JSON object");
  EXPECT_FALSE(parse_frame_line("1 ws", l, &why));
}

TEST_F(RecordingTest, PlainAndGzipRoundTrip) {
  for (const char* name : {"a.frames", "a.frames.gz"}) {
    const std::string path = (dir / name).string();
    {
      RecordingWriter w(path, false);
      EXPECT_TRUE(w.write(1, FrameKind::kWs, R"({"stream":"depth.SOL_USDC","data":{"u":1}})"));
      EXPECT_TRUE(w.write(2, FrameKind::kRestDepth, R"({"symbol":"SOL_USDC","data":{}})"));
      EXPECT_FALSE(w.write(3, FrameKind::kWs, "{\"a\":\n1}"));  // a newline would break the format
      EXPECT_FALSE(w.write(-1, FrameKind::kWs, "{}"));
      EXPECT_FALSE(w.write(3, FrameKind::kWs, ""));
      EXPECT_TRUE(w.write(3, FrameKind::kEvent, R"({"type":"reconnect"})"));
      EXPECT_EQ(w.lines_written(), 3u);
    }
    {  // append (gzip: a second member)
      RecordingWriter w(path, true);
      EXPECT_TRUE(w.write(4, FrameKind::kWs, std::string(200000, ' ').insert(0, "{").append("}")));  // long line
    }
    RecordingReader r(path);
    const auto got = read_all(r);
    ASSERT_EQ(got.size(), 4u) << name;
    EXPECT_EQ(got[0].t, 1);
    EXPECT_EQ(got[0].payload, R"({"stream":"depth.SOL_USDC","data":{"u":1}})");
    EXPECT_EQ(got[1].kind, FrameKind::kRestDepth);
    EXPECT_EQ(got[2].kind, FrameKind::kEvent);
    EXPECT_EQ(got[3].payload.size(), 200002u);
    EXPECT_EQ(r.stats().malformed, 0u);
    EXPECT_TRUE(r.error().empty());
  }
  // gzip really is gzip (magic 1f 8b)
  std::ifstream f(dir / "a.frames.gz", std::ios::binary);
  unsigned char magic[2] = {};
  f.read(reinterpret_cast<char*>(magic), 2);
  EXPECT_EQ(magic[0], 0x1f);
  EXPECT_EQ(magic[1], 0x8b);
}

TEST_F(RecordingTest, MalformedLinesAreCountedWithLineNumbersAndSkipped) {
  write_text(dir / "m.frames",
             "1 ws {\"a\":1}\n"
             "garbage\n"
             "\n"
             "2 nope {\"a\":2}\n"
             "3 ws {\"a\":3}\n"
             "4 ws {\"a\":4}");  // last line without newline is still read
  RecordingReader r((dir / "m.frames").string());
  const auto got = read_all(r);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].payload, "{\"a\":3}");
  EXPECT_EQ(got[2].payload, "{\"a\":4}");
  EXPECT_EQ(r.stats().malformed, 2u);
  ASSERT_EQ(r.stats().malformed_lines.size(), 2u);
  EXPECT_EQ(r.stats().malformed_lines[0].line_no, 2u);
  EXPECT_EQ(r.stats().malformed_lines[1].line_no, 4u);
  EXPECT_EQ(r.stats().malformed_lines[1].reason, "unknown kind");
  EXPECT_EQ(r.stats().lines, 3u);
}

TEST_F(RecordingTest, OutOfOrderLinesAreCountedAndDelivered) {
  write_text(dir / "o.frames", "10 ws {}\n20 ws {}\n15 ws {}\n30 ws {}\n");
  RecordingReader r((dir / "o.frames").string());
  const auto got = read_all(r);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[2].t, 15);
  EXPECT_EQ(r.stats().out_of_order, 1u);
}

TEST_F(RecordingTest, DirectoryIsMergedByTimeAcrossMarketsAndDates) {
  const fs::path rec = dir / "rec";
  // The writer does not create directories (the recorder/importer does).
  fs::create_directories(rec / "SOL_USDC");
  fs::create_directories(rec / "SOL_USDC_PERP");
  {
    RecordingWriter a((rec / "SOL_USDC" / "2024-08-08.frames.gz").string(), false);
    a.write(10, FrameKind::kWs, R"({"s":"spot","n":1})");
    a.write(30, FrameKind::kWs, R"({"s":"spot","n":2})");
    RecordingWriter b((rec / "SOL_USDC" / "2024-08-09.frames").string(), false);
    b.write(50, FrameKind::kWs, R"({"s":"spot","n":3})");
    RecordingWriter c((rec / "SOL_USDC_PERP" / "2024-08-08.frames.gz").string(), false);
    c.write(20, FrameKind::kWs, R"({"s":"perp","n":1})");
    c.write(30, FrameKind::kWs, R"({"s":"perp","n":2})");
    c.write(60, FrameKind::kWs, R"({"s":"perp","n":3})");
  }
  write_text(rec / "README", "not a frames file");
  RecordingReader r(rec.string());
  const auto got = read_all(r);
  std::vector<std::string> order;
  for (const auto& g : got) order.push_back(g.payload);
  const std::vector<std::string> want = {R"({"s":"spot","n":1})", R"({"s":"perp","n":1})", R"({"s":"spot","n":2})",
                                         R"({"s":"perp","n":2})", R"({"s":"spot","n":3})", R"({"s":"perp","n":3})"};
  EXPECT_EQ(order, want);  // the 30/30 tie goes to the market that sorts first (SOL_USDC)
  EXPECT_EQ(r.stats().files, 3u);
  EXPECT_EQ(r.files().size(), 3u);
}

// tests/record/data/sample.frames is the example in FORMAT.md: every kind, one malformed line.
TEST(RecordingFixtureTest, SampleFileReadsAsDocumented) {
  RecordingReader r(std::string(BPARB_TEST_DATA_DIR) + "/sample.frames");
  const auto got = read_all(r);
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[0].kind, FrameKind::kWs);
  EXPECT_EQ(got[1].kind, FrameKind::kRestDepth);
  EXPECT_EQ(got[1].t, 1723161255100000);
  EXPECT_EQ(got[5].kind, FrameKind::kEvent);
  EXPECT_EQ(got[5].payload, R"({"type":"reconnect","symbol":"SOL_USDC","detail":"ws closed 1006"})");
  EXPECT_EQ(r.stats().malformed, 1u);
  ASSERT_EQ(r.stats().malformed_lines.size(), 1u);
  EXPECT_EQ(r.stats().malformed_lines[0].line_no, 6u);
  EXPECT_EQ(r.stats().malformed_lines[0].reason, "bad receive time");
  EXPECT_EQ(r.stats().out_of_order, 0u);
}

TEST_F(RecordingTest, FileNameIsMarketAndUtcDate) {
  // 2024-08-08T23:59:59.999999Z and one µs later.
  EXPECT_EQ(recording_file_name("SOL_USDC", 1723161599999999, true), "SOL_USDC/2024-08-08.frames.gz");
  EXPECT_EQ(recording_file_name("SOL_USDC", 1723161600000000, false), "SOL_USDC/2024-08-09.frames");
}

TEST_F(RecordingTest, MissingOrEmptyRecordingThrowsAndCorruptGzipStopsWithAnError) {
  EXPECT_THROW(RecordingReader((dir / "nope.frames").string()), std::runtime_error);
  fs::create_directories(dir / "empty" / "SOL_USDC");
  EXPECT_THROW(RecordingReader((dir / "empty").string()), std::runtime_error);
  EXPECT_THROW(RecordingWriter((dir / "no" / "such" / "dir.frames").string()), std::runtime_error);

  const std::string gz = (dir / "t.frames.gz").string();
  {
    RecordingWriter w(gz, false);
    for (int i = 0; i < 2000; ++i)
      w.write(i, FrameKind::kWs, R"({"stream":"trade.SOL_USDC","data":{"i":)" + std::to_string(i * 7919) + "}}");
  }
  const auto size = fs::file_size(gz);
  fs::resize_file(gz, size / 2);  // cut the gzip stream in the middle
  RecordingReader r(gz);
  const auto got = read_all(r);
  EXPECT_LT(got.size(), 2000u);
  EXPECT_FALSE(r.error().empty());
}

}  // namespace
}  // namespace bparb::record
