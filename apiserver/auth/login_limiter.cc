#include "apiserver/auth/login_limiter.h"

namespace decnet::apiserver::auth {

void LoginLimiter::expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

int LoginLimiter::retryAfter(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return 0;
  expire(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(it->second.size()) < limit_) return 0;
  const auto wait = it->second.front() + window_ - now;
  return static_cast<int>(std::chrono::ceil<std::chrono::seconds>(wait).count());
}

void LoginLimiter::failed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& failures = failures_[address];
  expire(failures, now);
  failures.push_back(now);
  // Addresses that stopped failing are dropped by retryAfter; bound the map against a spray.
  if (failures_.size() > 100000) failures_.erase(failures_.begin());
}

}  // namespace decnet::apiserver::auth
