#include "cli/context.h"

#include <cstdlib>

#include "api/rest/rest_client.h"

namespace decnet::cli {

std::string serverUrl(const Globals& globals) {
  if (!globals.server.empty()) return globals.server;
  if (const char* env = std::getenv("DECNET_SERVER"); env != nullptr && *env != '\0') return env;
  return "http://127.0.0.1:8000";
}

api::ClientPtr connect(const Globals& globals) { return api::makeRestClient(serverUrl(globals)); }

}  // namespace decnet::cli
