#pragma once
// Collects what the decoys of this node write (one log file per decky) into the node's spool
// file, stamping each RFC 5424 line with [meta sequenceId="N"] (RFC 5424 §7.3.1) so that the
// pipeline can later deliver them without loss or duplicates. It also reads each decoy's
// `listening` / `bind_failed` lines to know which services are ready.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace decnet::agents {

struct ServiceReadiness {
  bool ready = false;
  std::vector<int> ports;
  std::string message;       // why not ready
  bool notEmulated = false;  // the decoy has no emulator for it (it serves the others)
};

struct DecoyReadiness {
  bool started = false;  // a decoy_start marker was seen
  std::map<std::string, ServiceReadiness> services;
};

// Inserts [meta sequenceId="N"] into an RFC 5424 line after its structured data; nullopt-like
// empty string when the line is not RFC 5424 (the caller keeps such lines raw).
std::string stampSequence(const std::string& line, std::uint64_t sequence);

class LogForwarder {
 public:
  LogForwarder(std::string dataDir, std::string node);

  // Reads new complete lines from every decky log and appends them to the spool. Offsets and
  // the next sequence number persist in spool/<node>.state, so a restart resumes where it
  // stopped (a crash between append and state save may repeat a line, never lose one).
  // Thread-safe.
  void poll();
  DecoyReadiness readiness(const std::string& decky) const;
  // Forwards the decky's last lines, then removes its log and forgets it (after teardown).
  void forget(const std::string& decky);
  std::string spoolPath() const;
  std::uint64_t linesForwarded() const { return forwarded_; }
  std::uint64_t rawLines() const { return raw_; }

 private:
  void pollLocked();  // requires pollMutex_
  void loadState();
  void rebuildReadiness();
  void saveState() const;
  void observe(const std::string& decky, const std::string& line);

  const std::string dataDir_;
  const std::string node_;
  std::map<std::string, std::uint64_t> offsets_;  // decky -> bytes consumed
  std::uint64_t nextSequence_ = 1;
  std::atomic<std::uint64_t> forwarded_{0};
  std::atomic<std::uint64_t> raw_{0};
  std::mutex pollMutex_;  // poll() against forget()
  mutable std::mutex readinessMutex_;
  std::map<std::string, DecoyReadiness> readiness_;
};

}  // namespace decnet::agents
