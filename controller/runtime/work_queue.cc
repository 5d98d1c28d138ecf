#include "controller/runtime/work_queue.h"

#include <algorithm>

namespace decnet::controller {

std::chrono::milliseconds BackoffPolicy::delay(int failures) const {
  if (failures <= 0) return base;
  // Doubling past the cap would overflow: stop as soon as it reaches it.
  std::chrono::milliseconds out = base;
  for (int i = 0; i < failures && out < cap; ++i) out *= 2;
  return std::min(out, cap);
}

WorkQueueMetrics WorkQueueMetrics::registerFor(metrics::Registry& registry,
                                               const std::string& name) {
  const metrics::Labels labels{{"name", name}};
  WorkQueueMetrics out;
  out.depth = registry.gauge("workqueue_depth", "Current depth of workqueue", labels);
  out.adds =
      registry.counter("workqueue_adds_total", "Total number of adds handled by workqueue", labels);
  out.retries = registry.counter("workqueue_retries_total",
                                 "Total number of retries handled by workqueue", labels);
  const std::vector<double> buckets = {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10};
  out.queueDuration = registry.histogram(
      "workqueue_queue_duration_seconds",
      "How long in seconds an item stays in workqueue before being requested", labels, buckets);
  out.workDuration = registry.histogram("workqueue_work_duration_seconds",
                                        "How long in seconds processing an item from workqueue "
                                        "takes.",
                                        labels, buckets);
  return out;
}

WorkQueue::WorkQueue(BackoffPolicy backoff, WorkQueueMetrics metrics)
    : backoff_(backoff), metrics_(std::move(metrics)) {}

void WorkQueue::enqueue(const api::ObjectKey& key) {
  queue_.push_back(key);
  queuedSince_.emplace(key, Clock::now());
  metrics_.depth.inc();
  metrics_.adds.inc();
}

void WorkQueue::add(const api::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  if (shuttingDown_ || dirty_.count(key) > 0) return;
  dirty_.insert(key);
  if (processing_.count(key) > 0) return;  // done() re-queues it
  enqueue(key);
  ready_.notify_one();
}

void WorkQueue::addAfter(const api::ObjectKey& key, Clock::duration delay) {
  if (delay <= Clock::duration::zero()) {
    add(key);
    return;
  }
  std::lock_guard lock(mutex_);
  if (shuttingDown_) return;
  const auto at = Clock::now() + delay;
  if (auto it = delayedAt_.find(key); it != delayedAt_.end()) {
    if (it->second <= at) return;
    auto range = delayed_.equal_range(it->second);
    for (auto d = range.first; d != range.second; ++d) {
      if (d->second == key) {
        delayed_.erase(d);
        break;
      }
    }
  }
  delayed_.emplace(at, key);
  delayedAt_[key] = at;
  ready_.notify_one();  // a worker may need to shorten its wait
}

void WorkQueue::addRateLimited(const api::ObjectKey& key) {
  int failures;
  {
    std::lock_guard lock(mutex_);
    failures = failures_[key]++;
  }
  metrics_.retries.inc();
  addAfter(key, backoff_.delay(failures));
}

void WorkQueue::forget(const api::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::failures(const api::ObjectKey& key) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promoteDue(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    api::ObjectKey key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    delayedAt_.erase(key);
    if (dirty_.count(key) > 0) continue;
    dirty_.insert(key);
    if (processing_.count(key) == 0) enqueue(key);
  }
}

std::optional<api::ObjectKey> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shuttingDown_) return std::nullopt;
    promoteDue(Clock::now());
    if (!queue_.empty()) break;
    if (delayed_.empty()) {
      ready_.wait(lock);
    } else {
      ready_.wait_until(lock, delayed_.begin()->first);
    }
  }
  api::ObjectKey key = std::move(queue_.front());
  queue_.pop_front();
  const auto now = Clock::now();
  metrics_.depth.dec();
  if (auto since = queuedSince_.find(key); since != queuedSince_.end()) {
    metrics_.queueDuration.observe(std::chrono::duration<double>(now - since->second).count());
    queuedSince_.erase(since);
  }
  dirty_.erase(key);
  processing_.insert(key);
  processingSince_[key] = now;
  return key;
}

void WorkQueue::done(const api::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (auto since = processingSince_.find(key); since != processingSince_.end()) {
    metrics_.workDuration.observe(
        std::chrono::duration<double>(Clock::now() - since->second).count());
    processingSince_.erase(since);
  }
  if (dirty_.count(key) > 0 && !shuttingDown_) {
    enqueue(key);
    ready_.notify_one();
  }
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mutex_);
  shuttingDown_ = true;
  ready_.notify_all();
}

std::size_t WorkQueue::length() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::pair<double, double> WorkQueue::unfinishedWork() const {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  double sum = 0, longest = 0;
  for (const auto& [key, since] : processingSince_) {
    const double seconds = std::chrono::duration<double>(now - since).count();
    sum += seconds;
    longest = std::max(longest, seconds);
  }
  return {sum, longest};
}

void WorkQueue::registerProgress(metrics::Registry& registry, const std::string& name) const {
  const metrics::Labels labels{{"name", name}};
  auto unfinished = registry.gauge("workqueue_unfinished_work_seconds",
                                   "How many seconds of work has done that is in progress and "
                                   "hasn't been observed by work_duration.",
                                   labels);
  auto longest = registry.gauge("workqueue_longest_running_processor_seconds",
                                "How many seconds has the longest running processor for "
                                "workqueue been running.",
                                labels);
  registry.beforeExposition([this, unfinished, longest] {
    const auto [sum, max] = unfinishedWork();
    unfinished.set(sum);
    longest.set(max);
  });
}

}  // namespace decnet::controller
