// The SQLite driver of TelemetryStore (WAL). SQLiteCpp stays in this file.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>

#include "pipeline/collector/sqlite_wal_checkpointer.h"
#include "pipeline/collector/telemetry_store.h"

namespace decnet::pipeline {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS telemetry_events (
  id INTEGER PRIMARY KEY,
  node TEXT NOT NULL,
  sequence_id INTEGER,
  time TEXT NOT NULL,
  decky TEXT NOT NULL,
  service TEXT NOT NULL,
  event_type TEXT NOT NULL,
  attacker_ip TEXT NOT NULL,
  fields TEXT NOT NULL,
  message TEXT NOT NULL,
  priority INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS telemetry_events_node_sequence
  ON telemetry_events(node, sequence_id) WHERE sequence_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS telemetry_events_time ON telemetry_events(time);
CREATE TABLE IF NOT EXISTS telemetry_malformed (
  id INTEGER PRIMARY KEY,
  node TEXT NOT NULL,
  received TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw BLOB NOT NULL);
)";

constexpr const char* kSelect =
    "SELECT id, node, sequence_id, time, decky, service, event_type, attacker_ip, fields, message, "
    "priority FROM telemetry_events";

std::vector<CollectedEvent> readEvents(SQLite::Statement& query) {
  std::vector<CollectedEvent> events;
  while (query.executeStep()) {
    CollectedEvent event;
    event.id = query.getColumn(0).getInt64();
    event.node = query.getColumn(1).getString();
    if (!query.getColumn(2).isNull()) event.sequenceId = query.getColumn(2).getInt64();
    event.time = query.getColumn(3).getString();
    event.decky = query.getColumn(4).getString();
    event.service = query.getColumn(5).getString();
    event.eventType = query.getColumn(6).getString();
    event.attackerIp = query.getColumn(7).getString();
    event.fieldsJson = query.getColumn(8).getString();
    event.message = query.getColumn(9).getString();
    event.priority = query.getColumn(10).getInt();
    events.push_back(std::move(event));
  }
  return events;
}

// SQLite's memory statistics take a process-wide mutex around every allocation it makes (~5 % of
// ingest, and no one here reads them). Process-wide, so set at static initialisation, before any
// connection exists; sqlite3_config refuses it once SQLite is initialised.
[[maybe_unused]] const bool kMemoryStatisticsOff =
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;

constexpr int kCheckpointEveryFrames = 1000;  // SQLite's own default threshold (~4 MB)
constexpr int kLogFramesCap = 8000;           // ~32 MB of log

constexpr std::size_t kColumns = 10;
constexpr std::size_t kRowsPerInsert = 64;

// INSERT OR IGNORE of `rows` events: duplicates of a stored (node, sequence_id) are skipped.
std::string insertSql(std::size_t rows) {
  std::string sql =
      "INSERT OR IGNORE INTO telemetry_events (node, sequence_id, time, decky, service, "
      "event_type, attacker_ip, fields, message, priority) VALUES ";
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?)";
  }
  return sql;
}

// Binds `event` to parameters offset+1 .. offset+kColumns, without copies: the caller's batch
// outlives the statement's use of each value.
void bindEvent(SQLite::Statement& insert, int offset, const CollectedEvent& event) {
  insert.bindNoCopy(offset + 1, event.node);
  if (event.sequenceId) {
    insert.bind(offset + 2, static_cast<int64_t>(*event.sequenceId));
  } else {
    insert.bind(offset + 2);  // NULL: senders without sequence numbers are never deduplicated
  }
  insert.bindNoCopy(offset + 3, event.time);
  insert.bindNoCopy(offset + 4, event.decky);
  insert.bindNoCopy(offset + 5, event.service);
  insert.bindNoCopy(offset + 6, event.eventType);
  insert.bindNoCopy(offset + 7, event.attackerIp);
  insert.bindNoCopy(offset + 8, event.fieldsJson);
  insert.bindNoCopy(offset + 9, event.message);
  insert.bind(offset + 10, event.priority);
}

class SqliteTelemetryStore final : public TelemetryStore {
 public:
  explicit SqliteTelemetryStore(const std::string& path)
      // NOMUTEX: mutex_ already serialises every use of the connection; SQLite's own lock
      // was taken and released around each bind and step (~5 % of ingest).
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
            /*busy_timeout_ms=*/5000) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec(kSchema);
    if (path != ":memory:") {
      // Checkpoints move to their own thread. wal_autocheckpoint=0 first: it replaces the hook.
      db_.exec("PRAGMA wal_autocheckpoint=0");
      checkpointer_ = std::make_unique<WalCheckpointer>(path, kCheckpointEveryFrames);
      sqlite3_wal_hook(db_.getHandle(), &SqliteTelemetryStore::committed, this);
    }
  }

  Result<CommitResult> commit(const std::vector<CollectedEvent>& events,
                              const std::vector<MalformedLine>& malformed) override {
    std::lock_guard lock(mutex_);
    return guarded([&]() -> CommitResult {
      CommitResult result;
      SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
      // Rows go in statements of kRowsPerInsert: one statement run per row cost a cursor open,
      // seek and close on the table and both indexes per event.
      std::size_t at = 0;
      for (; at + kRowsPerInsert <= events.size(); at += kRowsPerInsert) {
        if (!insertMany_) insertMany_.emplace(db_, insertSql(kRowsPerInsert));
        insertMany_->reset();  // a statement a failed commit left mid-run
        for (std::size_t row = 0; row < kRowsPerInsert; ++row) {
          bindEvent(*insertMany_, static_cast<int>(row * kColumns), events[at + row]);
        }
        const int stored = insertMany_->exec();
        result.stored += static_cast<std::size_t>(stored);
        result.duplicates += kRowsPerInsert - static_cast<std::size_t>(stored);
        insertMany_->reset();
      }
      for (; at < events.size(); ++at) {
        if (!insertOne_) insertOne_.emplace(db_, insertSql(1));
        insertOne_->reset();
        bindEvent(*insertOne_, 0, events[at]);
        if (insertOne_->exec() == 1) {
          ++result.stored;
        } else {
          ++result.duplicates;
        }
        insertOne_->reset();
      }
      SQLite::Statement keep(
          db_, "INSERT INTO telemetry_malformed (node, received, reason, raw) VALUES (?,?,?,?)");
      for (const auto& line : malformed) {
        keep.bind(1, line.node);
        keep.bind(2, line.received);
        keep.bind(3, line.reason);
        keep.bind(4, line.raw.data(), static_cast<int>(line.raw.size()));
        keep.exec();
        keep.reset();
        ++result.malformed;
      }
      transaction.commit();
      return result;
    });
  }

  Result<std::int64_t> committedSequence(const std::string& node) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      SQLite::Statement query(
          db_, "SELECT COALESCE(MAX(sequence_id), 0) FROM telemetry_events WHERE node = ?");
      query.bind(1, node);
      query.executeStep();
      return static_cast<std::int64_t>(query.getColumn(0).getInt64());
    });
  }

  Result<std::vector<CollectedEvent>> query(const EventQuery& wanted) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::vector<std::string> values;
      const std::string where = whereClause(wanted, values);
      SQLite::Statement query(db_, std::string(kSelect) + where + " ORDER BY id LIMIT ?");
      int at = 1;
      query.bind(at++, static_cast<int64_t>(wanted.afterId));
      for (const auto& value : values) query.bind(at++, value);
      query.bind(at, static_cast<int64_t>(wanted.limit));
      return readEvents(query);
    });
  }

  Result<std::map<std::string, std::int64_t>> countByService() override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::map<std::string, std::int64_t> counts;
      SQLite::Statement query(db_,
                              "SELECT service, COUNT(*) FROM telemetry_events GROUP BY service");
      while (query.executeStep()) {
        counts[query.getColumn(0).getString()] = query.getColumn(1).getInt64();
      }
      return counts;
    });
  }

  Result<std::vector<HistogramBucket>> histogram(const EventQuery& wanted,
                                                 std::int64_t bucketSeconds) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::vector<std::string> values;
      const std::string where = whereClause(wanted, values);
      // unixepoch() of an RFC 3339 text; events whose time SQLite cannot read are left out.
      SQLite::Statement query(
          db_,
          "SELECT b, COUNT(*) FROM (SELECT (CAST(strftime('%s', time) AS INTEGER) / ?) * ? "
          "AS b FROM telemetry_events" +
              where + ") WHERE b IS NOT NULL GROUP BY b ORDER BY b");
      int at = 1;
      query.bind(at++, static_cast<int64_t>(bucketSeconds));
      query.bind(at++, static_cast<int64_t>(bucketSeconds));
      query.bind(at++, static_cast<int64_t>(wanted.afterId));
      for (const auto& value : values) query.bind(at++, value);
      std::vector<HistogramBucket> buckets;
      while (query.executeStep()) {
        const std::time_t start = query.getColumn(0).getInt64();
        std::tm utc{};
        gmtime_r(&start, &utc);
        char text[32];
        std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
        buckets.push_back({text, query.getColumn(1).getInt64()});
      }
      return buckets;
    });
  }

  Result<std::int64_t> pruneBefore(const std::string& before, std::size_t batch) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement events(db_,
                               "DELETE FROM telemetry_events WHERE id IN (SELECT id FROM "
                               "telemetry_events WHERE time < ? ORDER BY time LIMIT ?)");
      events.bind(1, before);
      events.bind(2, static_cast<int64_t>(batch));
      std::int64_t removed = events.exec();
      SQLite::Statement lines(db_,
                              "DELETE FROM telemetry_malformed WHERE id IN (SELECT id FROM "
                              "telemetry_malformed WHERE received < ? LIMIT ?)");
      lines.bind(1, before);
      lines.bind(2, static_cast<int64_t>(batch));
      removed += lines.exec();
      transaction.commit();
      return removed;
    });
  }

  Result<std::int64_t> latestEventId() override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      return static_cast<std::int64_t>(
          db_.execAndGet("SELECT COALESCE(MAX(id), 0) FROM telemetry_events").getInt64());
    });
  }

  Result<std::int64_t> eventCount() override { return count("telemetry_events"); }
  Result<std::int64_t> malformedCount() override { return count("telemetry_malformed"); }

 private:
  // " WHERE id > ? AND ..." for `wanted`'s filters; `values` gets what to bind after the id.
  static std::string whereClause(const EventQuery& wanted, std::vector<std::string>& values) {
    std::string sql = " WHERE id > ?";
    const auto equal = [&](const char* column, const std::string& value) {
      if (value.empty()) return;
      sql += std::string(" AND ") + column + " = ?";
      values.push_back(value);
    };
    equal("decky", wanted.decky);
    equal("service", wanted.service);
    equal("event_type", wanted.eventType);
    equal("attacker_ip", wanted.attacker);
    if (!wanted.since.empty()) {
      sql += " AND time >= ?";
      values.push_back(wanted.since);
    }
    if (!wanted.until.empty()) {
      sql += " AND time <= ?";
      values.push_back(wanted.until);
    }
    if (!wanted.text.empty()) {
      sql += " AND (instr(message, ?) > 0 OR instr(fields, ?) > 0)";
      values.push_back(wanted.text);
      values.push_back(wanted.text);
    }
    return sql;
  }

  Result<std::int64_t> count(const std::string& table) {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      return static_cast<std::int64_t>(db_.execAndGet("SELECT COUNT(*) FROM " + table).getInt64());
    });
  }

  // SQLite's WAL hook, after each commit on this connection. The checkpointer copies most of the
  // log on its own thread; this connection then copies what it committed meanwhile, so the log
  // can restart (see WalCheckpointer::logHas). Past kLogFramesCap it checkpoints regardless, so
  // a checkpointer that falls behind cannot let the log grow without bound.
  static int committed(void* self, sqlite3* db, const char* name, int frames) {
    if (static_cast<SqliteTelemetryStore*>(self)->checkpointer_->logHas(frames) ||
        frames >= kLogFramesCap) {
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    return SQLITE_OK;
  }

  template <class F>
  auto guarded(F&& body) -> Result<decltype(body())> {
    try {
      return body();
    } catch (const std::exception& e) {
      return fail(Errc::kUnavailable, std::string("telemetry store: ") + e.what());
    }
  }

  std::mutex mutex_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // file databases; declared first: outlives db_
  SQLite::Database db_;
  // Prepared on first use, kept for the connection's life (declared after db_: finalized first).
  std::optional<SQLite::Statement> insertMany_;  // kRowsPerInsert rows
  std::optional<SQLite::Statement> insertOne_;
};

}  // namespace

Result<std::string> telemetryDatabasePath(const std::string& dsn) {
  std::string path;
  if (dsn == "sqlite::memory:") return std::string(":memory:");
  if (dsn.rfind("sqlite://", 0) == 0) {
    path = dsn.substr(9);
  } else if (dsn.find("://") == std::string::npos && !dsn.empty()) {
    path = dsn;
  } else {
    return fail(Errc::kTerminal, "unsupported telemetry database \"" + dsn +
                                     "\": use sqlite::memory:, sqlite:///absolute.db or a path");
  }
  std::error_code ignored;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  return path;
}

Result<std::unique_ptr<TelemetryStore>> openTelemetryStore(const std::string& dsn) {
  auto path = telemetryDatabasePath(dsn);
  if (!path) return tl::unexpected(path.error());
  try {
    return std::unique_ptr<TelemetryStore>(std::make_unique<SqliteTelemetryStore>(*path));
  } catch (const std::exception& e) {
    return fail(Errc::kUnavailable, "cannot open telemetry database " + *path + ": " + e.what());
  }
}

}  // namespace decnet::pipeline
