#pragma once
// The REST API (Kubernetes conventions) over any api::Client backend: discovery, object and
// watch routes in routes/, reads and watches served from watch_cache, errors mapped in
// error_status.cc, HTTP in http_transport (Boost.Beast, kept in its .cc).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "api/client/client.h"
#include "api/types/result.h"
#include "apiserver/http_transport.h"
#include "apiserver/routes/auth.h"
#include "metrics/registry.h"
#include "pipeline/collector/telemetry_store.h"
#include "pipeline/correlator/analysis_store.h"

namespace decnet::apiserver {

// Authentication, authorization and audit (apiserver/auth/).
struct ApiAuthOptions {
  std::shared_ptr<auth::UserStore> users;
  std::shared_ptr<const auth::TokenSigner> tokens;
  // decnet's CA: served at /api/v1/auth/ca and signing the CSRs of joining nodes; null joins
  // nodes with bearer tokens only.
  std::shared_ptr<const auth::CertificateAuthority> ca;
  std::string auditPath;    // RFC 5424 audit lines are appended here; "" logs them only
  bool openMetrics = true;  // /metrics without an identity (Prometheus' default scrape)
  AuthRouteOptions tokensFor;
};

struct ApiServerOptions {
  std::string listen = "127.0.0.1:8000";  // HOST:PORT
  std::chrono::seconds watchBookmarkEvery{5};
  std::chrono::seconds watchMaxDuration{std::chrono::minutes(30)};  // clients reconnect
  // How many recent changes a watch may start from; an older resourceVersion gets 410 Gone.
  std::size_t watchHistory = 10000;
  int maxWatchesPerClient = 2000;  // open watches per client address; more get 429
  int threads = 4;                 // serving threads (requests block briefly on the store)
  // Extra read-only routes ("/metrics"): path -> (content type, body). Optional.
  std::map<std::string, std::function<std::pair<std::string, std::string>()>> extraRoutes;
  std::function<bool()> ready;  // /readyz; default: always ready
  // The collector's store, for /api/v1/events; null: that path answers 503.
  std::shared_ptr<pipeline::TelemetryStore> telemetry;
  // The correlator's and profiler's results, for /api/v1/attackers, sessions, credentials and
  // stats; null: those paths answer 503.
  std::shared_ptr<pipeline::AnalysisStore> analysis;
  // How often /api/v1/stream looks for new events.
  std::chrono::milliseconds eventStreamPoll{100};
  // When set, GET /metrics serves it, and the server adds its apiserver_* series to it. Must
  // outlive the server.
  metrics::Registry* metrics = nullptr;
  // Who may call the API: every route but /healthz, /readyz, /version (and /metrics when open)
  // needs a bearer token, and each role may do only its part. Unset serves every request
  // without an identity: tests of the routes alone; `decnet up` and `decnet controller` set it.
  std::optional<ApiAuthOptions> auth;
  // Serve HTTPS with this certificate; its clientCaPem lets agents identify by certificate.
  std::optional<TlsServerConfig> tls;
};

class ApiServer {
 public:
  ApiServer(api::Client& backend, ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts serving. kUnavailable when the address cannot be bound.
  Result<void> start();
  // Ends open watches and stops listening. Idempotent; blocks until done. Not restartable.
  void stop();
  // "http://127.0.0.1:8000", or https:// with TLS
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace decnet::apiserver
