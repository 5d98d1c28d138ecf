// decnet up: the whole single-host system in one process (API server, reconcilers, embedded
// SQLite, node "local"), applying -f manifests once it is serving. Ctrl-C stops it cleanly.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "api/types/conditions.h"
#include "cli/apply_logic.h"
#include "cli/context.h"
#include "cli/control_plane.h"
#include "cli/logging.h"
#include "cli/signals.h"

namespace decnet::cli {

namespace {

// Prints how the applied fleets come up ("quickstart: 2/4 deckies ready") until all are Ready,
// then how to reach them.
void reportProgress(api::Client& client, const std::vector<Manifest>& manifests,
                    const std::string& spool, const std::atomic<bool>& stop) {
  // Hints name the binary as the user can type it from here.
  std::error_code ec;
  std::string self =
      std::filesystem::relative(selfBinary(), std::filesystem::current_path(), ec).string();
  if (ec || self.empty() || self.rfind("..", 0) == 0) self = selfBinary();
  std::map<std::string, std::string> last;
  const auto started = std::chrono::steady_clock::now();
  while (!stop) {
    bool allReady = true;
    for (const auto& m : manifests) {
      if (m.object.kind != "Fleet") continue;
      auto fleet = client.get(m.object.key());
      if (!fleet) continue;
      if (!fleet->status.contains("observedGeneration")) {
        allReady = false;  // the fleet controller has not looked at it yet
        continue;
      }
      const auto ready = api::findCondition(fleet->status, "Ready");
      const std::string line = std::to_string(fleet->status.value("readyReplicas", 0)) + "/" +
                               std::to_string(fleet->status.value("replicas", 0)) +
                               " deckies ready";
      allReady = allReady && ready && ready->status == "True";
      if (last[m.object.metadata.name] != line) {
        std::cout << m.object.metadata.name << ": " << line << std::endl;
        last[m.object.metadata.name] = line;
      }
      if (const auto degraded = api::findCondition(fleet->status, "Degraded");
          degraded && degraded->status == "True" &&
          last[m.object.metadata.name + "/degraded"] != degraded->message) {
        std::cout << m.object.metadata.name << ": degraded: " << degraded->message << std::endl;
        last[m.object.metadata.name + "/degraded"] = degraded->message;
      }
    }
    if (allReady) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::cout << "all fleets Ready after " << static_cast<int>(seconds * 10) / 10.0
                << " s. Deckies:" << std::endl;
      auto deckies = client.list("Decky");
      std::string firstSsh;
      for (const auto& d : deckies ? deckies->items : std::vector<api::Object>{}) {
        std::string services;
        for (const auto& svc : d.spec.value("services", api::Json::array())) {
          const std::string name = svc.value("name", "");
          services += (services.empty() ? "" : ",") + name;
          if (name == "ssh" && firstSsh.empty()) firstSsh = d.spec.value("ip", "");
        }
        std::cout << "  " << d.metadata.name << "  " << d.spec.value("ip", "") << "  "
                  << d.spec.value("hostname", "") << "  " << d.spec.value("osFamily", "") << "  "
                  << services << std::endl;
      }
      const std::string target = firstSsh.empty() ? "10.77.0.10" : firstSsh;
      std::cout << "Try them from the attacker side of the lab:\n"
                << "  " << self << " lab exec -- nmap -n -sV " << target << "\n"
                << "  " << self << " lab exec -- ssh admin@" << target << "\n"
                << "  " << self << " lab exec -- curl -sI http://" << target << "/\n"
                << "Every interaction lands in " << spool << " (tail -f it)" << std::endl;
      return;
    }
    for (int i = 0; i < 5 && !stop; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

void addUpCommand(CLI::App& app, Globals& globals) {
  struct Options {
    ControlPlaneOptions plane;
    std::vector<std::string> files;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("up", "Run the API server and controllers with embedded SQLite");
  cmd->footer(
      "Examples:\n  decnet up -f manifests/quickstart.yaml\n"
      "  decnet up --data-dir /tmp/decnet --listen 127.0.0.1:8080");
  cmd->add_option("--data-dir", options->plane.dataDir, "Where the SQLite database lives")
      ->capture_default_str();
  addApiSecurityFlags(*cmd, options->plane);
  addLifetimeFlags(*cmd, options->plane);
  cmd->add_option("--listen", options->plane.listen, "API address HOST:PORT")
      ->capture_default_str();
  cmd->add_option("--node-name", options->plane.nodeName, "Name of the embedded node")
      ->capture_default_str();
  cmd->add_option("--node-capacity", options->plane.nodeCapacity, "Deckies the local node accepts")
      ->capture_default_str();
  cmd->add_option("--workers", options->plane.workers, "Workers per controller")
      ->capture_default_str();
  cmd->add_option("-f,--filename", options->files, "Manifests to apply once the server is up");
  cmd->add_flag("!--no-agent", options->plane.embedAgent,
                "Run only the control plane: deckies are scheduled but not run");
  cmd->add_option("--decoy-user", options->plane.decoyUser, "Unprivileged user the decoys run as")
      ->capture_default_str();
  options->plane.collectListen = "127.0.0.1:6514";
  cmd->add_option("--collect-listen", options->plane.collectListen,
                  "Where the event collector (a `decnet collect` child, restarted if it dies) "
                  "listens; the local agent ships its spool there; \"\" runs none. Beyond "
                  "loopback it is TLS-only, with a certificate from decnet's CA "
                  "(<data-dir>/pki/collector.crt), and takes only agents with a node certificate "
                  "from that CA, each for its own node")
      ->capture_default_str();
  cmd->add_option("--worker-metrics-port", options->plane.workerMetricsPort,
                  "The child workers serve /metrics on 127.0.0.1 from this port on: collector "
                  "PORT, correlator PORT+1, profiler PORT+2 (0: none). The controller and the "
                  "embedded agent serve theirs on the API's --listen")
      ->capture_default_str();
  cmd->callback([options, &globals] {
    setupLogging("controller", globals.logLevel);
    // Manifests are checked before anything starts, so a typo fails fast.
    std::vector<Manifest> manifests;
    if (!options->files.empty()) {
      auto loaded = loadManifests(options->files, false);
      if (!loaded) {
        std::cerr << "error: " << describe(loaded.error()) << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      manifests = std::move(*loaded);
    }
    // Signals go to sigwait below, not to whichever thread happens to run.
    const sigset_t signals = blockTerminationSignals();

    ControlPlane plane(options->plane);
    if (auto started = plane.start(); !started) {
      std::cerr << "error: " << describe(started.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    if (!manifests.empty()) {
      auto applied = applyManifests(plane.store(), manifests, {}, std::cout);
      if (!applied) {
        std::cerr << "error: " << describe(applied.error()) << "\n";
        plane.stop();
        throw CLI::RuntimeError(kExitError);
      }
    }
    std::cout << "decnet is up: API " << plane.url() << " (Ctrl-C to stop)" << std::endl;
    if (auto hint = plane.joinHint(); !hint.empty()) std::cout << hint << std::endl;
    std::atomic<bool> stopProgress{false};
    std::thread progress;
    if (!manifests.empty() && options->plane.embedAgent) {
      const std::string spool =
          options->plane.dataDir + "/spool/" + options->plane.nodeName + ".log";
      progress = std::thread(
          [&, spool] { reportProgress(plane.store(), manifests, spool, stopProgress); });
    }
    const int received = waitForTermination(signals);
    stopProgress = true;
    if (progress.joinable()) progress.join();
    std::cout << "stopping (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
    plane.stop();
    if (options->plane.embedAgent) {
      std::cout << "deckies keep running and are adopted by the next `decnet up`; "
                   "`decnet down` (while up) removes them"
                << std::endl;
    }
  });
}

}  // namespace decnet::cli
