#pragma once
// /api/v1/auth/*: logins, logouts, password changes, node joins and renewals.
//   POST login    {"username","password"} -> {"access_token","token_type":"bearer",
//                 "must_change_password","expires_in"}; 401 wrong, 429 past 10 failures/min
//   POST logout   revokes the token sent
//   POST password {"current_password","new_password"} -> a fresh token (others of the user end)
//   GET  whoami   {"username","role","node"}
//   POST node     {"node","token": BOOTSTRAP[,"csr": PEM]} -> a node token for
//                 system:node:NODE, and with a CSR its client certificate (mutual TLS)
//   POST renew    (a node) [{"csr": PEM}] -> a fresh node token [and certificate]
//   GET  ca       {"ca": PEM, "hash": "sha256:..."}: what a joining agent pins (anonymous)
#include <chrono>
#include <memory>
#include <optional>

#include "api/types/object.h"
#include "apiserver/auth/audit_log.h"
#include "apiserver/auth/certificate_authority.h"
#include "apiserver/auth/identity.h"
#include "apiserver/auth/login_limiter.h"
#include "apiserver/auth/token_signer.h"
#include "apiserver/auth/user_store.h"
#include "apiserver/http_exchange.h"

namespace decnet::apiserver {

struct AuthRouteOptions {
  std::chrono::seconds userTokenTtl{std::chrono::hours(24)};
  std::chrono::seconds nodeTokenTtl{std::chrono::hours(24 * 30)};
  std::chrono::hours nodeCertificateValidity{24 * 365};
};

class AuthRoutes {
 public:
  // `ca` may be null: nodes then join with tokens only.
  AuthRoutes(std::shared_ptr<auth::UserStore> users,
             std::shared_ptr<const auth::TokenSigner> tokens,
             std::shared_ptr<const auth::CertificateAuthority> ca, auth::AuditLog& audit,
             AuthRouteOptions options)
      : users_(std::move(users)),
        tokens_(std::move(tokens)),
        ca_(std::move(ca)),
        audit_(audit),
        options_(options) {}

  // Whether `path` is answered without an identity (login, node join).
  static bool anonymous(const std::string& path);
  // The answer when `request` is for one of these paths, nullopt otherwise; `who` is the
  // authenticated caller (null on anonymous paths). Thread-safe.
  std::optional<HttpResponse> serve(const HttpRequest& request, const auth::Identity* who);

 private:
  HttpResponse login(const HttpRequest& request);
  HttpResponse changePassword(const HttpRequest& request, const auth::Identity& who);
  HttpResponse joinNode(const HttpRequest& request);
  HttpResponse tokenAnswer(const std::string& token, std::chrono::seconds ttl,
                           bool mustChangePassword) const;
  // A node's token, and its certificate when the body carries a CSR.
  HttpResponse nodeAnswer(const api::Json& body, const std::string& node);
  // 429 with Retry-After when `request`'s address is over its failures.
  std::optional<HttpResponse> limited(const HttpRequest& request);
  void record(const HttpRequest& request, const std::string& user, const std::string& verb,
              int code);

  std::shared_ptr<auth::UserStore> users_;
  std::shared_ptr<const auth::TokenSigner> tokens_;
  std::shared_ptr<const auth::CertificateAuthority> ca_;
  auth::AuditLog& audit_;
  const AuthRouteOptions options_;
  auth::LoginLimiter limiter_;
};

}  // namespace decnet::apiserver
