#pragma once
// Wall-clock time as RFC 3339 strings, behind an interface so reconcilers can be tested.
#include <chrono>
#include <optional>
#include <string>

namespace decnet::api {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;  // thread-safe
};

// The system clock.
const Clock& systemClock();

// "2026-04-18T08:27:21.862365Z" (microseconds, UTC).
std::string formatTime(TimePoint time);
// Accepts RFC 3339 with or without fraction, "Z" or "+00:00". nullopt when malformed.
std::optional<TimePoint> parseTime(const std::string& text);

// "30s", "30m", "2h", "1d", "1h30m"; nullopt when malformed or zero-length text.
std::optional<std::chrono::seconds> parseDuration(const std::string& text);
// 5400s -> "1h30m".
std::string formatDuration(std::chrono::seconds duration);
// The age of an RFC 3339 time as kubectl shows it: "45s", "12m", "5h", "3d"; "<unknown>" when
// malformed.
std::string humanAge(const std::string& timestamp);

}  // namespace decnet::api
