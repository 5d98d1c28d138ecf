#pragma once
// Kubernetes-style status conditions inside a status document.
#include <cstdint>
#include <optional>
#include <string>

#include "api/types/object.h"

namespace decnet::api {

struct Condition {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;  // CamelCase
  std::string message;
  std::string lastTransitionTime;
  std::int64_t observedGeneration = 0;
};

// Sets or replaces the condition of `type`; lastTransitionTime changes only with the status.
// Returns true when anything changed.
bool setCondition(Json& status, const Condition& condition, const std::string& now);
std::optional<Condition> findCondition(const Json& status, const std::string& type);
// True when the condition exists with status "True".
bool conditionTrue(const Json& status, const std::string& type);
// True when the condition of `type` exists with `wantStatus`, and `wantReason` unless empty.
bool conditionHas(const Json& status, const std::string& type, const std::string& wantStatus,
                  const std::string& wantReason = "");
// True when the condition of `type` speaks for `object`'s current generation (kstatus' rule):
// its observedGeneration (else status.observedGeneration) equals metadata.generation. An object
// without generations (generation 0) or a status that records none is always current.
bool conditionCurrent(const Object& object, const std::string& type);
// The condition of `type` when it has `wantStatus` and speaks for the current generation.
bool conditionMet(const Object& object, const std::string& type,
                  const std::string& wantStatus = "True");

}  // namespace decnet::api
