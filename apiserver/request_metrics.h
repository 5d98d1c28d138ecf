#pragma once
// kube-apiserver's request series for this server: apiserver_request_total{verb,resource,code},
// apiserver_request_duration_seconds{verb,resource} and apiserver_registered_watchers{kind}.
// Verbs as kube-apiserver names them: LIST, GET, WATCH, POST, PUT, PATCH, APPLY, DELETE; paths
// that name no resource (/healthz, /metrics, discovery) have resource "".
#include <chrono>
#include <string>

#include "apiserver/http_exchange.h"
#include "metrics/registry.h"

namespace decnet::apiserver {

struct RequestLabels {
  std::string verb, resource;
  bool longRunning = false;  // WATCH and the event stream: no duration is observed
};

// The labels of one request. Pure.
RequestLabels requestLabels(const HttpRequest& request);

class RequestMetrics {
 public:
  // Without a registry every call does nothing.
  explicit RequestMetrics(metrics::Registry* registry) : registry_(registry) {}
  // Counts one answered request with its status and, unless long-running, its duration.
  // Thread-safe.
  void record(const HttpRequest& request, int status, std::chrono::steady_clock::duration took);
  // One more (delta 1) or one fewer (-1) open watch of `kind`. Thread-safe.
  void watchers(const std::string& kind, int delta);

 private:
  metrics::Registry* registry_;
};

}  // namespace decnet::apiserver
