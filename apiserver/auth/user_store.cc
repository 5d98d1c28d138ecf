// The SQLite adapter of UserStore: SQLiteCpp stays in this file.
#include "apiserver/auth/user_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <openssl/crypto.h>
#include <sys/stat.h>

#include <mutex>

#include "apiserver/auth/password_hash.h"
#include "apiserver/auth/token_signer.h"

namespace decnet::apiserver::auth {
namespace {

bool isRole(const std::string& role) { return role == "admin" || role == "viewer"; }

std::string randomTokenPart(std::size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  const std::string hex = randomHex(length);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    const unsigned value = std::stoul(hex.substr(2 * i, 2), nullptr, 16);
    out += kAlphabet[value % 36];
  }
  return out;
}

class SqliteUserStore final : public UserStore {
 public:
  explicit SqliteUserStore(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, /*busy_timeout_ms=*/5000) {
    ::chmod(path.c_str(), 0600);
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec(
        "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
        "password_hash TEXT NOT NULL, must_change INTEGER NOT NULL, "
        "tokens_valid_from INTEGER NOT NULL, created INTEGER NOT NULL)");
    db_.exec(
        "CREATE TABLE IF NOT EXISTS revoked_tokens (id TEXT PRIMARY KEY, expires INTEGER NOT "
        "NULL)");
    db_.exec(
        "CREATE TABLE IF NOT EXISTS bootstrap_tokens (id TEXT PRIMARY KEY, secret_hash TEXT NOT "
        "NULL, expires INTEGER NOT NULL, description TEXT NOT NULL)");
  }

  Result<void> addUser(const std::string& name, const std::string& role,
                       const std::string& password, bool mustChangePassword) override {
    if (auto valid = check(name, role, password); !valid) return valid;
    auto hash = hashPassword(password);
    if (!hash) return tl::unexpected(hash.error());
    return guarded("add user " + name, [&]() -> Result<void> {
      SQLite::Statement insert(db_, "INSERT OR IGNORE INTO users VALUES (?, ?, ?, ?, ?, ?)");
      insert.bind(1, name);
      insert.bind(2, role);
      insert.bind(3, *hash);
      insert.bind(4, mustChangePassword ? 1 : 0);
      insert.bind(5, static_cast<std::int64_t>(0));
      insert.bind(6, unixNow());
      if (insert.exec() == 0) {
        return fail(Errc::kAlreadyExists, "user \"" + name + "\" already exists");
      }
      ++localWrites_;
      return {};
    });
  }

  Result<void> setPassword(const std::string& name, const std::string& password,
                           bool mustChangePassword) override {
    if (password.empty()) {
      return failInvalid("the password is empty", {{"password", "must not be empty"}});
    }
    auto hash = hashPassword(password);
    if (!hash) return tl::unexpected(hash.error());
    return guarded("set the password of " + name, [&]() -> Result<void> {
      SQLite::Statement update(db_,
                               "UPDATE users SET password_hash = ?, must_change = ?, "
                               "tokens_valid_from = ? WHERE name = ?");
      update.bind(1, *hash);
      update.bind(2, mustChangePassword ? 1 : 0);
      update.bind(3, unixNow());
      update.bind(4, name);
      if (update.exec() == 0) return notFound(name);
      ++localWrites_;
      return {};
    });
  }

  Result<void> removeUser(const std::string& name) override {
    return guarded("remove user " + name, [&]() -> Result<void> {
      SQLite::Statement erase(db_, "DELETE FROM users WHERE name = ?");
      erase.bind(1, name);
      if (erase.exec() == 0) return notFound(name);
      ++localWrites_;
      return {};
    });
  }

  Result<std::optional<UserRecord>> findUser(const std::string& name) override {
    return guarded("read user " + name, [&]() -> Result<std::optional<UserRecord>> {
      SQLite::Statement query(db_, "SELECT * FROM users WHERE name = ?");
      query.bind(1, name);
      if (!query.executeStep()) return std::optional<UserRecord>{};
      return std::optional<UserRecord>(record(query));
    });
  }

  Result<std::int64_t> generation() override {
    return guarded("read the user store's version", [&]() -> Result<std::int64_t> {
      SQLite::Statement version(db_, "PRAGMA data_version");
      version.executeStep();
      return version.getColumn(0).getInt64() * 1000000 + localWrites_;
    });
  }

  Result<std::shared_ptr<const Credentials>> credentials() override {
    return guarded("read users", [&]() -> Result<std::shared_ptr<const Credentials>> {
      auto out = std::make_shared<Credentials>();
      SQLite::Statement users(db_, "SELECT * FROM users");
      while (users.executeStep()) {
        auto user = record(users);
        out->users.emplace(user.name, std::move(user));
      }
      SQLite::Statement revoked(db_, "SELECT id FROM revoked_tokens WHERE expires >= ?");
      revoked.bind(1, unixNow());
      while (revoked.executeStep()) out->revokedTokens.insert(revoked.getColumn(0).getString());
      return std::shared_ptr<const Credentials>(std::move(out));
    });
  }

  Result<std::vector<UserRecord>> users() override {
    return guarded("list users", [&]() -> Result<std::vector<UserRecord>> {
      SQLite::Statement query(db_, "SELECT * FROM users ORDER BY name");
      std::vector<UserRecord> out;
      while (query.executeStep()) out.push_back(record(query));
      return out;
    });
  }

  Result<void> revokeToken(const std::string& id, std::int64_t expires) override {
    return guarded("revoke a token", [&]() -> Result<void> {
      SQLite::Statement prune(db_, "DELETE FROM revoked_tokens WHERE expires < ?");
      prune.bind(1, unixNow());
      prune.exec();
      SQLite::Statement insert(db_, "INSERT OR REPLACE INTO revoked_tokens VALUES (?, ?)");
      insert.bind(1, id);
      insert.bind(2, expires);
      insert.exec();
      ++localWrites_;
      return {};
    });
  }

  Result<std::string> createBootstrapToken(std::chrono::seconds ttl,
                                           const std::string& description) override {
    const std::string id = randomTokenPart(6), secret = randomTokenPart(16);
    auto hash = hashPassword(secret);
    if (!hash) return tl::unexpected(hash.error());
    return guarded("create a bootstrap token", [&]() -> Result<std::string> {
      SQLite::Statement insert(db_, "INSERT INTO bootstrap_tokens VALUES (?, ?, ?, ?)");
      insert.bind(1, id);
      insert.bind(2, *hash);
      insert.bind(3, unixNow() + ttl.count());
      insert.bind(4, description);
      insert.exec();
      return id + "." + secret;
    });
  }

  Result<bool> bootstrapTokenValid(const std::string& token) override {
    const auto dot = token.find('.');
    if (dot != 6 || token.size() != 23) return false;
    return guarded("read bootstrap tokens", [&]() -> Result<bool> {
      SQLite::Statement query(db_,
                              "SELECT secret_hash FROM bootstrap_tokens WHERE id = ? AND "
                              "expires > ?");
      query.bind(1, token.substr(0, 6));
      query.bind(2, unixNow());
      if (!query.executeStep()) return false;
      return passwordMatches(token.substr(7), query.getColumn(0).getString());
    });
  }

  Result<std::vector<BootstrapToken>> bootstrapTokens() override {
    return guarded("list bootstrap tokens", [&]() -> Result<std::vector<BootstrapToken>> {
      SQLite::Statement query(db_,
                              "SELECT id, expires, description FROM bootstrap_tokens ORDER BY "
                              "expires");
      std::vector<BootstrapToken> out;
      while (query.executeStep()) {
        out.push_back({query.getColumn(0).getString(), query.getColumn(1).getInt64(),
                       query.getColumn(2).getString()});
      }
      return out;
    });
  }

  Result<void> removeBootstrapToken(const std::string& id) override {
    return guarded("remove bootstrap token " + id, [&]() -> Result<void> {
      SQLite::Statement erase(db_, "DELETE FROM bootstrap_tokens WHERE id = ?");
      erase.bind(1, id);
      if (erase.exec() == 0) return fail(Errc::kNotFound, "no bootstrap token " + id);
      return {};
    });
  }

 private:
  static Result<void> check(const std::string& name, const std::string& role,
                            const std::string& password) {
    std::vector<FieldError> errors;
    if (!validUserName(name)) {
      errors.push_back({"username",
                        "must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a "
                        "letter or digit"});
    }
    if (!isRole(role)) errors.push_back({"role", "must be admin or viewer"});
    if (password.empty()) errors.push_back({"password", "must not be empty"});
    if (errors.empty()) return {};
    return failInvalid("user \"" + name + "\" is invalid", std::move(errors));
  }

  static Error notFoundError(const std::string& name) {
    return Error{Errc::kNotFound, "user \"" + name + "\" not found", {}};
  }
  static tl::unexpected<Error> notFound(const std::string& name) {
    return tl::unexpected(notFoundError(name));
  }

  static UserRecord record(SQLite::Statement& row) {
    return {row.getColumn(0).getString(), row.getColumn(1).getString(),
            row.getColumn(2).getString(), row.getColumn(3).getInt() != 0,
            row.getColumn(4).getInt64(),  row.getColumn(5).getInt64()};
  }

  // Runs `body` under the connection's lock; SQLite's exceptions become kUnavailable.
  template <class Body>
  auto guarded(const std::string& what, Body body) -> decltype(body()) {
    std::lock_guard lock(mutex_);
    try {
      return body();
    } catch (const SQLite::Exception& e) {
      return fail(Errc::kUnavailable, "cannot " + what + ": " + e.what());
    }
  }

  std::mutex mutex_;
  std::int64_t localWrites_ = 0;  // data_version does not count this connection's own writes
  SQLite::Database db_;
};

}  // namespace

bool validUserName(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::unique_ptr<UserStore>> UserStore::open(const std::string& path) {
  try {
    return std::unique_ptr<UserStore>(std::make_unique<SqliteUserStore>(path));
  } catch (const SQLite::Exception& e) {
    return fail(Errc::kUnavailable, "cannot open the user store " + path + ": " + e.what());
  }
}

}  // namespace decnet::apiserver::auth
