#pragma once
// Typed views of Fleet and Decky specs. Parsing assumes the document passed validation
// (api/validation/validate.h); defaults are applied here, never written back into the spec.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/types/object.h"

namespace decnet::api {

struct NetworkSpec {
  std::string interface;  // empty: the default-route interface
  std::string driver = "macvlan";
  std::string subnet;   // "10.77.0.0/24"
  std::string gateway;  // "10.77.0.1"
  std::string ipRange;  // "10.77.0.10-10.77.0.49"; empty: the whole subnet
};

struct ServiceSpec {
  std::string name;
  std::vector<int> ports;  // empty: the catalog ports
  std::map<std::string, std::string> persona;
};

struct TemplateSpec {
  std::string archetype;
  std::vector<ServiceSpec> services;  // empty: the archetype's services
  std::vector<std::string> distros;
  std::string osFamily;
};

struct NamedDeckySpec {
  std::string name;  // the decky becomes <fleet>-<name>
  std::string ip;
  std::string archetype;
  std::string hostname;
  std::string distro;
  std::string osFamily;
  std::vector<ServiceSpec> services;
};

struct MutationSpec {
  std::chrono::seconds interval{0};
  std::vector<std::string> rotate;  // services | hostname | distro | mac
  std::chrono::seconds jitter{0};
};

struct FleetSpec {
  NetworkSpec network;
  int replicas = 0;
  TemplateSpec templ;
  std::vector<NamedDeckySpec> deckies;
  std::optional<MutationSpec> mutation;
  std::map<std::string, std::string> nodeSelector;
  std::string logTarget;
};

struct DeckySpec {
  std::string node;
  NetworkSpec network;
  std::string ip;
  std::string mac;
  std::string hostname;
  std::string distro;
  std::string osFamily;
  std::string archetype;
  std::vector<ServiceSpec> services;
  std::int64_t identityGeneration = 0;
  std::map<std::string, std::string> nodeSelector;
};

FleetSpec parseFleetSpec(const Json& spec);
DeckySpec parseDeckySpec(const Json& spec);
Json toJson(const NetworkSpec& network);
Json toJson(const ServiceSpec& service);
Json toJson(const DeckySpec& decky);

}  // namespace decnet::api
