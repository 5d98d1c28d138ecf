#include "pipeline/collector/sqlite_wal_checkpointer.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace decnet::pipeline {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-wal-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/events.db";
    db_.emplace(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec("PRAGMA wal_autocheckpoint=0");  // only the checkpointer copies the log back
    db_->exec("CREATE TABLE rows (payload BLOB)");
  }

  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Commits about 8 MB (~2,000 frames of 4 KiB) and returns the frames the log then holds.
  int commitEightMegabytes() {
    int frames = 0;
    sqlite3_wal_hook(
        db_->getHandle(),
        [](void* out, sqlite3*, const char*, int logFrames) {
          *static_cast<int*>(out) = logFrames;
          return SQLITE_OK;
        },
        &frames);
    SQLite::Transaction transaction(*db_);
    SQLite::Statement insert(*db_, "INSERT INTO rows VALUES (zeroblob(8192))");
    for (int i = 0; i < 1000; ++i) {
      insert.exec();
      insert.reset();
    }
    transaction.commit();
    return frames;
  }

  std::uintmax_t databaseBytes() const { return std::filesystem::file_size(path_); }

  std::string dir_, path_;
  std::optional<SQLite::Database> db_;
};

TEST_F(WalCheckpointerTest, CopiesTheLogIntoTheDatabaseOnceItPassesTheThreshold) {
  WalCheckpointer checkpointer(path_, 1000);
  const int frames = commitEightMegabytes();
  ASSERT_GT(frames, 1000);
  const auto before = databaseBytes();
  EXPECT_LT(before, 1u << 20) << "nothing but the checkpointer copies the log back";

  EXPECT_FALSE(checkpointer.logHas(999));  // under the threshold: no checkpoint
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(checkpointer.checkpoints(), 0);
  EXPECT_EQ(databaseBytes(), before);

  EXPECT_FALSE(checkpointer.logHas(frames));
  for (int i = 0; i < 500 && checkpointer.checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(checkpointer.checkpoints(), 1);
  EXPECT_GT(databaseBytes(), 8u << 20);
  EXPECT_TRUE(checkpointer.logHas(10)) << "the committer is told once to finish the job";
  EXPECT_FALSE(checkpointer.logHas(10));
}

TEST_F(WalCheckpointerTest, StopsPromptlyWhenIdle) {
  const auto started = std::chrono::steady_clock::now();
  { WalCheckpointer checkpointer(path_, 1000); }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

}  // namespace
}  // namespace decnet::pipeline
