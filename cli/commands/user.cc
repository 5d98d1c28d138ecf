// decnet user add|passwd|del|list and decnet token create|list|delete: the API's users and the
// nodes' bootstrap tokens, kept in <data-dir>/auth.db on the controller's host (as kubeadm's
// token commands run there).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "api/types/clock.h"
#include "apiserver/auth/certificate_authority.h"
#include "apiserver/auth/token_signer.h"
#include "cli/context.h"
#include "cli/security.h"

namespace decnet::cli {
namespace {

std::shared_ptr<apiserver::auth::UserStore> users(const std::string& dataDir) {
  auto store = openUserStore(dataDir);
  if (!store) exitWithError(store.error());
  return *store;
}

std::string when(std::int64_t seconds) {
  return api::formatTime(std::chrono::system_clock::time_point(std::chrono::seconds(seconds)));
}

}  // namespace

void addUserCommand(CLI::App& app, Globals&) {
  struct Options {
    std::string dataDir = "/var/lib/decnet", name, role = "viewer", password;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("user", "Manage the API's users (on the controller's host)");
  cmd->require_subcommand(1);
  cmd->footer(
      "Users live in <data-dir>/auth.db. Roles: admin (everything) and viewer (read and watch).\n\n"
      "Examples:\n  decnet user add alice --role viewer\n  decnet user passwd alice\n"
      "  decnet user list");
  cmd->add_option("--data-dir", options->dataDir, "The controller's data dir")
      ->capture_default_str();

  auto* add = cmd->add_subcommand("add", "Add a user (a random password is printed if none)");
  add->add_option("name", options->name, "User name")->required();
  add->add_option("--role", options->role, "admin | viewer")
      ->check(CLI::IsMember({"admin", "viewer"}))
      ->capture_default_str();
  add->add_option("--password", options->password, "Password (default: random, printed)");
  add->callback([options] {
    const bool random = options->password.empty();
    const std::string password = random ? apiserver::auth::randomHex(12) : options->password;
    // A random password is a first one: its user picks their own at the first login.
    if (auto added =
            users(options->dataDir)->addUser(options->name, options->role, password, random);
        !added) {
      exitWithError(added.error());
    }
    std::cout << "user/" << options->name << " added (" << options->role << ")";
    if (random) std::cout << " with the password " << password << " (to change at first login)";
    std::cout << std::endl;
  });

  auto* passwd = cmd->add_subcommand("passwd", "Set a user's password (ends their sessions)");
  passwd->add_option("name", options->name, "User name")->required();
  passwd->add_option("--password", options->password, "Password (default: random, printed)");
  passwd->callback([options] {
    const bool random = options->password.empty();
    const std::string password = random ? apiserver::auth::randomHex(12) : options->password;
    if (auto set = users(options->dataDir)->setPassword(options->name, password, random); !set) {
      exitWithError(set.error());
    }
    std::cout << "user/" << options->name << " password set";
    if (random) std::cout << " to " << password << " (to change at next login)";
    std::cout << std::endl;
  });

  auto* del = cmd->add_subcommand("del", "Remove a user (their tokens stop working at once)");
  del->add_option("name", options->name, "User name")->required();
  del->callback([options] {
    if (auto removed = users(options->dataDir)->removeUser(options->name); !removed) {
      exitWithError(removed.error());
    }
    std::cout << "user/" << options->name << " deleted" << std::endl;
  });

  auto* list = cmd->add_subcommand("list", "List users");
  list->callback([options] {
    auto all = users(options->dataDir)->users();
    if (!all) exitWithError(all.error());
    std::cout << std::left << std::setw(24) << "NAME" << std::setw(8) << "ROLE" << std::setw(16)
              << "MUST-CHANGE"
              << "CREATED\n";
    for (const auto& user : *all) {
      std::cout << std::setw(24) << user.name << std::setw(8) << user.role << std::setw(16)
                << (user.mustChangePassword ? "yes" : "no") << when(user.created) << "\n";
    }
  });
}

void addTokenCommand(CLI::App& app, Globals&) {
  struct Options {
    std::string dataDir = "/var/lib/decnet", ttl = "1h", description, id;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("token", "Manage bootstrap tokens nodes join with");
  cmd->require_subcommand(1);
  cmd->footer(
      "A bootstrap token lets agents join (until it expires) and get their own node identity:\n"
      "  decnet token create --ttl 1h     # on the controller's host\n"
      "  decnet agent --node sensor-2 --controller URL --token TOKEN   # on the new node");
  cmd->add_option("--data-dir", options->dataDir, "The controller's data dir")
      ->capture_default_str();

  auto* create = cmd->add_subcommand("create", "Make a bootstrap token and print it");
  create->add_option("--ttl", options->ttl, "How long it is valid (30m, 1h, 24h)")
      ->capture_default_str();
  create->add_option("--description", options->description, "What it is for");
  create->callback([options] {
    auto ttl = api::parseDuration(options->ttl);
    if (!ttl || ttl->count() <= 0) {
      exitWithError(Error{Errc::kInvalid, "--ttl must be a duration such as 30m, 1h or 24h", {}});
    }
    auto token = users(options->dataDir)->createBootstrapToken(*ttl, options->description);
    if (!token) exitWithError(token.error());
    std::cout << *token << std::endl;
    // The join command goes to stderr, so scripts read the token alone from stdout.
    std::ifstream caFile(options->dataDir + "/pki/ca.crt");
    const std::string ca((std::istreambuf_iterator<char>(caFile)),
                         std::istreambuf_iterator<char>());
    std::cerr << "join with: decnet agent --node NAME --controller URL --token " << *token;
    if (!ca.empty()) {
      std::cerr << " --ca-hash " << apiserver::auth::publicKeyHash(ca)
                << "   (--ca-hash for https)";
    }
    std::cerr << std::endl;
  });

  auto* list = cmd->add_subcommand("list", "List bootstrap tokens (their ids, not secrets)");
  list->callback([options] {
    auto all = users(options->dataDir)->bootstrapTokens();
    if (!all) exitWithError(all.error());
    std::cout << std::left << std::setw(10) << "ID" << std::setw(24) << "EXPIRES"
              << "DESCRIPTION\n";
    for (const auto& token : *all) {
      std::cout << std::setw(10) << token.id << std::setw(24) << when(token.expires)
                << token.description << "\n";
    }
  });

  auto* del = cmd->add_subcommand("delete", "Delete a bootstrap token by its id");
  del->add_option("id", options->id, "The token's id (the part before the dot)")->required();
  del->callback([options] {
    if (auto removed = users(options->dataDir)->removeBootstrapToken(options->id); !removed) {
      exitWithError(removed.error());
    }
    std::cout << "token " << options->id << " deleted" << std::endl;
  });
}

}  // namespace decnet::cli
