#include "cli/metrics_endpoint.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"

namespace decnet::cli {

std::unique_ptr<metrics::MetricsServer> serveMetrics(metrics::Registry& registry,
                                                     const std::string& listen) {
  if (listen.empty()) return nullptr;
  auto served = metrics::MetricsServer::start(registry, listen);
  if (!served) {
    std::cerr << "error: " << describe(served.error()) << "\n";
    throw CLI::RuntimeError(kExitError);
  }
  return std::move(*served);
}

}  // namespace decnet::cli
