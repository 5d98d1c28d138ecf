#pragma once
// Records what controllers did as Event objects (Kubernetes' EventRecorder). Repeats of the
// same reason and message on the same object bump a count instead of piling up objects.
#include <string>

#include "api/client/client.h"
#include "api/types/clock.h"

namespace decnet::controller {

class EventRecorder {
 public:
  EventRecorder(api::Client& client, std::string component,
                const api::Clock& clock = api::systemClock());
  virtual ~EventRecorder() = default;

  // type: "Normal" | "Warning". Best effort: failures are logged, never returned. Thread-safe.
  virtual void record(const api::Object& involved, const std::string& type,
                      const std::string& reason, const std::string& message);

 private:
  api::Client& client_;
  const std::string component_;
  const api::Clock& clock_;
};

}  // namespace decnet::controller
