#include "agents/agent.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "agents/agent_metrics.h"
#include "api/net/ipv4.h"
#include "api/types/conditions.h"

namespace decnet::agents {

Agent::Agent(api::Client& client, AgentOptions options, NetworkDriverPtr network,
             RuntimeDriverPtr runtime)
    : client_(client),
      options_(std::move(options)),
      network_(std::move(network)),
      runtime_(std::move(runtime)) {}

Agent::~Agent() { stop(); }

Result<void> Agent::heartbeat() {
  const std::string now = api::formatTime(api::systemClock().now());
  auto node = client_.get({"Node", options_.node});
  if (!node) {
    if (node.error().code != Errc::kNotFound) return tl::unexpected(node.error());
    api::Object fresh;
    fresh.kind = "Node";
    fresh.metadata.name = options_.node;
    fresh.metadata.labels = options_.labels;
    fresh.metadata.labels["kubernetes.io/hostname"] = options_.node;
    fresh.spec = {{"capacity", {{"deckies", options_.capacity}}}};
    auto created = client_.create(fresh);
    if (!created) return tl::unexpected(created.error());
    node = *created;
    spdlog::info("registered node {}", options_.node);
  }
  std::vector<std::string> interfaces;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    const std::string name = entry.path().filename();
    if (name == "lo" || name.rfind("decnet-hp-", 0) == 0) continue;
    interfaces.push_back(name);
  }
  std::sort(interfaces.begin(), interfaces.end());
  // The deckies this agent runs (their decoys), without listing the store each beat.
  const std::size_t deckies = runtime_->list().size();
  for (int attempt = 0; attempt < 3; ++attempt) {
    node->status["heartbeatTime"] = now;
    node->status["capacity"] = node->spec.value("capacity", api::Json::object());
    node->status["interfaces"] = interfaces;
    node->status["deckies"] = deckies;
    node->status["agentVersion"] = std::string("v") + DECNET_VERSION;
    api::setCondition(
        node->status,
        {"Ready", "True", "AgentReady", "agent is heartbeating", "", node->metadata.generation},
        now);
    auto written = client_.updateStatus(*node);
    if (written) return {};
    if (written.error().code != Errc::kConflict) return tl::unexpected(written.error());
    auto fresh = client_.get({"Node", options_.node});
    if (!fresh) return tl::unexpected(fresh.error());
    node = *fresh;
  }
  return fail(Errc::kConflict, "node status kept changing");
}

Result<void> Agent::start() {
  logs_ = std::make_unique<LogForwarder>(options_.dataDir, options_.node, options_.forwarder);
  if (!options_.collector.empty()) {
    shipper_ = std::make_unique<SpoolShipper>(
        ShipperOptions{logs_->spool(), options_.collector, std::chrono::milliseconds(100),
                       std::chrono::milliseconds(10000), options_.collectorTls});
    shipper_->start();
  }
  if (auto ok = heartbeat(); !ok) return ok;
  events_ = std::make_unique<controller::EventRecorder>(client_, "decnet-agent/" + options_.node);
  controller::ManagerOptions managerOptions;
  managerOptions.workers = options_.workers;
  managerOptions.metrics = options_.metrics;
  manager_ = std::make_unique<controller::Manager>(client_, managerOptions);
  DeckyReconcilerOptions reconcilerOptions;
  reconcilerOptions.node = options_.node;
  reconcilerOptions.hairpin = options_.hairpin;
  reconcilerOptions.resync = options_.pollResync;
  reconcilerOptions.stages = &stages_;
  if (options_.watchDrift) {
    drift_ = std::make_unique<DriftWatcher>([this](const std::string& decky) {
      manager_->enqueue(reconciler_->name(), {{"Decky", decky}});
    });
    if (auto watching = drift_->start(); watching) {
      reconcilerOptions.drift = drift_.get();
      reconcilerOptions.resync = options_.driftResync;
      // Readiness is reported too (the decoys' lines, their exits): polling a starting decky
      // is only a safety net.
      reconcilerOptions.pollWhileStarting = std::chrono::seconds(2);
    } else {
      spdlog::warn("{}; re-checking every decky each {} s instead", watching.error().message,
                   std::chrono::duration_cast<std::chrono::seconds>(options_.pollResync).count());
      drift_.reset();
    }
  }
  auto reconciler = std::make_unique<DeckyReconciler>(client_, *network_, *runtime_, *logs_,
                                                      *events_, reconcilerOptions);
  reconciler_ = reconciler.get();
  manager_->add(std::move(reconciler));
  manager_->start();
  if (options_.metrics != nullptr) registerAgentMetrics(*options_.metrics, *this, client_);
  loop_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "agent-loop");
    loop();
  });
  spdlog::info("agent for node {} started (data in {})", options_.node, options_.dataDir);
  return {};
}

void Agent::removeOrphans() {
  // Decoys adopted after a restart whose Decky was deleted meanwhile get no watch event:
  // reconcile each one the runtime knows; a missing Decky is torn down.
  // One list of this node's deckies, not a get per decoy.
  auto mine = client_.list("Decky", {"", "spec.node=" + options_.node});
  if (!mine) return;
  std::set<std::string> scheduledHere;
  for (const auto& object : mine->items) scheduledHere.insert(object.metadata.name);
  for (const auto& decky : runtime_->list()) {
    if (scheduledHere.count(decky) > 0) continue;
    if (auto done = reconciler_->reconcile({{"Decky", decky}}); !done) {
      spdlog::warn("cleaning up orphaned decoy {}: {}", decky, done.error().message);
    }
  }
}

void Agent::removeStaleHairpins() {
  if (!options_.hairpin) return;
  // Hairpins whose parent no longer carries any of this node's deckies (left by an earlier
  // agent, or by a teardown that failed half-way).
  std::set<std::string> wanted;
  for (const auto& [parent, subnet] : reconciler_->parentsInUse())
    wanted.insert(hairpinName(parent));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    const std::string link = entry.path().filename();
    if (link.rfind("decnet-hp-", 0) != 0 || wanted.count(link) > 0) continue;
    if (auto ok = network_->removeHairpin(link); !ok) {
      spdlog::warn("removing stale hairpin {}: {}", link, ok.error().message);
    }
  }
}

void Agent::loop() {
  auto lastBeat = std::chrono::steady_clock::now();
  int tick = 0;
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // A decoy that started or began listening makes its decky Ready: reconcile it now.
    for (const auto& decky : logs_->poll()) {
      manager_->enqueue(reconciler_->name(), {{"Decky", decky}});
    }
    // A decoy that died or came back changes its decky's status: reconcile it now rather than
    // at the next resync.
    for (const auto& decky : runtime_->supervise()) {
      manager_->enqueue(reconciler_->name(), {{"Decky", decky}});
    }
    // Once the deckies have been seen (informers synced and reconciled), and then rarely.
    if (++tick % 300 == 50) {
      removeOrphans();
      removeStaleHairpins();
    }
    if (std::chrono::steady_clock::now() - lastBeat >= options_.heartbeat) {
      if (auto ok = heartbeat(); !ok) spdlog::warn("heartbeat failed: {}", ok.error().message);
      lastBeat = std::chrono::steady_clock::now();
    }
  }
}

void Agent::stop() {
  if (stopping_.exchange(true)) return;
  if (drift_) drift_->stop();
  if (manager_) manager_->stop();
  if (loop_.joinable()) loop_.join();
  if (logs_) logs_->drain();
  if (shipper_) shipper_->stop();
  spdlog::info("agent for node {} stopped; its deckies keep running", options_.node);
}

}  // namespace decnet::agents
