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

// The condition object of `type` in `status`, read in place (no copies: the fleet reconciler
// reads three conditions of every decky on each pass); nullptr when absent.
const Json* conditionOf(const Json& status, const std::string& type) {
  if (!status.is_object()) return nullptr;
  auto list = status.find("conditions");
  if (list == status.end() || !list->is_array()) return nullptr;
  for (const auto& c : *list) {
    if (!c.is_object()) continue;
    auto t = c.find("type");
    if (t != c.end() && t->is_string() && t->get_ref<const std::string&>() == type) return &c;
  }
  return nullptr;
}

// `field` of `condition` equals `want` (a missing or non-string field reads as `absent`).
bool fieldIs(const Json& condition, const char* field, const std::string& want,
             const char* absent) {
  auto it = condition.find(field);
  if (it == condition.end() || !it->is_string()) return want == absent;
  return it->get_ref<const std::string&>() == want;
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

namespace {

// kstatus' rule for `condition` (null: absent) of `object`: see conditionCurrent.
bool currentFor(const Object& object, const Json* condition) {
  const std::int64_t generation = object.metadata.generation;
  if (generation == 0) return true;
  std::int64_t observed = 0;
  if (condition != nullptr) {
    if (auto it = condition->find("observedGeneration");
        it != condition->end() && it->is_number_integer()) {
      observed = it->get<std::int64_t>();
    }
  }
  if (observed == 0 && object.status.is_object()) {
    if (auto it = object.status.find("observedGeneration");
        it != object.status.end() && it->is_number_integer()) {
      observed = it->get<std::int64_t>();
    }
  }
  return observed == 0 || observed == generation;
}

}  // namespace

bool conditionCurrent(const Object& object, const std::string& type) {
  return currentFor(object, conditionOf(object.status, type));
}

bool conditionMet(const Object& object, const std::string& type, const std::string& wantStatus) {
  // One scan of the conditions: a fleet's pass asks this of each of its deckies.
  const Json* condition = conditionOf(object.status, type);
  return condition != nullptr && fieldIs(*condition, "status", wantStatus, "Unknown") &&
         currentFor(object, condition);
}

bool conditionHas(const Json& status, const std::string& type, const std::string& wantStatus,
                  const std::string& wantReason) {
  const Json* condition = conditionOf(status, type);
  return condition != nullptr && fieldIs(*condition, "status", wantStatus, "Unknown") &&
         (wantReason.empty() || fieldIs(*condition, "reason", wantReason, ""));
}

bool conditionTrue(const Json& status, const std::string& type) {
  return conditionHas(status, type, "True");
}

}  // namespace decnet::api
