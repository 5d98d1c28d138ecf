#include "apiserver/api_server.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <map>
#include <mutex>

#include "apiserver/auth/authenticator.h"
#include "apiserver/auth/authorizer.h"
#include "apiserver/error_status.h"
#include "apiserver/http_transport.h"
#include "apiserver/request_metrics.h"
#include "apiserver/routes/analysis.h"
#include "apiserver/routes/discovery.h"
#include "apiserver/routes/event_stream.h"
#include "apiserver/routes/objects.h"
#include "apiserver/routes/openapi.h"
#include "apiserver/routes/telemetry.h"
#include "apiserver/routes/watch.h"
#include "apiserver/watch_cache.h"

namespace decnet::apiserver {

struct ApiServer::Impl {
  api::Client& backend;
  ApiServerOptions options;  // before cache, which is made from it
  WatchCache cache{backend, options.watchHistory};
  ObjectRoutes objects{backend, cache};
  EventStreamHub eventStream{options.telemetry.get(), options.eventStreamPoll,
                             std::chrono::seconds(15)};
  std::unique_ptr<HttpTransport> transport;
  std::mutex watchesMutex;
  std::map<std::string, int> watchesByClient;  // remote address -> open watches
  RequestMetrics requestMetrics{options.metrics};
  // Set when options.auth is.
  std::unique_ptr<auth::AuditLog> audit;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<AuthRoutes> authRoutes;

  Impl(api::Client& b, ApiServerOptions o) : backend(b), options(std::move(o)) {
    if (options.auth) {
      audit = std::make_unique<auth::AuditLog>(options.auth->auditPath);
      authenticator =
          std::make_unique<auth::Authenticator>(options.auth->users, options.auth->tokens);
      authRoutes = std::make_unique<AuthRoutes>(options.auth->users, options.auth->tokens,
                                                options.auth->ca, *audit, options.auth->tokensFor);
    }
  }

  // Authenticates, authorizes and audits `request` around handle().
  Reply guard(const HttpRequest& request);
  // Whether `path` is served to anyone.
  bool openPath(const std::string& path) const;
  void auditWrite(const HttpRequest& request, const std::string& user, int code);
  Reply handle(const HttpRequest& request, const auth::Identity* who);
  Reply watch(const HttpRequest& request, const WatchRequest& watch);
};

Reply ApiServer::Impl::watch(const HttpRequest& request, const WatchRequest& watch) {
  const std::string client = request.remoteAddress;
  {
    std::lock_guard lock(watchesMutex);
    int& open = watchesByClient[client];
    if (open >= options.maxWatchesPerClient) {
      HttpResponse refused = errorResponse(Error{Errc::kTooManyRequests,
                                                 "too many open watches from " + client + " (" +
                                                     std::to_string(options.maxWatchesPerClient) +
                                                     "); close some or retry later",
                                                 {}});
      refused.headers.emplace_back("Retry-After", "1");
      return {refused, nullptr};
    }
    ++open;
  }
  requestMetrics.watchers(watch.kind, 1);
  auto release = [this, client, kind = watch.kind] {
    requestMetrics.watchers(kind, -1);
    std::lock_guard lock(watchesMutex);
    if (--watchesByClient[client] <= 0) watchesByClient.erase(client);
  };
  return serveWatch(cache, request, watch, {options.watchBookmarkEvery, options.watchMaxDuration},
                    release);
}

bool ApiServer::Impl::openPath(const std::string& path) const {
  return path == "/healthz" || path == "/readyz" || path == "/livez" || path == "/version" ||
         (path == "/metrics" && options.auth->openMetrics) || AuthRoutes::anonymous(path);
}

void ApiServer::Impl::auditWrite(const HttpRequest& request, const std::string& user, int code) {
  if (auth::isReadMethod(request.method)) return;
  if (request.path.rfind("/api/v1/auth/", 0) == 0) return;  // the auth routes write their own
  static const std::map<std::string, std::string> kVerbs = {
      {"POST", "create"}, {"PUT", "update"}, {"PATCH", "patch"}, {"DELETE", "delete"}};
  auto verb = kVerbs.find(request.method);
  std::string object = request.path;
  for (const char* prefix : {"/apis/decnet.io/v1alpha1/", "/api/v1/"}) {
    if (object.rfind(prefix, 0) == 0) object = object.substr(std::strlen(prefix));
  }
  audit->write({user, verb == kVerbs.end() ? request.method : verb->second, object, code,
                request.remoteAddress});
}

Reply ApiServer::Impl::guard(const HttpRequest& request) {
  if (!options.auth || openPath(request.path)) return handle(request, nullptr);
  auto who = authenticator->authenticate(request);
  if (!who) {
    HttpResponse refused = errorResponse(who.error());
    refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"decnet\"");
    auditWrite(request, "system:anonymous", refused.status);
    return {refused, nullptr};
  }
  auto resource = parseResourcePath(request.path);
  std::optional<api::Object> stored;
  if (who->role == auth::kRoleNode && resource && resource->kind.kind == "Decky" &&
      !resource->name.empty() && !auth::isReadMethod(request.method)) {
    // The Node authorizer's question: is this decky scheduled to the caller?
    if (auto got = backend.get({"Decky", resource->name})) stored = std::move(*got);
  }
  if (auto allowed = auth::authorize(*who, request, resource, stored ? &*stored : nullptr);
      !allowed) {
    auditWrite(request, who->name, 403);
    return {errorResponse(allowed.error()), nullptr};
  }
  Reply reply = handle(request, &*who);
  auditWrite(request, who->name, reply.response.status);
  return reply;
}

Reply ApiServer::Impl::handle(const HttpRequest& request, const auth::Identity* who) {
  if (options.metrics != nullptr && request.path == "/metrics") {
    if (request.method != "GET" && request.method != "HEAD") {
      return {errorResponse(Error{Errc::kTerminal, "/metrics answers GET only", {}}), nullptr};
    }
    return {HttpResponse{200, metrics::kExpositionContentType, options.metrics->expose(), {}, {}},
            nullptr};
  }
  if (auto extra = options.extraRoutes.find(request.path); extra != options.extraRoutes.end()) {
    auto [type, body] = extra->second();
    return {HttpResponse{200, type, body, {}, {}}, nullptr};
  }
  if (authRoutes) {
    if (auto answer = authRoutes->serve(request, who)) return {*answer, nullptr};
  }
  if (auto answer = serveDiscovery(request, options.ready)) return {*answer, nullptr};
  if (auto answer = serveOpenApi(request)) return {*answer, nullptr};
  if (auto answer = serveTelemetry(request, options.telemetry.get())) return {*answer, nullptr};
  if (auto answer = serveAnalysis(request, options.analysis.get(), options.telemetry.get())) {
    return {*answer, nullptr};
  }
  if (auto stream = eventStream.serve(request)) return *stream;
  if (auto resource = parseResourcePath(request.path)) {
    auto watchRequest = watchRequested(request, *resource);
    if (!watchRequest) return {errorResponse(watchRequest.error()), nullptr};
    if (*watchRequest) return watch(request, **watchRequest);
    return {objects.serve(request, *resource), nullptr};
  }
  return {
      errorResponse(Error{
          Errc::kNotFound, "the server could not find the requested resource " + request.path, {}}),
      nullptr};
}

ApiServer::ApiServer(api::Client& backend, ApiServerOptions options)
    : impl_(std::make_unique<Impl>(backend, std::move(options))) {}

ApiServer::~ApiServer() { stop(); }

std::string ApiServer::url() const {
  return (impl_->options.tls ? "https://" : "http://") + impl_->options.listen;
}

Result<void> ApiServer::start() {
  if (auto loaded = impl_->cache.start(); !loaded) return loaded;
  TransportLimits limits;
  limits.threads = impl_->options.threads;
  auto transport = HttpTransport::start(
      impl_->options.listen,
      [impl = impl_.get()](const HttpRequest& request) {
        try {
          const auto started = std::chrono::steady_clock::now();
          Reply reply = impl->guard(request);
          impl->requestMetrics.record(request, reply.response.status,
                                      std::chrono::steady_clock::now() - started);
          return reply;
        } catch (const std::exception& e) {
          spdlog::error("api: {} {} failed: {}", request.method, request.path, e.what());
          return Reply{errorResponse(Error{Errc::kInternal, e.what(), {}}), nullptr};
        }
      },
      limits, impl_->options.tls);
  if (!transport) {
    impl_->cache.stop();
    return tl::unexpected(transport.error());
  }
  impl_->transport = std::move(*transport);
  spdlog::info("API server listening on {}", url());
  return {};
}

void ApiServer::stop() {
  if (!impl_ || !impl_->transport) return;
  // The cache first: once it is stopped nothing writes to a watch, so the transport can close
  // every connection and end its threads.
  impl_->cache.stop();
  impl_->eventStream.stop();
  impl_->transport->stop();
  impl_->transport.reset();
}

}  // namespace decnet::apiserver
