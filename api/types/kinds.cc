#include "api/types/kinds.h"

#include <algorithm>
#include <cctype>

namespace decnet::api {

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> all = {
      {"Fleet", "fleets", "fleet", {"fl"}, true},
      {"Decky", "deckies", "decky", {"dk"}, true},
      {"Node", "nodes", "node", {"no"}, true},
      {"Event", "events", "event", {"ev"}, false},
  };
  return all;
}

std::optional<KindInfo> findKind(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // "fleets.decnet.io" is accepted as well.
  if (auto dot = lower.find('.'); dot != std::string::npos) lower = lower.substr(0, dot);
  for (const auto& info : kinds()) {
    std::string kindLower = info.kind;
    std::transform(kindLower.begin(), kindLower.end(), kindLower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kindLower || lower == info.plural || lower == info.singular) return info;
    for (const auto& s : info.shortNames) {
      if (lower == s) return info;
    }
  }
  return std::nullopt;
}

}  // namespace decnet::api
