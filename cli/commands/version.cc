// decnet version: the client's version and the server's, as kubectl version prints them.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"

namespace decnet::cli {

void addVersionCommand(CLI::App& app, Globals& globals) {
  auto* cmd = app.add_subcommand("version", "Print the client and server versions");
  cmd->footer(
      "The server line shows the version the API server at --server reports; an unreachable\n"
      "server is an error (exit 1) after the client line.\n\nExamples:\n  decnet version\n"
      "  decnet --server http://10.0.0.5:8000 version");
  cmd->callback([&globals] {
    std::cout << "Client Version: v" << DECNET_VERSION << "\n" << std::flush;
    auto client = connect(globals);
    auto version = client->serverVersion();
    if (!version || !version->is_object()) {
      std::cerr << "error: "
                << (version ? "unexpected /version answer from " + serverUrl(globals)
                            : version.error().message)
                << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::cout << "Server Version: " << version->value("gitVersion", "unknown") << " ("
              << serverUrl(globals) << ")\n";
  });
}

}  // namespace decnet::cli
