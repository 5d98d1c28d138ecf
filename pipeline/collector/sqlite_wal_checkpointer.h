#pragma once
// Copies a SQLite database's write-ahead log back into the database file on a thread and
// connection of its own, so the connection that commits events does not stop for it (SQLite's
// automatic checkpoint runs inside the commit that crosses its threshold).
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace decnet::pipeline {

class WalCheckpointer {
 public:
  // Checkpoints the WAL-mode SQLite file at `path` (PASSIVE: never blocks a writer or reader)
  // each time logHas() reports at least `everyFrames` frames in its log.
  WalCheckpointer(std::string path, int everyFrames);
  // Stops the thread after the checkpoint in progress, if any.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Told after each commit how many frames the log holds; wakes the thread past everyFrames.
  // True once after each checkpoint the thread finishes: the committing connection should then
  // checkpoint the few frames it committed meanwhile itself, between its commits. A log restarts
  // from its beginning only when wholly copied, which a checkpoint running beside a stream of
  // commits never manages alone.
  [[nodiscard]] bool logHas(int frames);
  // How many checkpoints the thread has run (for tests and logs).
  int checkpoints() const;

 private:
  void run();

  const std::string path_;
  const int everyFrames_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool finished_ = false;  // a checkpoint ended since logHas() last returned true
  bool stopping_ = false;
  int checkpoints_ = 0;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace decnet::pipeline
