#include "cli/context.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "api/rest/rest_client.h"
#include "cli/kubeconfig.h"

namespace decnet::cli {
namespace {

// The identity the CLI uses; exits when an explicitly chosen file cannot be read.
std::optional<Kubeconfig> identity(const Globals& globals) {
  auto found = findKubeconfig(globals.kubeconfig);
  if (!found) exitWithError(found.error());
  return *found;
}

}  // namespace

void exitWithError(const Error& error) {
  std::cerr << "error: " << describe(error) << "\n";
  throw CLI::RuntimeError(kExitError);
}

std::string serverUrl(const Globals& globals) {
  if (!globals.server.empty()) return globals.server;
  if (const char* env = std::getenv("DECNET_SERVER"); env != nullptr && *env != '\0') return env;
  if (auto config = identity(globals); config && !config->server.empty()) return config->server;
  return "http://127.0.0.1:8000";
}

api::ClientPtr connect(const Globals& globals) {
  api::RestClientOptions options;
  if (auto config = identity(globals)) {
    options.bearerToken = config->token;
    options.caPem = config->caPem;
    options.clientCertificatePem = config->clientCertificatePem;
    options.clientKeyPem = config->clientKeyPem;
  }
  return api::makeRestClient(serverUrl(globals), options);
}

}  // namespace decnet::cli
