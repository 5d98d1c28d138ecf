#include "agents/agent_metrics.h"

#include <algorithm>
#include <mutex>

namespace decnet::agents {
namespace {

using metrics::Sample;

// Decky -> fleet, from the Decky objects' labels. Deckies deleted since keep the fleet they had
// (their counts still belong to it: a counter never goes down).
class FleetNames {
 public:
  explicit FleetNames(api::Client& client) : client_(client) {}

  std::map<std::string, std::string> refresh() {
    std::lock_guard lock(mutex_);
    if (auto deckies = client_.list("Decky")) {
      for (const auto& decky : deckies->items) {
        auto fleet = decky.metadata.labels.find(api::kFleetLabel);
        fleets_[decky.metadata.name] = fleet == decky.metadata.labels.end() ? "" : fleet->second;
      }
    }
    return fleets_;
  }

 private:
  api::Client& client_;
  std::mutex mutex_;
  std::map<std::string, std::string> fleets_;
};

}  // namespace

void registerAgentMetrics(metrics::Registry& registry, const Agent& agent, api::Client& client) {
  auto fleets = std::make_shared<FleetNames>(client);
  registry.countersFromState(
      "decnet_decoy_connections_total", "Connections the decoys accepted, per fleet and service.",
      [&agent, fleets] {
        const auto names = fleets->refresh();
        std::map<std::pair<std::string, std::string>, double> perFleet;
        for (const auto& [key, count] : agent.logs().decoyCounts().connections) {
          auto fleet = names.find(key.first);
          perFleet[{fleet == names.end() ? "" : fleet->second, key.second}] +=
              static_cast<double>(count);
        }
        std::vector<Sample> out;
        for (const auto& [key, count] : perFleet) {
          out.push_back({{{"fleet", key.first}, {"service", key.second}}, count});
        }
        return out;
      });
  registry.countersFromState(
      "decnet_attacker_events_total",
      "Events the decoys recorded from attackers, per service and event type.", [&agent] {
        std::vector<Sample> out;
        for (const auto& [key, count] : agent.logs().decoyCounts().attackerEvents) {
          out.push_back(
              {{{"service", key.first}, {"event_type", key.second}}, static_cast<double>(count)});
        }
        return out;
      });
  registry.countersFromState(
      "decnet_credentials_captured_total",
      "Credentials (a principal, with a secret when the protocol carries one) the decoys "
      "captured, per service.",
      [&agent] {
        std::vector<Sample> out;
        for (const auto& [service, count] : agent.logs().decoyCounts().credentials) {
          out.push_back({{{"service", service}}, static_cast<double>(count)});
        }
        return out;
      });
  registry.countersFromState(
      "decnet_spool_lines_total", "Lines written to this node's spool (count lines included).",
      [&agent] {
        return std::vector<Sample>{{{}, static_cast<double>(agent.logs().linesForwarded())}};
      });
  registry.gaugesFromState(
      "decnet_spool_lag_bytes",
      "Estimated bytes of spool the collector has not committed yet: the lines past its last "
      "acknowledgment times the mean spooled line length. Absent without a collector.",
      [&agent] {
        if (!agent.shipping()) return std::vector<Sample>{};
        const auto& logs = agent.logs();
        const auto last = static_cast<std::int64_t>(logs.lastSequence());
        const std::int64_t behind = std::max<std::int64_t>(0, last - agent.acknowledged());
        const double lines = static_cast<double>(logs.linesForwarded());
        const double meanBytes = lines > 0 ? static_cast<double>(logs.bytesSpooled()) / lines : 0;
        return std::vector<Sample>{{{}, static_cast<double>(behind) * meanBytes}};
      });
}

}  // namespace decnet::agents
