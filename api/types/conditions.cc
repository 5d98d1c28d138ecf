#include "api/types/conditions.h"

namespace decnet::api {
namespace {

Json toJson(const Condition& c) {
  return Json{{"type", c.type},
              {"status", c.status},
              {"reason", c.reason},
              {"message", c.message},
              {"lastTransitionTime", c.lastTransitionTime},
              {"observedGeneration", c.observedGeneration}};
}

}  // namespace

bool setCondition(Json& status, const Condition& condition, const std::string& now) {
  if (!status.is_object()) status = Json::object();
  Json& list = status["conditions"];
  if (!list.is_array()) list = Json::array();
  for (auto& existing : list) {
    if (existing.value("type", "") != condition.type) continue;
    Condition merged = condition;
    const bool transitioned = existing.value("status", "") != condition.status;
    merged.lastTransitionTime =
        transitioned ? now : existing.value("lastTransitionTime", std::string(now));
    Json next = toJson(merged);
    if (next == existing) return false;
    existing = std::move(next);
    return true;
  }
  Condition fresh = condition;
  fresh.lastTransitionTime = now;
  list.push_back(toJson(fresh));
  return true;
}

std::optional<Condition> findCondition(const Json& status, const std::string& type) {
  if (!status.is_object()) return std::nullopt;
  auto list = status.find("conditions");
  if (list == status.end() || !list->is_array()) return std::nullopt;
  for (const auto& c : *list) {
    if (!c.is_object() || c.value("type", "") != type) continue;
    Condition out;
    out.type = type;
    out.status = c.value("status", "Unknown");
    out.reason = c.value("reason", "");
    out.message = c.value("message", "");
    out.lastTransitionTime = c.value("lastTransitionTime", "");
    out.observedGeneration = c.value("observedGeneration", std::int64_t{0});
    return out;
  }
  return std::nullopt;
}

bool conditionCurrent(const Object& object, const std::string& type) {
  const std::int64_t generation = object.metadata.generation;
  if (generation == 0) return true;
  auto condition = findCondition(object.status, type);
  std::int64_t observed = condition ? condition->observedGeneration : 0;
  if (observed == 0 && object.status.is_object()) {
    if (auto it = object.status.find("observedGeneration");
        it != object.status.end() && it->is_number_integer()) {
      observed = it->get<std::int64_t>();
    }
  }
  return observed == 0 || observed == generation;
}

bool conditionMet(const Object& object, const std::string& type, const std::string& wantStatus) {
  auto condition = findCondition(object.status, type);
  return condition && condition->status == wantStatus && conditionCurrent(object, type);
}

bool conditionTrue(const Json& status, const std::string& type) {
  auto c = findCondition(status, type);
  return c && c->status == "True";
}

}  // namespace decnet::api
