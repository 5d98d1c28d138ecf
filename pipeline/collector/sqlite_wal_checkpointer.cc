#include "pipeline/collector/sqlite_wal_checkpointer.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <optional>

namespace decnet::pipeline {

WalCheckpointer::WalCheckpointer(std::string path, int everyFrames)
    : path_(std::move(path)), everyFrames_(everyFrames), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool WalCheckpointer::logHas(int frames) {
  {
    std::lock_guard lock(mutex_);
    if (finished_) {
      finished_ = false;
      return true;
    }
    if (frames < everyFrames_) return false;
    wanted_ = true;
  }
  wake_.notify_one();
  return false;
}

int WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void WalCheckpointer::run() {
  std::optional<SQLite::Database> db;
  std::string lastFailure;  // warned once until it changes
  const auto failed = [&](const std::string& why) {
    if (why != lastFailure) spdlog::warn("collect: checkpoint of {}: {}", path_, why);
    lastFailure = why;
  };
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
    }
    try {
      if (!db) {
        db.emplace(path_, SQLite::OPEN_READWRITE, /*busy_timeout_ms=*/0);
        // A connection finds the database in WAL mode on its first read; until then a
        // checkpoint does nothing (and reports a log of -1 frames).
        db->execAndGet("SELECT count(*) FROM sqlite_master");
      }
      int logFrames = 0, copiedFrames = 0;
      const int rc = sqlite3_wal_checkpoint_v2(db->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                               &logFrames, &copiedFrames);
      // BUSY: another checkpoint was running; the next commit past the threshold asks again.
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) failed(sqlite3_errstr(rc));
    } catch (const std::exception& e) {
      db.reset();  // opened again next time, and read before use
      failed(e.what());
    }
    std::lock_guard lock(mutex_);
    ++checkpoints_;
    finished_ = true;
  }
}

}  // namespace decnet::pipeline
