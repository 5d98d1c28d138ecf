#include "apiserver/request_metrics.h"

#include "apiserver/routes/objects.h"

namespace decnet::apiserver {

RequestLabels requestLabels(const HttpRequest& request) {
  RequestLabels labels;
  labels.verb = request.method;
  if (auto resource = parseResourcePath(request.path)) {
    labels.resource = resource->kind.plural;
    const std::string watch = request.param("watch");
    if (request.method == "GET" && resource->name.empty()) {
      labels.longRunning = watch == "true" || watch == "1";
      labels.verb = labels.longRunning ? "WATCH" : "LIST";
    } else if (request.method == "PATCH" &&
               request.header("content-type") == "application/apply-patch+yaml") {
      labels.verb = "APPLY";
    }
    return labels;
  }
  // decnet's own routes under /api/v1: events, attackers, sessions, credentials, stats, stream.
  constexpr std::string_view kTelemetry = "/api/v1/";
  if (request.path.rfind(kTelemetry, 0) == 0) {
    const std::string rest = request.path.substr(kTelemetry.size());
    labels.resource = rest.substr(0, rest.find('/'));
    labels.longRunning = labels.resource == "stream";
    if (labels.verb == "GET" && rest.find('/') == std::string::npos && !labels.longRunning) {
      labels.verb = "LIST";
    }
  }
  return labels;
}

void RequestMetrics::record(const HttpRequest& request, int status,
                            std::chrono::steady_clock::duration took) {
  if (registry_ == nullptr) return;
  const RequestLabels labels = requestLabels(request);
  registry_
      ->counter(
          "apiserver_request_total",
          "Counter of apiserver requests broken out for each verb, resource and HTTP "
          "response code.",
          {{"verb", labels.verb}, {"resource", labels.resource}, {"code", std::to_string(status)}})
      .inc();
  if (labels.longRunning) return;
  registry_
      ->histogram("apiserver_request_duration_seconds",
                  "Response latency distribution in seconds for each verb and resource.",
                  {{"verb", labels.verb}, {"resource", labels.resource}})
      .observe(std::chrono::duration<double>(took).count());
}

void RequestMetrics::watchers(const std::string& kind, int delta) {
  if (registry_ == nullptr) return;
  registry_
      ->gauge("apiserver_registered_watchers",
              "Number of currently registered watchers for a given resources", {{"kind", kind}})
      .inc(delta);
}

}  // namespace decnet::apiserver
