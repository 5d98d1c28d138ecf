#include "reconcilers/node_lifecycle_reconciler.h"

#include "api/types/conditions.h"

namespace decnet::reconcilers {

NodeLifecycleReconciler::NodeLifecycleReconciler(api::Client& client,
                                                 controller::EventRecorder& events,
                                                 std::chrono::seconds grace,
                                                 const api::Clock& clock)
    : client_(client), events_(events), grace_(grace), clock_(clock) {}

Result<controller::Outcome> NodeLifecycleReconciler::reconcile(const controller::Request& request) {
  auto node = client_.get(request.key);
  if (!node) {
    if (node.error().code == Errc::kNotFound) return controller::Outcome{};
    return tl::unexpected(node.error());
  }
  if (!api::conditionTrue(node->status, "Ready")) return controller::Outcome{};
  const auto now = clock_.now();
  auto heartbeat = api::parseTime(node->status.value("heartbeatTime", ""));
  if (heartbeat && now - *heartbeat < grace_) {
    return controller::Outcome{
        std::chrono::duration_cast<std::chrono::milliseconds>(*heartbeat + grace_ - now) +
        std::chrono::milliseconds(1)};
  }
  const std::string stamp = api::formatTime(now);
  const std::string message =
      "no heartbeat from the agent for " + std::to_string(grace_.count()) + "s";
  api::setCondition(
      node->status,
      {"Ready", "Unknown", "NodeStatusUnknown", message, "", node->metadata.generation}, stamp);
  auto written = client_.updateStatus(*node);
  if (!written) return tl::unexpected(written.error());
  events_.record(*written, "Warning", "NodeNotReady", message);

  auto deckies = client_.list("Decky", {"", "spec.node=" + node->metadata.name});
  if (!deckies) return tl::unexpected(deckies.error());
  for (auto& decky : deckies->items) {
    if (api::setCondition(
            decky.status,
            {"Ready", "Unknown", "NodeUnreachable",
             "node " + node->metadata.name + " stopped reporting", "", decky.metadata.generation},
            stamp)) {
      auto w = client_.updateStatus(decky);
      if (!w && w.error().code != Errc::kNotFound) return tl::unexpected(w.error());
    }
  }
  return controller::Outcome{};
}

}  // namespace decnet::reconcilers
