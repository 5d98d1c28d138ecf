#pragma once
// Runs one pipeline worker (`decnet collect`, later correlate and profile) as a child process
// and keeps it running: a worker that exits or dies is started again within a second.
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace decnet::cli {

class WorkerSupervisor {
 public:
  // `argv[0]` is the program's path; the child shares this process's stdout and stderr.
  explicit WorkerSupervisor(std::vector<std::string> argv);
  ~WorkerSupervisor();
  WorkerSupervisor(const WorkerSupervisor&) = delete;
  WorkerSupervisor& operator=(const WorkerSupervisor&) = delete;

  // Starts the child and the thread that respawns it.
  void start();
  // Stops the child (SIGTERM, SIGKILL after 5 s) and stops respawning. Idempotent.
  void stop();
  // The running child's pid; 0 while none runs.
  pid_t pid() const { return pid_.load(); }
  // How many times the child was started.
  int starts() const { return starts_.load(); }

 private:
  pid_t spawn();
  void supervise();

  const std::vector<std::string> argv_;
  std::atomic<pid_t> pid_{0};
  std::atomic<int> starts_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace decnet::cli
