// decnet lab up|down|exec: a local decoy LAN to try fleets on (a veth pair and an attacker
// namespace), made only of links and namespaces decnet creates.
#include "agents/network/lab.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"

namespace decnet::cli {

void addLabCommand(CLI::App& app, Globals&) {
  auto options = std::make_shared<agents::LabOptions>();
  auto* lab =
      app.add_subcommand("lab", "Create or remove the local lab (decoy LAN + attacker namespace)");
  lab->require_subcommand(1);
  lab->footer(
      "The lab's host end (decnet-lab0) is the parent interface of manifests/quickstart.yaml.\n"
      "Examples:\n  decnet lab up\n  decnet lab exec -- nmap -n -sV 10.77.0.10\n  decnet lab down");
  auto* up =
      lab->add_subcommand("up", "Create the veth pair and the attacker namespace (idempotent)");
  up->add_option("--subnet", options->subnet, "Decoy LAN subnet")->capture_default_str();
  up->add_option("--parent", options->parent, "Host end of the veth pair")->capture_default_str();
  up->add_option("--attacker-namespace", options->attackerNamespace, "Attacker namespace")
      ->capture_default_str();
  up->callback([options] {
    if (auto ok = agents::labUp(*options); !ok) {
      std::cerr << "error: " << describe(ok.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::cout << "lab up: parent interface " << options->parent << ", attacker namespace "
              << options->attackerNamespace << " at " << agents::attackerAddress(*options) << "\n";
  });
  auto* down = lab->add_subcommand("down", "Remove the lab (idempotent)");
  down->add_option("--parent", options->parent, "Host end of the veth pair")->capture_default_str();
  down->add_option("--attacker-namespace", options->attackerNamespace, "Attacker namespace")
      ->capture_default_str();
  down->callback([options] {
    if (auto ok = agents::labDown(*options); !ok) {
      std::cerr << "error: " << describe(ok.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::cout << "lab down\n";
  });
  auto command = std::make_shared<std::vector<std::string>>();
  auto* exec = lab->add_subcommand("exec", "Run a command in the attacker namespace");
  exec->add_option("--attacker-namespace", options->attackerNamespace, "Attacker namespace")
      ->capture_default_str();
  exec->add_option("command", *command, "Command and arguments (after --)")->required();
  exec->callback([options, command] {
    const std::string path = "/run/netns/" + options->attackerNamespace;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      std::cerr << "error: no attacker namespace (run `decnet lab up` first)\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::vector<char*> argv;
    for (auto& a : *command) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::cerr << "error: cannot run " << (*command)[0] << "\n";
    throw CLI::RuntimeError(127);
  });
}

}  // namespace decnet::cli
