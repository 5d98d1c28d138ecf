// decnet: declarative honeypot deception networks. One binary, kubectl-style subcommands.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/logging.h"

int main(int argc, char** argv) {
  using namespace decnet::cli;
  Globals globals;
  CLI::App app{"decnet: fleets of fake LAN hosts (deckies), managed like Kubernetes objects"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags also after the subcommand: decnet get fleets --kubeconfig F
  app.set_version_flag("--version", std::string("decnet v") + DECNET_VERSION);
  app.add_option("--server", globals.server,
                 "API server URL (default $DECNET_SERVER or http://127.0.0.1:8000)");
  app.add_option("--kubeconfig", globals.kubeconfig,
                 "Identity file (default $DECNET_CONFIG, ~/.config/decnet/config, then "
                 "/var/lib/decnet/admin.conf); `decnet login` writes one");
  app.add_option("--log-level", globals.logLevel, "trace | debug | info | warn | error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_flag_callback(
      "-v,--verbose", [&globals] { globals.logLevel = "debug"; }, "Debug logging");
  app.footer(
      "Start with:  decnet lab up;  decnet up -f manifests/quickstart.yaml;  then (elsewhere)\n"
      "             decnet get deckies -o wide;  decnet lab exec -- nmap -n -sV 10.77.0.10");
  addApplyCommand(app, globals);
  addDiffCommand(app, globals);
  addGetCommand(app, globals);
  addDescribeCommand(app, globals);
  addDeleteCommand(app, globals);
  addWaitCommand(app, globals);
  addUpCommand(app, globals);
  addControllerCommand(app, globals);
  addCollectCommand(app, globals);
  addCorrelateCommand(app, globals);
  addProfileCommand(app, globals);
  addEventsCommand(app, globals);
  addCatalogCommand(app, globals);
  addMutateCommand(app, globals);
  addVersionCommand(app, globals);
  addAgentCommand(app, globals);
  addLabCommand(app, globals);
  addDownCommand(app, globals);
  addLoginCommands(app, globals);
  addUserCommand(app, globals);
  addTokenCommand(app, globals);
  app.parse_complete_callback([&globals] { setupLogging("cli", globals.logLevel); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
