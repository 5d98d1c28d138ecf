#pragma once
// When each decky on this node reached each step on its way to Ready, for the benchmarks'
// stage table and for finding costs that grow with the fleet. Only the first time a decky
// reaches a step counts; a torn-down decky is forgotten.
#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace decnet::agents {

enum class ReadyStage {
  kSeen,       // the agent's first reconcile of the decky began
  kLinked,     // namespace, eth0, address and routes in place
  kSysctls,    // the OS personality's sysctls written
  kDecoyExec,  // the decoy process started
  kListening,  // the agent saw every service listening
  kReported,   // the Ready status written
};
inline constexpr std::size_t kReadyStageCount = 6;
// "seen", "linked", ...: the stage's name in tables.
std::string_view readyStageName(ReadyStage stage);

class ReadyStages {
 public:
  using Clock = std::chrono::steady_clock;
  // Unset stages are the epoch (time_since_epoch() == 0).
  using Times = std::array<Clock::time_point, kReadyStageCount>;

  // Records now for `decky` at `stage` unless it reached that stage before. Thread-safe.
  void mark(const std::string& decky, ReadyStage stage);
  // Drops what was recorded for `decky`, so a re-created decky starts afresh. Thread-safe.
  void forget(const std::string& decky);
  // Every decky's times. Thread-safe.
  std::map<std::string, Times> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Times, std::less<>> times_;
};

}  // namespace decnet::agents
