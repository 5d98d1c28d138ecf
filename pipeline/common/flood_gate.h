#pragma once
// Folds floods of identical attacker events into one event with a count, at the agent (before
// the spool) and at the collector (for senders that are not decnet's agent). Identical: the same
// decky, service (APP-NAME), event type (MSGID), attacker address, message and structured data,
// except the fields that differ between the connections of one flood (src_port, duration_ms,
// bytes_in, bytes_out). Per such key, the first `perWindow` events of a window pass; the rest are
// held back and counted, and when the window ends the last of them comes out with its count.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "pipeline/collector/syslog_message.h"

namespace decnet::pipeline {

struct FloodOptions {
  std::uint32_t perWindow = 100;  // identical events that pass per key and window
  std::chrono::milliseconds window{1000};
  std::size_t maxKeys = 10000;  // windows open at once; past it new keys pass unfolded
};

// The key identical events share; "" for an event that is never folded: no attacker address, a
// `count` already, or one of the decoy's readiness events (decoy_start, listening, bind_failed,
// not_emulated), each of which matters on its own.
std::string floodKey(const SyslogMessage& message, std::string_view decky);

// The windows; `Held` is what the caller keeps of a held-back event (a line, a parsed event).
// Not thread-safe.
template <typename Held>
class FloodGate {
 public:
  using Clock = std::chrono::steady_clock;

  explicit FloodGate(FloodOptions options = {}) : options_(options) {}

  // true when the event passes now (`event` untouched); false when it is held back, and then
  // `event` is copied, or moved when given as an rvalue, into the window as its last event. A
  // window past its time is closed first.
  template <typename Event, typename Emit>
  bool admit(std::string key, Event&& event, Clock::time_point now, Emit&& emit) {
    auto window = windows_.find(key);
    if (window != windows_.end() && now - window->second.start >= options_.window) {
      close(window, emit);
      window = windows_.end();
    }
    if (window == windows_.end()) {
      if (windows_.size() >= options_.maxKeys) return true;  // bounded: wait for windows to end
      window = windows_.emplace(std::move(key), Window{now, 0, 0, {}}).first;
    }
    if (window->second.passed < options_.perWindow) {
      ++window->second.passed;
      return true;
    }
    ++window->second.held;
    window->second.lastHeld = std::forward<Event>(event);
    ++held_;
    return false;
  }

  // Calls emit(lastHeld, count) for every window ended by `now` (all of them with
  // Clock::time_point::max()) that held events back; those windows are forgotten.
  template <typename Emit>
  void closeEnded(Clock::time_point now, Emit&& emit) {
    for (auto window = windows_.begin(); window != windows_.end();) {
      const auto current = window++;
      if (now - current->second.start >= options_.window) close(current, emit);
    }
  }

  // Events held back so far (each is counted in some emitted count).
  std::uint64_t held() const { return held_; }

 private:
  struct Window {
    Clock::time_point start;
    std::uint32_t passed = 0;
    std::uint64_t held = 0;
    Held lastHeld;
  };
  using Windows = std::unordered_map<std::string, Window>;

  template <typename Emit>
  void close(typename Windows::iterator window, Emit& emit) {
    if (window->second.held > 0) emit(std::move(window->second.lastHeld), window->second.held);
    windows_.erase(window);
  }

  const FloodOptions options_;
  Windows windows_;
  std::uint64_t held_ = 0;
};

}  // namespace decnet::pipeline
