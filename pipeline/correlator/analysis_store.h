#pragma once
// What the correlator and the profiler make of the stored events: sessions, attackers and
// credentials, plus each worker's cursor and lease. One driver per file
// (sqlite_analysis_store.cc, in the telemetry database); the workers and the API see only this.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types/result.h"

namespace decnet::pipeline {

struct CredentialUse {
  std::string principal, secret, outcome;  // outcome "failed", "success" or ""
};

// One attacker's activity on one decky and service, closed at disconnect or after 5 min idle.
struct SessionRecord {
  std::int64_t id = 0;  // 0 until stored
  std::string attackerIp, decky, service;
  std::string started, lastSeen;  // RFC 3339 as the events carried them
  std::int64_t lastSeenMicros = 0;
  bool closed = false;
  std::string closeReason;  // "disconnect", "idle"
  std::int64_t eventCount = 0;
  std::vector<std::string> commands;
  std::vector<CredentialUse> credentials;
};

// One principal and secret tried by one attacker on one decky and service.
struct CredentialRecord {
  std::int64_t id = 0;
  std::string attackerIp, decky, service, principal, secret, outcome, firstSeen, lastSeen;
  std::int64_t attempts = 0;
  bool reused = false;  // the same principal and secret also tried on another decky or service
};

struct TraversalHop {
  std::string decky, service, time;
};

// What the profiler concludes about an attacker (the rules are in docs/events.md).
struct AttackerProfile {
  std::string behaviour = "unknown";   // unknown, slow_scan, scanning, brute_force, ...
  std::vector<std::string> tools;      // tool guesses: "nmap", "hydra", ...
  std::string osGuess = "unknown";     // from the TTLs seen: linux, windows, embedded
  std::vector<std::string> killChain;  // recon, credential_access, execution, exfiltration
  int threatScore = 0;                 // 0..100
};

// One attacker address across the fleet.
struct AttackerRecord {
  std::int64_t id = 0;  // opaque to clients; 0 until stored
  std::string ip, firstSeen, lastSeen;
  std::int64_t eventCount = 0, sessionCount = 0, credentialCount = 0, commandCount = 0;
  std::vector<std::string> services, deckies;  // in first-contact order
  std::vector<TraversalHop> traversal;         // a hop each time the decky changes
  std::vector<std::string> commands;           // the latest ones, bounded
  // The hops and commands are stored as rows (appended, never rewritten). A record loaded for
  // the correlator holds only the last stored hop (hopsLoaded 1) and no stored command; on save,
  // traversal[hopsLoaded...] and commands[commandsLoaded...] are the new rows.
  std::int64_t hopsStored = 0;
  std::size_t hopsLoaded = 0, commandsLoaded = 0;
  std::vector<std::string> clients;  // User-Agents, SSH client versions, ...
  std::vector<int> ttls;             // distinct IP TTLs events reported
  std::map<std::string, std::int64_t> eventTypes;
  // Inter-arrival times of its events (Welford's running mean and M2, in seconds).
  std::int64_t lastEventMicros = 0, gaps = 0;
  double gapMean = 0, gapM2 = 0;
  std::int64_t revision = 0;  // bumped by every correlator change
  // Filled on reads only:
  bool credentialReused = false;
  std::optional<AttackerProfile> profile;  // absent until profiled
  std::int64_t profiledRevision = 0;
};

// What one correlator pass changes, written in one transaction.
struct CorrelationBatch {
  std::int64_t cursor = 0;  // the last event id this pass consumed
  std::vector<AttackerRecord> attackers;
  std::vector<SessionRecord> sessions;  // id 0: new
  std::vector<CredentialRecord>
      credentials;  // added to (attacker, decky, service, principal, secret)
};

// Which stored records a read wants; empty strings match everything.
struct AnalysisQuery {
  std::string attackerIp, decky, service;
  std::int64_t afterId = 0;  // the cursor
  std::size_t limit = 100;
  bool openOnly = false;  // sessions only
};

struct AnalysisCounts {
  std::int64_t attackers = 0, sessions = 0, openSessions = 0, credentials = 0;
};

class AnalysisStore {
 public:
  virtual ~AnalysisStore() = default;

  // Takes or renews `worker`'s lease for `holder` until now + ttl; true when `holder` holds it
  // (another live holder makes this one a standby: false).
  [[nodiscard]] virtual Result<bool> acquireLease(const std::string& worker,
                                                  const std::string& holder,
                                                  std::chrono::milliseconds ttl) = 0;
  // Gives the lease up at once when `holder` has it.
  [[nodiscard]] virtual Result<void> releaseLease(const std::string& worker,
                                                  const std::string& holder) = 0;
  // The holder of `worker`'s unexpired lease; "" when none.
  [[nodiscard]] virtual Result<std::string> leaseHolder(const std::string& worker) = 0;
  // The last event id `worker` has consumed; 0 when none.
  [[nodiscard]] virtual Result<std::int64_t> cursor(const std::string& worker) = 0;

  // The stored attackers with these addresses (absent ones are missing from the map), loaded
  // for the correlator: the last traversal hop only, no commands, no profile.
  [[nodiscard]] virtual Result<std::map<std::string, AttackerRecord>> attackersByIp(
      const std::vector<std::string>& ips) = 0;
  // The open sessions of these attacker addresses.
  [[nodiscard]] virtual Result<std::vector<SessionRecord>> openSessions(
      const std::vector<std::string>& ips) = 0;
  // Writes `batch` and advances the correlator's cursor in one transaction, only while `holder`
  // holds the "correlator" lease (kConflict otherwise: nothing is written).
  [[nodiscard]] virtual Result<void> saveCorrelation(const CorrelationBatch& batch,
                                                     const std::string& holder) = 0;
  // Closes open sessions last seen before `beforeMicros` as idle; how many.
  [[nodiscard]] virtual Result<std::int64_t> closeIdleSessions(std::int64_t beforeMicros,
                                                               const std::string& holder) = 0;

  // Attackers changed since their last profile, oldest change first, at most `limit` (without
  // their traversal and commands).
  [[nodiscard]] virtual Result<std::vector<AttackerRecord>> attackersToProfile(
      std::size_t limit) = 0;
  // Stores profiles (attacker id -> profile, the revision it describes) while `holder` holds
  // the "profiler" lease (kConflict otherwise).
  [[nodiscard]] virtual Result<void> saveProfiles(
      const std::vector<std::pair<AttackerRecord, AttackerProfile>>& profiles,
      const std::string& holder) = 0;

  // Reads for the API, ordered by id, after query.afterId.
  [[nodiscard]] virtual Result<std::vector<AttackerRecord>> attackers(
      const AnalysisQuery& query) = 0;
  // One attacker; kNotFound when absent.
  [[nodiscard]] virtual Result<AttackerRecord> attacker(std::int64_t id) = 0;
  [[nodiscard]] virtual Result<std::vector<SessionRecord>> sessions(const AnalysisQuery& query) = 0;
  [[nodiscard]] virtual Result<std::vector<CredentialRecord>> credentials(
      const AnalysisQuery& query) = 0;
  [[nodiscard]] virtual Result<AnalysisCounts> counts() = 0;
  // Sessions not closed yet (an index range: cheap enough for every scrape).
  [[nodiscard]] virtual Result<std::int64_t> openSessionCount() = 0;
};

// Opens the analysis tables in the telemetry database a DSN names (as openTelemetryStore).
Result<std::unique_ptr<AnalysisStore>> openAnalysisStore(const std::string& dsn);

}  // namespace decnet::pipeline
