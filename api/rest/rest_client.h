#pragma once
// Client over the REST API. cpprestsdk stays in the .cc.
#include <memory>
#include <string>
#include <vector>

#include "api/client/client.h"

namespace decnet::api {

// `server`: "http://127.0.0.1:8000". Connection failures come back as kUnavailable.
ClientPtr makeRestClient(const std::string& server);

// The texts of a Warning header ("299 - \"a\", 299 - \"b\"" -> {"a", "b"}), unescaped.
std::vector<std::string> parseWarningHeader(const std::string& header);

}  // namespace decnet::api
