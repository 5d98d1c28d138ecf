#pragma once
// Collects what the decoys of this node write (one log file per decky) into the node's spool
// file, stamping each RFC 5424 line with [meta sequenceId="N"] (RFC 5424 §7.3.1) so that the
// pipeline can later deliver them without loss or duplicates. Floods of identical events are
// folded into count lines (EventFolder); the spool is rotated, trimmed and capped
// (SpoolSegments). It also reads each decoy's `listening` / `bind_failed` lines to know which
// services are ready.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agents/event_folder.h"
#include "agents/spool_segments.h"

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

// What the decoys of this node reported, counted as their lines are read (before folding, so
// every line counts once). For the agent's decnet_decoy_*, decnet_attacker_events_total and
// decnet_credentials_captured_total series. Attacker addresses are never keys.
struct DecoyCounts {
  std::map<std::pair<std::string, std::string>, std::uint64_t> connections;  // (decky, service)
  // (service, event type) of the lines that name an attacker (src_ip).
  std::map<std::pair<std::string, std::string>, std::uint64_t> attackerEvents;
  std::map<std::string, std::uint64_t> credentials;  // service: lines carrying a principal
};

struct LogForwarderOptions {
  SpoolLimits spool;  // segment size and cap of <data-dir>/spool/<node>.log*
  FoldOptions fold;   // folding of repeated events
};

class LogForwarder {
 public:
  LogForwarder(std::string dataDir, std::string node, LogForwarderOptions options = {});
  ~LogForwarder();
  LogForwarder(const LogForwarder&) = delete;
  LogForwarder& operator=(const LogForwarder&) = delete;

  // Reads new complete lines from the decky logs written since the last poll (inotify tells
  // which; every log is read every 30 s and after an inotify overflow) and appends them to the
  // spool. Offsets and the next sequence number persist in spool/<node>.state, so a restart
  // resumes where it stopped (a crash between append and state save may repeat a line, never
  // lose one; lines held back by folding are only in memory until their window ends). Returns
  // the deckies whose readiness changed (a decoy started, a service listens or failed).
  // Thread-safe.
  std::vector<std::string> poll();
  // Like poll(), then writes the count lines of the folding windows still open (before a stop).
  // Thread-safe.
  void drain();
  DecoyReadiness readiness(const std::string& decky) const;
  // Counts since this forwarder started. Thread-safe.
  DecoyCounts decoyCounts() const;
  // Retires the decky's log after teardown: the next poll ships its last lines, then deletes
  // it. Returns at once (no read, no spool write); a new log of the same name starts afresh.
  void forget(const std::string& decky);
  // The active spool file, <data-dir>/spool/<node>.log.
  std::string spoolPath() const;
  // The node's spool files, for the shipper that reads and trims them.
  std::shared_ptr<SpoolSegments> spool() const { return spool_; }
  std::uint64_t linesForwarded() const { return forwarded_; }
  // The sequenceId of the newest line in the spool (0: none yet), and the bytes this forwarder
  // has written to the spool since it started.
  std::uint64_t lastSequence() const { return lastSequence_; }
  std::uint64_t bytesSpooled() const { return bytesSpooled_; }
  std::uint64_t rawLines() const { return raw_; }
  // Lines held back by folding (each counted in a count line).
  std::uint64_t linesFolded() const { return folded_; }
  // Lines the spool's cap deleted before the collector had them.
  std::uint64_t linesDroppedByCap() const { return spool_->linesDroppedByCap(); }

 private:
  // Lines read and stamped in one poll, with where reading stopped.
  struct Batch {
    std::string text;
    std::map<std::string, std::uint64_t> offsets;  // of the logs read, where reading stopped
    std::uint64_t nextSequence = 1;
    std::uint64_t forwarded = 0, raw = 0;
    std::vector<std::string> retiredRead;  // retired logs read to their end: deleted once written
  };
  // A log whose decky was torn down, renamed into logs/retired/ as DECKY@OFFSET@TIME.log (the
  // name carries the offset shipped so far, so a restart resumes it without the state file).
  struct RetiredLog {
    std::string decky;
    std::uint64_t offset = 0;  // where to read from
    std::uint64_t serial = 0;  // when it was retired (ships in this order)
  };
  void pollLocked(bool closeFolds);  // requires pollMutex_
  // Stamps `line` with the batch's next sequence number and adds it (raw if not RFC 5424).
  static void addLine(Batch& batch, const std::string& line);
  Batch collect(EventFolder::Clock::time_point now, bool closeFolds);
  // The deckies whose logs to read now (requires pollMutex_).
  std::vector<std::string> logsToRead();
  void loadState();
  void loadRetired();
  std::string retiredDir() const { return dataDir_ + "/logs/retired"; }
  void rebuildReadiness();
  void saveState() const;
  // Readiness from one line (unless `readiness` is false: a retired log's decky may already
  // run again); with `count`, its event is counted too (not on a replay).
  void observe(const std::string& decky, const std::string& line, bool count,
               bool readiness = true);
  // The complete lines of `file` from `offset`, each observed, folded and added to `batch`;
  // returns the offset after the last complete line.
  std::uint64_t readLines(const std::string& file, const std::string& decky, std::uint64_t offset,
                          bool readiness, EventFolder::Clock::time_point now, Batch& batch);

  const std::string dataDir_;
  const std::string node_;
  // Frees the disk blocks of decoy logs already in the spool (a hole; offsets stay valid).
  void releaseConsumed();

  std::map<std::string, std::uint64_t> offsets_;   // decky -> bytes consumed
  std::map<std::string, std::uint64_t> released_;  // decky -> log bytes given back
  std::map<std::string, RetiredLog> retired_;      // file name in logs/retired/ -> its log
  std::uint64_t nextSequence_ = 1;
  std::atomic<std::uint64_t> forwarded_{0};
  std::atomic<std::uint64_t> raw_{0};
  std::atomic<std::uint64_t> folded_{0};
  std::atomic<std::uint64_t> lastSequence_{0}, bytesSpooled_{0};
  std::shared_ptr<SpoolSegments> spool_;
  EventFolder folder_;
  std::optional<Batch> unwritten_;  // collected but not yet in the spool (its write failed)
  bool stateDirty_ = false;         // offsets changed without a save (requires pollMutex_)
  std::mutex pollMutex_;            // poll() against forget()
  mutable std::mutex readinessMutex_;
  std::map<std::string, DecoyReadiness> readiness_;
  std::set<std::string> readinessChanged_;  // since the last poll()
  int written_ = -1;  // inotify on logs/: which logs were written; -1: read them all each poll
  std::chrono::steady_clock::time_point lastFullRead_{};
  mutable std::mutex countsMutex_;
  DecoyCounts counts_;
};

}  // namespace decnet::agents
