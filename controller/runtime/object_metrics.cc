#include "controller/runtime/object_metrics.h"

#include <array>

#include "api/types/clock.h"
#include "api/types/conditions.h"

namespace decnet::controller {
namespace {

constexpr std::array<const char*, 4> kDeckyPhases = {"Pending", "Provisioning", "Running",
                                                     "Failed"};
constexpr std::array<const char*, 3> kConditionStatuses = {"true", "false", "unknown"};

std::vector<api::Object> listOf(api::Client& client, const std::string& kind) {
  auto listed = client.list(kind);
  return listed ? std::move(listed->items) : std::vector<api::Object>{};
}

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

}  // namespace

void registerObjectMetrics(metrics::Registry& registry, api::Client& client) {
  using metrics::Sample;
  // Each kind is listed once per scrape: its first family lists, the others reuse the listing.
  auto fleets = std::make_shared<std::vector<api::Object>>();
  registry.gaugesFromState(
      "decnet_fleet_replicas", "Deckies a fleet's spec asks for.", [&client, fleets] {
        *fleets = listOf(client, "Fleet");
        std::vector<Sample> out;
        for (const auto& fleet : *fleets) {
          out.push_back({{{"fleet", fleet.metadata.name}}, number(fleet.spec, "replicas")});
        }
        return out;
      });
  registry.gaugesFromState(
      "decnet_fleet_ready_replicas", "Deckies of a fleet that are Ready (its status).", [fleets] {
        std::vector<Sample> out;
        for (const auto& fleet : *fleets) {
          out.push_back({{{"fleet", fleet.metadata.name}}, number(fleet.status, "readyReplicas")});
        }
        return out;
      });

  auto deckies = std::make_shared<std::vector<api::Object>>();
  registry.gaugesFromState(
      "decnet_decky_status_phase", "The decky's phase (1 for the current one).",
      [&client, deckies] {
        *deckies = listOf(client, "Decky");
        std::vector<Sample> out;
        for (const auto& decky : *deckies) {
          const std::string phase = decky.status.value("phase", "Pending");
          for (const char* known : kDeckyPhases) {
            out.push_back(
                {{{"decky", decky.metadata.name}, {"fleet", fleetOf(decky)}, {"phase", known}},
                 phase == known ? 1.0 : 0.0});
          }
        }
        return out;
      });
  registry.gaugesFromState("decnet_decky_status_condition",
                           "The decky's conditions (1 for each one's current status).", [deckies] {
                             std::vector<Sample> out;
                             for (const auto& decky : *deckies) {
                               auto conditions = decky.status.find("conditions");
                               if (conditions == decky.status.end() || !conditions->is_array())
                                 continue;
                               for (const auto& condition : *conditions) {
                                 const std::string type = condition.value("type", "");
                                 if (type.empty()) continue;
                                 const std::string status =
                                     lower(condition.value("status", "Unknown"));
                                 for (const char* known : kConditionStatuses) {
                                   out.push_back({{{"decky", decky.metadata.name},
                                                   {"fleet", fleetOf(decky)},
                                                   {"condition", type},
                                                   {"status", known}},
                                                  status == known ? 1.0 : 0.0});
                                 }
                               }
                             }
                             return out;
                           });
  registry.countersFromState(
      "decnet_decky_restarts_total", "Times the agent restarted the decky's decoy process.",
      [deckies] {
        std::vector<Sample> out;
        for (const auto& decky : *deckies) {
          out.push_back({{{"decky", decky.metadata.name}, {"fleet", fleetOf(decky)}},
                         number(decky.status, "restarts")});
        }
        return out;
      });

  auto nodes = std::make_shared<std::vector<api::Object>>();
  registry.gaugesFromState(
      "decnet_node_ready", "Whether the node's Ready condition is True (1) or not (0).",
      [&client, nodes] {
        *nodes = listOf(client, "Node");
        std::vector<Sample> out;
        for (const auto& node : *nodes) {
          out.push_back({{{"node", node.metadata.name}},
                         api::conditionTrue(node.status, "Ready") ? 1.0 : 0.0});
        }
        return out;
      });
  registry.gaugesFromState("decnet_node_heartbeat_age_seconds",
                           "Seconds since the node's agent last heartbeated.", [nodes] {
                             std::vector<Sample> out;
                             const auto now = api::systemClock().now();
                             for (const auto& node : *nodes) {
                               auto beat = api::parseTime(node.status.value("heartbeatTime", ""));
                               if (!beat) continue;
                               out.push_back({{{"node", node.metadata.name}},
                                              std::chrono::duration<double>(now - *beat).count()});
                             }
                             return out;
                           });
  registry.gaugesFromState("decnet_node_deckies", "Deckies scheduled to the node.",
                           [nodes, deckies] {
                             std::map<std::string, double> perNode;
                             for (const auto& node : *nodes) perNode[node.metadata.name] = 0;
                             for (const auto& decky : *deckies) {
                               const std::string node = decky.spec.value("node", "");
                               if (!node.empty()) perNode[node] += 1;
                             }
                             std::vector<Sample> out;
                             for (const auto& [node, count] : perNode)
                               out.push_back({{{"node", node}}, count});
                             return out;
                           });
}

}  // namespace decnet::controller
