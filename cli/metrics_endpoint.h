#pragma once
// `--metrics-listen` of the commands that serve /metrics on a port of their own (agent,
// collect, correlate, profile).
#include <memory>
#include <string>

#include "metrics/registry.h"

namespace decnet::cli {

// Serves `registry` on `listen`; null when `listen` is empty. Prints the error and exits the
// command (CLI::RuntimeError) when the address cannot be bound.
std::unique_ptr<metrics::MetricsServer> serveMetrics(metrics::Registry& registry,
                                                     const std::string& listen);

}  // namespace decnet::cli
