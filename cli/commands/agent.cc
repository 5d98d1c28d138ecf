// decnet agent --node NAME [--controller URL]: the node agent alone, against a remote API
// server (decnet up embeds the same agent as node "local").
#include "agents/agent.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/control_plane.h"
#include "cli/logging.h"
#include "cli/metrics_endpoint.h"
#include "cli/signals.h"

namespace decnet::cli {

void addAgentCommand(CLI::App& app, Globals& globals) {
  struct Options {
    agents::AgentOptions agent;
    std::string controller;
    std::vector<std::string> labels;
    std::string metricsListen;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "agent", "Run the node agent: turns this node's deckies into real fake hosts");
  cmd->footer(
      "Registers a Node, heartbeats, and runs the deckies scheduled onto it (namespaces,\n"
      "macvlan links, decoys); their events go to <data-dir>/spool/<node>.log.\n\n"
      "Examples:\n  decnet agent --node sensor-2 --controller http://10.0.0.5:8000 -l site=branch\n"
      "  decnet agent --node lab --capacity 50");
  cmd->add_option("--node", options->agent.node, "Node name")->required();
  cmd->add_option("--controller", options->controller,
                  "API server URL (default --server / DECNET_SERVER)");
  cmd->add_option("--data-dir", options->agent.dataDir, "Pid files, decoy logs and the spool")
      ->capture_default_str();
  cmd->add_option("-l,--label", options->labels, "Node label key=value (for nodeSelector)");
  cmd->add_option("--capacity", options->agent.capacity, "Deckies this node accepts")
      ->capture_default_str();
  cmd->add_option("--collector", options->agent.collector,
                  "Ship the spool to this `decnet collect` HOST:PORT (resends after cuts, no "
                  "doubles); unset: the spool stays on this host");
  cmd->add_option("--tls-cert", options->agent.collectorTls.cert,
                  "This node's certificate (PEM) for the collector; TLS is required off loopback");
  cmd->add_option("--tls-key", options->agent.collectorTls.key, "Its private key (PEM)");
  cmd->add_option("--tls-ca", options->agent.collectorTls.ca,
                  "CA (PEM) that signed the collector's certificate, which must name its address");
  cmd->add_option("--decoy-user", options->agent.user, "Unprivileged user the decoys run as")
      ->capture_default_str();
  cmd->add_option("--metrics-listen", options->metricsListen,
                  "Serve Prometheus /metrics (decoys, attackers, credentials, spool) on HOST:PORT");
  cmd->callback([options, &globals] {
    setupLogging("agent", globals.logLevel);
    metrics::Registry registry;
    if (!options->metricsListen.empty()) options->agent.metrics = &registry;
    auto metricsServer = serveMetrics(registry, options->metricsListen);
    Globals target = globals;
    if (!options->controller.empty()) target.server = options->controller;
    for (const auto& label : options->labels) {
      auto eq = label.find('=');
      if (eq == std::string::npos) {
        std::cerr << "error: --label takes key=value\n";
        throw CLI::RuntimeError(kExitUsage);
      }
      options->agent.labels[label.substr(0, eq)] = label.substr(eq + 1);
    }
    options->agent.binary = decoyBinary();
    const sigset_t signals = blockTerminationSignals();
    auto client = connect(target);
    agents::Agent agent(*client, options->agent, agents::makeNetlinkDriver(),
                        agents::makeProcessRuntime({options->agent.binary, options->agent.dataDir,
                                                    options->agent.user, options->agent.sandbox}));
    if (auto started = agent.start(); !started) {
      std::cerr << "error: " << describe(started.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    waitForTermination(signals);
    metricsServer.reset();  // stop serving before the agent its series read from goes away
    agent.stop();
  });
}

}  // namespace decnet::cli
