#pragma once
// Series derived from the stored objects at each scrape, in kube-state-metrics' style (one
// series per state with value 1 for the current one, 0 for the others):
//   decnet_fleet_replicas{fleet} (the spec's count), decnet_fleet_ready_replicas{fleet} (the
//   status's), decnet_decky_status_condition{decky,fleet,condition,status},
//   decnet_decky_status_phase{decky,fleet,phase}, decnet_decky_restarts_total{decky,fleet},
//   decnet_node_ready{node}, decnet_node_heartbeat_age_seconds{node}, decnet_node_deckies{node}.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/types/object.h"
#include "metrics/registry.h"

namespace decnet::controller {

// The stored objects of a kind, sorted by name, shared and read-only (ObjectStore::snapshot).
using ObjectSnapshots =
    std::function<std::vector<std::shared_ptr<const api::Object>>(const std::string& kind)>;

// Registers the series above on `registry`, read through `snapshots` at each exposition (each
// kind once per scrape, without copying an object).
void registerObjectMetrics(metrics::Registry& registry, ObjectSnapshots snapshots);

}  // namespace decnet::controller
