// decnet down: delete every fleet (and directly written decky) and wait until the agents have
// torn everything down, so nothing of decnet remains on the hosts.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "api/types/clock.h"
#include "cli/context.h"

namespace decnet::cli {

void addDownCommand(CLI::App& app, Globals& globals) {
  auto timeout = std::make_shared<std::string>("120s");
  auto yes = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("down", "Delete all fleets and deckies and wait for the teardown");
  cmd->footer(
      "Deletes every fleet and every decky on the server, then waits until the agents have\n"
      "torn down their namespaces and decoys. On a terminal it asks first; elsewhere (scripts,\n"
      "CI) it needs --yes.\n\nExamples:\n  decnet down\n  decnet down --yes --timeout 5m");
  cmd->add_option("--timeout", *timeout, "How long to wait for the teardown (e.g. 120s, 5m)")
      ->capture_default_str();
  cmd->add_flag("-y,--yes", *yes, "Do not ask for confirmation");
  cmd->callback([timeout, yes, &globals] {
    auto limit = api::parseDuration(*timeout);
    if (!limit) {
      std::cerr << "error: --timeout must be a duration such as 120s\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    auto client = connect(globals);
    if (!*yes) {
      auto fleets = client->list("Fleet");
      auto deckies = client->list("Decky");
      if (!fleets || !deckies) {
        std::cerr << "error: " << describe(!fleets ? fleets.error() : deckies.error()) << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      if (!fleets->items.empty() || !deckies->items.empty()) {
        if (::isatty(STDIN_FILENO) == 0) {
          std::cerr << "error: decnet down deletes " << fleets->items.size() << " fleets and "
                    << deckies->items.size()
                    << " deckies; not on a terminal, so pass --yes to confirm\n";
          throw CLI::RuntimeError(kExitUsage);
        }
        std::cout << "Delete " << fleets->items.size() << " fleets and " << deckies->items.size()
                  << " deckies on " << serverUrl(globals) << "? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") {
          std::cout << "nothing deleted\n";
          return;
        }
      }
    }
    for (const char* kind : {"Fleet", "Decky"}) {
      auto listed = client->list(kind);
      if (!listed) {
        std::cerr << "error: " << describe(listed.error()) << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      for (const auto& object : listed->items) {
        if (object.deleting()) continue;
        auto removed = client->remove(object.key());
        if (!removed && removed.error().code != Errc::kNotFound) {
          std::cerr << "error: " << describe(removed.error()) << "\n";
          throw CLI::RuntimeError(kExitError);
        }
        if (std::string(kind) == "Fleet")
          std::cout << "fleet.decnet.io/" << object.metadata.name << " deleted\n";
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + *limit;
    std::size_t last = static_cast<std::size_t>(-1);
    while (true) {
      auto left = client->list("Decky");
      if (!left) {
        std::cerr << "error: " << describe(left.error()) << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      if (left->items.empty()) break;
      if (left->items.size() != last) {
        std::cout << "waiting for " << left->items.size() << " deckies to be torn down...\n"
                  << std::flush;
        last = left->items.size();
      }
      if (std::chrono::steady_clock::now() > deadline) {
        std::cerr << "error: timed out; " << left->items.size()
                  << " deckies remain (is the agent running?)\n";
        throw CLI::RuntimeError(kExitError);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::cout << "all deckies torn down\n";
  });
}

}  // namespace decnet::cli
