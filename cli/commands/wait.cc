// decnet wait --for=condition=Ready fleet/NAME [--timeout=60s]; --for=delete also works.
#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "api/types/clock.h"
#include "api/types/conditions.h"
#include "api/types/kinds.h"
#include "cli/context.h"

namespace decnet::cli {

void addWaitCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::vector<std::string> targets;
    std::string forWhat;
    std::string timeout = "30s";
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("wait", "Wait for a condition on objects");
  cmd->footer(
      "Examples:\n  decnet wait --for=condition=Ready fleet/quickstart --timeout=120s\n"
      "  decnet wait --for=condition=Ready=False decky/corp-01\n"
      "  decnet wait --for=delete fleet/old");
  cmd->add_option("targets", options->targets, "KIND/NAME ... (or KIND NAME)")->required();
  cmd->add_option("--for", options->forWhat, "condition=TYPE[=STATUS] | delete")->required();
  cmd->add_option("--timeout", options->timeout, "Give up after this long (e.g. 60s, 5m)");
  cmd->callback([options, &globals] {
    auto timeout = api::parseDuration(options->timeout);
    if (!timeout) {
      std::cerr << "error: --timeout must be a duration such as 60s\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    std::string conditionType, wantStatus = "True";
    const bool forDelete = options->forWhat == "delete";
    if (!forDelete) {
      if (options->forWhat.rfind("condition=", 0) != 0) {
        std::cerr << "error: --for must be condition=TYPE[=STATUS] or delete\n";
        throw CLI::RuntimeError(kExitUsage);
      }
      conditionType = options->forWhat.substr(10);
      if (auto eq = conditionType.find('='); eq != std::string::npos) {
        wantStatus = conditionType.substr(eq + 1);
        conditionType = conditionType.substr(0, eq);
      }
    }
    std::vector<std::pair<api::KindInfo, std::string>> targets;
    for (std::size_t i = 0; i < options->targets.size(); ++i) {
      const auto& t = options->targets[i];
      auto slash = t.find('/');
      std::optional<api::KindInfo> kind;
      std::string name;
      if (slash != std::string::npos) {
        kind = api::findKind(t.substr(0, slash));
        name = t.substr(slash + 1);
      } else if (i + 1 < options->targets.size()) {
        kind = api::findKind(t);
        name = options->targets[++i];
      }
      if (!kind || name.empty()) {
        std::cerr << "error: expected KIND/NAME, got \"" << t << "\"\n";
        throw CLI::RuntimeError(kExitUsage);
      }
      targets.push_back({*kind, name});
    }
    auto client = connect(globals);
    const auto deadline = std::chrono::steady_clock::now() + *timeout;
    for (const auto& [kind, name] : targets) {
      const std::string shown = kind.singular + ".decnet.io/" + name;
      while (true) {
        auto object = client->get({kind.kind, name});
        if (forDelete) {
          if (!object && object.error().code == Errc::kNotFound) {
            std::cout << shown << " condition met\n";
            break;
          }
        } else if (object) {
          // A condition counts only once it describes the current generation (as kubectl
          // wait, kstatus, Argo CD and Flux read it).
          if (api::conditionMet(*object, conditionType, wantStatus)) {
            std::cout << shown << " condition met\n";
            break;
          }
        } else if (object.error().code != Errc::kNotFound) {
          std::cerr << "error: " << object.error().message << "\n";
          throw CLI::RuntimeError(kExitError);
        }
        if (std::chrono::steady_clock::now() > deadline) {
          std::cerr << "error: timed out waiting for the condition on " << kind.plural << "/"
                    << name << "\n";
          throw CLI::RuntimeError(kExitError);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  });
}

}  // namespace decnet::cli
