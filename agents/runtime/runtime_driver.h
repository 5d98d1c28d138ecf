#pragma once
// Runs the decoy of each decky. The `process` driver runs `decnet-decoy` inside the decky's
// network namespace (plus its own UTS and mount namespaces), as an unprivileged user.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::agents {

struct DecoySpec {
  std::string decky;              // "quickstart-01"
  std::string namespaceName;      // "decnet-quickstart-01"
  std::string hostname;           // set in the decoy's own UTS namespace
  api::Json spec;                 // the Decky spec the decoy serves
  std::uint64_t namespaceId = 0;  // inode of the namespace: a re-created one restarts the decoy
};

struct DecoyState {
  bool running = false;
  int pid = 0;
  int restarts = 0;       // since the agent first saw this decky
  std::string lastError;  // why it last died or failed to start
  std::string specHash;   // of the DecoySpec it runs
};

class RuntimeDriver {
 public:
  virtual ~RuntimeDriver() = default;
  // Starts the decoy, keeps a running one whose spec is unchanged, or restarts it when the spec
  // changed. A decoy that died is restarted with backoff by supervise(), not here. Thread-safe.
  [[nodiscard]] virtual Result<DecoyState> ensure(const DecoySpec& spec) = 0;
  // Stops the decoy (SIGTERM, then SIGKILL after a grace period). Idempotent. Thread-safe.
  [[nodiscard]] virtual Result<void> remove(const std::string& decky) = 0;
  // The decoy's state; running=false when unknown. Thread-safe.
  virtual DecoyState state(const std::string& decky) = 0;
  // Deckies with a decoy this driver knows of (started or adopted).
  virtual std::vector<std::string> list() = 0;
  // Reaps dead decoys and restarts them with backoff; returns the deckies whose decoy died or
  // was restarted (their status is stale). Call periodically; cheap when nothing happened.
  // Thread-safe.
  virtual std::vector<std::string> supervise() = 0;
};
using RuntimeDriverPtr = std::unique_ptr<RuntimeDriver>;

struct ProcessRuntimeOptions {
  std::string binary;           // the decnet-decoy binary to exec
  std::string dataDir;          // decoy records under run/, logs under logs/, keys under state/
  std::string user = "nobody";  // the decoy drops to this user after binding its ports
  bool sandbox = true;
};

// The `process` driver. Hands each decoy its spec on a descriptor (--spec-fd) and records each
// running decoy (pid, spec hash, spec) in run/decoys.jsonl (decoy_records.h). Adopts decoys
// left running by an earlier agent (records whose process still runs decnet-decoy for that
// decky), so a restart never duplicates them. All decoys share one stderr, logs/decoys.stderr.
RuntimeDriverPtr makeProcessRuntime(ProcessRuntimeOptions options);

// The per-decky event log a decoy writes ("<dataDir>/logs/<decky>.log").
std::string decoyLogPath(const std::string& dataDir, const std::string& decky);

}  // namespace decnet::agents
