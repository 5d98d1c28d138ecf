#pragma once
// /api/v1/events and /api/v1/events/histogram: the attacker events the collector stored
// (telemetry, not the Event objects under /apis), filtered and paged by an opaque cursor.
#include <cstdint>
#include <optional>

#include "api/types/object.h"
#include "api/types/result.h"
#include "apiserver/http_exchange.h"
#include "pipeline/collector/telemetry_store.h"

namespace decnet::apiserver {

// The answer when `request` is for one of these paths; nullopt for other paths. 503 when this
// deployment has no telemetry store (`store` null).
std::optional<HttpResponse> serveTelemetry(const HttpRequest& request,
                                           pipeline::TelemetryStore* store);

// An event as /api/v1/events and /api/v1/stream give it.
api::Json eventJson(const pipeline::CollectedEvent& event);

// A non-negative decimal of at most 18 digits, or nullopt.
std::optional<std::int64_t> parseCount(const std::string& text);

struct Paging {
  std::size_t limit = 100;
  std::int64_t afterId = 0;
};
// `limit` (1..1000, default 100) and `cursor` of a list request; kTerminal when malformed.
Result<Paging> parsePaging(const HttpRequest& request);

}  // namespace decnet::apiserver
