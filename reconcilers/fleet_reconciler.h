#pragma once
// Expands a Fleet into the Decky objects it owns and reports the fleet's status.
#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

// Annotation on each owned decky: a digest of the fleet settings it was stamped from. The
// fleet controller rewrites a decky's template-derived fields only when it changes, so
// mutations (which write identity fields) are not undone.
inline constexpr const char* kTemplateHashAnnotation = "decnet.io/template-hash";

class FleetReconciler final : public controller::Reconciler {
 public:
  FleetReconciler(api::Client& client, controller::EventRecorder& events,
                  const api::Clock& clock = api::systemClock());

  std::string_view name() const override { return "fleet"; }
  std::string_view kind() const override { return "Fleet"; }
  // Decky changes wake their owning fleet.
  std::vector<controller::WatchSpec> watches() const override;
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

 private:
  api::Client& client_;
  controller::EventRecorder& events_;
  const api::Clock& clock_;
};

// "<fleet>-01" for replica 1 (two digits at least).
std::string replicaName(const std::string& fleet, int index);

}  // namespace decnet::reconcilers
