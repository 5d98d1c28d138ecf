// decnet version: client version and whether the server answers.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"

namespace decnet::cli {

void addVersionCommand(CLI::App& app, Globals& globals) {
  auto* cmd = app.add_subcommand("version", "Print client and server versions");
  cmd->callback([&globals] {
    std::cout << "Client Version: v" << DECNET_VERSION << "\n";
    auto client = connect(globals);
    auto nodes = client->list("Node");
    if (nodes) {
      std::cout << "Server: " << serverUrl(globals) << " (reachable)\n";
    } else {
      std::cout << "Server: " << serverUrl(globals) << " (" << nodes.error().message << ")\n";
    }
  });
}

}  // namespace decnet::cli
