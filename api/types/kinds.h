#pragma once
// The resource kinds this API serves, with their REST plural and short names.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::api {

struct KindInfo {
  std::string kind;      // "Fleet"
  std::string plural;    // "fleets"
  std::string singular;  // "fleet"
  std::vector<std::string> shortNames;
  bool hasStatus = true;
};

const std::vector<KindInfo>& kinds();
// Accepts kind, plural, singular or short name, any case ("fleets", "Fleet", "fl").
std::optional<KindInfo> findKind(std::string_view name);

}  // namespace decnet::api
