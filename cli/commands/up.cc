// decnet up: the whole single-host system in one process (API server, reconcilers, embedded
// SQLite, node "local"), applying -f manifests once it is serving. Ctrl-C stops it cleanly.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <iostream>

#include "cli/apply_logic.h"
#include "cli/context.h"
#include "cli/control_plane.h"
#include "cli/logging.h"

namespace decnet::cli {

void addUpCommand(CLI::App& app, Globals& globals) {
  struct Options {
    ControlPlaneOptions plane;
    std::vector<std::string> files;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("up", "Run the API server and controllers with embedded SQLite");
  cmd->footer("Examples:\n  decnet up -f manifests/quickstart.yaml\n"
              "  decnet up --data-dir /tmp/decnet --listen 127.0.0.1:8080");
  cmd->add_option("--data-dir", options->plane.dataDir, "Where the SQLite database lives")
      ->capture_default_str();
  cmd->add_option("--listen", options->plane.listen, "API address HOST:PORT")->capture_default_str();
  cmd->add_option("--node-name", options->plane.nodeName, "Name of the embedded node")->capture_default_str();
  cmd->add_option("--node-capacity", options->plane.nodeCapacity, "Deckies the local node accepts")
      ->capture_default_str();
  cmd->add_option("--workers", options->plane.workers, "Workers per controller")->capture_default_str();
  cmd->add_option("-f,--filename", options->files, "Manifests to apply once the server is up");
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
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

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
    int received = 0;
    sigwait(&signals, &received);
    std::cout << "stopping (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
    plane.stop();
  });
}

}  // namespace decnet::cli
