#pragma once
// Failed logins per client address: at most `limit` in a sliding window, then the address is
// refused (429) until the oldest failure leaves the window.
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace decnet::apiserver::auth {

class LoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LoginLimiter(int limit = 10, std::chrono::seconds window = std::chrono::minutes(1))
      : limit_(limit), window_(window) {}

  // Seconds until `address` may try again, 0 when it may now. Thread-safe.
  int retryAfter(const std::string& address, Clock::time_point now = Clock::now());
  // Counts a failed login from `address`. Thread-safe.
  void failed(const std::string& address, Clock::time_point now = Clock::now());

 private:
  void expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const;

  const int limit_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace decnet::apiserver::auth
