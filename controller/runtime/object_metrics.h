#pragma once
// Series derived from the stored objects at each scrape, in kube-state-metrics' style (one
// series per state with value 1 for the current one, 0 for the others):
//   decnet_fleet_replicas{fleet} (the spec's count), decnet_fleet_ready_replicas{fleet} (the
//   status's), decnet_decky_status_condition{decky,fleet,condition,status},
//   decnet_decky_status_phase{decky,fleet,phase}, decnet_decky_restarts_total{decky,fleet},
//   decnet_node_ready{node}, decnet_node_heartbeat_age_seconds{node}, decnet_node_deckies{node}.
#include "api/client/client.h"
#include "metrics/registry.h"

namespace decnet::controller {

// Registers the series above on `registry`, read from `client` at each exposition. `client`
// must outlive the registry's expositions.
void registerObjectMetrics(metrics::Registry& registry, api::Client& client);

}  // namespace decnet::controller
