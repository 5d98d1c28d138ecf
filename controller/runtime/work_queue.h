#pragma once
// A deduplicating, rate-limited work queue of object keys (client-go's workqueue semantics):
// a key is never handed to two workers at once, and a key added while being processed is
// handed out again after done().
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "api/types/object.h"
#include "metrics/registry.h"

namespace decnet::controller {

using Clock = std::chrono::steady_clock;

struct BackoffPolicy {
  std::chrono::milliseconds base{5};
  std::chrono::milliseconds cap{std::chrono::minutes(5)};
  // base * 2^failures, capped. Pure.
  std::chrono::milliseconds delay(int failures) const;
};

// client-go's workqueue series, labelled {name}: what a queue reports when it has them.
struct WorkQueueMetrics {
  metrics::Gauge depth;
  metrics::Counter adds, retries;
  metrics::Histogram queueDuration, workDuration;

  // Registers the series of queue `name` (workqueue_depth, workqueue_adds_total, ...;
  // workqueue_unfinished_work_seconds and workqueue_longest_running_processor_seconds are read
  // from the queue at each scrape through registerProgress).
  static WorkQueueMetrics registerFor(metrics::Registry& registry, const std::string& name);
};

class WorkQueue {
 public:
  explicit WorkQueue(BackoffPolicy backoff = {}, WorkQueueMetrics metrics = {});

  // Queues `key` unless it is already waiting. Thread-safe, never blocks.
  void add(const api::ObjectKey& key);
  // Queues `key` after `delay` (an earlier pending delay for the key wins). Thread-safe.
  void addAfter(const api::ObjectKey& key, Clock::duration delay);
  // Queues `key` after its per-key backoff and counts one more failure. Thread-safe.
  void addRateLimited(const api::ObjectKey& key);
  // Resets the failure count of `key`. Thread-safe.
  void forget(const api::ObjectKey& key);
  // Failures counted for `key` since the last forget().
  int failures(const api::ObjectKey& key) const;
  // Blocks until a key is ready or the queue shuts down (nullopt). Thread-safe.
  std::optional<api::ObjectKey> get();
  // Marks `key` processed; re-queues it if it was added meanwhile. Thread-safe.
  void done(const api::ObjectKey& key);
  // Wakes every get() with nullopt; later adds are ignored. Idempotent.
  void shutDown();
  // Keys ready now (not counting delayed or in-flight ones).
  std::size_t length() const;
  // Seconds the keys being processed now have taken so far: their sum and the longest.
  std::pair<double, double> unfinishedWork() const;
  // Sets the two in-progress gauges of queue `name` from this queue at each scrape of
  // `registry`; the queue must outlive the registry's expositions.
  void registerProgress(metrics::Registry& registry, const std::string& name) const;

 private:
  void promoteDue(Clock::time_point now);   // requires mutex_
  void enqueue(const api::ObjectKey& key);  // requires mutex_; into queue_, counted

  const BackoffPolicy backoff_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<api::ObjectKey> queue_;
  std::set<api::ObjectKey> dirty_;       // queued or to be re-queued
  std::set<api::ObjectKey> processing_;  // handed out, not done
  std::multimap<Clock::time_point, api::ObjectKey> delayed_;
  std::map<api::ObjectKey, Clock::time_point> delayedAt_;
  std::map<api::ObjectKey, int> failures_;
  const WorkQueueMetrics metrics_;
  std::map<api::ObjectKey, Clock::time_point> queuedSince_;      // for queue_duration
  std::map<api::ObjectKey, Clock::time_point> processingSince_;  // for work_duration
  bool shuttingDown_ = false;
};

}  // namespace decnet::controller
