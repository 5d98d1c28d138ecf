#pragma once
// The node agent's reconciler: turns the Decky objects scheduled on this node into a network
// namespace with a macvlan, an OS personality and a running decoy, and reports status.
#include <chrono>
#include <mutex>
#include <set>
#include <string>

#include "agents/drift_watcher.h"
#include "agents/log_forwarder.h"
#include "agents/network/network_driver.h"
#include "agents/ready_stages.h"
#include "agents/runtime/runtime_driver.h"
#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/reconciler.h"

namespace decnet::agents {

// "decnet-<decky>": the decky's network namespace (visible to `ip netns`).
std::string namespaceFor(const std::string& decky);
// "decnet-hp-1a2b3": the host-side hairpin link on a parent (<= 15 characters).
std::string hairpinName(const std::string& parent);

struct DeckyReconcilerOptions {
  std::string node = "local";
  // Full re-check of a Ready decky, spread over the period's second half. With a drift
  // watcher the kernel reports drift at once and this is only a safety net.
  std::chrono::milliseconds resync{std::chrono::seconds(10)};
  std::chrono::milliseconds pollWhileStarting{500};
  bool hairpin = true;  // one host-side macvlan per parent in use, at the subnet's last address
  // Told which namespaces and hairpins to watch (started by the agent); null: none, drift is
  // found by the resync alone.
  DriftWatcher* drift = nullptr;
  // Told when each decky reaches each step to Ready; null: not recorded.
  ReadyStages* stages = nullptr;
};

class DeckyReconciler final : public controller::Reconciler {
 public:
  DeckyReconciler(api::Client& client, NetworkDriver& network, RuntimeDriver& runtime,
                  LogForwarder& logs, controller::EventRecorder& events,
                  DeckyReconcilerOptions options, const api::Clock& clock = api::systemClock());

  std::string_view name() const override { return "decky-agent"; }
  std::string_view kind() const override { return "Decky"; }
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

  // Parent interfaces this node's deckies use, with the subnet of the first one seen
  // ("decnet-lab0" -> "10.77.0.0/24"). Thread-safe.
  std::map<std::string, std::string> parentsInUse() const;

 private:
  Result<void> teardown(const std::string& decky);
  Result<void> ensureHairpin(const std::string& parent, const std::string& subnet);
  std::string resolveParent(const std::string& configured);
  void mark(const std::string& decky, ReadyStage stage) {
    if (options_.stages != nullptr) options_.stages->mark(decky, stage);
  }

  api::Client& client_;
  NetworkDriver& network_;
  RuntimeDriver& runtime_;
  LogForwarder& logs_;
  controller::EventRecorder& events_;
  const DeckyReconcilerOptions options_;
  const api::Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<std::string, std::string>> placement_;  // decky -> parent, subnet
  std::set<std::string> hairpins_;  // parents with a hairpin made by this agent
  bool warnedDefaultRoute_ = false;
};

}  // namespace decnet::agents
