// decnet down: delete every fleet (and directly written decky) and wait until the agents have
// torn everything down, so nothing of decnet remains on the hosts.
#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "api/types/clock.h"
#include "cli/context.h"

namespace decnet::cli {

void addDownCommand(CLI::App& app, Globals& globals) {
  auto timeout = std::make_shared<std::string>("120s");
  auto* cmd = app.add_subcommand("down", "Delete all fleets and deckies and wait for the teardown");
  cmd->add_option("--timeout", *timeout, "How long to wait")->capture_default_str();
  cmd->callback([timeout, &globals] {
    auto limit = api::parseDuration(*timeout);
    if (!limit) {
      std::cerr << "error: --timeout must be a duration such as 120s\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    auto client = connect(globals);
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
