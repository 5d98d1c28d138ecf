#pragma once
// The node agent: registers its Node and renews the heartbeat, runs the DeckyReconciler on the
// deckies scheduled here, supervises their decoys, forwards their logs to the node spool, and
// keeps one host-side hairpin link per parent interface in use.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "agents/collector_connection.h"
#include "agents/decky_reconciler.h"
#include "agents/drift_watcher.h"
#include "agents/log_forwarder.h"
#include "agents/network/network_driver.h"
#include "agents/ready_stages.h"
#include "agents/runtime/runtime_driver.h"
#include "agents/spool_shipper.h"
#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/manager.h"

namespace decnet::agents {

struct AgentOptions {
  std::string node = "local";
  std::string dataDir = "/var/lib/decnet";
  std::string binary;  // the decnet-decoy binary the decoys run
  std::string user = "nobody";
  bool sandbox = true;
  int capacity = 1000;
  std::map<std::string, std::string> labels;
  std::chrono::seconds heartbeat{10};
  int workers = 8;  // teardowns wait on the kernel more than the CPU: run several at once
  bool hairpin = true;
  // Drift is learnt from the kernel (agents/drift_watcher.h) and from decoy exits, and every
  // Ready decky is re-checked in full once per driftResync besides. false: no watcher, every
  // decky is re-checked each pollResync instead (what benchmarks compare with).
  bool watchDrift = true;
  std::chrono::milliseconds driftResync{std::chrono::minutes(5)};
  std::chrono::milliseconds pollResync{std::chrono::seconds(10)};
  // Where the spool is shipped (`decnet collect`, HOST:PORT); "" keeps it on this host only.
  std::string collector;
  // TLS to the collector (PEM paths): required when it is not on loopback.
  TlsFiles collectorTls;
  // The spool's segment size and cap, and the folding of repeated events.
  LogForwarderOptions forwarder;
  // Where the agent's series go (agents/agent_metrics.h) and its decky reconciler's
  // controller-runtime ones; null: none. Must outlive the agent.
  metrics::Registry* metrics = nullptr;
};

class Agent {
 public:
  Agent(api::Client& client, AgentOptions options, NetworkDriverPtr network,
        RuntimeDriverPtr runtime);
  ~Agent();

  // Registers the node, then starts reconciling, supervising and forwarding. Blocks only for
  // the first registration; kUnavailable when the API cannot be reached.
  Result<void> start();
  // Stops the agent; decoys and namespaces keep running (a restart adopts them).
  void stop();
  const LogForwarder& logs() const { return *logs_; }
  // The newest sequenceId the collector has committed (0 without a collector or before its
  // first acknowledgment).
  std::int64_t acknowledged() const { return shipper_ ? shipper_->acknowledged() : 0; }
  bool shipping() const { return shipper_ != nullptr; }
  // Decky reconciles run since start() (a restarted agent has seen every decky once this
  // reaches their number).
  std::uint64_t reconciles() const {
    return manager_ && reconciler_ ? manager_->stats(reconciler_->name()).reconciles.load() : 0;
  }
  // When each decky of this node reached each step to Ready.
  const ReadyStages& stages() const { return stages_; }

 private:
  Result<void> heartbeat();
  void loop();
  void removeStaleHairpins();
  void removeOrphans();

  api::Client& client_;
  const AgentOptions options_;
  NetworkDriverPtr network_;
  RuntimeDriverPtr runtime_;
  std::unique_ptr<LogForwarder> logs_;
  std::unique_ptr<SpoolShipper> shipper_;
  std::unique_ptr<controller::EventRecorder> events_;
  ReadyStages stages_;
  std::unique_ptr<DriftWatcher> drift_;  // outlives manager_, whose reconciler tells it
  std::unique_ptr<controller::Manager> manager_;
  DeckyReconciler* reconciler_ = nullptr;  // owned by manager_
  std::atomic<bool> stopping_{false};
  std::thread loop_;
};

}  // namespace decnet::agents
