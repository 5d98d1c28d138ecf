#include "apiserver/auth/authenticator.h"

namespace decnet::apiserver::auth {

Result<Identity> Authenticator::authenticate(const HttpRequest& request) const {
  const std::string header = request.header("authorization");
  // A client certificate the TLS handshake verified against the CA: the agent's mTLS identity.
  const std::string prefix = kNodeSubjectPrefix;
  if (header.empty() && request.peerCertificateName.size() > prefix.size() &&
      request.peerCertificateName.rfind(prefix, 0) == 0) {
    return Identity{request.peerCertificateName,
                    kRoleNode,
                    request.peerCertificateName.substr(prefix.size()),
                    "",
                    0,
                    false};
  }
  if (header.empty()) {
    return fail(Errc::kUnauthorized,
                "this request needs an identity: send `Authorization: Bearer TOKEN` (decnet "
                "login writes one to ~/.config/decnet/config)");
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return fail(Errc::kUnauthorized, "only bearer tokens are accepted (Authorization: Bearer ...)");
  }
  return authenticateToken(header.substr(kBearer.size()));
}

Result<std::shared_ptr<const Credentials>> Authenticator::currentCredentials() const {
  auto generation = users_->generation();
  if (!generation) return tl::unexpected(generation.error());
  std::lock_guard lock(cacheMutex_);
  if (!cached_ || *generation != cachedGeneration_) {
    auto loaded = users_->credentials();
    if (!loaded) return tl::unexpected(loaded.error());
    cached_ = std::move(*loaded);
    cachedGeneration_ = *generation;
  }
  return cached_;
}

Result<Identity> Authenticator::authenticateToken(const std::string& token) const {
  auto claims = tokens_->verify(token, unixNow());
  if (!claims) return tl::unexpected(claims.error());
  auto credentials = currentCredentials();
  if (!credentials) return tl::unexpected(credentials.error());
  if ((*credentials)->revokedTokens.count(claims->id) > 0) {
    return fail(Errc::kUnauthorized, "the bearer token has been revoked");
  }
  Identity identity{claims->subject, claims->role,      "",
                    claims->id,      claims->expiresAt, claims->mustChangePassword};
  if (claims->role == kRoleNode) {
    const std::string prefix = kNodeSubjectPrefix;
    if (claims->subject.rfind(prefix, 0) != 0 || claims->subject.size() == prefix.size()) {
      return fail(Errc::kUnauthorized, "the bearer token names no node");
    }
    identity.node = claims->subject.substr(prefix.size());
    return identity;
  }
  auto user = (*credentials)->users.find(claims->subject);
  if (user == (*credentials)->users.end()) {
    return fail(Errc::kUnauthorized, "the bearer token's user no longer exists");
  }
  if (claims->issuedAt < user->second.tokensValidFrom) {
    return fail(Errc::kUnauthorized,
                "the bearer token predates a password change; log in again (decnet login)");
  }
  identity.role = user->second.role;  // a role changed since the token was issued counts now
  return identity;
}

}  // namespace decnet::apiserver::auth
