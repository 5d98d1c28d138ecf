// The SQLite driver of AnalysisStore, in the telemetry database (WAL). SQLiteCpp and
// nlohmann/json stay in this file: the short list-valued parts of a record are one JSON
// document; an attacker's traversal and commands, which grow, are rows appended to.
#include <SQLiteCpp/SQLiteCpp.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "pipeline/collector/telemetry_store.h"
#include "pipeline/correlator/analysis_store.h"

namespace decnet::pipeline {
namespace {

using Json = nlohmann::json;

constexpr std::int64_t kMaxStoredCommands = 200;  // per attacker, the latest

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS worker_leases (
  worker TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS worker_cursors (worker TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attackers (
  id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL UNIQUE,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  revision INTEGER NOT NULL,
  document TEXT NOT NULL,
  profiled_revision INTEGER NOT NULL DEFAULT 0,
  profile TEXT);
CREATE INDEX IF NOT EXISTS attackers_unprofiled ON attackers(profiled_revision, revision);
CREATE TABLE IF NOT EXISTS attacker_hops (
  attacker_ip TEXT NOT NULL, seq INTEGER NOT NULL,
  decky TEXT NOT NULL, service TEXT NOT NULL, time TEXT NOT NULL,
  PRIMARY KEY (attacker_ip, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attacker_commands (
  attacker_ip TEXT NOT NULL, seq INTEGER NOT NULL, command TEXT NOT NULL,
  PRIMARY KEY (attacker_ip, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY,
  attacker_ip TEXT NOT NULL,
  decky TEXT NOT NULL,
  service TEXT NOT NULL,
  started TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  last_seen_us INTEGER NOT NULL,
  closed INTEGER NOT NULL,
  close_reason TEXT NOT NULL,
  event_count INTEGER NOT NULL,
  document TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_open ON sessions(closed, attacker_ip);
CREATE TABLE IF NOT EXISTS credentials (
  id INTEGER PRIMARY KEY,
  attacker_ip TEXT NOT NULL,
  decky TEXT NOT NULL,
  service TEXT NOT NULL,
  principal TEXT NOT NULL,
  secret TEXT NOT NULL,
  outcome TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  UNIQUE (attacker_ip, decky, service, principal, secret));
CREATE INDEX IF NOT EXISTS credentials_pair ON credentials(principal, secret);
)";

// A credential is reused when the same principal and secret were tried on another decky or
// another service (by anyone).
constexpr const char* kReusedCredential =
    "EXISTS (SELECT 1 FROM credentials o WHERE o.principal = c.principal AND o.secret = c.secret "
    "AND (o.decky <> c.decky OR o.service <> c.service))";

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json attackerDocument(const AttackerRecord& a) {
  return {{"event_count", a.eventCount},
          {"session_count", a.sessionCount},
          {"credential_count", a.credentialCount},
          {"command_count", a.commandCount},
          {"services", a.services},
          {"deckies", a.deckies},
          {"clients", a.clients},
          {"ttls", a.ttls},
          {"event_types", a.eventTypes},
          {"last_event_us", a.lastEventMicros},
          {"gaps", a.gaps},
          {"gap_mean", a.gapMean},
          {"gap_m2", a.gapM2}};
}

void readAttackerDocument(const std::string& text, AttackerRecord& a) {
  const Json d = Json::parse(text, nullptr, false);
  if (!d.is_object()) return;
  a.eventCount = d.value("event_count", std::int64_t{0});
  a.sessionCount = d.value("session_count", std::int64_t{0});
  a.credentialCount = d.value("credential_count", std::int64_t{0});
  a.commandCount = d.value("command_count", std::int64_t{0});
  a.services = d.value("services", std::vector<std::string>{});
  a.deckies = d.value("deckies", std::vector<std::string>{});
  a.clients = d.value("clients", std::vector<std::string>{});
  a.ttls = d.value("ttls", std::vector<int>{});
  a.eventTypes = d.value("event_types", std::map<std::string, std::int64_t>{});
  a.lastEventMicros = d.value("last_event_us", std::int64_t{0});
  a.gaps = d.value("gaps", std::int64_t{0});
  a.gapMean = d.value("gap_mean", 0.0);
  a.gapM2 = d.value("gap_m2", 0.0);
}

Json profileDocument(const AttackerProfile& p) {
  return {{"behaviour", p.behaviour},
          {"tools", p.tools},
          {"os_guess", p.osGuess},
          {"kill_chain", p.killChain},
          {"threat_score", p.threatScore}};
}

AttackerProfile readProfile(const Json& d) {
  AttackerProfile p;
  p.behaviour = d.value("behaviour", "unknown");
  p.tools = d.value("tools", std::vector<std::string>{});
  p.osGuess = d.value("os_guess", "unknown");
  p.killChain = d.value("kill_chain", std::vector<std::string>{});
  p.threatScore = d.value("threat_score", 0);
  return p;
}

constexpr const char* kAttackerColumns =
    "SELECT a.id, a.ip, a.first_seen, a.last_seen, a.revision, a.document, a.profiled_revision, "
    "a.profile, EXISTS (SELECT 1 FROM credentials c WHERE c.attacker_ip = a.ip AND ";

std::string attackerSelect() {
  return std::string(kAttackerColumns) + kReusedCredential + ") FROM attackers a";
}

// The same columns without the reuse check, which only readers show.
constexpr const char* kAttackerWorkSelect =
    "SELECT a.id, a.ip, a.first_seen, a.last_seen, a.revision, a.document, a.profiled_revision, "
    "NULL, 0 FROM attackers a";

std::vector<AttackerRecord> readAttackers(SQLite::Statement& query) {
  std::vector<AttackerRecord> out;
  while (query.executeStep()) {
    AttackerRecord a;
    a.id = query.getColumn(0).getInt64();
    a.ip = query.getColumn(1).getString();
    a.firstSeen = query.getColumn(2).getString();
    a.lastSeen = query.getColumn(3).getString();
    a.revision = query.getColumn(4).getInt64();
    readAttackerDocument(query.getColumn(5).getString(), a);
    a.profiledRevision = query.getColumn(6).getInt64();
    if (!query.getColumn(7).isNull()) {
      const Json profile = Json::parse(query.getColumn(7).getString(), nullptr, false);
      if (profile.is_object()) a.profile = readProfile(profile);
    }
    a.credentialReused = query.getColumn(8).getInt() != 0;
    out.push_back(std::move(a));
  }
  return out;
}

Json sessionDocument(const SessionRecord& s) {
  Json credentials = Json::array();
  for (const auto& c : s.credentials) credentials.push_back({c.principal, c.secret, c.outcome});
  return {{"commands", s.commands}, {"credentials", credentials}};
}

constexpr const char* kSessionSelect =
    "SELECT id, attacker_ip, decky, service, started, last_seen, last_seen_us, closed, "
    "close_reason, event_count, document FROM sessions";

std::vector<SessionRecord> readSessions(SQLite::Statement& query) {
  std::vector<SessionRecord> out;
  while (query.executeStep()) {
    SessionRecord s;
    s.id = query.getColumn(0).getInt64();
    s.attackerIp = query.getColumn(1).getString();
    s.decky = query.getColumn(2).getString();
    s.service = query.getColumn(3).getString();
    s.started = query.getColumn(4).getString();
    s.lastSeen = query.getColumn(5).getString();
    s.lastSeenMicros = query.getColumn(6).getInt64();
    s.closed = query.getColumn(7).getInt() != 0;
    s.closeReason = query.getColumn(8).getString();
    s.eventCount = query.getColumn(9).getInt64();
    const Json d = Json::parse(query.getColumn(10).getString(), nullptr, false);
    if (d.is_object()) {
      s.commands = d.value("commands", std::vector<std::string>{});
      for (const auto& c : d.value("credentials", Json::array())) {
        if (c.is_array() && c.size() == 3) s.credentials.push_back({c[0], c[1], c[2]});
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

// "?,?,?" for n placeholders.
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ",?";
  return out;
}

class SqliteAnalysisStore final : public AnalysisStore {
 public:
  explicit SqliteAnalysisStore(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, /*busy_timeout_ms=*/5000) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec(kSchema);
  }

  Result<bool> acquireLease(const std::string& worker, const std::string& holder,
                            std::chrono::milliseconds ttl) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      const std::int64_t now = nowMs();
      SQLite::Statement take(
          db_,
          "INSERT INTO worker_leases (worker, holder, expires_ms) VALUES (?,?,?) "
          "ON CONFLICT(worker) DO UPDATE SET holder = excluded.holder, "
          "expires_ms = excluded.expires_ms "
          "WHERE worker_leases.holder = excluded.holder "
          "OR worker_leases.expires_ms < ?");
      take.bind(1, worker);
      take.bind(2, holder);
      take.bind(3, static_cast<int64_t>(now + ttl.count()));
      take.bind(4, static_cast<int64_t>(now));
      return take.exec() == 1;
    });
  }

  Result<void> releaseLease(const std::string& worker, const std::string& holder) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      SQLite::Statement drop(db_, "DELETE FROM worker_leases WHERE worker = ? AND holder = ?");
      drop.bind(1, worker);
      drop.bind(2, holder);
      drop.exec();
    });
  }

  Result<std::string> leaseHolder(const std::string& worker) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      SQLite::Statement query(
          db_, "SELECT holder FROM worker_leases WHERE worker = ? AND expires_ms >= ?");
      query.bind(1, worker);
      query.bind(2, static_cast<int64_t>(nowMs()));
      return query.executeStep() ? query.getColumn(0).getString() : std::string();
    });
  }

  Result<std::int64_t> cursor(const std::string& worker) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      SQLite::Statement query(db_, "SELECT last_id FROM worker_cursors WHERE worker = ?");
      query.bind(1, worker);
      return query.executeStep() ? static_cast<std::int64_t>(query.getColumn(0).getInt64())
                                 : std::int64_t{0};
    });
  }

  Result<std::map<std::string, AttackerRecord>> attackersByIp(
      const std::vector<std::string>& ips) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::map<std::string, AttackerRecord> out;
      for (std::size_t at = 0; at < ips.size(); at += 500) {
        const std::size_t n = std::min<std::size_t>(500, ips.size() - at);
        SQLite::Statement query(
            db_, std::string(kAttackerWorkSelect) + " WHERE a.ip IN (" + placeholders(n) + ")");
        for (std::size_t i = 0; i < n; ++i) query.bind(static_cast<int>(i + 1), ips[at + i]);
        for (auto& a : readAttackers(query)) out.emplace(a.ip, std::move(a));
      }
      SQLite::Statement lastHop(db_,
                                "SELECT seq, decky, service, time FROM attacker_hops "
                                "WHERE attacker_ip = ? ORDER BY seq DESC LIMIT 1");
      for (auto& [ip, a] : out) {
        lastHop.bind(1, ip);
        if (lastHop.executeStep()) {
          a.hopsStored = lastHop.getColumn(0).getInt64();
          a.traversal.push_back({lastHop.getColumn(1).getString(), lastHop.getColumn(2).getString(),
                                 lastHop.getColumn(3).getString()});
          a.hopsLoaded = 1;
        }
        lastHop.reset();
      }
      return out;
    });
  }

  Result<std::vector<SessionRecord>> openSessions(const std::vector<std::string>& ips) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::vector<SessionRecord> out;
      for (std::size_t at = 0; at < ips.size(); at += 500) {
        const std::size_t n = std::min<std::size_t>(500, ips.size() - at);
        SQLite::Statement query(db_, std::string(kSessionSelect) +
                                         " WHERE closed = 0 AND attacker_ip IN (" +
                                         placeholders(n) + ")");
        for (std::size_t i = 0; i < n; ++i) query.bind(static_cast<int>(i + 1), ips[at + i]);
        for (auto& s : readSessions(query)) out.push_back(std::move(s));
      }
      return out;
    });
  }

  Result<void> saveCorrelation(const CorrelationBatch& batch, const std::string& holder) override {
    std::lock_guard lock(mutex_);
    auto saved = guarded([&] {
      SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
      if (!holdsLease("correlator", holder)) return false;
      writeAttackers(batch.attackers);
      writeSessions(batch.sessions);
      writeCredentials(batch.credentials);
      SQLite::Statement cursor(db_,
                               "INSERT INTO worker_cursors (worker, last_id) VALUES ('correlator', "
                               "?) ON CONFLICT(worker) DO UPDATE SET last_id = excluded.last_id");
      cursor.bind(1, static_cast<int64_t>(batch.cursor));
      cursor.exec();
      transaction.commit();
      return true;
    });
    if (!saved) return tl::unexpected(saved.error());
    if (!*saved) return fail(Errc::kConflict, "the correlator lease is held by another copy");
    return {};
  }

  Result<std::int64_t> closeIdleSessions(std::int64_t beforeMicros,
                                         const std::string& holder) override {
    std::lock_guard lock(mutex_);
    return guarded([&]() -> std::int64_t {
      SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
      if (!holdsLease("correlator", holder)) return 0;
      SQLite::Statement close(db_,
                              "UPDATE sessions SET closed = 1, close_reason = 'idle' "
                              "WHERE closed = 0 AND last_seen_us < ?");
      close.bind(1, static_cast<int64_t>(beforeMicros));
      const int closed = close.exec();
      transaction.commit();
      return closed;
    });
  }

  Result<std::vector<AttackerRecord>> attackersToProfile(std::size_t limit) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      SQLite::Statement query(db_, std::string(kAttackerWorkSelect) +
                                       " WHERE a.profiled_revision < a.revision ORDER BY a.id "
                                       "LIMIT ?");
      query.bind(1, static_cast<int64_t>(limit));
      return readAttackers(query);
    });
  }

  Result<void> saveProfiles(const std::vector<std::pair<AttackerRecord, AttackerProfile>>& profiles,
                            const std::string& holder) override {
    std::lock_guard lock(mutex_);
    auto saved = guarded([&] {
      SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
      if (!holdsLease("profiler", holder)) return false;
      SQLite::Statement update(
          db_, "UPDATE attackers SET profile = ?, profiled_revision = ? WHERE id = ?");
      for (const auto& [attacker, profile] : profiles) {
        update.bind(1, profileDocument(profile).dump());
        update.bind(2, static_cast<int64_t>(attacker.revision));
        update.bind(3, static_cast<int64_t>(attacker.id));
        update.exec();
        update.reset();
      }
      transaction.commit();
      return true;
    });
    if (!saved) return tl::unexpected(saved.error());
    if (!*saved) return fail(Errc::kConflict, "the profiler lease is held by another copy");
    return {};
  }

  Result<std::vector<AttackerRecord>> attackers(const AnalysisQuery& wanted) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::string sql = attackerSelect() + " WHERE a.id > ?";
      if (!wanted.attackerIp.empty()) sql += " AND a.ip = ?";
      SQLite::Statement query(db_, sql + " ORDER BY a.id LIMIT ?");
      int at = 1;
      query.bind(at++, static_cast<int64_t>(wanted.afterId));
      if (!wanted.attackerIp.empty()) query.bind(at++, wanted.attackerIp);
      query.bind(at, static_cast<int64_t>(wanted.limit));
      auto out = readAttackers(query);
      for (auto& a : out) readRows(a);
      return out;
    });
  }

  Result<AttackerRecord> attacker(std::int64_t id) override {
    std::lock_guard lock(mutex_);
    auto found = guarded([&] {
      SQLite::Statement query(db_, attackerSelect() + " WHERE a.id = ?");
      query.bind(1, static_cast<int64_t>(id));
      auto out = readAttackers(query);
      for (auto& a : out) readRows(a);
      return out;
    });
    if (!found) return tl::unexpected(found.error());
    if (found->empty())
      return fail(Errc::kNotFound, "attacker " + std::to_string(id) + " not found");
    return std::move(found->front());
  }

  Result<std::vector<SessionRecord>> sessions(const AnalysisQuery& wanted) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::string sql = std::string(kSessionSelect) + " WHERE id > ?";
      std::vector<std::string> values;
      filter(sql, values, wanted);
      if (wanted.openOnly) sql += " AND closed = 0";
      SQLite::Statement query(db_, sql + " ORDER BY id LIMIT ?");
      bindAll(query, wanted, values);
      return readSessions(query);
    });
  }

  Result<std::vector<CredentialRecord>> credentials(const AnalysisQuery& wanted) override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      std::string sql = std::string(
                            "SELECT c.id, c.attacker_ip, c.decky, c.service, c.principal, "
                            "c.secret, c.outcome, c.first_seen, c.last_seen, c.attempts, ") +
                        kReusedCredential + " FROM credentials c WHERE c.id > ?";
      std::vector<std::string> values;
      filter(sql, values, wanted, "c.");
      SQLite::Statement query(db_, sql + " ORDER BY c.id LIMIT ?");
      bindAll(query, wanted, values);
      std::vector<CredentialRecord> out;
      while (query.executeStep()) {
        CredentialRecord c;
        c.id = query.getColumn(0).getInt64();
        c.attackerIp = query.getColumn(1).getString();
        c.decky = query.getColumn(2).getString();
        c.service = query.getColumn(3).getString();
        c.principal = query.getColumn(4).getString();
        c.secret = query.getColumn(5).getString();
        c.outcome = query.getColumn(6).getString();
        c.firstSeen = query.getColumn(7).getString();
        c.lastSeen = query.getColumn(8).getString();
        c.attempts = query.getColumn(9).getInt64();
        c.reused = query.getColumn(10).getInt() != 0;
        out.push_back(std::move(c));
      }
      return out;
    });
  }

  Result<std::int64_t> openSessionCount() override {
    std::lock_guard lock(mutex_);
    return guarded([&]() -> std::int64_t {
      return db_.execAndGet("SELECT COUNT(*) FROM sessions WHERE closed = 0").getInt64();
    });
  }

  Result<AnalysisCounts> counts() override {
    std::lock_guard lock(mutex_);
    return guarded([&] {
      AnalysisCounts counts;
      counts.attackers = db_.execAndGet("SELECT COUNT(*) FROM attackers").getInt64();
      counts.sessions = db_.execAndGet("SELECT COUNT(*) FROM sessions").getInt64();
      counts.openSessions =
          db_.execAndGet("SELECT COUNT(*) FROM sessions WHERE closed = 0").getInt64();
      counts.credentials = db_.execAndGet("SELECT COUNT(*) FROM credentials").getInt64();
      return counts;
    });
  }

 private:
  bool holdsLease(const std::string& worker, const std::string& holder) {
    SQLite::Statement query(
        db_, "SELECT 1 FROM worker_leases WHERE worker = ? AND holder = ? AND expires_ms >= ?");
    query.bind(1, worker);
    query.bind(2, holder);
    query.bind(3, static_cast<int64_t>(nowMs()));
    return query.executeStep();
  }

  // An attacker's traversal and latest commands, for readers.
  void readRows(AttackerRecord& a) {
    SQLite::Statement hops(
        db_, "SELECT decky, service, time FROM attacker_hops WHERE attacker_ip = ? ORDER BY seq");
    hops.bind(1, a.ip);
    while (hops.executeStep()) {
      a.traversal.push_back({hops.getColumn(0).getString(), hops.getColumn(1).getString(),
                             hops.getColumn(2).getString()});
    }
    a.hopsStored = static_cast<std::int64_t>(a.traversal.size());
    a.hopsLoaded = a.traversal.size();
    SQLite::Statement commands(
        db_, "SELECT command FROM attacker_commands WHERE attacker_ip = ? ORDER BY seq");
    commands.bind(1, a.ip);
    while (commands.executeStep()) a.commands.push_back(commands.getColumn(0).getString());
    a.commandsLoaded = a.commands.size();
  }

  // Appends the hops and commands a record gained; keeps the latest kMaxStoredCommands.
  struct RowStatements {
    explicit RowStatements(SQLite::Database& db)
        : hop(db,
              "INSERT OR REPLACE INTO attacker_hops (attacker_ip, seq, decky, service, time) "
              "VALUES (?,?,?,?,?)"),
          command(db,
                  "INSERT OR REPLACE INTO attacker_commands (attacker_ip, seq, command) VALUES "
                  "(?,?,?)"),
          trim(db, "DELETE FROM attacker_commands WHERE attacker_ip = ? AND seq <= ?") {}
    SQLite::Statement hop, command, trim;
  };

  static void writeRows(const AttackerRecord& a, RowStatements& rows) {
    auto& hop = rows.hop;
    std::int64_t seq = a.hopsStored;
    for (std::size_t i = a.hopsLoaded; i < a.traversal.size(); ++i) {
      hop.bind(1, a.ip);
      hop.bind(2, static_cast<int64_t>(++seq));
      hop.bind(3, a.traversal[i].decky);
      hop.bind(4, a.traversal[i].service);
      hop.bind(5, a.traversal[i].time);
      hop.exec();
      hop.reset();
    }
    if (a.commands.size() <= a.commandsLoaded) return;
    // The newest command is number commandCount.
    std::int64_t number =
        a.commandCount - static_cast<std::int64_t>(a.commands.size() - a.commandsLoaded);
    auto& command = rows.command;
    for (std::size_t i = a.commandsLoaded; i < a.commands.size(); ++i) {
      command.bind(1, a.ip);
      command.bind(2, static_cast<int64_t>(++number));
      command.bind(3, a.commands[i]);
      command.exec();
      command.reset();
    }
    rows.trim.bind(1, a.ip);
    rows.trim.bind(2, static_cast<int64_t>(a.commandCount - kMaxStoredCommands));
    rows.trim.exec();
    rows.trim.reset();
  }

  void writeAttackers(const std::vector<AttackerRecord>& attackers) {
    SQLite::Statement upsert(
        db_,
        "INSERT INTO attackers (ip, first_seen, last_seen, revision, document) VALUES (?,?,?,?,?) "
        "ON CONFLICT(ip) DO UPDATE SET last_seen = excluded.last_seen, "
        "revision = excluded.revision, document = excluded.document");
    RowStatements rows(db_);
    for (const auto& a : attackers) {
      upsert.bind(1, a.ip);
      upsert.bind(2, a.firstSeen);
      upsert.bind(3, a.lastSeen);
      upsert.bind(4, static_cast<int64_t>(a.revision));
      upsert.bind(5, attackerDocument(a).dump(-1, ' ', false, Json::error_handler_t::replace));
      upsert.exec();
      upsert.reset();
      writeRows(a, rows);
    }
  }

  void writeSessions(const std::vector<SessionRecord>& sessions) {
    SQLite::Statement insert(
        db_,
        "INSERT INTO sessions (attacker_ip, decky, service, started, last_seen, last_seen_us, "
        "closed, close_reason, event_count, document) VALUES (?,?,?,?,?,?,?,?,?,?)");
    SQLite::Statement update(db_,
                             "UPDATE sessions SET last_seen = ?, last_seen_us = ?, closed = ?, "
                             "close_reason = ?, event_count = ?, document = ? WHERE id = ?");
    for (const auto& s : sessions) {
      const std::string document =
          sessionDocument(s).dump(-1, ' ', false, Json::error_handler_t::replace);
      if (s.id == 0) {
        insert.bind(1, s.attackerIp);
        insert.bind(2, s.decky);
        insert.bind(3, s.service);
        insert.bind(4, s.started);
        insert.bind(5, s.lastSeen);
        insert.bind(6, static_cast<int64_t>(s.lastSeenMicros));
        insert.bind(7, s.closed ? 1 : 0);
        insert.bind(8, s.closeReason);
        insert.bind(9, static_cast<int64_t>(s.eventCount));
        insert.bind(10, document);
        insert.exec();
        insert.reset();
      } else {
        update.bind(1, s.lastSeen);
        update.bind(2, static_cast<int64_t>(s.lastSeenMicros));
        update.bind(3, s.closed ? 1 : 0);
        update.bind(4, s.closeReason);
        update.bind(5, static_cast<int64_t>(s.eventCount));
        update.bind(6, document);
        update.bind(7, static_cast<int64_t>(s.id));
        update.exec();
        update.reset();
      }
    }
  }

  void writeCredentials(const std::vector<CredentialRecord>& credentials) {
    SQLite::Statement upsert(
        db_,
        "INSERT INTO credentials (attacker_ip, decky, service, principal, secret, outcome, "
        "first_seen, last_seen, attempts) VALUES (?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(attacker_ip, decky, service, principal, secret) DO UPDATE SET "
        "attempts = attempts + excluded.attempts, last_seen = excluded.last_seen, "
        "outcome = CASE WHEN excluded.outcome = 'success' THEN 'success' ELSE outcome END");
    for (const auto& c : credentials) {
      upsert.bind(1, c.attackerIp);
      upsert.bind(2, c.decky);
      upsert.bind(3, c.service);
      upsert.bind(4, c.principal);
      upsert.bind(5, c.secret);
      upsert.bind(6, c.outcome);
      upsert.bind(7, c.firstSeen);
      upsert.bind(8, c.lastSeen);
      upsert.bind(9, static_cast<int64_t>(c.attempts));
      upsert.exec();
      upsert.reset();
    }
  }

  static void filter(std::string& sql, std::vector<std::string>& values,
                     const AnalysisQuery& wanted, const std::string& prefix = "") {
    const auto equal = [&](const char* column, const std::string& value) {
      if (value.empty()) return;
      sql += " AND " + prefix + column + " = ?";
      values.push_back(value);
    };
    equal("attacker_ip", wanted.attackerIp);
    equal("decky", wanted.decky);
    equal("service", wanted.service);
  }

  static void bindAll(SQLite::Statement& query, const AnalysisQuery& wanted,
                      const std::vector<std::string>& values) {
    int at = 1;
    query.bind(at++, static_cast<int64_t>(wanted.afterId));
    for (const auto& value : values) query.bind(at++, value);
    query.bind(at, static_cast<int64_t>(wanted.limit));
  }

  template <class F>
  auto guarded(F&& body) -> Result<decltype(body())> {
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        return {};
      } else {
        return body();
      }
    } catch (const std::exception& e) {
      return fail(Errc::kUnavailable, std::string("analysis store: ") + e.what());
    }
  }

  std::mutex mutex_;
  SQLite::Database db_;
};

}  // namespace

Result<std::unique_ptr<AnalysisStore>> openAnalysisStore(const std::string& dsn) {
  auto path = telemetryDatabasePath(dsn);
  if (!path) return tl::unexpected(path.error());
  try {
    return std::unique_ptr<AnalysisStore>(std::make_unique<SqliteAnalysisStore>(*path));
  } catch (const std::exception& e) {
    return fail(Errc::kUnavailable, "cannot open analysis tables in " + *path + ": " + e.what());
  }
}

}  // namespace decnet::pipeline
