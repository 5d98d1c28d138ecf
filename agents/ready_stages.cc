#include "agents/ready_stages.h"

namespace decnet::agents {

std::string_view readyStageName(ReadyStage stage) {
  switch (stage) {
    case ReadyStage::kSeen:
      return "agent sees it";
    case ReadyStage::kLinked:
      return "namespace and link";
    case ReadyStage::kSysctls:
      return "sysctls";
    case ReadyStage::kDecoyExec:
      return "decoy exec";
    case ReadyStage::kListening:
      return "listening";
    case ReadyStage::kReported:
      return "status written";
  }
  return "?";
}

void ReadyStages::mark(const std::string& decky, ReadyStage stage) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  auto& slot = times_[decky][static_cast<std::size_t>(stage)];
  if (slot.time_since_epoch().count() == 0) slot = now;
}

void ReadyStages::forget(const std::string& decky) {
  std::lock_guard lock(mutex_);
  times_.erase(decky);
}

std::map<std::string, ReadyStages::Times> ReadyStages::snapshot() const {
  std::lock_guard lock(mutex_);
  return {times_.begin(), times_.end()};
}

}  // namespace decnet::agents
