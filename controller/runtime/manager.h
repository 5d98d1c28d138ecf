#pragma once
// Runs reconcilers: one work queue and `workers` threads per reconciler, fed by shared
// informers. Stops gracefully: in-flight reconciles finish, queued keys are dropped (they are
// level-triggered and will be seen again on the next start).
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "api/client/client.h"
#include "controller/runtime/informer.h"
#include "controller/runtime/reconciler.h"
#include "controller/runtime/work_queue.h"

namespace decnet::controller {

struct ManagerOptions {
  int workers = 2;  // per reconciler
  std::chrono::milliseconds resync{std::chrono::minutes(5)};
  BackoffPolicy backoff{};
  // Where the controller-runtime series go (controller_runtime_reconcile_*, workqueue_*, each
  // reconciler's queue named after it); null: none. Must outlive the manager's use of it.
  metrics::Registry* metrics = nullptr;
};

struct ReconcilerStats {
  std::atomic<std::uint64_t> reconciles{0};
  std::atomic<std::uint64_t> errors{0};
  // controller-runtime's series for this reconciler (no-ops without a registry).
  metrics::Counter success, error, requeue, requeueAfter, errorsTotal;
  metrics::Histogram time;
};

class Manager {
 public:
  Manager(api::Client& client, ManagerOptions options = {});
  ~Manager();

  // Before start() only.
  void add(ReconcilerPtr reconciler);
  // Starts informers and workers; returns once every informer has synced (or 30 s).
  void start();
  // Idempotent; blocks until every worker has returned.
  void stop();
  // Queues `request` for the reconciler called `reconciler` now, as a watch event would: for
  // triggers from outside the store (the kernel, a process exit). Unknown names are ignored.
  void enqueue(std::string_view reconciler, const Request& request);
  // Counters for benchmarks and /metrics; valid while the manager lives.
  const ReconcilerStats& stats(std::string_view reconciler) const;

 private:
  struct Entry {
    ReconcilerPtr reconciler;
    std::unique_ptr<WorkQueue> queue;
    std::unique_ptr<ReconcilerStats> stats;
  };
  Informer& informerFor(const std::string& kind);
  void work(Entry& entry);

  api::Client& client_;
  const ManagerOptions options_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::map<std::string, std::unique_ptr<Informer>> informers_;
  std::vector<std::thread> threads_;
  bool started_ = false;
};

}  // namespace decnet::controller
