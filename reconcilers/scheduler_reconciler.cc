#include "reconcilers/scheduler_reconciler.h"

#include <map>

#include "api/types/conditions.h"
#include "api/types/selector.h"
#include "api/validation/validate.h"

namespace decnet::reconcilers {

SchedulerReconciler::SchedulerReconciler(api::Client& client, controller::EventRecorder& events,
                                         const api::Clock& clock)
    : client_(client), events_(events), clock_(clock) {}

std::vector<controller::WatchSpec> SchedulerReconciler::watches() const {
  api::Client* client = &client_;
  controller::WatchSpec nodes{"Node", [client](const api::Object&) {
                                std::vector<api::ObjectKey> keys;
                                auto deckies = client->listShared("Decky", {"", "spec.node="});
                                if (deckies) {
                                  for (const auto& d : *deckies) keys.push_back(d->key());
                                }
                                return keys;
                              }};
  // Pending deckies may fit once a node appears, turns Ready, or changes its labels, capacity
  // or interfaces; a heartbeat changes none of that. Scanning every decky on each of 20 nodes'
  // heartbeats was nearly all of an idle 10,000-decky control plane's CPU.
  nodes.wakesOn = [](const api::Object* old, const api::Object* now) {
    if (old == nullptr || now == nullptr) return now != nullptr;
    return api::conditionTrue(old->status, "Ready") != api::conditionTrue(now->status, "Ready") ||
           old->metadata.labels != now->metadata.labels ||
           old->metadata.generation != now->metadata.generation ||
           old->status.value("interfaces", api::Json()) !=
               now->status.value("interfaces", api::Json());
  };
  return {nodes};
}

bool SchedulerReconciler::wakesOnOwnChange(const api::Object* /*old*/,
                                           const api::Object* now) const {
  // The same tests reconcile() starts with, on the informer's copy: every pass they end is a
  // pass not queued. A decky's agent writes its status two or three times on the way to Ready.
  return now != nullptr && !now->deleting() &&
         (now->spec.value("node", "").empty() || !api::conditionTrue(now->status, "Scheduled"));
}

Result<controller::Outcome> SchedulerReconciler::reconcile(const controller::Request& request) {
  std::lock_guard lock(mutex_);
  auto decky = client_.get(request.key);
  if (!decky) {
    if (decky.error().code == Errc::kNotFound) return controller::Outcome{};
    return tl::unexpected(decky.error());
  }
  if (decky->deleting()) return controller::Outcome{};
  if (const std::string node = decky->spec.value("node", ""); !node.empty()) {
    // Placed already (by us, or written by hand). If our status write was lost to a conflict,
    // the condition is repaired here; a conflict now is retried.
    if (api::conditionTrue(decky->status, "Scheduled")) return controller::Outcome{};
    api::setCondition(decky->status,
                      {"Scheduled", "True", "Scheduled", "assigned to node " + node, "",
                       decky->metadata.generation},
                      api::formatTime(clock_.now()));
    auto written = client_.updateStatus(*decky);
    if (!written && written.error().code != Errc::kNotFound) return tl::unexpected(written.error());
    return controller::Outcome{};
  }

  auto nodes = client_.list("Node");
  if (!nodes) return tl::unexpected(nodes.error());
  // Counting every decky per placement would make a 250-decky fleet quadratic: keep the
  // counts, add our own placements, and recount now and then to see deletions.
  const auto now = std::chrono::steady_clock::now();
  if (now - loadCountedAt_ > std::chrono::seconds(5)) {
    auto deckies = client_.list("Decky");
    if (!deckies) return tl::unexpected(deckies.error());
    load_.clear();
    for (const auto& d : deckies->items) {
      const std::string node = d.spec.value("node", "");
      if (!node.empty() && !d.deleting()) load_[node]++;
    }
    loadCountedAt_ = now;
  }
  auto& load = load_;
  std::map<std::string, std::string> selector;
  if (auto s = decky->spec.find("nodeSelector"); s != decky->spec.end() && s->is_object()) {
    for (const auto& [k, v] : s->items()) {
      if (v.is_string()) selector[k] = v.get<std::string>();
    }
  }
  const auto matcher = api::LabelSelector::fromMap(selector);
  // A decky needs its parent interface on the node (none named: the node's default route).
  const std::string parent =
      decky->spec.value("network", api::Json::object()).value("interface", "");
  int notReady = 0, mismatched = 0, full = 0, noParent = 0;
  const api::Object* best = nullptr;
  for (const auto& node : nodes->items) {
    if (node.deleting() || !api::conditionTrue(node.status, "Ready")) {
      ++notReady;
      continue;
    }
    if (!matcher.matches(node.metadata.labels)) {
      ++mismatched;
      continue;
    }
    if (api::nodeLacksInterface(node, parent)) {
      ++noParent;
      continue;
    }
    const int capacity = node.spec.value("capacity", api::Json::object()).value("deckies", -1);
    const int used = load[node.metadata.name];
    if (capacity >= 0 && used >= capacity) {
      ++full;
      continue;
    }
    if (best == nullptr || used < load[best->metadata.name]) best = &node;
  }
  const std::string stamp = api::formatTime(clock_.now());
  const std::int64_t generation = decky->metadata.generation;
  if (best == nullptr) {
    std::string message = "0/" + std::to_string(nodes->items.size()) + " nodes are available";
    if (notReady > 0) message += ", " + std::to_string(notReady) + " not ready";
    if (mismatched > 0) message += ", " + std::to_string(mismatched) + " not matching nodeSelector";
    if (full > 0) message += ", " + std::to_string(full) + " at capacity";
    if (noParent > 0) {
      message += ", " + std::to_string(noParent) + " without interface " + parent;
    }
    api::Json status = decky->status;
    if (status.value("phase", "").empty()) status["phase"] = "Pending";
    if (api::setCondition(status, {"Scheduled", "False", "Unschedulable", message, "", generation},
                          stamp) ||
        status != decky->status) {
      const bool first = !api::findCondition(decky->status, "Scheduled").has_value();
      decky->status = status;
      if (auto w = client_.updateStatus(*decky); !w && w.error().code != Errc::kNotFound) {
        return tl::unexpected(w.error());
      }
      if (first) events_.record(*decky, "Warning", "FailedScheduling", message);
    }
    // Node changes wake us too; this retry covers nodes that come back silently.
    return controller::Outcome{std::chrono::seconds(10)};
  }
  const std::string nodeName = best->metadata.name;
  decky->spec["node"] = nodeName;
  auto written = client_.update(*decky);
  if (!written) return tl::unexpected(written.error());
  load_[nodeName]++;
  api::Json status = written->status;
  if (status.value("phase", "").empty()) status["phase"] = "Pending";
  api::setCondition(status,
                    {"Scheduled", "True", "Scheduled", "assigned to node " + nodeName, "",
                     written->metadata.generation},
                    stamp);
  written->status = status;
  if (auto w = client_.updateStatus(*written); !w && w.error().code != Errc::kNotFound) {
    return tl::unexpected(w.error());
  }
  events_.record(*written, "Normal", "Scheduled", "Assigned to node " + nodeName);
  return controller::Outcome{};
}

}  // namespace decnet::reconcilers
