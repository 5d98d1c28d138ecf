#include "apiserver/routes/auth.h"

#include <spdlog/spdlog.h>

#include "apiserver/auth/password_hash.h"
#include "apiserver/error_status.h"

namespace decnet::apiserver {
namespace {

constexpr const char* kPrefix = "/api/v1/auth/";

// The JSON object body of a POST, or kTerminal.
Result<api::Json> objectBody(const HttpRequest& request) {
  auto body = api::Json::parse(request.body, nullptr, false);
  if (!body.is_object()) return fail(Errc::kTerminal, "the body must be a JSON object");
  return body;
}

std::string stringField(const api::Json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

HttpResponse methodNotAllowed(const HttpRequest& request, const char* allowed) {
  return errorResponse(
      Error{Errc::kMethodNotAllowed, request.path + " answers " + allowed + " only", {}});
}

}  // namespace

bool AuthRoutes::anonymous(const std::string& path) {
  return path == "/api/v1/auth/login" || path == "/api/v1/auth/node" || path == "/api/v1/auth/ca";
}

std::optional<HttpResponse> AuthRoutes::serve(const HttpRequest& request,
                                              const auth::Identity* who) {
  if (request.path.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string action = request.path.substr(std::char_traits<char>::length(kPrefix));
  if (action == "ca") {
    if (request.method != "GET") return methodNotAllowed(request, "GET");
    if (!ca_) {
      return errorResponse(Error{Errc::kNotFound, "this server has no CA", {}});
    }
    return jsonResponse({{"ca", ca_->certificatePem()}, {"hash", ca_->hash()}});
  }
  if (action == "whoami") {
    if (request.method != "GET") return methodNotAllowed(request, "GET");
    return jsonResponse({{"username", who->name}, {"role", who->role}, {"node", who->node}});
  }
  if (request.method != "POST") return methodNotAllowed(request, "POST");
  if (action == "login") return login(request);
  if (action == "node") return joinNode(request);
  if (action == "password") return changePassword(request, *who);
  if (action == "logout") {
    if (auto revoked = users_->revokeToken(who->tokenId, who->tokenExpires); !revoked) {
      return errorResponse(revoked.error());
    }
    return jsonResponse(api::Json::object());
  }
  if (action == "renew" && who->role == auth::kRoleNode) {
    auto body = api::Json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    if (!body.is_object())
      return errorResponse(Error{Errc::kTerminal, "the body must be a JSON object", {}});
    record(request, who->name, "renew", 200);
    return nodeAnswer(body, who->node);
  }
  return errorResponse(Error{
      Errc::kNotFound, "the server could not find the requested resource " + request.path, {}});
}

std::optional<HttpResponse> AuthRoutes::limited(const HttpRequest& request) {
  const int wait = limiter_.retryAfter(request.remoteAddress);
  if (wait <= 0) return std::nullopt;
  HttpResponse refused =
      errorResponse(Error{Errc::kTooManyRequests,
                          "too many failed logins from " + request.remoteAddress + "; retry in " +
                              std::to_string(wait) + " s",
                          {}});
  refused.headers.emplace_back("Retry-After", std::to_string(wait));
  return refused;
}

void AuthRoutes::record(const HttpRequest& request, const std::string& user,
                        const std::string& verb, int code) {
  audit_.write({user, verb, request.path.substr(std::char_traits<char>::length("/api/v1/")), code,
                request.remoteAddress});
}

HttpResponse AuthRoutes::tokenAnswer(const std::string& token, std::chrono::seconds ttl,
                                     bool mustChangePassword) const {
  return jsonResponse({{"access_token", token},
                       {"token_type", "bearer"},
                       {"expires_in", ttl.count()},
                       {"must_change_password", mustChangePassword}});
}

HttpResponse AuthRoutes::login(const HttpRequest& request) {
  auto body = objectBody(request);
  if (!body) return errorResponse(body.error());
  const std::string username = stringField(*body, "username");
  if (auto refused = limited(request)) {
    record(request, username, "login", 429);
    return *refused;
  }
  auto user = users_->findUser(username);
  if (!user) return errorResponse(user.error());
  const std::string password = stringField(*body, "password");
  // A missing user costs a hash too, so the answer's time does not tell which names exist.
  static const std::string kDecoyHash = *auth::hashPassword("decnet-no-such-user");
  const bool matches = auth::passwordMatches(password, *user ? (*user)->passwordHash : kDecoyHash);
  if (!*user || !matches) {
    limiter_.failed(request.remoteAddress);
    spdlog::warn("auth: failed login as \"{}\" from {}", username, request.remoteAddress);
    record(request, username, "login", 401);
    return errorResponse(Error{Errc::kUnauthorized, "invalid username or password", {}});
  }
  const bool mustChange = (*user)->mustChangePassword;
  record(request, username, "login", 200);
  return tokenAnswer(tokens_->issue(username, (*user)->role, options_.userTokenTtl, mustChange),
                     options_.userTokenTtl, mustChange);
}

HttpResponse AuthRoutes::changePassword(const HttpRequest& request, const auth::Identity& who) {
  if (who.role == auth::kRoleNode) {
    return errorResponse(Error{Errc::kForbidden, "a node has no password", {}});
  }
  auto body = objectBody(request);
  if (!body) return errorResponse(body.error());
  if (auto refused = limited(request)) return *refused;
  auto user = users_->findUser(who.name);
  if (!user) return errorResponse(user.error());
  if (!*user ||
      !auth::passwordMatches(stringField(*body, "current_password"), (*user)->passwordHash)) {
    limiter_.failed(request.remoteAddress);
    record(request, who.name, "password", 401);
    return errorResponse(Error{Errc::kUnauthorized, "the current password is wrong", {}});
  }
  const std::string fresh = stringField(*body, "new_password");
  if (fresh.size() < 8) {
    return errorResponse(Error{Errc::kInvalid,
                               "the new password is too short",
                               {{"new_password", "must be at least 8 characters"}}});
  }
  if (auth::passwordMatches(fresh, (*user)->passwordHash)) {
    return errorResponse(Error{Errc::kInvalid,
                               "the new password is the current one",
                               {{"new_password", "must differ from the current password"}}});
  }
  if (auto set = users_->setPassword(who.name, fresh, false); !set) {
    return errorResponse(set.error());
  }
  record(request, who.name, "password", 200);
  // setPassword ended the user's sessions from this second on: the new token is a second later.
  return tokenAnswer(tokens_->issue(who.name, (*user)->role, options_.userTokenTtl, false),
                     options_.userTokenTtl, false);
}

HttpResponse AuthRoutes::joinNode(const HttpRequest& request) {
  auto body = objectBody(request);
  if (!body) return errorResponse(body.error());
  const std::string node = stringField(*body, "node");
  if (auto refused = limited(request)) {
    record(request, auth::kNodeSubjectPrefix + node, "join", 429);
    return *refused;
  }
  if (node.empty() || !auth::validUserName(node)) {
    return errorResponse(Error{Errc::kInvalid,
                               "the node name is invalid",
                               {{"node", "must be 1-64 of a-z, 0-9, '.', '_', '-'"}}});
  }
  auto valid = users_->bootstrapTokenValid(stringField(*body, "token"));
  if (!valid) return errorResponse(valid.error());
  const std::string subject = auth::kNodeSubjectPrefix + node;
  if (!*valid) {
    limiter_.failed(request.remoteAddress);
    spdlog::warn("auth: node {} from {} sent an unknown or expired bootstrap token", node,
                 request.remoteAddress);
    record(request, subject, "join", 401);
    return errorResponse(Error{Errc::kUnauthorized,
                               "the bootstrap token is unknown or expired (decnet token create "
                               "makes one)",
                               {}});
  }
  HttpResponse answer = nodeAnswer(*body, node);
  record(request, subject, "join", answer.status);
  return answer;
}

HttpResponse AuthRoutes::nodeAnswer(const api::Json& body, const std::string& node) {
  const std::string subject = auth::kNodeSubjectPrefix + node;
  api::Json answer = {
      {"access_token", tokens_->issue(subject, auth::kRoleNode, options_.nodeTokenTtl)},
      {"token_type", "bearer"},
      {"expires_in", options_.nodeTokenTtl.count()},
      {"must_change_password", false}};
  if (const std::string csr = stringField(body, "csr"); !csr.empty()) {
    if (!ca_)
      return errorResponse(Error{Errc::kNotFound, "this server has no CA to sign with", {}});
    auto certificate = ca_->signNode(csr, node, options_.nodeCertificateValidity);
    if (!certificate) return errorResponse(certificate.error());
    answer["certificate"] = *certificate;
    answer["ca"] = ca_->certificatePem();
  }
  return jsonResponse(answer);
}

}  // namespace decnet::apiserver
