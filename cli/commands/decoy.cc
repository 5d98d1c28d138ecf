// decnet decoy: run one decky's services (started by the agent, not by hand). Enters the
// decky's network namespace, makes its own UTS and mount namespaces, sets the hostname, then
// runs the decoy, which binds its ports and drops to an unprivileged user.
#include "decoy/decoy.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "cli/context.h"

namespace decnet::cli {

void addDecoyCommand(CLI::App& app, Globals&) {
  struct Options {
    std::string decky;
    std::string specFile;
    std::string netns;
    std::string hostname;
    std::string user;
    std::string bind = "0.0.0.0";
    bool noSandbox = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("decoy", "Run the emulated services of one decky (used by the agent)");
  cmd->add_option("--decky", options->decky, "Decky name (HOSTNAME of every event line)")
      ->required();
  cmd->add_option("--spec-file", options->specFile,
                  "JSON file: {\"spec\": <Decky spec>} or the spec itself")
      ->required();
  cmd->add_option("--netns", options->netns, "Network namespace to enter (/run/netns/NAME)");
  cmd->add_option("--hostname", options->hostname, "Hostname for the decoy's own UTS namespace");
  cmd->add_option("--user", options->user, "Drop to this user after binding the ports");
  cmd->add_option("--bind", options->bind, "Address to bind")->capture_default_str();
  cmd->add_flag("--no-sandbox", options->noSandbox, "Skip no_new_privs, seccomp and rlimits");
  cmd->callback([options] {
    std::ifstream in(options->specFile);
    api::Json file = api::Json::parse(in, nullptr, false);
    if (!file.is_object()) {
      std::cerr << "decoy: cannot read spec from " << options->specFile << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    api::Json spec = file.contains("spec") ? file["spec"] : file;
    if (!options->netns.empty()) {
      const std::string path = "/run/netns/" + options->netns;
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
        std::cerr << "decoy: cannot enter network namespace " << options->netns << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      ::close(fd);
    }
    if (!options->hostname.empty()) {
      // Own UTS namespace for the hostname; own mount namespace so nothing it mounts leaks.
      if (::unshare(CLONE_NEWUTS | CLONE_NEWNS) != 0 ||
          ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
          ::sethostname(options->hostname.data(), options->hostname.size()) != 0) {
        std::cerr << "decoy: cannot set up the UTS/mount namespace for " << options->hostname
                  << "\n";
        throw CLI::RuntimeError(kExitError);
      }
    }
    decoy::DecoyOptions decoyOptions;
    decoyOptions.decky = options->decky;
    decoyOptions.spec = spec;
    decoyOptions.bindAddress = options->bind;
    decoyOptions.runAsUser = options->user;
    decoyOptions.sandbox = !options->noSandbox;
    const int code = decoy::runDecoy(decoyOptions);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace decnet::cli
