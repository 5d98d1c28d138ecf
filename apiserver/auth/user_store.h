#pragma once
// The API's users and node bootstrap tokens, in their own SQLite file under the data dir
// (<data-dir>/auth.db, 0600): never objects of the API, so no hash or secret can be read back
// through it. `decnet up` and the `decnet user`/`decnet token` commands open the same file.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/types/result.h"

namespace decnet::apiserver::auth {

struct UserRecord {
  std::string name;
  std::string role;  // "admin" or "viewer"
  std::string passwordHash;
  bool mustChangePassword = false;
  // Tokens issued before this (seconds since the epoch) are refused: a password change or a
  // role change ends every session of the user.
  std::int64_t tokensValidFrom = 0;
  std::int64_t created = 0;
};

// What authentication reads on every request, loaded at once: every user and every revoked
// token id.
struct Credentials {
  std::map<std::string, UserRecord> users;  // by name
  std::set<std::string> revokedTokens;
};

struct BootstrapToken {
  std::string id;  // the public half, "abcdef"
  std::int64_t expires = 0;
  std::string description;
};

class UserStore {
 public:
  // Opens or creates the store at `path`. kUnavailable when it cannot.
  static Result<std::unique_ptr<UserStore>> open(const std::string& path);
  virtual ~UserStore() = default;

  // Adds a user; kAlreadyExists, kInvalid for a bad name or role or an empty password.
  virtual Result<void> addUser(const std::string& name, const std::string& role,
                               const std::string& password, bool mustChangePassword) = 0;
  // Sets the password and ends the user's sessions; kNotFound.
  virtual Result<void> setPassword(const std::string& name, const std::string& password,
                                   bool mustChangePassword) = 0;
  // Removes the user (their tokens stop working at once); kNotFound.
  virtual Result<void> removeUser(const std::string& name) = 0;
  // The user, or nullopt. Thread-safe, as are all methods.
  virtual Result<std::optional<UserRecord>> findUser(const std::string& name) = 0;
  // Every user, by name.
  virtual Result<std::vector<UserRecord>> users() = 0;

  // A number that changes whenever users or revocations change, by this process or another
  // (SQLite's data_version plus this connection's writes). Cheap: no table is read.
  virtual Result<std::int64_t> generation() = 0;
  // Every user and revoked token id, as of now.
  virtual Result<std::shared_ptr<const Credentials>> credentials() = 0;

  // Records token `id` as revoked until `expires`, when it would have stopped working anyway.
  virtual Result<void> revokeToken(const std::string& id, std::int64_t expires) = 0;

  // A new bootstrap token "id.secret" (kubeadm's [a-z0-9]{6}.[a-z0-9]{16}), valid for `ttl`.
  virtual Result<std::string> createBootstrapToken(std::chrono::seconds ttl,
                                                   const std::string& description) = 0;
  // Whether `token` is a bootstrap token that has not expired; its secret is compared in
  // constant time.
  virtual Result<bool> bootstrapTokenValid(const std::string& token) = 0;
  virtual Result<std::vector<BootstrapToken>> bootstrapTokens() = 0;
  // kNotFound when no token has this id.
  virtual Result<void> removeBootstrapToken(const std::string& id) = 0;
};

// A user name: 1..64 of [a-z0-9._-], starting with a letter or digit.
bool validUserName(const std::string& name);

}  // namespace decnet::apiserver::auth
