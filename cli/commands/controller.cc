// decnet controller: the API server and the reconcilers alone (no agent, no node of its own),
// for a deployment where `decnet agent` runs on each host.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/control_plane.h"
#include "cli/logging.h"
#include "cli/signals.h"

namespace decnet::cli {

void addControllerCommand(CLI::App& app, Globals& globals) {
  auto options = std::make_shared<ControlPlaneOptions>();
  options->nodeName.clear();
  options->embedAgent = false;
  auto* cmd = app.add_subcommand("controller",
                                 "Run the API server and controllers only (agents run elsewhere)");
  cmd->footer(
      "Off loopback the API needs TLS (--tls-self-signed, or --tls-cert/--tls-key).\n\n"
      "Examples:\n  decnet controller --listen 0.0.0.0:8000 --tls-self-signed\n"
      "  decnet token create --ttl 1h                # a bootstrap token; then on each host:\n"
      "  decnet agent --node sensor-1 --controller https://CONTROLLER:8000 --token T "
      "--ca-hash sha256:...");
  cmd->add_option("--data-dir", options->dataDir, "Where the SQLite database lives")
      ->capture_default_str();
  cmd->add_option("--listen", options->listen, "API address HOST:PORT")->capture_default_str();
  cmd->add_option("--workers", options->workers, "Workers per controller")->capture_default_str();
  addApiSecurityFlags(*cmd, *options);
  addLifetimeFlags(*cmd, *options);
  cmd->callback([options, &globals] {
    setupLogging("controller", globals.logLevel);
    const sigset_t signals = blockTerminationSignals();
    ControlPlane plane(*options);
    if (auto started = plane.start(); !started) {
      std::cerr << "error: " << describe(started.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::cout << "decnet controller: API " << plane.url() << " (Ctrl-C to stop)" << std::endl;
    if (auto hint = plane.joinHint(); !hint.empty()) std::cout << hint << std::endl;
    waitForTermination(signals);
    plane.stop();
  });
}

}  // namespace decnet::cli
