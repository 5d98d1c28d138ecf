// decnet delete -f FILE | KIND NAME... [--wait] [--timeout 60s] [--dry-run=server]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <thread>

#include "api/types/clock.h"
#include "api/types/kinds.h"
#include "cli/context.h"
#include "cli/manifests.h"

namespace decnet::cli {

void addDeleteCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::vector<std::string> files;
    bool recursive = false;
    std::vector<std::string> args;
    bool wait = false;
    std::string timeout = "60s";
    std::string dryRun = "none";
    bool ignoreNotFound = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("delete", "Delete objects by file or by name");
  cmd->footer(
      "Deleting a fleet deletes its deckies (garbage collection); deckies wait for their\n"
      "teardown finalizer.\n\nExamples:\n  decnet delete fleet corp --wait\n"
      "  decnet delete -f manifests/quickstart.yaml");
  cmd->add_option("-f,--filename", options->files, "File, directory or - for stdin");
  cmd->add_flag("-R,--recursive", options->recursive, "Descend into directories");
  cmd->add_option("args", options->args, "KIND NAME... or KIND/NAME...");
  cmd->add_flag("--wait", options->wait,
                "Wait until the objects are gone, and for a fleet every decky it owned (their "
                "namespaces and decoys torn down)");
  cmd->add_option("--timeout", options->timeout, "How long --wait waits (e.g. 60s, 5m)");
  cmd->add_option("--dry-run", options->dryRun,
                  "none (delete), or server (the server checks the delete and deletes nothing)")
      ->check(CLI::IsMember({"none", "server"}));
  cmd->add_flag("--ignore-not-found", options->ignoreNotFound, "Treat missing objects as deleted");
  cmd->callback([options, &globals] {
    std::vector<api::ObjectKey> keys;
    if (!options->files.empty()) {
      auto manifests = loadManifests(options->files, options->recursive);
      if (!manifests) {
        std::cerr << "error: " << describe(manifests.error()) << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      for (const auto& m : *manifests) keys.push_back(m.object.key());
    } else {
      std::optional<api::KindInfo> kind;
      for (const auto& arg : options->args) {
        if (auto slash = arg.find('/'); slash != std::string::npos) {
          auto k = api::findKind(arg.substr(0, slash));
          if (!k) {
            std::cerr << "error: unknown kind \"" << arg.substr(0, slash) << "\"\n";
            throw CLI::RuntimeError(kExitUsage);
          }
          keys.push_back({k->kind, arg.substr(slash + 1)});
        } else if (!kind) {
          kind = api::findKind(arg);
          if (!kind) {
            std::cerr << "error: unknown kind \"" << arg << "\"\n";
            throw CLI::RuntimeError(kExitUsage);
          }
        } else {
          keys.push_back({kind->kind, arg});
        }
      }
    }
    if (keys.empty()) {
      std::cerr << "error: nothing to delete: give -f FILE or KIND NAME\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    auto timeout = api::parseDuration(options->timeout);
    if (!timeout) {
      std::cerr << "error: --timeout must be a duration such as 60s or 5m\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    auto client = connect(globals);
    const bool dry = options->dryRun == "server";
    int failures = 0;
    std::map<api::ObjectKey, std::string> deletedUids;  // what --wait waits for
    for (const auto& key : keys) {
      auto info = api::findKind(key.kind);
      const std::string shown = info->plural + ".decnet.io \"" + key.name + "\"";
      auto removed = client->remove(key, {dry});
      if (!removed) {
        if (removed.error().code == Errc::kNotFound && options->ignoreNotFound) continue;
        std::cerr << "Error from server (" << errcName(removed.error().code)
                  << "): " << removed.error().message << "\n";
        ++failures;
        continue;
      }
      std::cout << shown << " deleted" << (dry ? " (server dry run)" : "") << "\n";
      deletedUids[key] = removed->metadata.uid;
    }
    if (options->wait && !dry) {
      const auto deadline = std::chrono::steady_clock::now() + *timeout;
      // Gone means the object (this uid: a re-created one is another object) and every decky
      // it owns, down to their teardown finalizers: then the namespaces are gone too.
      const auto gone = [&](const api::ObjectKey& key, const std::string& uid) {
        auto current = client->get(key);
        if (current && (uid.empty() || current->metadata.uid == uid)) return false;
        if (!current && current.error().code != Errc::kNotFound) return false;
        if (key.kind != "Fleet") return true;
        auto owned = client->list("Decky", {std::string(api::kFleetLabel) + "=" + key.name, ""});
        if (!owned) return false;
        return std::none_of(owned->items.begin(), owned->items.end(), [&](const api::Object& d) {
          const auto* owner = d.controllerOwner();
          return owner != nullptr && (uid.empty() || owner->uid == uid);
        });
      };
      for (const auto& [key, uid] : deletedUids) {
        while (!gone(key, uid)) {
          if (std::chrono::steady_clock::now() > deadline) {
            std::cerr << "error: timed out waiting for " << key.str()
                      << (key.kind == "Fleet" ? " and its deckies" : "") << " to be deleted\n";
            throw CLI::RuntimeError(kExitError);
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      }
    }
    if (failures > 0) throw CLI::RuntimeError(kExitError);
  });
}

}  // namespace decnet::cli
