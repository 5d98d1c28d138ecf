#pragma once
// YAML <-> JSON documents (yaml-cpp stays inside yaml_codec.cc).
#include <string>
#include <string_view>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::api {

// Parses every document of a multi-document YAML stream; empty documents are skipped.
// Plain scalars follow the YAML 1.2 core schema (int, float, bool, null); quoted ones stay
// strings. A syntax error returns kInvalid naming `source` and the line.
Result<std::vector<Json>> parseYamlDocuments(std::string_view text, const std::string& source);

// Block-style YAML for humans (`decnet get -o yaml`, `decnet diff`). Keys keep JSON order.
std::string toYaml(const Json& document);

}  // namespace decnet::api
