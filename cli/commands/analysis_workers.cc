// decnet correlate and decnet profile: the analysis workers, each alone (--daemon) or as a
// one-off pass. A lease in the telemetry database makes any second copy a standby.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/logging.h"
#include "cli/metrics_endpoint.h"
#include "cli/signals.h"
#include "metrics/registry.h"
#include "pipeline/common/leased_worker.h"
#include "pipeline/correlator/correlator.h"
#include "pipeline/profiler/profiler.h"

namespace decnet::cli {
namespace {

struct WorkerOptions {
  std::string database = "sqlite:///var/lib/decnet/telemetry.db";
  bool daemon = false;
  std::string metricsListen;  // "" serves no /metrics
};

void addWorkerFlags(CLI::App* cmd, WorkerOptions& options) {
  cmd->add_option("--database", options.database,
                  "Telemetry database the collector writes: sqlite:///absolute.db or a path")
      ->capture_default_str();
  cmd->add_flag("--daemon", options.daemon,
                "Keep running and follow new events (standby while another copy holds the lease)");
  cmd->add_option("--metrics-listen", options.metricsListen,
                  "With --daemon, serve Prometheus /metrics on HOST:PORT (off by default)");
}

// Runs `step` as `worker` under its lease: once through everything pending, or until a signal
// with --daemon.
// `registry` gets decnet_worker_lease_held and process_* here; the caller adds its own series.
void runWorker(const std::string& worker, const WorkerOptions& options,
               pipeline::AnalysisStore& analysis, pipeline::WorkerStep step, const char* itemName,
               metrics::Registry& registry) {
  const sigset_t signals = blockTerminationSignals();
  pipeline::LeasedWorker runner(analysis, {worker, "", std::chrono::seconds(10)}, std::move(step));
  std::unique_ptr<metrics::MetricsServer> metricsServer;
  if (options.daemon && !options.metricsListen.empty()) {
    registry.gaugesFromState(
        "decnet_worker_lease_held",
        "1 while this copy holds its worker's lease and works, 0 while it stands by.",
        [&runner, worker] {
          return std::vector<metrics::Sample>{{{{"worker", worker}}, runner.leader() ? 1.0 : 0.0}};
        });
    metricsServer = serveMetrics(registry, options.metricsListen);
  }
  if (!options.daemon) {
    auto handled = runner.drain();
    if (!handled) {
      std::cerr << "error: " << describe(handled.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::cout << "decnet " << worker << ": " << *handled << " " << itemName << std::endl;
    return;
  }
  runner.start();
  std::cout << "decnet " << worker << ": following " << options.database << " as "
            << runner.holder() << " (Ctrl-C to stop)" << std::endl;
  waitForTermination(signals);
  runner.stop();
  std::cout << "decnet " << worker << ": " << runner.handled() << " " << itemName << std::endl;
}

std::unique_ptr<pipeline::AnalysisStore> openAnalysis(const std::string& dsn) {
  auto store = pipeline::openAnalysisStore(dsn);
  if (!store) {
    std::cerr << "error: " << describe(store.error()) << "\n";
    throw CLI::RuntimeError(kExitError);
  }
  return std::move(*store);
}

}  // namespace

void addCorrelateCommand(CLI::App& app, Globals& globals) {
  auto options = std::make_shared<WorkerOptions>();
  auto* cmd = app.add_subcommand("correlate",
                                 "Group stored events into sessions, attackers and credentials");
  cmd->footer(
      "Sessions are per attacker address, decky and service, closed at disconnect or after\n"
      "5 minutes idle. Attackers are per address, with their traversal of the deckies.\n"
      "Without --daemon it correlates what is stored and exits.\n\n"
      "Examples:\n  decnet correlate --database /var/lib/decnet/telemetry.db\n"
      "  decnet correlate --daemon --database /var/lib/decnet/telemetry.db");
  addWorkerFlags(cmd, *options);
  cmd->callback([options, &globals] {
    setupLogging("correlate", globals.logLevel);
    auto events = pipeline::openTelemetryStore(options->database);
    if (!events) {
      std::cerr << "error: " << describe(events.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    auto analysis = openAnalysis(options->database);
    pipeline::Correlator correlator(**events, *analysis);
    metrics::Registry registry;
    registry.gaugesFromState(
        "decnet_correlator_sessions_open", "Sessions the correlator has not closed yet.",
        [store = analysis.get()] {
          auto open = store->openSessionCount();
          return open ? std::vector<metrics::Sample>{{{}, static_cast<double>(*open)}}
                      : std::vector<metrics::Sample>{};
        });
    runWorker(
        "correlator", *options, *analysis,
        [&correlator](const std::string& holder) { return correlator.step(holder); },
        "events correlated", registry);
  });
}

void addProfileCommand(CLI::App& app, Globals& globals) {
  auto options = std::make_shared<WorkerOptions>();
  auto* cmd = app.add_subcommand(
      "profile", "Classify attackers: behaviour, tools, OS guess, kill chain, threat score");
  cmd->footer(
      "Profiles every attacker the correlator changed since its last profile. Without --daemon\n"
      "it profiles what is pending and exits. decnet up runs it as a child process, or in its\n"
      "own process with DECNET_EMBED_PROFILER=1.\n\n"
      "Examples:\n  decnet profile --daemon --database /var/lib/decnet/telemetry.db");
  addWorkerFlags(cmd, *options);
  cmd->callback([options, &globals] {
    setupLogging("profile", globals.logLevel);
    auto analysis = openAnalysis(options->database);
    pipeline::Profiler profiler(*analysis);
    metrics::Registry registry;
    runWorker(
        "profiler", *options, *analysis,
        [&profiler](const std::string& holder) { return profiler.step(holder); },
        "attackers profiled", registry);
  });
}

}  // namespace decnet::cli
