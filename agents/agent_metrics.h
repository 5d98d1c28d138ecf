#pragma once
// The agent's series, read from its log forwarder and shipper at each scrape:
//   decnet_decoy_connections_total{fleet,service}, decnet_attacker_events_total{service,
//   event_type}, decnet_credentials_captured_total{service}, decnet_spool_lines_total and
//   decnet_spool_lag_bytes. No attacker address, principal or secret is ever a label.
#include "agents/agent.h"
#include "metrics/registry.h"

namespace decnet::agents {

// Registers the series above on `registry` for `agent`, which (with `client`, used to find each
// decky's fleet) must outlive the registry's expositions.
void registerAgentMetrics(metrics::Registry& registry, const Agent& agent, api::Client& client);

}  // namespace decnet::agents
