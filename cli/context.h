#pragma once
// What every subcommand shares: global flags and how to reach the API server.
#include <string>

#include "api/client/client.h"

namespace CLI {
class App;
}

namespace decnet::cli {

struct Globals {
  // --server, else $DECNET_SERVER, else the kubeconfig's server, else http://127.0.0.1:8000
  std::string server;
  std::string kubeconfig;  // --kubeconfig: the identity file (see cli/kubeconfig.h)
  std::string logLevel = "info";
};

// The REST client for serverUrl(), carrying the identity findKubeconfig() finds. Exits with an
// error when the chosen kubeconfig cannot be read.
api::ClientPtr connect(const Globals& globals);
std::string serverUrl(const Globals& globals);

// Prints `error: <error>` and ends the command with kExitError.
[[noreturn]] void exitWithError(const Error& error);

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// One registration function per command file.
void addApplyCommand(CLI::App& app, Globals& globals);
void addDiffCommand(CLI::App& app, Globals& globals);
void addGetCommand(CLI::App& app, Globals& globals);
void addDescribeCommand(CLI::App& app, Globals& globals);
void addDeleteCommand(CLI::App& app, Globals& globals);
void addWaitCommand(CLI::App& app, Globals& globals);
void addUpCommand(CLI::App& app, Globals& globals);
void addControllerCommand(CLI::App& app, Globals& globals);
void addCollectCommand(CLI::App& app, Globals& globals);
void addCorrelateCommand(CLI::App& app, Globals& globals);
void addProfileCommand(CLI::App& app, Globals& globals);
void addEventsCommand(CLI::App& app, Globals& globals);
void addCatalogCommand(CLI::App& app, Globals& globals);
void addMutateCommand(CLI::App& app, Globals& globals);
void addVersionCommand(CLI::App& app, Globals& globals);
void addAgentCommand(CLI::App& app, Globals& globals);
void addLabCommand(CLI::App& app, Globals& globals);
void addDownCommand(CLI::App& app, Globals& globals);
void addLoginCommands(CLI::App& app, Globals& globals);
void addUserCommand(CLI::App& app, Globals& globals);
void addTokenCommand(CLI::App& app, Globals& globals);

// Attackers are telemetry, not objects: `get` and `describe` hand them to these.
bool isAttackerKind(const std::string& kind);
void printAttackers(const Globals& globals, const std::string& output);
void describeAttacker(const Globals& globals, const std::string& address);

}  // namespace decnet::cli
