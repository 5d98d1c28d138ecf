#include "apiserver/routes/telemetry.h"

#include "apiserver/error_status.h"

namespace decnet::apiserver {
namespace {

using api::Json;

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;

// A non-negative decimal, or nullopt.
std::optional<std::int64_t> count(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
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

}  // namespace

std::optional<HttpResponse> serveTelemetry(const HttpRequest& request,
                                           pipeline::TelemetryStore* store) {
  if (request.path != "/api/v1/events") return std::nullopt;
  if (request.method != "GET") {
    return errorResponse(Error{Errc::kMethodNotAllowed, "/api/v1/events supports GET", {}});
  }
  if (store == nullptr) {
    return errorResponse(Error{
        Errc::kUnavailable, "this API server has no event collector (decnet up runs one)", {}});
  }
  pipeline::EventQuery query;
  query.decky = request.param("decky");
  query.service = request.param("service");
  query.eventType = request.param("event_type");
  query.attacker = request.param("attacker");
  query.since = request.param("since");
  query.until = request.param("until");
  query.text = request.param("q");
  query.limit = kDefaultLimit;
  if (const std::string limit = request.param("limit"); !limit.empty()) {
    auto value = count(limit);
    if (!value || *value < 1 || *value > static_cast<std::int64_t>(kMaxLimit)) {
      return errorResponse(Error{Errc::kTerminal, "limit must be 1..1000", {}});
    }
    query.limit = static_cast<std::size_t>(*value);
  }
  if (const std::string cursor = request.param("cursor"); !cursor.empty()) {
    auto value = count(cursor);
    if (!value) {
      return errorResponse(Error{Errc::kTerminal, "cursor is not one this server gave", {}});
    }
    query.afterId = *value;
  }
  auto events = store->query(query);
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

}  // namespace decnet::apiserver
