#include "pipeline/correlator/correlator.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "api/types/clock.h"

namespace decnet::pipeline {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxCommands = 200;   // per attacker and per session, the latest
constexpr std::size_t kMaxClients = 32;     // distinct client identifications per attacker
constexpr std::size_t kMaxTraversal = 500;  // hops per attacker
constexpr std::size_t kMaxTtls = 16;

std::int64_t micros(const std::string& time) {
  auto parsed = api::parseTime(time);
  if (!parsed) return 0;
  return std::chrono::duration_cast<std::chrono::microseconds>(parsed->time_since_epoch()).count();
}

std::string field(const Json& fields, const char* key) {
  auto it = fields.find(key);
  if (it == fields.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

template <class T>
void appendDistinct(std::vector<T>& list, const T& value, std::size_t cap) {
  if (list.size() >= cap || std::find(list.begin(), list.end(), value) != list.end()) return;
  list.push_back(value);
}

void appendBounded(std::vector<std::string>& list, const std::string& value) {
  if (list.size() >= kMaxCommands) list.erase(list.begin());
  list.push_back(value);
}

// The command or query an event carries ("" when it carries none).
std::string commandOf(const std::string& eventType, const Json& fields) {
  if (eventType != "command" && eventType != "query") return "";
  std::string text = field(fields, "cmd");
  if (text.empty()) text = field(fields, "query");
  for (const char* extra : {"arg", "args"}) {
    const std::string value = field(fields, extra);
    if (!value.empty()) text += (text.empty() ? "" : " ") + value;
  }
  return text;
}

// How many events a stored event stands for: a folded flood carries count="N".
std::int64_t weightOf(const Json& fields) {
  const std::string count = field(fields, "count");
  if (count.empty()) return 1;
  try {
    return std::max<std::int64_t>(1, std::stoll(count));
  } catch (const std::exception&) {
    return 1;  // a count that is not a number: the line itself
  }
}

bool carriesCredential(const std::string& eventType, const Json& fields) {
  if (!fields.contains("principal")) return false;
  return fields.contains("secret") || fields.contains("secret_b64") ||
         eventType == "auth_attempt" || eventType == "bind";
}

class Fold {
 public:
  Fold(std::map<std::string, AttackerRecord>& attackers, std::vector<SessionRecord>& sessions,
       const CorrelatorOptions& options)
      : attackers_(attackers), options_(options) {
    for (auto& session : sessions)
      open_[key(session.attackerIp, session.decky, session.service)] = session;
  }

  void add(const CollectedEvent& event) {
    const Json parsed = Json::parse(event.fieldsJson, nullptr, false);
    const Json fields = parsed.is_object() ? parsed : Json::object();
    const std::int64_t at = micros(event.time);
    const std::int64_t weight = weightOf(fields);

    auto [it, created] = attackers_.try_emplace(event.attackerIp);
    AttackerRecord& attacker = it->second;
    if (created || attacker.firstSeen.empty()) {
      attacker.ip = event.attackerIp;
      attacker.firstSeen = event.time;
    }
    touched_.insert(event.attackerIp);
    attacker.eventCount += weight;
    attacker.lastSeen = event.time;
    if (attacker.lastEventMicros > 0 && at > 0) {
      const double gap = std::max<std::int64_t>(0, at - attacker.lastEventMicros) / 1e6;
      ++attacker.gaps;
      const double delta = gap - attacker.gapMean;
      attacker.gapMean += delta / static_cast<double>(attacker.gaps);
      attacker.gapM2 += delta * (gap - attacker.gapMean);
    }
    if (at > 0) attacker.lastEventMicros = std::max(attacker.lastEventMicros, at);
    appendDistinct(attacker.services, event.service, 64);
    appendDistinct(attacker.deckies, event.decky, 4096);
    const auto hops = attacker.hopsStored +
                      static_cast<std::int64_t>(attacker.traversal.size() - attacker.hopsLoaded);
    if ((attacker.traversal.empty() || attacker.traversal.back().decky != event.decky) &&
        hops < static_cast<std::int64_t>(kMaxTraversal)) {
      attacker.traversal.push_back({event.decky, event.service, event.time});
    }
    attacker.eventTypes[event.eventType] += weight;
    for (const char* client : {"user_agent", "client_version", "application_name"}) {
      const std::string value = field(fields, client);
      if (!value.empty()) appendDistinct(attacker.clients, value, kMaxClients);
    }
    if (const std::string ttl = field(fields, "ttl"); !ttl.empty()) {
      try {
        appendDistinct(attacker.ttls, std::stoi(ttl), kMaxTtls);
      } catch (const std::exception&) {
        // a TTL that is not a number tells nothing
      }
    }

    SessionRecord& session = sessionFor(event, at, attacker);
    session.eventCount += weight;
    session.lastSeen = event.time;
    session.lastSeenMicros = std::max(session.lastSeenMicros, at);
    if (const std::string command = commandOf(event.eventType, fields); !command.empty()) {
      appendBounded(session.commands, command);
      if (attacker.commands.size() >= kMaxCommands) {  // the oldest goes (a loaded one first)
        attacker.commands.erase(attacker.commands.begin());
        if (attacker.commandsLoaded > 0) --attacker.commandsLoaded;
      }
      attacker.commands.push_back(command);
      ++attacker.commandCount;
    }
    if (carriesCredential(event.eventType, fields)) {
      CredentialUse use{field(fields, "principal"), field(fields, "secret"),
                        field(fields, "outcome")};
      if (use.secret.empty()) use.secret = field(fields, "secret_b64");
      if (session.credentials.size() < kMaxCommands) session.credentials.push_back(use);
      attacker.credentialCount += weight;
      CredentialRecord record;
      record.attackerIp = event.attackerIp;
      record.decky = event.decky;
      record.service = event.service;
      record.principal = use.principal;
      record.secret = use.secret;
      record.outcome = use.outcome;
      record.firstSeen = record.lastSeen = event.time;
      record.attempts = weight;
      credentials_.push_back(std::move(record));
    }
    if (event.eventType == "disconnect") {
      session.closed = true;
      session.closeReason = "disconnect";
      finish(key(event.attackerIp, event.decky, event.service));
    }
  }

  CorrelationBatch result(std::int64_t cursor) {
    CorrelationBatch batch;
    batch.cursor = cursor;
    for (const auto& ip : touched_) {
      AttackerRecord& attacker = attackers_.at(ip);
      ++attacker.revision;
      batch.attackers.push_back(attacker);
    }
    for (auto& [k, session] : open_) {
      if (changed_.count(k)) done_.push_back(session);
    }
    batch.sessions = std::move(done_);
    batch.credentials = std::move(credentials_);
    return batch;
  }

 private:
  static std::string key(const std::string& ip, const std::string& decky,
                         const std::string& service) {
    return ip + '\n' + decky + '\n' + service;
  }

  SessionRecord& sessionFor(const CollectedEvent& event, std::int64_t at,
                            AttackerRecord& attacker) {
    const std::string k = key(event.attackerIp, event.decky, event.service);
    auto it = open_.find(k);
    const auto idle = std::chrono::duration_cast<std::chrono::microseconds>(options_.sessionIdle);
    if (it != open_.end() && at > 0 && it->second.lastSeenMicros > 0 &&
        at - it->second.lastSeenMicros > idle.count()) {
      it->second.closed = true;
      it->second.closeReason = "idle";
      finish(k);
      it = open_.end();
    }
    if (it == open_.end()) {
      SessionRecord session;
      session.attackerIp = event.attackerIp;
      session.decky = event.decky;
      session.service = event.service;
      session.started = event.time;
      session.lastSeenMicros = at;
      ++attacker.sessionCount;
      it = open_.emplace(k, std::move(session)).first;
    }
    changed_.insert(k);
    return it->second;
  }

  // Moves a closed session out of the open ones into the output.
  void finish(const std::string& k) {
    auto it = open_.find(k);
    done_.push_back(std::move(it->second));
    open_.erase(it);
    changed_.erase(k);
  }

  std::map<std::string, AttackerRecord>& attackers_;
  const CorrelatorOptions& options_;
  std::map<std::string, SessionRecord> open_;
  std::set<std::string> changed_;
  std::set<std::string> touched_;
  std::vector<SessionRecord> done_;
  std::vector<CredentialRecord> credentials_;
};

}  // namespace

CorrelationBatch foldEvents(const std::vector<CollectedEvent>& events,
                            std::map<std::string, AttackerRecord>& attackers,
                            std::vector<SessionRecord>& openSessions,
                            const CorrelatorOptions& options) {
  Fold fold(attackers, openSessions, options);
  std::int64_t cursor = 0;
  for (const auto& event : events) {
    cursor = std::max(cursor, event.id);
    if (!event.attackerIp.empty()) fold.add(event);  // no address: nothing to attribute
  }
  return fold.result(cursor);
}

Correlator::Correlator(TelemetryStore& events, AnalysisStore& analysis, CorrelatorOptions options)
    : events_(events), analysis_(analysis), options_(options) {}

Result<std::size_t> Correlator::step(const std::string& holder) {
  const auto now = std::chrono::steady_clock::now();
  if (now - lastIdleSweep_ > std::chrono::seconds(5)) {
    lastIdleSweep_ = now;
    const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch()) -
                      std::chrono::duration_cast<std::chrono::microseconds>(options_.sessionIdle);
    if (auto closed = analysis_.closeIdleSessions(wall.count(), holder); !closed) {
      return tl::unexpected(closed.error());
    }
  }
  auto cursor = analysis_.cursor("correlator");
  if (!cursor) return tl::unexpected(cursor.error());
  EventQuery query;
  query.afterId = *cursor;
  query.limit = options_.batchEvents;
  auto events = events_.query(query);
  if (!events) return tl::unexpected(events.error());
  if (events->empty()) return std::size_t{0};
  std::vector<std::string> ips;
  for (const auto& event : *events) {
    if (!event.attackerIp.empty()) ips.push_back(event.attackerIp);
  }
  std::sort(ips.begin(), ips.end());
  ips.erase(std::unique(ips.begin(), ips.end()), ips.end());
  auto attackers = analysis_.attackersByIp(ips);
  if (!attackers) return tl::unexpected(attackers.error());
  auto sessions = analysis_.openSessions(ips);
  if (!sessions) return tl::unexpected(sessions.error());
  const CorrelationBatch batch = foldEvents(*events, *attackers, *sessions, options_);
  if (auto saved = analysis_.saveCorrelation(batch, holder); !saved) {
    return tl::unexpected(saved.error());
  }
  return events->size();
}

}  // namespace decnet::pipeline
