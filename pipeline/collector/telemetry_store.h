#pragma once
// Where collected attacker events go. Idempotent on (node, sequenceId), so a forwarder that
// resends after a crash or a cut neither loses nor doubles an event; lines that are not RFC 5424
// are kept raw. One driver per file (sqlite_telemetry_store.cc); the collector sees only this.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types/result.h"

namespace decnet::pipeline {

struct CollectedEvent {
  std::int64_t id = 0;  // the store's, ascending in arrival order; 0 before it is stored
  std::string node;     // the forwarding agent's node; "remote:<address>" for other senders
  std::optional<std::int64_t> sequenceId;  // [meta sequenceId]; absent from other senders
  std::string time;                        // RFC 3339 as sent
  std::string decky;                       // HOSTNAME
  std::string service;                     // APP-NAME
  std::string eventType;                   // MSGID
  std::string attackerIp;                  // "" when unknown
  std::string fieldsJson;                  // the structured data as a JSON object
  std::string message;
  int priority = 0;
};

struct MalformedLine {
  std::string node;
  std::string received;  // RFC 3339, when the collector got it
  std::string reason;    // "bad PRI", "truncated frame", ...
  std::string raw;       // the bytes as received
};

// Which stored events a query wants; empty strings match everything.
struct EventQuery {
  std::string decky, service, eventType, attacker;
  std::string since, until;  // RFC 3339 bounds on the event's time (inclusive)
  std::string text;          // free text in the message or the fields
  std::int64_t afterId = 0;  // the cursor: events with a larger id
  std::size_t limit = 100;
};

// One bucket of a histogram: its start (RFC 3339, UTC) and how many events fell in it.
struct HistogramBucket {
  std::string start;
  std::int64_t count = 0;
};

struct CommitResult {
  std::size_t stored = 0;
  std::size_t duplicates = 0;  // already stored (same node and sequenceId)
  std::size_t malformed = 0;
};

class TelemetryStore {
 public:
  virtual ~TelemetryStore() = default;
  // Stores both lists in one transaction; events already stored are skipped and counted.
  [[nodiscard]] virtual Result<CommitResult> commit(
      const std::vector<CollectedEvent>& events, const std::vector<MalformedLine>& malformed) = 0;
  // The highest sequenceId stored for `node`; 0 when none. A forwarder resumes after it.
  [[nodiscard]] virtual Result<std::int64_t> committedSequence(const std::string& node) = 0;
  // The highest event id stored; 0 when none.
  [[nodiscard]] virtual Result<std::int64_t> latestEventId() = 0;
  // How many events are stored (all nodes).
  [[nodiscard]] virtual Result<std::int64_t> eventCount() = 0;
  // The events `query` matches, oldest first, at most query.limit.
  [[nodiscard]] virtual Result<std::vector<CollectedEvent>> query(const EventQuery& query) = 0;
  // How many malformed lines are kept.
  [[nodiscard]] virtual Result<std::int64_t> malformedCount() = 0;
  // Events per service (all stored events).
  [[nodiscard]] virtual Result<std::map<std::string, std::int64_t>> countByService() = 0;
  // How many events `query` matches (limit and cursor ignored) per `bucketSeconds` of their time,
  // oldest bucket first, empty buckets left out.
  [[nodiscard]] virtual Result<std::vector<HistogramBucket>> histogram(
      const EventQuery& query, std::int64_t bucketSeconds) = 0;
  // Deletes at most `batch` events older than `before` (RFC 3339) and malformed lines received
  // before it; how many rows went. Callers repeat until 0, so ingest never waits long.
  [[nodiscard]] virtual Result<std::int64_t> pruneBefore(const std::string& before,
                                                         std::size_t batch) = 0;
};

// Opens the store a DSN names: sqlite::memory:, sqlite:///absolute.db, sqlite://relative.db or
// a plain path. kUnavailable when it cannot be opened; kTerminal for another scheme.
Result<std::unique_ptr<TelemetryStore>> openTelemetryStore(const std::string& dsn);
// The SQLite file (or ":memory:") a telemetry DSN names, its directory created; kTerminal for
// another scheme.
Result<std::string> telemetryDatabasePath(const std::string& dsn);

}  // namespace decnet::pipeline
