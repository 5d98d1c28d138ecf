// decnet apply -f FILE|DIR|- [-R] [--dry-run=server] [--prune -l SELECTOR]
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/apply_logic.h"
#include "cli/context.h"

namespace decnet::cli {

void addApplyCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::vector<std::string> files;
    bool recursive = false;
    std::string dryRun = "none";
    bool prune = false;
    std::string selector;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("apply", "Create or update objects from YAML manifests");
  cmd->footer(
      "Every document is validated (locally, then by the server as a dry run) before anything\n"
      "is written: one invalid document means nothing changes.\n\n"
      "Examples:\n  decnet apply -f manifests/quickstart.yaml\n"
      "  decnet apply -R -f manifests/ --prune -l site=hq\n"
      "  cat fleet.yaml | decnet apply -f -");
  cmd->add_option("-f,--filename", options->files, "File, directory or - for stdin")->required();
  cmd->add_flag("-R,--recursive", options->recursive, "Descend into directories given with -f");
  cmd->add_option("--dry-run", options->dryRun,
                  "none (write), server (the server admits everything and writes nothing), or "
                  "client (validate locally only, without contacting the server)")
      ->check(CLI::IsMember({"none", "server", "client"}));
  cmd->add_flag("--prune", options->prune,
                "Delete applied objects matching -l that are not in the manifests");
  cmd->add_option("-l,--selector", options->selector, "Label selector for --prune");
  cmd->callback([options, &globals] {
    if (options->prune && options->selector.empty()) {
      std::cerr
          << "error: --prune needs a label selector (-l key=value) to bound what it may delete\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    auto manifests = loadManifests(options->files, options->recursive);
    if (!manifests) {
      std::cerr << "error: " << describe(manifests.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    if (options->dryRun == "client") {
      for (const auto& m : *manifests)
        std::cout << displayName(m.object) << " valid (client dry run)\n";
      return;
    }
    auto client = connect(globals);
    ApplyOptions apply;
    apply.dryRun = options->dryRun == "server";
    if (options->prune) apply.pruneSelector = options->selector;
    auto result = applyManifests(*client, *manifests, apply, std::cout);
    if (!result) {
      std::cerr << "error: " << describe(result.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
  });
}

}  // namespace decnet::cli
