#include "controller/runtime/event_recorder.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>

namespace decnet::controller {

EventRecorder::EventRecorder(api::Client& client, std::string component, const api::Clock& clock)
    : client_(client), component_(std::move(component)), clock_(clock) {}

void EventRecorder::record(const api::Object& involved, const std::string& type,
                           const std::string& reason, const std::string& message) {
  const std::string now = api::formatTime(clock_.now());
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%016zx",
                std::hash<std::string>{}(involved.metadata.uid + reason + message));
  // Event names must stay DNS-1123 labels (<= 63): keep the tail of the hash.
  std::string base = involved.metadata.name.substr(0, 46);
  const std::string name = base + "." + std::string(suffix).substr(0, 16);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = client_.get({"Event", name});
    if (existing) {
      existing->spec["count"] = existing->spec.value("count", 1) + 1;
      existing->spec["lastTimestamp"] = now;
      auto updated = client_.update(*existing);
      if (updated || updated.error().code != Errc::kConflict) return;
      continue;
    }
    api::Object event;
    event.kind = "Event";
    event.metadata.name = name;
    event.spec = {{"type", type},
                  {"reason", reason},
                  {"message", message},
                  {"involvedObject",
                   {{"kind", involved.kind},
                    {"name", involved.metadata.name},
                    {"uid", involved.metadata.uid},
                    {"apiVersion", involved.apiVersion}}},
                  {"source", {{"component", component_}}},
                  {"count", 1},
                  {"firstTimestamp", now},
                  {"lastTimestamp", now}};
    auto created = client_.create(event);
    if (created) return;
    if (created.error().code != Errc::kAlreadyExists) {
      spdlog::warn("could not record event {} on {}: {}", reason, involved.key().str(),
                   created.error().message);
      return;
    }
  }
}

}  // namespace decnet::controller
