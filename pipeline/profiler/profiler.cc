#include "pipeline/profiler/profiler.h"

#include "pipeline/profiler/profile_rules.h"

namespace decnet::pipeline {

Result<std::size_t> Profiler::step(const std::string& holder) {
  auto attackers = analysis_.attackersToProfile(batch_);
  if (!attackers) return tl::unexpected(attackers.error());
  if (attackers->empty()) return std::size_t{0};
  std::vector<std::pair<AttackerRecord, AttackerProfile>> profiles;
  profiles.reserve(attackers->size());
  for (auto& attacker : *attackers) {
    AttackerProfile profile = profileAttacker(attacker);
    profiles.emplace_back(std::move(attacker), std::move(profile));
  }
  if (auto saved = analysis_.saveProfiles(profiles, holder); !saved) {
    return tl::unexpected(saved.error());
  }
  return profiles.size();
}

}  // namespace decnet::pipeline
