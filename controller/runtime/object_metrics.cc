#include "controller/runtime/object_metrics.h"

#include <array>
#include <map>

#include "api/client/client.h"
#include "api/types/clock.h"
#include "api/types/conditions.h"

namespace decnet::controller {
namespace {

constexpr std::array<const char*, 4> kDeckyPhases = {"Pending", "Provisioning", "Running",
                                                     "Failed"};
constexpr std::array<const char*, 3> kConditionStatuses = {"true", "false", "unknown"};

using Snapshot = std::vector<std::shared_ptr<const api::Object>>;
using metrics::Sample;

std::string fleetOf(const api::Object& decky) {
  auto it = decky.metadata.labels.find(api::kFleetLabel);
  return it == decky.metadata.labels.end() ? "" : it->second;
}

double number(const api::Json& document, const char* key) {
  auto it = document.find(key);
  return it != document.end() && it->is_number() ? it->get<double>() : 0;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string stringAt(const api::Json& document, const char* key, const char* fallback) {
  auto it = document.find(key);
  return it != document.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::vector<Sample> fleetSamples(const Snapshot& fleets, const api::Json api::Object::*part,
                                 const char* key) {
  std::vector<Sample> out;
  out.reserve(fleets.size());
  for (const auto& fleet : fleets) {
    out.push_back({{{"fleet", fleet->metadata.name}}, number((*fleet).*part, key)});
  }
  return out;
}

std::vector<Sample> phaseSamples(const Snapshot& deckies) {
  std::vector<Sample> out;
  out.reserve(deckies.size() * kDeckyPhases.size());
  for (const auto& decky : deckies) {
    const std::string phase = stringAt(decky->status, "phase", "Pending");
    const std::string fleet = fleetOf(*decky);
    for (const char* known : kDeckyPhases) {
      out.push_back({{{"decky", decky->metadata.name}, {"fleet", fleet}, {"phase", known}},
                     phase == known ? 1.0 : 0.0});
    }
  }
  return out;
}

std::vector<Sample> conditionSamples(const Snapshot& deckies) {
  std::vector<Sample> out;
  for (const auto& decky : deckies) {
    auto conditions = decky->status.find("conditions");
    if (conditions == decky->status.end() || !conditions->is_array()) continue;
    const std::string fleet = fleetOf(*decky);
    for (const auto& condition : *conditions) {
      const std::string type = stringAt(condition, "type", "");
      if (type.empty()) continue;
      const std::string status = lower(stringAt(condition, "status", "Unknown"));
      for (const char* known : kConditionStatuses) {
        out.push_back({{{"decky", decky->metadata.name},
                        {"fleet", fleet},
                        {"condition", type},
                        {"status", known}},
                       status == known ? 1.0 : 0.0});
      }
    }
  }
  return out;
}

std::vector<Sample> restartSamples(const Snapshot& deckies) {
  std::vector<Sample> out;
  out.reserve(deckies.size());
  for (const auto& decky : deckies) {
    out.push_back({{{"decky", decky->metadata.name}, {"fleet", fleetOf(*decky)}},
                   number(decky->status, "restarts")});
  }
  return out;
}

std::vector<Sample> heartbeatAgeSamples(const Snapshot& nodes) {
  std::vector<Sample> out;
  const auto now = api::systemClock().now();
  for (const auto& node : nodes) {
    auto beat = api::parseTime(stringAt(node->status, "heartbeatTime", ""));
    if (!beat) continue;
    out.push_back(
        {{{"node", node->metadata.name}}, std::chrono::duration<double>(now - *beat).count()});
  }
  return out;
}

std::vector<Sample> nodeDeckySamples(const Snapshot& nodes, const Snapshot& deckies) {
  std::map<std::string, double> perNode;
  for (const auto& node : nodes) perNode[node->metadata.name] = 0;
  for (const auto& decky : deckies) {
    const std::string node = stringAt(decky->spec, "node", "");
    if (!node.empty()) perNode[node] += 1;
  }
  std::vector<Sample> out;
  for (const auto& [node, count] : perNode) out.push_back({{{"node", node}}, count});
  return out;
}

}  // namespace

void registerObjectMetrics(metrics::Registry& registry, ObjectSnapshots snapshots) {
  // Each kind is read once per scrape: its first family takes the snapshot, the others reuse it.
  auto fleets = std::make_shared<Snapshot>();
  registry.gaugesFromState("decnet_fleet_replicas", "Deckies a fleet's spec asks for.",
                           [snapshots, fleets] {
                             *fleets = snapshots("Fleet");
                             return fleetSamples(*fleets, &api::Object::spec, "replicas");
                           });
  registry.gaugesFromState(
      "decnet_fleet_ready_replicas", "Deckies of a fleet that are Ready (its status).",
      [fleets] { return fleetSamples(*fleets, &api::Object::status, "readyReplicas"); });

  auto deckies = std::make_shared<Snapshot>();
  registry.gaugesFromState("decnet_decky_status_phase",
                           "The decky's phase (1 for the current one).", [snapshots, deckies] {
                             *deckies = snapshots("Decky");
                             return phaseSamples(*deckies);
                           });
  registry.gaugesFromState("decnet_decky_status_condition",
                           "The decky's conditions (1 for each one's current status).",
                           [deckies] { return conditionSamples(*deckies); });
  registry.countersFromState("decnet_decky_restarts_total",
                             "Times the agent restarted the decky's decoy process.",
                             [deckies] { return restartSamples(*deckies); });

  auto nodes = std::make_shared<Snapshot>();
  registry.gaugesFromState(
      "decnet_node_ready", "Whether the node's Ready condition is True (1) or not (0).",
      [snapshots, nodes] {
        *nodes = snapshots("Node");
        std::vector<Sample> out;
        for (const auto& node : *nodes) {
          out.push_back({{{"node", node->metadata.name}},
                         api::conditionTrue(node->status, "Ready") ? 1.0 : 0.0});
        }
        return out;
      });
  registry.gaugesFromState("decnet_node_heartbeat_age_seconds",
                           "Seconds since the node's agent last heartbeated.",
                           [nodes] { return heartbeatAgeSamples(*nodes); });
  registry.gaugesFromState("decnet_node_deckies", "Deckies scheduled to the node.",
                           [fleets, nodes, deckies] {
                             auto out = nodeDeckySamples(*nodes, *deckies);
                             // The last family of the scrape: let go of the snapshots.
                             fleets->clear();
                             deckies->clear();
                             nodes->clear();
                             return out;
                           });
}

}  // namespace decnet::controller
