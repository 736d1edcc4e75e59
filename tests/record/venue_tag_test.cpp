// The venue tag of a recorded line: "<time> [<venue>] <kind> <payload>"; an untagged line is Backpack's,
// an unknown venue ends the stream with an error naming the file and line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "bparb/record/recording.hpp"

namespace bparb::record {
namespace {

namespace fs = std::filesystem;

TEST(VenueTag, UntaggedLinesAreBackpackAndTaggedLinesCarryTheirVenue) {
  FrameLine l;
  ASSERT_TRUE(parse_frame_line(R"(7 ws {"a":1})", l));
  EXPECT_EQ(l.venue, VenueId::kBackpack);
  ASSERT_TRUE(parse_frame_line(R"(8 lighter rest_depth {"b":2})", l));
  EXPECT_EQ(l.venue, VenueId::kLighter);
  EXPECT_EQ(l.kind, FrameKind::kRestDepth);
  EXPECT_EQ(l.receive_time_us, 8);
  EXPECT_EQ(l.payload, R"({"b":2})");
  ASSERT_TRUE(parse_frame_line(R"(9 ws {"c":3})", l));  // the tag of the previous line does not carry over
  EXPECT_EQ(l.venue, VenueId::kBackpack);

  const char* why = "";
  EXPECT_FALSE(parse_frame_line(R"(9 wss {"c":3})", l, &why));  // a misspelt kind stays a malformed line
  EXPECT_STREQ(why, "unknown kind");
  EXPECT_FALSE(parse_frame_line(R"(9 kraken ws {"c":3})", l, &why));
  EXPECT_NE(std::string(why).find("unknown venue"), std::string::npos) << why;
}

class VenueTagFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("bparb_venue_tag_test_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(VenueTagFiles, TheWriterTagsLinesAndTheReadersReturnTheTag) {
  const std::string path = (dir / "a.frames").string();
  {
    RecordingWriter w(path, false);
    ASSERT_TRUE(w.write(1, VenueId::kBackpack, FrameKind::kWs, R"({"x":1})"));
    ASSERT_TRUE(w.write(2, FrameKind::kEvent, R"({"type":"gap"})"));
    ASSERT_TRUE(w.write(3, VenueId::kLighter, FrameKind::kWs, R"({"y":2})"));
  }
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, R"(1 backpack ws {"x":1})");
  for (bool ahead : {false, true}) {
    ReaderOptions o;
    o.decode_ahead = ahead;
    RecordingReader r(path, o);
    FrameLine l;
    ASSERT_TRUE(r.next(l));
    EXPECT_EQ(l.venue, VenueId::kBackpack);
    ASSERT_TRUE(r.next(l));
    EXPECT_EQ(l.venue, VenueId::kBackpack);
    EXPECT_EQ(l.kind, FrameKind::kEvent);
    ASSERT_TRUE(r.next(l));
    EXPECT_EQ(l.venue, VenueId::kLighter);
    EXPECT_EQ(l.payload, R"({"y":2})");
    EXPECT_FALSE(r.next(l));
    EXPECT_TRUE(r.error().empty()) << r.error();
  }
  DecodedRecording d(path);
  auto src = d.source();
  FrameLine l;
  ASSERT_TRUE(src.next(l));
  ASSERT_TRUE(src.next(l));
  ASSERT_TRUE(src.next(l));
  EXPECT_EQ(l.venue, VenueId::kLighter);
}

TEST_F(VenueTagFiles, AnUnknownVenueEndsTheStreamWithAnErrorNamingFileAndLine) {
  const std::string path = (dir / "b.frames").string();
  std::ofstream(path) << "1 ws {\"x\":1}\n2 kraken ws {\"x\":2}\n3 ws {\"x\":3}\n";
  for (bool ahead : {false, true}) {
    ReaderOptions o;
    o.decode_ahead = ahead;
    RecordingReader r(path, o);
    FrameLine l;
    ASSERT_TRUE(r.next(l));
    EXPECT_FALSE(r.next(l));
    EXPECT_NE(r.error().find(path + ":2: unknown venue"), std::string::npos) << r.error();
    EXPECT_EQ(r.stats().malformed, 0u);
  }
  try {
    DecodedRecording d(path);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(":2: unknown venue"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bparb::record
