#pragma once
// The single-host control plane that `decnet up` runs: embedded SQLite store, API server,
// reconcilers, and the local Node's registration and heartbeat.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "agents/agent.h"
#include "apiserver/api_server.h"
#include "cli/worker_supervisor.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/manager.h"
#include "controller/store/object_store.h"
#include "pipeline/common/leased_worker.h"
#include "pipeline/profiler/profiler.h"

namespace CLI {
class App;
}

namespace decnet::cli {

struct ControlPlaneOptions {
  std::string dataDir = "/var/lib/decnet";
  std::string dsn;  // overrides dataDir: "sqlite::memory:", "sqlite:///x.db"
  std::string listen = "127.0.0.1:8000";
  std::string nodeName = "local";  // empty: register no node
  int nodeCapacity = 1000;         // deckies the local node accepts
  int workers = 2;
  std::int64_t keepRevisions = 10000;  // change-log entries kept for watches
  bool serveApi = true;
  // The embedded agent runs the local node's deckies. Without it the node is registered by
  // the control plane and deckies are scheduled but not run.
  bool embedAgent = true;
  std::string decoyUser = "nobody";
  bool sandbox = true;
  std::string binary;  // decnet-decoy binary for the decoys; empty: the one beside decnet
  // The event collector (`decnet collect` as a supervised child, storing in
  // <data-dir>/telemetry.db) listens here, and the embedded agent ships its spool to it; "" runs
  // no collector.
  std::string collectListen;
  // The child workers' /metrics: collector on 127.0.0.1:PORT, correlator PORT+1, profiler
  // PORT+2 (manifests/prometheus/prometheus.yml lists these defaults); 0 serves none.
  int workerMetricsPort = 9710;
  // Records the controller's and the embedded agent's series and serves them on the API's
  // /metrics; false records none (benchmarks measure what metrics cost with it).
  bool metrics = true;
  // The API asks every caller for a bearer token (users and tokens under dataDir; see
  // cli/security.h); false serves anyone (benchmarks compare the two).
  bool authenticate = true;
  // HTTPS for the API: the operator's certificate and key (PEM files), or tlsSelfSigned for one
  // from decnet's own CA (<data-dir>/pki). Without either the API serves loopback only.
  std::string tlsCertFile, tlsKeyFile;
  bool tlsSelfSigned = false;
  // /metrics asks for a bearer token too (any role); by default it is open, as Prometheus'
  // default scrape config sends none.
  bool protectMetrics = false;
  // Event objects are deleted this long after their last occurrence (kube-apiserver's
  // --event-ttl), so the store does not grow with time.
  std::chrono::seconds eventTtl{std::chrono::hours(1)};
  // A node NotReady this long loses its deckies to other Ready nodes (--evict-after).
  std::chrono::seconds evictAfter{std::chrono::seconds(30)};
};

// --tls-cert, --tls-key, --tls-self-signed and --protect-metrics on `command` (decnet up,
// decnet controller).
void addApiSecurityFlags(CLI::App& command, ControlPlaneOptions& options);

// --event-ttl and --evict-after on `command` (decnet up, decnet controller).
void addLifetimeFlags(CLI::App& command, ControlPlaneOptions& options);

// The running decnet binary.
std::string selfBinary();
// The decnet-decoy binary beside it (what the agent runs for each decky).
std::string decoyBinary();

class ControlPlane {
 public:
  explicit ControlPlane(ControlPlaneOptions options);
  ~ControlPlane();

  // Opens the store, starts the API server, registers the node and starts the reconcilers.
  Result<void> start();
  // Stops everything in reverse order. Idempotent.
  void stop();

  store::ObjectStore& store() { return *store_; }
  controller::Manager& manager() { return *manager_; }
  // Reconciles the embedded agent has run since it started (0 without one).
  std::uint64_t agentReconciles() const { return agent_ ? agent_->reconciles() : 0; }
  // The embedded agent's record of each decky's steps to Ready; null without one.
  const agents::ReadyStages* agentStages() const { return agent_ ? &agent_->stages() : nullptr; }
  std::string url() const { return server_ ? server_->url() : ""; }
  // How an agent on another host joins, with the CA hash to pin; "" without authentication.
  std::string joinHint() const;

 private:
  void heartbeatLoop();
  Result<void> heartbeat();
  // The correlator and the profiler: child processes, or the profiler in this process when
  // DECNET_EMBED_PROFILER=1.
  Result<void> startAnalysis(const std::string& database);
  // The collector's --tls-* files: none on loopback; beyond it a certificate from decnet's CA,
  // and that CA required of senders. kInvalid without a CA (no authentication).
  Result<agents::TlsFiles> prepareCollectorTls() const;
  std::string telemetryDsn() const;  // <data-dir>/telemetry.db, the collector's database
  // `--metrics-listen 127.0.0.1:PORT+offset` for a child worker; none when the port is 0.
  std::vector<std::string> workerMetricsArgs(int offset) const;

  const ControlPlaneOptions options_;
  std::string caHash_;  // decnet's CA, as agents pin it
  std::shared_ptr<const apiserver::auth::CertificateAuthority> ca_;  // null without authentication
  // /metrics of the API's listen address: the controller's series and this process's.
  // Null when options_.metrics is false.
  std::unique_ptr<metrics::Registry> metrics_;
  std::shared_ptr<store::ObjectStore> store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<controller::EventRecorder> events_;
  std::unique_ptr<controller::Manager> manager_;
  std::unique_ptr<agents::Agent> agent_;
  std::unique_ptr<WorkerSupervisor> collector_;
  std::unique_ptr<WorkerSupervisor> correlator_;
  std::unique_ptr<WorkerSupervisor> profilerChild_;
  std::unique_ptr<pipeline::AnalysisStore> profilerStore_;  // the embedded profiler's
  std::unique_ptr<pipeline::Profiler> profiler_;
  std::unique_ptr<pipeline::LeasedWorker> embeddedProfiler_;
  std::atomic<bool> stopping_{false};
  std::thread heartbeat_;
};

}  // namespace decnet::cli
