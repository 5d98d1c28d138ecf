// decnet mutate decky NAME: ask for the next identity now.
// decnet mutate --watch: run the mutation controller alone against --server.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/logging.h"
#include "cli/signals.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/manager.h"
#include "reconcilers/mutation_reconciler.h"

namespace decnet::cli {

void addMutateCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::vector<std::string> args;
    bool watch = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("mutate", "Mutate a decky now, or run the mutation controller");
  cmd->footer(
      "Examples:\n  decnet mutate decky quickstart-01\n  decnet mutate --watch --server "
      "http://ctl:8000");
  cmd->add_option("args", options->args, "decky NAME");
  cmd->add_flag("--watch", options->watch, "Run the mutation controller until interrupted");
  cmd->callback([options, &globals] {
    auto client = connect(globals);
    if (options->watch) {
      setupLogging("mutator", globals.logLevel);
      const sigset_t signals = blockTerminationSignals();
      controller::EventRecorder events(*client, "decnet-mutator");
      controller::Manager manager(*client);
      manager.add(std::make_unique<reconcilers::MutationReconciler>(*client, events));
      manager.start();
      waitForTermination(signals);
      manager.stop();
      return;
    }
    if (options->args.size() != 2 ||
        (options->args[0] != "decky" && options->args[0] != "deckies")) {
      std::cerr << "error: usage: decnet mutate decky NAME\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    auto result = client->requestMutation(options->args[1]);
    if (!result) {
      std::cerr << "Error from server (" << errcName(result.error().code)
                << "): " << result.error().message << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::cout << "decky.decnet.io/" << options->args[1] << " mutation requested\n";
  });
}

}  // namespace decnet::cli
