#pragma once
// Authentication: the bearer token of a request, checked against the signing key, its expiry,
// the revocation list and the user it names (who may since have been removed, or changed
// password).
#include <memory>
#include <mutex>

#include "api/types/result.h"
#include "apiserver/auth/identity.h"
#include "apiserver/auth/token_signer.h"
#include "apiserver/auth/user_store.h"
#include "apiserver/http_exchange.h"

namespace decnet::apiserver::auth {

class Authenticator {
 public:
  Authenticator(std::shared_ptr<UserStore> users, std::shared_ptr<const TokenSigner> tokens)
      : users_(std::move(users)), tokens_(std::move(tokens)) {}

  // The identity of `request`: its bearer token (Authorization: Bearer TOKEN), else a node's
  // client certificate the TLS handshake verified (CN system:node:NAME); kUnauthorized with the
  // reason when there is none or it does not check out. Thread-safe.
  Result<Identity> authenticate(const HttpRequest& request) const;
  // The same for a bare token.
  Result<Identity> authenticateToken(const std::string& token) const;

 private:
  // The users and revocations, reloaded only when the store's generation moved: a request
  // costs one cheap version check instead of two queries.
  Result<std::shared_ptr<const Credentials>> currentCredentials() const;

  std::shared_ptr<UserStore> users_;
  std::shared_ptr<const TokenSigner> tokens_;
  mutable std::mutex cacheMutex_;
  mutable std::int64_t cachedGeneration_ = -1;
  mutable std::shared_ptr<const Credentials> cached_;
};

}  // namespace decnet::apiserver::auth
