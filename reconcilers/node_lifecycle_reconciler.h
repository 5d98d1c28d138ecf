#pragma once
// Marks a Node NotReady (Ready=Unknown, NodeStatusUnknown) when its agent has not renewed the
// heartbeat for the grace period, and sets that node's deckies to Ready=Unknown. A node still
// NotReady `evictAfter` later loses its deckies: their spec.node is cleared, so the scheduler
// places them (same name, MAC and IP) on another Ready node with their parent interface.
#include <chrono>

#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

class NodeLifecycleReconciler final : public controller::Reconciler {
 public:
  NodeLifecycleReconciler(api::Client& client, controller::EventRecorder& events,
                          std::chrono::seconds grace = std::chrono::seconds(40),
                          std::chrono::seconds evictAfter = std::chrono::seconds(30),
                          const api::Clock& clock = api::systemClock());

  std::string_view name() const override { return "nodelifecycle"; }
  std::string_view kind() const override { return "Node"; }
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

 private:
  api::Client& client_;
  controller::EventRecorder& events_;
  Result<controller::Outcome> evictIfLost(const api::Object& node);

  const std::chrono::seconds grace_;
  const std::chrono::seconds evictAfter_;
  const api::Clock& clock_;
};

}  // namespace decnet::reconcilers
