#pragma once
// Runs a pipeline worker's steps only while this copy holds the worker's lease in the
// repository, so that two copies (embedded and standalone, or two hosts) never double or skip
// work: the second is a standby that takes over when the holder's lease expires.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "api/types/result.h"
#include "pipeline/correlator/analysis_store.h"

namespace decnet::pipeline {

struct LeasedWorkerOptions {
  std::string worker;  // "correlator", "profiler"
  std::string holder;  // this copy's identity; defaultHolder() when empty
  std::chrono::milliseconds leaseTtl{10000};
  std::chrono::milliseconds idleWait{250};  // between steps that found nothing to do
};

// One step of work while the lease is held; how many items it handled.
using WorkerStep = std::function<Result<std::size_t>(const std::string& holder)>;

// "host:pid:random": unique per process.
std::string defaultHolder();

class LeasedWorker {
 public:
  LeasedWorker(AnalysisStore& store, LeasedWorkerOptions options, WorkerStep step);
  ~LeasedWorker();
  LeasedWorker(const LeasedWorker&) = delete;
  LeasedWorker& operator=(const LeasedWorker&) = delete;

  // Runs on its own thread until stop(): steps while leader, waits as standby otherwise.
  void start();
  // Stops within one step and gives the lease up. Idempotent.
  void stop();
  // Runs steps until one finds nothing to do (a one-off pass); kConflict when another copy
  // holds the lease. How many items it handled in all.
  Result<std::size_t> drain();
  // Whether this copy held the lease at its last attempt.
  bool leader() const { return leader_.load(); }
  // Items handled by this copy so far.
  std::size_t handled() const { return handled_.load(); }
  const std::string& holder() const { return options_.holder; }

 private:
  void run();
  // Takes or renews the lease; logs leader/standby changes.
  bool renew();

  AnalysisStore& store_;
  LeasedWorkerOptions options_;
  WorkerStep step_;
  std::atomic<bool> leader_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> handled_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace decnet::pipeline
