#pragma once
// The decoy: all emulated services of one decky in one process and one event loop. Every
// interaction becomes an RFC 5424 line on the output stream (docs/events.md).
#include <cstdio>
#include <string>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::decoy {

struct DecoyOptions {
  std::string decky;  // HOSTNAME field of every line
  api::Json spec;     // the Decky spec (services with ports and persona, hostname, ...)
  std::string bindAddress = "0.0.0.0";
  std::string runAsUser;     // non-empty: drop to this user after binding
  bool sandbox = true;       // no_new_privs, seccomp allow-list, RLIMIT_NOFILE after binding
  int maxConnections = 256;  // per decoy; excess connections are closed (and recorded)
  int maxPerAddress = 64;    // per attacker address, likewise
  std::string stateDir;      // kept across restarts (host keys); "" = none
  std::string keygenLock;    // host-wide lock file serialising key generation; "" = none
  std::FILE* out = stdout;   // where event lines go (line-buffered)
};

// Binds every service's ports, reports each as a `listening` (or `bind_failed`) line with
// APP-NAME = service and structured data port/proto, applies the sandbox, then serves until
// SIGTERM/SIGINT. Returns the process exit code. Blocks.
int runDecoy(const DecoyOptions& options);

// The tag before everything a decoy writes on stderr, which the decoys of a host share:
// "decnet-decoy[corp-01]" for decky corp-01.
std::string stderrTag(const std::string& decky);

}  // namespace decnet::decoy
