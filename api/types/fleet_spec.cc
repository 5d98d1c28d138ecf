#include "api/types/fleet_spec.h"

#include "api/types/clock.h"

namespace decnet::api {
namespace {

// Every reader tolerates a missing or mistyped field: validation already reported it.
const Json* member(const Json& parent, const char* key) {
  if (!parent.is_object()) return nullptr;
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string readString(const Json& parent, const char* key) {
  const Json* value = member(parent, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

// YAML users write `open_relay: false` or `response_code: 200`; personas hold strings.
std::string scalarText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) {
    return value.is_number_unsigned() ? std::to_string(value.get<std::uint64_t>())
                                      : std::to_string(value.get<std::int64_t>());
  }
  if (value.is_null()) return "";
  return value.dump();
}

std::map<std::string, std::string> readStringMap(const Json& parent, const char* key) {
  std::map<std::string, std::string> out;
  const Json* map = member(parent, key);
  if (!map || !map->is_object()) return out;
  for (const auto& [name, value] : map->items()) {
    if (!value.is_null()) out[name] = scalarText(value);
  }
  return out;
}

std::vector<std::string> readStringList(const Json& parent, const char* key) {
  std::vector<std::string> out;
  const Json* list = member(parent, key);
  if (!list || !list->is_array()) return out;
  for (const auto& item : *list) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

template <class Int>
Int readInt(const Json& parent, const char* key, Int fallback) {
  const Json* value = member(parent, key);
  if (!value || !value->is_number_integer()) return fallback;
  return value->get<Int>();
}

std::chrono::seconds readDuration(const Json& parent, const char* key) {
  const Json* value = member(parent, key);
  if (!value || !value->is_string()) return std::chrono::seconds{0};
  return parseDuration(value->get<std::string>()).value_or(std::chrono::seconds{0});
}

NetworkSpec parseNetwork(const Json& network) {
  NetworkSpec out;
  out.interface = readString(network, "interface");
  if (auto driver = readString(network, "driver"); !driver.empty()) out.driver = driver;
  out.subnet = readString(network, "subnet");
  out.gateway = readString(network, "gateway");
  out.ipRange = readString(network, "ipRange");
  return out;
}

std::vector<ServiceSpec> parseServices(const Json& parent) {
  std::vector<ServiceSpec> out;
  const Json* list = member(parent, "services");
  if (!list || !list->is_array()) return out;
  for (const auto& item : *list) {
    if (!item.is_object()) continue;
    ServiceSpec service;
    service.name = readString(item, "name");
    if (const Json* ports = member(item, "ports"); ports && ports->is_array()) {
      for (const auto& port : *ports) {
        if (port.is_number_integer()) service.ports.push_back(port.get<int>());
      }
    }
    service.persona = readStringMap(item, "persona");
    out.push_back(std::move(service));
  }
  return out;
}

NamedDeckySpec parseNamedDecky(const Json& decky) {
  NamedDeckySpec out;
  out.name = readString(decky, "name");
  out.ip = readString(decky, "ip");
  out.archetype = readString(decky, "archetype");
  out.hostname = readString(decky, "hostname");
  out.distro = readString(decky, "distro");
  out.osFamily = readString(decky, "osFamily");
  out.services = parseServices(decky);
  return out;
}

}  // namespace

FleetSpec parseFleetSpec(const Json& spec) {
  FleetSpec out;
  if (!spec.is_object()) return out;
  if (const Json* network = member(spec, "network")) out.network = parseNetwork(*network);
  out.replicas = readInt<int>(spec, "replicas", 0);
  if (const Json* templ = member(spec, "template"); templ && templ->is_object()) {
    out.templ.archetype = readString(*templ, "archetype");
    out.templ.services = parseServices(*templ);
    out.templ.distros = readStringList(*templ, "distros");
    out.templ.osFamily = readString(*templ, "osFamily");
  }
  if (const Json* deckies = member(spec, "deckies"); deckies && deckies->is_array()) {
    for (const auto& decky : *deckies) {
      if (decky.is_object()) out.deckies.push_back(parseNamedDecky(decky));
    }
  }
  if (const Json* mutation = member(spec, "mutation"); mutation && mutation->is_object()) {
    MutationSpec m;
    m.interval = readDuration(*mutation, "interval");
    m.rotate = readStringList(*mutation, "rotate");
    m.jitter = readDuration(*mutation, "jitter");
    out.mutation = m;
  }
  out.nodeSelector = readStringMap(spec, "nodeSelector");
  out.logTarget = readString(spec, "logTarget");
  return out;
}

DeckySpec parseDeckySpec(const Json& spec) {
  DeckySpec out;
  if (!spec.is_object()) return out;
  out.node = readString(spec, "node");
  if (const Json* network = member(spec, "network")) out.network = parseNetwork(*network);
  out.ip = readString(spec, "ip");
  out.mac = readString(spec, "mac");
  out.hostname = readString(spec, "hostname");
  out.distro = readString(spec, "distro");
  out.osFamily = readString(spec, "osFamily");
  out.archetype = readString(spec, "archetype");
  out.services = parseServices(spec);
  out.identityGeneration = readInt<std::int64_t>(spec, "identityGeneration", 0);
  out.nodeSelector = readStringMap(spec, "nodeSelector");
  return out;
}

Json toJson(const NetworkSpec& network) {
  Json out = Json::object();
  if (!network.interface.empty()) out["interface"] = network.interface;
  out["driver"] = network.driver.empty() ? std::string("macvlan") : network.driver;
  if (!network.subnet.empty()) out["subnet"] = network.subnet;
  if (!network.gateway.empty()) out["gateway"] = network.gateway;
  if (!network.ipRange.empty()) out["ipRange"] = network.ipRange;
  return out;
}

Json toJson(const ServiceSpec& service) {
  Json out = Json::object();
  out["name"] = service.name;
  if (!service.ports.empty()) out["ports"] = service.ports;
  if (!service.persona.empty()) out["persona"] = service.persona;
  return out;
}

Json toJson(const DeckySpec& decky) {
  Json out = Json::object();
  auto putString = [&out](const char* key, const std::string& value) {
    if (!value.empty()) out[key] = value;
  };
  putString("node", decky.node);
  out["network"] = toJson(decky.network);
  putString("ip", decky.ip);
  putString("mac", decky.mac);
  putString("hostname", decky.hostname);
  putString("distro", decky.distro);
  putString("osFamily", decky.osFamily);
  putString("archetype", decky.archetype);
  if (!decky.services.empty()) {
    Json services = Json::array();
    for (const auto& service : decky.services) services.push_back(toJson(service));
    out["services"] = std::move(services);
  }
  if (decky.identityGeneration != 0) out["identityGeneration"] = decky.identityGeneration;
  if (!decky.nodeSelector.empty()) out["nodeSelector"] = decky.nodeSelector;
  return out;
}

}  // namespace decnet::api
