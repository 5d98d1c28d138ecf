#pragma once
// Reading manifests from files, directories and stdin, validated before anything is written.
#include <string>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::cli {

struct Manifest {
  api::Object object;
  std::string source;  // "fleet.yaml#2" (document index from 1)
};

// Reads every YAML/JSON document from `paths` ("-" is stdin; directories take *.yaml, *.yml and
// *.json, recursively with `recursive`). Validates each document and the set as a whole
// (duplicate names, overlapping addresses). kInvalid lists every problem with its source and
// field path; nothing is returned partially.
Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths, bool recursive);

// "fleet.decnet.io/corp"
std::string displayName(const api::Object& object);

}  // namespace decnet::cli
