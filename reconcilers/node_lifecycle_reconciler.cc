#include "reconcilers/node_lifecycle_reconciler.h"

#include "api/types/conditions.h"

namespace decnet::reconcilers {

NodeLifecycleReconciler::NodeLifecycleReconciler(api::Client& client,
                                                 controller::EventRecorder& events,
                                                 std::chrono::seconds grace,
                                                 std::chrono::seconds evictAfter,
                                                 const api::Clock& clock)
    : client_(client), events_(events), grace_(grace), evictAfter_(evictAfter), clock_(clock) {}

Result<controller::Outcome> NodeLifecycleReconciler::evictIfLost(const api::Object& node) {
  auto ready = api::findCondition(node.status, "Ready");
  if (!ready || ready->status != "Unknown" || node.deleting()) return controller::Outcome{};
  auto since = api::parseTime(ready->lastTransitionTime);
  const auto now = clock_.now();
  if (since && now - *since < evictAfter_) {
    return controller::Outcome{
        std::chrono::duration_cast<std::chrono::milliseconds>(*since + evictAfter_ - now) +
        std::chrono::milliseconds(1)};
  }
  auto deckies = client_.listShared("Decky", {"", "spec.node=" + node.metadata.name});
  if (!deckies) return tl::unexpected(deckies.error());
  int moved = 0;
  for (const auto& shared : *deckies) {
    if (shared->deleting()) continue;
    api::Object decky = *shared;
    decky.spec.erase("node");
    auto written = client_.update(decky);
    if (written) {
      ++moved;
    } else if (written.error().code != Errc::kNotFound) {
      return tl::unexpected(written.error());  // retried; the deckies moved so far stay moved
    }
  }
  if (moved > 0) {
    events_.record(node, "Warning", "DeckiesEvicted",
                   std::to_string(moved) + " deckies moved off the node, NotReady for " +
                       std::to_string(evictAfter_.count()) + "s");
  }
  return controller::Outcome{};
}

Result<controller::Outcome> NodeLifecycleReconciler::reconcile(const controller::Request& request) {
  auto node = client_.get(request.key);
  if (!node) {
    if (node.error().code == Errc::kNotFound) return controller::Outcome{};
    return tl::unexpected(node.error());
  }
  if (!api::conditionTrue(node->status, "Ready")) return evictIfLost(*node);
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
  return controller::Outcome{std::chrono::milliseconds(evictAfter_) + std::chrono::milliseconds(1)};
}

}  // namespace decnet::reconcilers
