#include "apiserver/routes/telemetry.h"

#include "api/types/clock.h"
#include "apiserver/error_status.h"

namespace decnet::apiserver {
namespace {

using api::Json;

constexpr std::size_t kMaxLimit = 1000;

Result<pipeline::EventQuery> eventQuery(const HttpRequest& request) {
  auto paging = parsePaging(request);
  if (!paging) return tl::unexpected(paging.error());
  pipeline::EventQuery query;
  query.decky = request.param("decky");
  query.service = request.param("service");
  query.eventType = request.param("event_type");
  query.attacker = request.param("attacker");
  query.since = request.param("since");
  query.until = request.param("until");
  query.text = request.param("q");
  query.limit = paging->limit;
  query.afterId = paging->afterId;
  return query;
}

HttpResponse events(const HttpRequest& request, pipeline::TelemetryStore& store) {
  auto query = eventQuery(request);
  if (!query) return errorResponse(query.error());
  auto events = store.query(*query);
  if (!events) return errorResponse(events.error());
  Json items = Json::array();
  for (const auto& event : *events) items.push_back(eventJson(event));
  // The cursor after the last item (or the one given, when nothing came): a full page may have
  // more after it, and a follower polls with it for new events.
  Json next;
  if (!events->empty()) {
    next = std::to_string(events->back().id);
  } else if (!request.param("cursor").empty()) {
    next = request.param("cursor");
  }
  return jsonResponse({{"items", items}, {"next_cursor", next}});
}

// GET /api/v1/events/histogram?bucket=1h&<the event filters>
HttpResponse histogram(const HttpRequest& request, pipeline::TelemetryStore& store) {
  auto query = eventQuery(request);
  if (!query) return errorResponse(query.error());
  std::int64_t bucket = 3600;
  if (const std::string text = request.param("bucket"); !text.empty()) {
    auto parsed = api::parseDuration(text);
    if (!parsed || parsed->count() <= 0) {
      return errorResponse(
          Error{Errc::kTerminal, "bucket must be a duration such as 1m, 1h or 1d", {}});
    }
    bucket = parsed->count();
  }
  auto buckets = store.histogram(*query, bucket);
  if (!buckets) return errorResponse(buckets.error());
  Json items = Json::array();
  for (const auto& b : *buckets) items.push_back({{"start", b.start}, {"count", b.count}});
  return jsonResponse({{"bucket_seconds", bucket}, {"buckets", items}});
}

}  // namespace

std::optional<std::int64_t> parseCount(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

Result<Paging> parsePaging(const HttpRequest& request) {
  Paging paging;
  if (const std::string limit = request.param("limit"); !limit.empty()) {
    auto value = parseCount(limit);
    if (!value || *value < 1 || *value > static_cast<std::int64_t>(kMaxLimit)) {
      return fail(Errc::kTerminal, "limit must be 1..1000");
    }
    paging.limit = static_cast<std::size_t>(*value);
  }
  if (const std::string cursor = request.param("cursor"); !cursor.empty()) {
    auto value = parseCount(cursor);
    if (!value) return fail(Errc::kTerminal, "cursor is not one this server gave");
    paging.afterId = *value;
  }
  return paging;
}

Json eventJson(const pipeline::CollectedEvent& event) {
  Json fields = Json::parse(event.fieldsJson, nullptr, false);
  return {{"id", std::to_string(event.id)},
          {"time", event.time},
          {"node", event.node},
          {"sequence_id", event.sequenceId ? Json(*event.sequenceId) : Json()},
          {"decky", event.decky},
          {"service", event.service},
          {"event_type", event.eventType},
          {"attacker_ip", event.attackerIp},
          {"fields", fields.is_discarded() ? Json::object() : fields},
          {"message", event.message}};
}

std::optional<HttpResponse> serveTelemetry(const HttpRequest& request,
                                           pipeline::TelemetryStore* store) {
  if (request.path != "/api/v1/events" && request.path != "/api/v1/events/histogram") {
    return std::nullopt;
  }
  if (request.method != "GET") {
    return errorResponse(Error{Errc::kMethodNotAllowed, request.path + " supports GET", {}});
  }
  if (store == nullptr) {
    return errorResponse(Error{
        Errc::kUnavailable, "this API server has no event collector (decnet up runs one)", {}});
  }
  if (request.path == "/api/v1/events/histogram") return histogram(request, *store);
  return events(request, *store);
}

}  // namespace decnet::apiserver
