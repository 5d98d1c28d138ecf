#include "apiserver/routes/analysis.h"

#include "apiserver/error_status.h"
#include "apiserver/routes/telemetry.h"

namespace decnet::apiserver {
namespace {

using api::Json;

Json attackerJson(const pipeline::AttackerRecord& a) {
  Json hops = Json::array();
  for (const auto& hop : a.traversal) {
    hops.push_back({{"decky", hop.decky}, {"service", hop.service}, {"time", hop.time}});
  }
  const pipeline::AttackerProfile profile = a.profile.value_or(pipeline::AttackerProfile{});
  return {{"id", std::to_string(a.id)},
          {"ip", a.ip},
          {"first_seen", a.firstSeen},
          {"last_seen", a.lastSeen},
          {"event_count", a.eventCount},
          {"session_count", a.sessionCount},
          {"credential_count", a.credentialCount},
          {"command_count", a.commandCount},
          {"services", a.services},
          {"deckies", a.deckies},
          {"traversal", hops},
          {"commands", a.commands},
          {"clients", a.clients},
          {"event_types", a.eventTypes},
          {"credential_reused", a.credentialReused},
          {"profiled", a.profile.has_value()},
          {"behaviour", profile.behaviour},
          {"tools", profile.tools},
          {"os_guess", profile.osGuess},
          {"kill_chain", profile.killChain},
          {"threat_score", profile.threatScore}};
}

Json sessionJson(const pipeline::SessionRecord& s) {
  Json credentials = Json::array();
  for (const auto& c : s.credentials) {
    credentials.push_back(
        {{"principal", c.principal}, {"secret", c.secret}, {"outcome", c.outcome}});
  }
  return {
      {"id", std::to_string(s.id)}, {"attacker_ip", s.attackerIp},   {"decky", s.decky},
      {"service", s.service},       {"started", s.started},          {"last_seen", s.lastSeen},
      {"closed", s.closed},         {"close_reason", s.closeReason}, {"event_count", s.eventCount},
      {"commands", s.commands},     {"credentials", credentials}};
}

Json credentialJson(const pipeline::CredentialRecord& c) {
  return {{"id", std::to_string(c.id)}, {"attacker_ip", c.attackerIp}, {"decky", c.decky},
          {"service", c.service},       {"principal", c.principal},    {"secret", c.secret},
          {"outcome", c.outcome},       {"first_seen", c.firstSeen},   {"last_seen", c.lastSeen},
          {"attempts", c.attempts},     {"reused", c.reused}};
}

// A page: its items and the cursor after the last one (null on a short page).
template <class Record, class ToJson>
HttpResponse page(const std::vector<Record>& records, std::size_t limit, ToJson toJson) {
  Json items = Json::array();
  for (const auto& record : records) items.push_back(toJson(record));
  Json next;
  if (records.size() == limit && !records.empty()) next = std::to_string(records.back().id);
  return jsonResponse({{"items", items}, {"next_cursor", next}});
}

Result<pipeline::AnalysisQuery> analysisQuery(const HttpRequest& request) {
  auto paging = parsePaging(request);
  if (!paging) return tl::unexpected(paging.error());
  pipeline::AnalysisQuery query;
  query.attackerIp = request.param("ip");
  if (query.attackerIp.empty()) query.attackerIp = request.param("attacker");
  query.decky = request.param("decky");
  query.service = request.param("service");
  query.openOnly = request.param("open") == "true";
  query.limit = paging->limit;
  query.afterId = paging->afterId;
  return query;
}

HttpResponse attackerDetail(pipeline::AnalysisStore& analysis, const std::string& idText) {
  auto id = parseCount(idText);
  if (!id) return errorResponse(Error{Errc::kNotFound, "attacker " + idText + " not found", {}});
  auto attacker = analysis.attacker(*id);
  if (!attacker) return errorResponse(attacker.error());
  Json body = attackerJson(*attacker);
  pipeline::AnalysisQuery query;
  query.attackerIp = attacker->ip;
  query.limit = 1000;
  auto sessions = analysis.sessions(query);
  if (!sessions) return errorResponse(sessions.error());
  auto credentials = analysis.credentials(query);
  if (!credentials) return errorResponse(credentials.error());
  body["sessions"] = Json::array();
  for (const auto& s : *sessions) body["sessions"].push_back(sessionJson(s));
  body["credentials"] = Json::array();
  for (const auto& c : *credentials) body["credentials"].push_back(credentialJson(c));
  return jsonResponse(body);
}

HttpResponse stats(pipeline::AnalysisStore& analysis, pipeline::TelemetryStore* telemetry) {
  auto counts = analysis.counts();
  if (!counts) return errorResponse(counts.error());
  Json body = {{"attackers", counts->attackers},
               {"sessions", counts->sessions},
               {"open_sessions", counts->openSessions},
               {"credentials", counts->credentials}};
  if (telemetry != nullptr) {
    auto total = telemetry->eventCount();
    auto malformed = telemetry->malformedCount();
    auto perService = telemetry->countByService();
    if (!total) return errorResponse(total.error());
    if (!malformed) return errorResponse(malformed.error());
    if (!perService) return errorResponse(perService.error());
    body["total_events"] = *total;
    body["malformed_lines"] = *malformed;
    body["events_per_service"] = *perService;
  }
  return jsonResponse(body);
}

}  // namespace

std::optional<HttpResponse> serveAnalysis(const HttpRequest& request,
                                          pipeline::AnalysisStore* analysis,
                                          pipeline::TelemetryStore* telemetry) {
  static const std::string kAttackers = "/api/v1/attackers";
  const std::string& path = request.path;
  const bool attackerPath = path == kAttackers || path.rfind(kAttackers + "/", 0) == 0;
  if (!attackerPath && path != "/api/v1/sessions" && path != "/api/v1/credentials" &&
      path != "/api/v1/stats") {
    return std::nullopt;
  }
  if (request.method != "GET") {
    return errorResponse(Error{Errc::kMethodNotAllowed, path + " supports GET", {}});
  }
  if (analysis == nullptr) {
    return errorResponse(Error{
        Errc::kUnavailable, "this API server has no event pipeline (decnet up runs one)", {}});
  }
  if (path == "/api/v1/stats") return stats(*analysis, telemetry);
  if (attackerPath && path.size() > kAttackers.size()) {
    return attackerDetail(*analysis, path.substr(kAttackers.size() + 1));
  }
  auto query = analysisQuery(request);
  if (!query) return errorResponse(query.error());
  if (path == kAttackers) {
    auto found = analysis->attackers(*query);
    if (!found) return errorResponse(found.error());
    return page(*found, query->limit, attackerJson);
  }
  if (path == "/api/v1/sessions") {
    auto found = analysis->sessions(*query);
    if (!found) return errorResponse(found.error());
    return page(*found, query->limit, sessionJson);
  }
  auto found = analysis->credentials(*query);
  if (!found) return errorResponse(found.error());
  return page(*found, query->limit, credentialJson);
}

}  // namespace decnet::apiserver
