// The journal writer tells the operator when it migrated a journal left by an older release: one log line
// naming the file and both schema versions, and none on a journal already at the current schema.
#include "bparb/runtime/journal_writer.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

namespace bparb::runtime {
namespace {

TEST(JournalWriterTest, AJournalFromTheSchemaOneReleaseIsMigratedWithOneLogLine) {
  const std::string path = ::testing::TempDir() + "bparb_journal_writer_v1_" + std::to_string(::getpid()) + ".sqlite";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  // The schema-1 file the journal's own migration tests use (tests/journal/data/README.md).
  const std::filesystem::path v1 =
      std::filesystem::path(BPARB_TEST_DATA_DIR).parent_path().parent_path() / "journal/data/v1_journal.sqlite";
  std::filesystem::copy_file(v1, path);

  std::ostringstream out;
  auto log =
      std::make_shared<spdlog::logger>("journal_writer_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  log->set_pattern("%v");
  ManualClock clock{1'700'000'000'000'000};
  {
    JournalWriter writer(log, clock);
    writer.open({true, path, false});
    ASSERT_TRUE(writer.enabled());
  }
  EXPECT_NE(out.str().find("Journal: " + path + " migrated in place from schema 1 to " +
                           std::to_string(journal::kSchemaVersion)),
            std::string::npos)
      << out.str();

  out.str("");
  {
    JournalWriter writer(log, clock);
    writer.open({true, path, false});
  }
  EXPECT_EQ(out.str().find("migrated"), std::string::npos) << "nothing to migrate the second time:\n" << out.str();
  EXPECT_NE(out.str().find("Journal: " + path + " (recovering from it"), std::string::npos) << out.str();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace bparb::runtime
