#include "controller/store/sqlite_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/types/clock.h"

namespace decnet::store {
namespace {

// Migration N (1-based) brings the schema from version N-1 to N. Append, never edit: a
// database records in schema_version which steps it has applied.
constexpr std::array<const char*, 1> kMigrations = {
    R"sql(
CREATE TABLE meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL,
  compacted INTEGER NOT NULL
);
INSERT INTO meta (id, revision, compacted) VALUES (1, 0, 0);
CREATE TABLE objects (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (kind, name)
) WITHOUT ROWID;
CREATE TABLE changes (
  revision INTEGER PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  document TEXT NOT NULL
);
)sql",
};

constexpr const char* kConflictMessage =
    ": the object has been modified; please apply your changes to the latest version and try "
    "again";

const char* typeName(Change::Type type) {
  switch (type) {
    case Change::Type::kAdded:
      return "ADDED";
    case Change::Type::kModified:
      return "MODIFIED";
    case Change::Type::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

std::optional<Change::Type> parseType(std::string_view text) {
  if (text == "ADDED") return Change::Type::kAdded;
  if (text == "MODIFIED") return Change::Type::kModified;
  if (text == "DELETED") return Change::Type::kDeleted;
  return std::nullopt;
}

Error toError(const SQLite::Exception& error, std::string_view operation, Errc on_constraint) {
  const std::string message = std::string(operation) + ": " + error.what();
  // Extended result codes carry the primary code in the low byte.
  switch (error.getErrorCode() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Error{Errc::kUnavailable, message, {}};
    case SQLITE_CONSTRAINT:
      return Error{on_constraint, message, {}};
    default:
      return Error{Errc::kInternal, message, {}};
  }
}

Result<api::Object> decode(const std::string& text) {
  auto document = api::Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return fail(Errc::kInternal, "stored document is not JSON");
  std::vector<api::ParseIssue> issues;
  auto object = api::fromJson(document, issues);
  if (!object) {
    std::string message = "stored document is malformed";
    for (const auto& issue : issues) message += "; " + issue.path + ": " + issue.detail;
    return fail(Errc::kInternal, message);
  }
  return std::move(*object);
}

// The document to store plus the object exactly as a later read will return it. Rejecting
// objects whose wire form does not read back keeps unreadable rows out of the database.
struct Encoded {
  api::Object object;
  std::string text;
};

Result<Encoded> encode(const api::Object& object) {
  api::Json document;
  std::string text;
  try {
    document = api::toJson(object);
    text = document.dump();
  } catch (const api::Json::exception& error) {
    return fail(Errc::kInvalid, std::string("object cannot be encoded: ") + error.what());
  }
  std::vector<api::ParseIssue> issues;
  auto back = api::fromJson(document, issues);
  if (!back) {
    std::vector<FieldError> fields;
    for (auto& issue : issues) fields.push_back({std::move(issue.path), std::move(issue.detail)});
    return failInvalid("object does not survive its wire encoding", std::move(fields));
  }
  return Encoded{std::move(*back), std::move(text)};
}

void normalize(api::Object& object) {
  if (object.spec.is_null()) object.spec = api::Json::object();
  if (object.status.is_null()) object.status = api::Json::object();
}

bool sameMetadata(const api::ObjectMeta& a, const api::ObjectMeta& b) {
  return a.labels == b.labels && a.annotations == b.annotations &&
         a.ownerReferences == b.ownerReferences && a.finalizers == b.finalizers &&
         a.deletionTimestamp == b.deletionTimestamp && a.managedFields == b.managedFields;
}

std::string conflictMessage(const api::ObjectKey& key) {
  return "Operation cannot be fulfilled on " + key.str() + kConflictMessage;
}

// Prepared statements kept for the connection's life, keyed by their SQL text's address (every
// caller passes a string literal), so a write does not parse its SQL again. Not thread-safe:
// used under the repository's mutex.
class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db) : db_(db) {}
  SQLite::Statement& get(const char* sql) {
    auto& slot = statements_[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(db_, sql);
    return *slot;
  }

 private:
  SQLite::Database& db_;
  std::map<const char*, std::unique_ptr<SQLite::Statement>> statements_;
};

// One use of a cached statement; reset when it goes, so no read stays open.
class Prepared {
 public:
  Prepared(StatementCache& cache, const char* sql) : statement_(cache.get(sql)) {}
  ~Prepared() { statement_.tryReset(); }
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  template <class T>
  void bind(int index, const T& value) {
    statement_.bind(index, value);
  }
  int exec() { return statement_.exec(); }
  bool executeStep() { return statement_.executeStep(); }
  SQLite::Column getColumn(int index) { return statement_.getColumn(index); }

 private:
  SQLite::Statement& statement_;
};

// A transaction begun and ended through the statement cache: SQLite::Transaction parses BEGIN
// and COMMIT again at every write. Rolled back when it goes without commit().
class Transaction {
 public:
  enum class Behavior { kDeferred, kImmediate };
  Transaction(StatementCache& cache, Behavior behavior) : cache_(cache) {
    Prepared(cache_, behavior == Behavior::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        .exec();
  }
  ~Transaction() {
    if (committed_) return;
    try {
      Prepared(cache_, "ROLLBACK").exec();
    } catch (const SQLite::Exception&) {
      // The transaction had already ended: nothing to undo.
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    Prepared(cache_, "COMMIT").exec();
    committed_ = true;
  }

 private:
  StatementCache& cache_;
  bool committed_ = false;
};

class SqliteRepository final : public Repository {
 public:
  // Throws SQLite::Exception; only makeSqliteRepository constructs it.
  explicit SqliteRepository(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, /*busy_timeout_ms=*/5000),
        rng_(seed()) {}

  // Pragmas and schema migrations; call once before use.
  Result<void> init() {
    return guarded("open", Errc::kInternal, [&]() -> Result<void> {
      db_.exec("PRAGMA journal_mode=WAL");
      db_.exec("PRAGMA synchronous=NORMAL");
      db_.exec("PRAGMA foreign_keys=ON");
      return migrate();
    });
  }

  Result<api::Object> get(const api::ObjectKey& key) const override {
    return guarded("get " + key.str(), Errc::kInternal, [&]() -> Result<api::Object> {
      auto found = load(key);
      if (!found) return tl::unexpected(found.error());
      if (!*found) return fail(Errc::kNotFound, key.str() + " not found");
      return std::move(**found);
    });
  }

  Result<std::vector<api::Object>> list(std::string_view kind,
                                        std::int64_t* revision) const override {
    return guarded(
        "list " + std::string(kind), Errc::kInternal, [&]() -> Result<std::vector<api::Object>> {
          // One read transaction, so the objects and the revision come from one snapshot.
          Transaction tx(statements_, Transaction::Behavior::kDeferred);
          const auto [current, compacted] = readMeta();
          Prepared query(statements_, "SELECT document FROM objects WHERE kind = ? ORDER BY name");
          query.bind(1, std::string(kind));
          std::vector<api::Object> objects;
          while (query.executeStep()) {
            auto object = decode(query.getColumn(0).getString());
            if (!object) return tl::unexpected(object.error());
            objects.push_back(std::move(*object));
          }
          tx.commit();
          if (revision != nullptr) *revision = current;
          return objects;
        });
  }

  Result<api::Object> create(api::Object object) override {
    const auto key = object.key();
    if (key.kind.empty() || key.name.empty()) {
      return fail(Errc::kInvalid, "kind and metadata.name are required");
    }
    return guarded("create " + key.str(), Errc::kAlreadyExists, [&]() -> Result<api::Object> {
      Transaction tx(statements_, Transaction::Behavior::kImmediate);
      auto existing = load(key);
      if (!existing) return tl::unexpected(existing.error());
      if (*existing) return fail(Errc::kAlreadyExists, key.str() + " already exists");

      const std::int64_t revision = readMeta().first + 1;
      normalize(object);
      if (object.metadata.uid.empty()) object.metadata.uid = newUid();
      if (object.metadata.creationTimestamp.empty()) {
        object.metadata.creationTimestamp = api::formatTime(api::systemClock().now());
      }
      object.metadata.resourceVersion = revision;
      object.metadata.generation = 1;
      auto encoded = encode(object);
      if (!encoded) return tl::unexpected(encoded.error());

      Prepared insert(statements_,
                      "INSERT INTO objects (kind, name, uid, resource_version, "
                      "generation, document) VALUES (?, ?, ?, ?, ?, ?)");
      insert.bind(1, key.kind);
      insert.bind(2, key.name);
      insert.bind(3, encoded->object.metadata.uid);
      insert.bind(4, revision);
      insert.bind(5, encoded->object.metadata.generation);
      insert.bind(6, encoded->text);
      insert.exec();
      appendChange(revision, Change::Type::kAdded, key, encoded->text);
      tx.commit();
      return std::move(encoded->object);
    });
  }

  Result<api::Object> update(api::Object object) override {
    const auto key = object.key();
    return guarded("update " + key.str(), Errc::kConflict, [&]() -> Result<api::Object> {
      Transaction tx(statements_, Transaction::Behavior::kImmediate);
      auto stored = loadForWrite(key, object.metadata.resourceVersion);
      if (!stored) return tl::unexpected(stored.error());

      normalize(object);
      api::Object next = *stored;
      next.metadata.labels = std::move(object.metadata.labels);
      next.metadata.annotations = std::move(object.metadata.annotations);
      next.metadata.ownerReferences = std::move(object.metadata.ownerReferences);
      next.metadata.finalizers = std::move(object.metadata.finalizers);
      next.metadata.deletionTimestamp = std::move(object.metadata.deletionTimestamp);
      // null keeps the field owners; an empty list drops them (stored as absent, read as null).
      if (!object.metadata.managedFields.is_null()) {
        next.metadata.managedFields = object.metadata.managedFields.empty()
                                          ? api::Json()
                                          : std::move(object.metadata.managedFields);
      }
      next.spec = std::move(object.spec);
      const bool spec_changed = next.spec != stored->spec;
      // A no-op write must not move resourceVersion, or every idle reconcile would wake
      // every watcher.
      if (!spec_changed && sameMetadata(next.metadata, stored->metadata)) return *stored;
      if (spec_changed) ++next.metadata.generation;
      return writeModified(tx, key, next);
    });
  }

  Result<api::Object> updateStatus(api::Object object) override {
    const auto key = object.key();
    return guarded("update status " + key.str(), Errc::kConflict, [&]() -> Result<api::Object> {
      Transaction tx(statements_, Transaction::Behavior::kImmediate);
      auto stored = loadForWrite(key, object.metadata.resourceVersion);
      if (!stored) return tl::unexpected(stored.error());

      normalize(object);
      if (object.status == stored->status) return *stored;
      api::Object next = *stored;
      next.status = std::move(object.status);
      return writeModified(tx, key, next);
    });
  }

  Result<api::Object> remove(const api::ObjectKey& key, std::int64_t resource_version) override {
    return guarded("delete " + key.str(), Errc::kConflict, [&]() -> Result<api::Object> {
      Transaction tx(statements_, Transaction::Behavior::kImmediate);
      auto stored = loadForWrite(key, resource_version);
      if (!stored) return tl::unexpected(stored.error());

      const std::int64_t revision = readMeta().first + 1;
      api::Object last = std::move(*stored);
      last.metadata.resourceVersion = revision;
      auto encoded = encode(last);
      if (!encoded) return tl::unexpected(encoded.error());

      Prepared erase(statements_, "DELETE FROM objects WHERE kind = ? AND name = ?");
      erase.bind(1, key.kind);
      erase.bind(2, key.name);
      erase.exec();
      appendChange(revision, Change::Type::kDeleted, key, encoded->text);
      tx.commit();
      return std::move(encoded->object);
    });
  }

  Result<std::vector<Change>> changesSince(std::int64_t revision,
                                           std::size_t limit) const override {
    return guarded("read changes", Errc::kInternal, [&]() -> Result<std::vector<Change>> {
      Transaction tx(statements_, Transaction::Behavior::kDeferred);
      const auto [current, compacted] = readMeta();
      if (revision < compacted) {
        return fail(Errc::kGone, "revision " + std::to_string(revision) +
                                     " has been compacted; the oldest available is " +
                                     std::to_string(compacted));
      }
      // limit 0 reads as "no limit"; SQLite takes a negative LIMIT the same way.
      const std::int64_t sql_limit =
          (limit == 0 || limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))
              ? -1
              : static_cast<std::int64_t>(limit);
      Prepared query(statements_,
                     "SELECT revision, type, document FROM changes WHERE revision > ? "
                     "ORDER BY revision LIMIT ?");
      query.bind(1, revision);
      query.bind(2, sql_limit);
      std::vector<Change> changes;
      while (query.executeStep()) {
        Change change;
        change.revision = query.getColumn(0).getInt64();
        auto type = parseType(query.getColumn(1).getString());
        if (!type) return fail(Errc::kInternal, "stored change has an unknown type");
        change.type = *type;
        auto object = decode(query.getColumn(2).getString());
        if (!object) return tl::unexpected(object.error());
        change.object = std::move(*object);
        changes.push_back(std::move(change));
      }
      tx.commit();
      return changes;
    });
  }

  Result<std::int64_t> currentRevision() const override {
    return guarded("read revision", Errc::kInternal,
                   [&]() -> Result<std::int64_t> { return readMeta().first; });
  }

  Result<void> compact(std::int64_t revision) override {
    return guarded("compact", Errc::kInternal, [&]() -> Result<void> {
      Transaction tx(statements_, Transaction::Behavior::kImmediate);
      const auto [current, compacted] = readMeta();
      const std::int64_t target = std::max(compacted, std::min(revision, current));
      if (target == compacted) return {};
      Prepared erase(statements_, "DELETE FROM changes WHERE revision <= ?");
      erase.bind(1, target);
      erase.exec();
      SQLite::Statement mark(db_, "UPDATE meta SET compacted = ? WHERE id = 1");
      mark.bind(1, target);
      mark.exec();
      tx.commit();
      return {};
    });
  }

 private:
  static std::uint64_t seed() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }

  // Serializes every use of the connection and the generator; converts what SQLiteCpp and
  // the standard library throw into errors, so nothing escapes the driver.
  template <class F>
  auto guarded(const std::string& operation, Errc on_constraint, F&& body) const
      -> decltype(body()) {
    std::lock_guard lock(mutex_);
    try {
      return body();
    } catch (const SQLite::Exception& error) {
      return tl::unexpected(toError(error, operation, on_constraint));
    } catch (const std::exception& error) {
      return fail(Errc::kInternal, operation + ": " + error.what());
    }
  }

  Result<void> migrate() {
    Transaction tx(statements_, Transaction::Behavior::kImmediate);
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT "
        "NOT NULL)");
    const std::int64_t version =
        db_.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version").getInt64();
    if (version > static_cast<std::int64_t>(kMigrations.size())) {
      return fail(Errc::kTerminal, "database schema version " + std::to_string(version) +
                                       " is newer than this build supports (" +
                                       std::to_string(kMigrations.size()) + ")");
    }
    for (auto step = version; step < static_cast<std::int64_t>(kMigrations.size()); ++step) {
      db_.exec(kMigrations[step]);
      SQLite::Statement record(db_,
                               "INSERT INTO schema_version (version, applied_at) VALUES (?, "
                               "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
      record.bind(1, step + 1);
      record.exec();
    }
    tx.commit();
    return {};
  }

  // (current revision, compacted revision).
  std::pair<std::int64_t, std::int64_t> readMeta() const {
    Prepared query(statements_, "SELECT revision, compacted FROM meta WHERE id = 1");
    if (!query.executeStep()) throw SQLite::Exception("meta row is missing", SQLITE_CORRUPT);
    return {query.getColumn(0).getInt64(), query.getColumn(1).getInt64()};
  }

  Result<std::optional<api::Object>> load(const api::ObjectKey& key) const {
    Prepared query(statements_, "SELECT document FROM objects WHERE kind = ? AND name = ?");
    query.bind(1, key.kind);
    query.bind(2, key.name);
    if (!query.executeStep()) return std::optional<api::Object>();
    auto object = decode(query.getColumn(0).getString());
    if (!object) return tl::unexpected(object.error());
    return std::optional<api::Object>(std::move(*object));
  }

  // The stored object when it exists and `resource_version` (0: any) matches it.
  Result<api::Object> loadForWrite(const api::ObjectKey& key, std::int64_t resource_version) {
    auto stored = load(key);
    if (!stored) return tl::unexpected(stored.error());
    if (!*stored) return fail(Errc::kNotFound, key.str() + " not found");
    if (resource_version != 0 && resource_version != (*stored)->metadata.resourceVersion) {
      return fail(Errc::kConflict, conflictMessage(key));
    }
    return std::move(**stored);
  }

  Result<api::Object> writeModified(Transaction& tx, const api::ObjectKey& key, api::Object next) {
    const std::int64_t revision = readMeta().first + 1;
    next.metadata.resourceVersion = revision;
    auto encoded = encode(next);
    if (!encoded) return tl::unexpected(encoded.error());
    Prepared write(statements_,
                   "UPDATE objects SET resource_version = ?, generation = ?, "
                   "document = ? WHERE kind = ? AND name = ?");
    write.bind(1, revision);
    write.bind(2, encoded->object.metadata.generation);
    write.bind(3, encoded->text);
    write.bind(4, key.kind);
    write.bind(5, key.name);
    write.exec();
    appendChange(revision, Change::Type::kModified, key, encoded->text);
    tx.commit();
    return std::move(encoded->object);
  }

  // The change-log row and the meta bump that every write ends with.
  void appendChange(std::int64_t revision, Change::Type type, const api::ObjectKey& key,
                    const std::string& document) {
    Prepared insert(
        statements_,
        "INSERT INTO changes (revision, type, kind, name, document) VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, revision);
    insert.bind(2, typeName(type));
    insert.bind(3, key.kind);
    insert.bind(4, key.name);
    insert.bind(5, document);
    insert.exec();
    Prepared bump(statements_, "UPDATE meta SET revision = ? WHERE id = 1");
    bump.bind(1, revision);
    bump.exec();
  }

  // Random version 4 UUID (RFC 4122 variant), as text. Called under mutex_.
  std::string newUid() {
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      std::uint64_t word = rng_();
      for (std::size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
    }
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);
    char text[37];
    std::snprintf(text, sizeof(text),
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                  bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return text;
  }

  mutable std::mutex mutex_;
  mutable SQLite::Database db_;
  mutable StatementCache statements_{db_};
  std::mt19937_64 rng_;
};

}  // namespace

Result<RepositoryPtr> makeSqliteRepository(const std::string& path) {
  try {
    auto repository = std::make_unique<SqliteRepository>(path);
    if (auto ready = repository->init(); !ready) return tl::unexpected(ready.error());
    return RepositoryPtr(std::move(repository));
  } catch (const SQLite::Exception& error) {
    return tl::unexpected(toError(error, "open " + path, Errc::kInternal));
  } catch (const std::exception& error) {
    return fail(Errc::kInternal, "open " + path + ": " + error.what());
  }
}

}  // namespace decnet::store
