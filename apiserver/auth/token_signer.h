#pragma once
// Bearer tokens: JWTs signed with HS256 under a key generated at first start and kept in the
// data dir (mode 0600). A token names who it is for, their role and when it expires; its id
// (jti) is what revocation lists.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/types/result.h"

namespace decnet::apiserver::auth {

struct TokenClaims {
  std::string subject;         // a user name, or "system:node:NAME"
  std::string role;            // "admin", "viewer" or "node"
  std::string id;              // jti: random, unique per token
  std::int64_t issuedAt = 0;   // seconds since the epoch
  std::int64_t expiresAt = 0;  // seconds since the epoch
  // Issued by a login that must change its password first (claim "chpw").
  bool mustChangePassword = false;
};

class TokenSigner {
 public:
  // Reads the key at `path`, or creates it (32 random bytes, 0600) when absent. kUnavailable
  // when it can be neither read nor written.
  static Result<TokenSigner> loadOrCreate(const std::string& path);
  explicit TokenSigner(std::string key) : key_(std::move(key)) {}

  // A signed token for `subject` with `role`, valid for `ttl` from now, with a fresh id.
  std::string issue(const std::string& subject, const std::string& role, std::chrono::seconds ttl,
                    bool mustChangePassword = false) const;
  // The claims of `token` when its signature is this key's and it has not expired at `now`
  // (seconds since the epoch); kUnauthorized with the reason otherwise.
  Result<TokenClaims> verify(std::string_view token, std::int64_t now) const;

 private:
  std::string key_;
};

// Seconds since the epoch, now.
std::int64_t unixNow();
// `bytes` random bytes from OpenSSL's generator, as lower-case hex.
std::string randomHex(std::size_t bytes);

}  // namespace decnet::apiserver::auth
