#pragma once
// /api/v1/events: the attacker events the collector stored (telemetry, not the Event objects
// under /apis), filtered and paged by an opaque cursor.
#include <optional>

#include "apiserver/http_exchange.h"
#include "pipeline/collector/telemetry_store.h"

namespace decnet::apiserver {

// The answer when `request` is for /api/v1/events; nullopt for other paths. 503 when this
// deployment has no telemetry store (`store` null).
std::optional<HttpResponse> serveTelemetry(const HttpRequest& request,
                                           pipeline::TelemetryStore* store);

}  // namespace decnet::apiserver
