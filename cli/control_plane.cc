#include "cli/control_plane.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>

#include "agents/collector_connection.h"
#include "api/types/clock.h"
#include "api/types/conditions.h"
#include "cli/security.h"
#include "controller/runtime/object_metrics.h"
#include "reconcilers/event_expiry_reconciler.h"
#include "reconcilers/fleet_reconciler.h"
#include "reconcilers/gc_reconciler.h"
#include "reconcilers/mutation_reconciler.h"
#include "reconcilers/node_lifecycle_reconciler.h"
#include "reconcilers/scheduler_reconciler.h"

namespace decnet::cli {

std::string selfBinary() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "decnet" : path.string();
}

std::string decoyBinary() {
  // Built and installed beside decnet; the lean binary keeps the control plane out of decoys.
  return (std::filesystem::path(selfBinary()).parent_path() / "decnet-decoy").string();
}

// A duration flag ("30s", "5m", "1h") stored in `target`; `fallback` is what --help shows.
void addDurationFlag(CLI::App& command, const std::string& flag, std::chrono::seconds& target,
                     const std::string& help, const std::string& fallback) {
  command
      .add_option_function<std::string>(
          flag,
          [&target, flag](const std::string& text) {
            auto parsed = api::parseDuration(text);
            if (!parsed) throw CLI::ValidationError(flag, "a duration such as 30s, 5m or 1h");
            target = *parsed;
          },
          help)
      ->default_str(fallback);
}

void addLifetimeFlags(CLI::App& command, ControlPlaneOptions& options) {
  addDurationFlag(command, "--event-ttl", options.eventTtl,
                  "Event objects (decnet get events) are deleted this long after they last "
                  "occurred",
                  "1h");
  addDurationFlag(command, "--evict-after", options.evictAfter,
                  "A node NotReady this long (no heartbeat for 40s first) has its deckies moved "
                  "to other Ready nodes with the same interface",
                  "30s");
}

void addApiSecurityFlags(CLI::App& command, ControlPlaneOptions& options) {
  command.add_option("--tls-cert", options.tlsCertFile,
                     "Serve the API over HTTPS with this certificate (PEM); needed off loopback");
  command.add_option("--tls-key", options.tlsKeyFile, "Its private key (PEM)");
  command.add_flag("--tls-self-signed", options.tlsSelfSigned,
                   "Serve HTTPS with a certificate from decnet's own CA (<data-dir>/pki) for this "
                   "host's names and addresses; agents pin the CA with --ca-hash");
  command.add_flag("--protect-metrics", options.protectMetrics,
                   "/metrics asks for a bearer token too (default: open to Prometheus)");
}

std::string ControlPlane::joinHint() const {
  if (caHash_.empty()) return "";
  return "agents join with `decnet token create` here, then on their host: decnet agent --node "
         "NAME --controller " +
         url() + " --token TOKEN" + (url().rfind("https", 0) == 0 ? " --ca-hash " + caHash_ : "");
}

ControlPlane::ControlPlane(ControlPlaneOptions options)
    : options_(std::move(options)),
      metrics_(options_.metrics ? std::make_unique<metrics::Registry>() : nullptr) {}

ControlPlane::~ControlPlane() { stop(); }

Result<void> ControlPlane::start() {
  std::string dsn = options_.dsn;
  if (dsn.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.dataDir, ec);
    if (ec) {
      return fail(Errc::kUnavailable,
                  "cannot create data dir " + options_.dataDir + ": " + ec.message());
    }
    dsn = "sqlite://" + std::filesystem::absolute(options_.dataDir).string() + "/decnet.db";
  }
  auto repository = store::openRepository(dsn);
  if (!repository) return tl::unexpected(repository.error());
  auto opened = store::ObjectStore::open(std::move(*repository));
  if (!opened) return tl::unexpected(opened.error());
  store_ = *opened;
  spdlog::info("store {} at revision {}", dsn, store_->revision());

  if (options_.serveApi) {
    apiserver::ApiServerOptions serverOptions;
    serverOptions.listen = options_.listen;
    serverOptions.metrics = metrics_.get();
    if (options_.authenticate) {
      auto security = prepareApiSecurity(options_.dataDir, std::cout);
      if (!security) return tl::unexpected(security.error());
      serverOptions.auth = std::move(*security);
      serverOptions.auth->openMetrics = !options_.protectMetrics;
      auto tls = prepareApiTls(options_.listen, options_.tlsCertFile, options_.tlsKeyFile,
                               options_.tlsSelfSigned, *serverOptions.auth->ca);
      if (!tls) return tl::unexpected(tls.error());
      serverOptions.tls = std::move(*tls);
      caHash_ = serverOptions.auth->ca->hash();
      ca_ = serverOptions.auth->ca;
    } else if (!agents::isLoopbackAddress(options_.listen)) {
      return fail(Errc::kInvalid, "an API without authentication listens on loopback only");
    }
    if (!options_.collectListen.empty()) {
      // The collector child writes this database; the API reads it (SQLite WAL: both at once).
      auto telemetry = pipeline::openTelemetryStore(telemetryDsn());
      if (!telemetry) return tl::unexpected(telemetry.error());
      serverOptions.telemetry = std::move(*telemetry);
      auto analysis = pipeline::openAnalysisStore(telemetryDsn());
      if (!analysis) return tl::unexpected(analysis.error());
      serverOptions.analysis = std::move(*analysis);
    }
    if (serverOptions.auth) {
      // Written before the API answers, so a CLI that waited for /readyz finds it. The CLI on
      // this host reaches a wildcard listener on loopback.
      std::string local = (serverOptions.tls ? "https://" : "http://") + options_.listen;
      if (auto wildcard = local.find("://0.0.0.0:"); wildcard != std::string::npos) {
        local.replace(wildcard, 11, "://127.0.0.1:");
      }
      // With decnet's own certificate the CLI trusts decnet's CA; an operator's certificate is
      // checked against the system's CAs.
      const std::string trust = serverOptions.tls && options_.tlsCertFile.empty()
                                    ? serverOptions.auth->ca->certificatePem()
                                    : "";
      if (auto written = writeAdminConfig(options_.dataDir, local, trust, *serverOptions.auth);
          !written) {
        return written;
      }
    }
    server_ = std::make_unique<apiserver::ApiServer>(*store_, serverOptions);
    if (auto started = server_->start(); !started) return started;
  }
  if (!options_.nodeName.empty() && !options_.embedAgent) {
    if (auto registered = heartbeat(); !registered) return registered;
  }

  events_ = std::make_unique<controller::EventRecorder>(*store_, "decnet-controller");
  controller::ManagerOptions managerOptions;
  managerOptions.workers = options_.workers;
  managerOptions.metrics = metrics_.get();
  if (metrics_) {
    controller::registerObjectMetrics(
        *metrics_, [store = store_](const std::string& kind) { return store->snapshot(kind); });
  }
  manager_ = std::make_unique<controller::Manager>(*store_, managerOptions);
  manager_->add(std::make_unique<reconcilers::FleetReconciler>(*store_, *events_));
  manager_->add(std::make_unique<reconcilers::SchedulerReconciler>(*store_, *events_));
  manager_->add(std::make_unique<reconcilers::MutationReconciler>(
      *store_, *events_, api::systemClock(), metrics_.get()));
  manager_->add(std::make_unique<reconcilers::GarbageCollectorReconciler>(*store_, *events_));
  manager_->add(std::make_unique<reconcilers::NodeLifecycleReconciler>(
      *store_, *events_, std::chrono::seconds(40), options_.evictAfter));
  manager_->add(std::make_unique<reconcilers::EventExpiryReconciler>(*store_, options_.eventTtl));
  manager_->start();
  if (!options_.collectListen.empty()) {
    const std::string database = telemetryDsn();
    std::vector<std::string> collect = {selfBinary(),           "collect",    "--listen",
                                        options_.collectListen, "--database", database};
    for (auto& arg : workerMetricsArgs(0)) collect.push_back(arg);
    auto tls = prepareCollectorTls();
    if (!tls) return tl::unexpected(tls.error());
    if (tls->enabled()) {
      collect.insert(collect.end(),
                     {"--tls-cert", tls->cert, "--tls-key", tls->key, "--tls-ca", tls->ca});
    }
    collector_ = std::make_unique<WorkerSupervisor>(collect);
    collector_->start();
    spdlog::info("collector (pid {}) on {} into {}", collector_->pid(), options_.collectListen,
                 database);
    if (auto started = startAnalysis(database); !started) return started;
  }
  if (!options_.nodeName.empty() && options_.embedAgent) {
    agents::AgentOptions agentOptions;
    agentOptions.node = options_.nodeName;
    agentOptions.dataDir = options_.dataDir;
    agentOptions.binary = options_.binary.empty() ? decoyBinary() : options_.binary;
    agentOptions.user = options_.decoyUser;
    agentOptions.sandbox = options_.sandbox;
    agentOptions.capacity = options_.nodeCapacity;
    agentOptions.collector = options_.collectListen;
    if (agentOptions.collector.rfind("0.0.0.0:", 0) == 0) {
      agentOptions.collector.replace(0, 7, "127.0.0.1");  // a wildcard listener, reached locally
    }
    if (!options_.collectListen.empty() && !agents::isLoopbackAddress(options_.collectListen)) {
      // The collector takes only senders with a certificate from decnet's CA: this node's.
      auto tls = writeNodeTls(options_.dataDir, options_.nodeName, *ca_);
      if (!tls) return tl::unexpected(tls.error());
      agentOptions.collectorTls = *tls;
    }
    agentOptions.metrics = metrics_.get();
    agent_ = std::make_unique<agents::Agent>(
        *store_, agentOptions, agents::makeNetlinkDriver(),
        agents::makeProcessRuntime(
            {agentOptions.binary, options_.dataDir, options_.decoyUser, options_.sandbox}));
    if (auto started = agent_->start(); !started) return started;
  }
  heartbeat_ = std::thread([this] { heartbeatLoop(); });
  return {};
}

Result<agents::TlsFiles> ControlPlane::prepareCollectorTls() const {
  if (agents::isLoopbackAddress(options_.collectListen)) return agents::TlsFiles{};
  if (!ca_) {
    return fail(Errc::kInvalid,
                "the collector listens beyond loopback (" + options_.collectListen +
                    ") only over TLS with certificates from decnet's CA, which needs the API "
                    "with authentication; or keep --collect-listen on 127.0.0.1");
  }
  return writeCollectorTls(options_.dataDir, options_.collectListen, *ca_);
}

Result<void> ControlPlane::startAnalysis(const std::string& database) {
  std::vector<std::string> correlate = {selfBinary(), "correlate", "--daemon", "--database",
                                        database};
  for (auto& arg : workerMetricsArgs(1)) correlate.push_back(arg);
  correlator_ = std::make_unique<WorkerSupervisor>(correlate);
  correlator_->start();
  const char* embed = std::getenv("DECNET_EMBED_PROFILER");
  if (embed != nullptr && std::string(embed) == "1") {
    // In this process, under the same lease as a standalone `decnet profile`: whichever copy
    // holds it works, the other stands by.
    auto analysis = pipeline::openAnalysisStore(database);
    if (!analysis) return tl::unexpected(analysis.error());
    profilerStore_ = std::move(*analysis);
    profiler_ = std::make_unique<pipeline::Profiler>(*profilerStore_);
    embeddedProfiler_ = std::make_unique<pipeline::LeasedWorker>(
        *profilerStore_, pipeline::LeasedWorkerOptions{"profiler", "", std::chrono::seconds(10)},
        [this](const std::string& holder) { return profiler_->step(holder); });
    embeddedProfiler_->start();
    if (metrics_) {
      // Served with the controller's series on the API's /metrics (the :PORT+2 target is down).
      metrics_->gaugesFromState(
          "decnet_worker_lease_held",
          "1 while this copy holds its worker's lease and works, 0 while it stands by.",
          [worker = embeddedProfiler_.get()] {
            return std::vector<metrics::Sample>{
                {{{"worker", "profiler"}}, worker->leader() ? 1.0 : 0.0}};
          });
    }
    spdlog::info("profiler embedded (DECNET_EMBED_PROFILER=1) as {}", embeddedProfiler_->holder());
  } else {
    std::vector<std::string> profile = {selfBinary(), "profile", "--daemon", "--database",
                                        database};
    for (auto& arg : workerMetricsArgs(2)) profile.push_back(arg);
    profilerChild_ = std::make_unique<WorkerSupervisor>(profile);
    profilerChild_->start();
  }
  spdlog::info("correlator (pid {}) and profiler ({}) follow {}", correlator_->pid(),
               profilerChild_ ? "pid " + std::to_string(profilerChild_->pid()) : "embedded",
               database);
  return {};
}

std::vector<std::string> ControlPlane::workerMetricsArgs(int offset) const {
  if (options_.workerMetricsPort <= 0) return {};
  return {"--metrics-listen", "127.0.0.1:" + std::to_string(options_.workerMetricsPort + offset)};
}

std::string ControlPlane::telemetryDsn() const {
  return "sqlite://" + std::filesystem::absolute(options_.dataDir).string() + "/telemetry.db";
}

Result<void> ControlPlane::heartbeat() {
  const std::string now = api::formatTime(api::systemClock().now());
  auto node = store_->get({"Node", options_.nodeName});
  if (!node) {
    if (node.error().code != Errc::kNotFound) return tl::unexpected(node.error());
    api::Object fresh;
    fresh.kind = "Node";
    fresh.metadata.name = options_.nodeName;
    fresh.metadata.labels["kubernetes.io/hostname"] = options_.nodeName;
    fresh.spec = {{"capacity", {{"deckies", options_.nodeCapacity}}}};
    auto created = store_->create(fresh, {});
    if (!created) return tl::unexpected(created.error());
    node = *created;
    spdlog::info("registered node {}", options_.nodeName);
  }
  auto deckies = store_->list("Decky", {"", "spec.node=" + options_.nodeName});
  node->status["heartbeatTime"] = now;
  node->status["capacity"] = node->spec.value("capacity", api::Json::object());
  node->status["deckies"] = deckies ? deckies->items.size() : 0;
  node->status["agentVersion"] = std::string("v") + DECNET_VERSION;
  api::setCondition(node->status,
                    {"Ready", "True", "NoAgent",
                     "registered by the control plane; deckies are scheduled but not run", "",
                     node->metadata.generation},
                    now);
  node->metadata.resourceVersion = 0;
  auto written = store_->updateStatus(*node, {});
  if (!written) return tl::unexpected(written.error());
  return {};
}

void ControlPlane::heartbeatLoop() {
  int tick = 0;
  while (!stopping_) {
    for (int i = 0; i < 100 && !stopping_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (stopping_) break;
    if (!options_.nodeName.empty() && !agent_) {
      if (auto ok = heartbeat(); !ok) spdlog::warn("node heartbeat failed: {}", ok.error().message);
    }
    if (++tick % 6 == 0) {  // once a minute
      if (auto ok = store_->compact(options_.keepRevisions); !ok) {
        spdlog::warn("compaction failed: {}", ok.error().message);
      }
    }
  }
}

void ControlPlane::stop() {
  if (stopping_.exchange(true)) return;
  if (heartbeat_.joinable()) heartbeat_.join();
  if (agent_) agent_->stop();
  if (embeddedProfiler_) embeddedProfiler_->stop();
  if (profilerChild_) profilerChild_->stop();
  if (correlator_) correlator_->stop();
  if (collector_) collector_->stop();
  if (manager_) manager_->stop();
  if (store_) store_->wakeWatchers();
  if (server_) server_->stop();
  spdlog::info("control plane stopped");
}

}  // namespace decnet::cli
