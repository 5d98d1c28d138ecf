// decnet-decoy: the emulated services of one decky, started by the agent. Enters the decky's
// network namespace, makes its own UTS and mount namespaces, sets the hostname, then runs the
// decoy, which binds its ports and drops to an unprivileged user. A lean binary: none of the
// control plane (REST, YAML, SQLite) is linked in, so an attacker who reaches it reaches only
// decoy code.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "decoy/decoy.h"

namespace {

constexpr const char* kUsage =
    R"(decnet-decoy: run the emulated services of one decky (the agent starts it)

Usage: decnet-decoy --decky NAME (--spec-file FILE | --spec-fd N | --spec JSON) [options]

Options:
  --decky NAME            decky name: the HOSTNAME of every event line (required)
  --spec-file FILE        JSON file holding {"spec": <Decky spec>} or the spec itself
  --spec-fd N             read that JSON from open descriptor N to its end, then close it
  --spec JSON             the Decky spec inline
  --netns NAME            network namespace to enter (/run/netns/NAME)
  --hostname NAME         hostname for the decoy's own UTS namespace
  --user USER             drop to this user after binding the ports
  --bind ADDRESS          address to bind (default 0.0.0.0)
  --out FILE              append event lines to FILE instead of stdout
  --state-dir DIR         keep host keys and certificates here across restarts
  --keygen-lock FILE      take this lock file (shared by all decoys on the host) while making
                          an RSA host key, so decoys started together make theirs one at a time
  --max-connections N     live connections of all services together (default 256)
  --max-per-address N     live connections from one attacker address (default 64)
  --no-sandbox            skip no_new_privs, seccomp and rlimits (tests only)
  -h, --help              this text

Every interaction is one RFC 5424 line on stdout (see docs/events.md).
Example (what the agent runs):
  decnet-decoy --decky corp-01 --spec-fd 3 \
      --netns decnet-corp-01 --hostname SRV-WEB-12 --user nobody \
      --state-dir /var/lib/decnet/state/corp-01 --keygen-lock /var/lib/decnet/state/.keygen.lock
)";

// Before every stderr line: the decoys of a host share one stderr file, so once the decky is
// known it is named ("decnet-decoy[corp-01]").
std::string errorTag = "decnet-decoy";

[[noreturn]] void usageError(const std::string& message) {
  std::cerr << errorTag << ": " << message << "\n(see decnet-decoy --help)\n";
  std::exit(2);
}

int positiveNumber(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 1 || value > 1000000) {
    usageError(option + " must be a number 1..1000000 (got \"" + text + "\")");
  }
  return static_cast<int>(value);
}

}  // namespace

int main(int argc, char** argv) {
  namespace decoy = decnet::decoy;
  decoy::DecoyOptions options;
  std::string specFile, specText, netns, hostname, out;
  int specFd = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--decky") {
      options.decky = value();
    } else if (arg == "--spec-file") {
      specFile = value();
    } else if (arg == "--spec-fd") {
      const std::string text = value();
      char* end = nullptr;
      const long fd = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || fd < 0 || fd > 65535) {
        usageError("--spec-fd must be a descriptor number (got \"" + text + "\")");
      }
      specFd = static_cast<int>(fd);
    } else if (arg == "--spec") {
      specText = value();
    } else if (arg == "--netns") {
      netns = value();
    } else if (arg == "--hostname") {
      hostname = value();
    } else if (arg == "--user") {
      options.runAsUser = value();
    } else if (arg == "--bind") {
      options.bindAddress = value();
    } else if (arg == "--state-dir") {
      options.stateDir = value();
    } else if (arg == "--keygen-lock") {
      options.keygenLock = value();
    } else if (arg == "--out") {
      out = value();
    } else if (arg == "--max-connections") {
      options.maxConnections = positiveNumber(arg, value());
    } else if (arg == "--max-per-address") {
      options.maxPerAddress = positiveNumber(arg, value());
    } else if (arg == "--no-sandbox") {
      options.sandbox = false;
    } else {
      usageError("unknown option " + arg);
    }
  }
  if (options.decky.empty()) usageError("--decky is required");
  errorTag = decoy::stderrTag(options.decky);
  if (int(!specFile.empty()) + int(!specText.empty()) + int(specFd >= 0) != 1) {
    usageError("give one of --spec-file, --spec-fd or --spec");
  }
  if (specFd >= 0) {
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(specFd, buffer, sizeof buffer)) > 0) specText.append(buffer, n);
    if (n < 0) usageError("cannot read descriptor " + std::to_string(specFd));
    ::close(specFd);
  }

  if (!specFile.empty()) {
    std::ifstream in(specFile);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) usageError("cannot read " + specFile);
    specText = text.str();
  }
  decnet::api::Json file = decnet::api::Json::parse(specText, nullptr, false);
  if (!file.is_object()) usageError("the spec is not a JSON object");
  options.spec = file.contains("spec") ? file["spec"] : file;

  if (!netns.empty()) {
    const std::string path = "/run/netns/" + netns;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      std::cerr << errorTag << ": cannot enter network namespace " << netns << ": "
                << std::strerror(errno) << "\n";
      return 1;
    }
    ::close(fd);
  }
  if (!hostname.empty()) {
    // Own UTS namespace for the hostname; own mount namespace so nothing it mounts leaks.
    if (::unshare(CLONE_NEWUTS | CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::sethostname(hostname.data(), hostname.size()) != 0) {
      std::cerr << errorTag << ": cannot set up the UTS/mount namespace for " << hostname << ": "
                << std::strerror(errno) << "\n";
      return 1;
    }
  }
  if (!out.empty()) {
    options.out = std::fopen(out.c_str(), "a");
    if (options.out == nullptr) {
      std::cerr << errorTag << ": cannot open " << out << ": " << std::strerror(errno) << "\n";
      return 1;
    }
  }
  const int code = decoy::runDecoy(options);
  // Detached threads (a session ending, a host key still being generated) may still be inside
  // OpenSSL or libssh: leave without running atexit handlers, which would free what they use.
  // Every event line is already flushed.
  std::fflush(nullptr);
  std::_Exit(code);
}
