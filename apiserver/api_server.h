#pragma once
// The REST API (Kubernetes conventions) over any api::Client backend: discovery, object and
// watch routes in routes/, reads and watches served from watch_cache, errors mapped in
// error_status.cc, HTTP in http_transport (Boost.Beast, kept in its .cc).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "api/client/client.h"
#include "api/types/result.h"
#include "metrics/registry.h"
#include "pipeline/collector/telemetry_store.h"
#include "pipeline/correlator/analysis_store.h"

namespace decnet::apiserver {

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
  // "http://127.0.0.1:8000"
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace decnet::apiserver
