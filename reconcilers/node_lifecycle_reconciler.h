#pragma once
// Marks a Node NotReady (Ready=Unknown, NodeStatusUnknown) when its agent has not renewed the
// heartbeat for the grace period, and sets that node's deckies to Ready=Unknown.
#include <chrono>

#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

class NodeLifecycleReconciler final : public controller::Reconciler {
 public:
  NodeLifecycleReconciler(api::Client& client, controller::EventRecorder& events,
                          std::chrono::seconds grace = std::chrono::seconds(40),
                          const api::Clock& clock = api::systemClock());

  std::string_view name() const override { return "nodelifecycle"; }
  std::string_view kind() const override { return "Node"; }
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

 private:
  api::Client& client_;
  controller::EventRecorder& events_;
  const std::chrono::seconds grace_;
  const api::Clock& clock_;
};

}  // namespace decnet::reconcilers
