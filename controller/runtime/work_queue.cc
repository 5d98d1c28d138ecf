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

WorkQueue::WorkQueue(BackoffPolicy backoff) : backoff_(backoff) {}

void WorkQueue::add(const api::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  if (shuttingDown_ || dirty_.count(key) > 0) return;
  dirty_.insert(key);
  if (processing_.count(key) > 0) return;  // done() re-queues it
  queue_.push_back(key);
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
    if (processing_.count(key) == 0) queue_.push_back(key);
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
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::done(const api::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.count(key) > 0 && !shuttingDown_) {
    queue_.push_back(key);
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

}  // namespace decnet::controller
