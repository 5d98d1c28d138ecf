#pragma once
// /api/v1/attackers(/{id}), /api/v1/sessions, /api/v1/credentials and /api/v1/stats: what the
// correlator and profiler made of the collected events, paged by an opaque cursor.
#include <optional>

#include "apiserver/http_exchange.h"
#include "pipeline/collector/telemetry_store.h"
#include "pipeline/correlator/analysis_store.h"

namespace decnet::apiserver {

// The answer when `request` is for one of these paths; nullopt for other paths. 503 when this
// deployment has no pipeline (`analysis` null).
std::optional<HttpResponse> serveAnalysis(const HttpRequest& request,
                                          pipeline::AnalysisStore* analysis,
                                          pipeline::TelemetryStore* telemetry);

}  // namespace decnet::apiserver
