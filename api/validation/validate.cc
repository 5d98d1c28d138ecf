#include "api/validation/validate.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "api/catalog/catalog.h"
#include "api/net/ipv4.h"
#include "api/types/clock.h"
#include "api/types/conditions.h"

namespace decnet::api {
namespace {

using net::IpRange;
using net::Ipv4;
using net::Subnet;

constexpr int kMaxReplicas = 1000;
constexpr std::size_t kMaxLabelLength = 63;
constexpr std::size_t kMaxSubdomainLength = 253;
constexpr std::size_t kMaxIfnameLength = 15;    // IFNAMSIZ - 1
constexpr std::size_t kMaxHostnameLength = 64;  // HOST_NAME_MAX: what sethostname() takes
constexpr std::chrono::seconds kMinMutationInterval{60};
// List and size limits of the CRD schema (crds/).
constexpr std::size_t kMaxServices = 32;
constexpr std::size_t kMaxPorts = 16;
constexpr std::size_t kMaxPersonaKeys = 32;
constexpr std::size_t kMaxPersonaValueLength = 65536;
constexpr std::size_t kMaxDistros = 16;
constexpr std::size_t kMaxNamedDeckies = 1000;
constexpr std::size_t kMaxInterfaces = 64;
constexpr std::size_t kMaxLogTargetLength = 512;
constexpr const char* kFleetLabel = "decnet.io/fleet";

// ---------------------------------------------------------------------------------------------
// Collecting errors and building paths.

class Errors {
 public:
  void add(std::string path, std::string detail) {
    list_.push_back({std::move(path), std::move(detail)});
  }
  std::size_t size() const { return list_.size(); }
  std::vector<FieldError> take() { return std::move(list_); }

 private:
  std::vector<FieldError> list_;
};

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string indexed(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string inQuotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// " (did you mean \"x\"?)" or "".
std::string didYouMean(std::string_view input, const std::vector<std::string>& candidates) {
  const std::string best = catalog::suggest(input, candidates);
  return best.empty() ? std::string() : " (did you mean " + inQuotes(best) + "?)";
}

// "unknown service \"shh\" (did you mean \"ssh\"?)", or the full list when nothing is close.
std::string unknownName(std::string_view what, std::string_view input,
                        const std::vector<std::string>& known) {
  const std::string hint = didYouMean(input, known);
  std::string detail = "unknown " + std::string(what) + " " + inQuotes(input);
  return detail + (hint.empty() ? " (known: " + joined(known) + ")" : hint);
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// ---------------------------------------------------------------------------------------------
// Typed access to the untyped document. A null member counts as absent (YAML `key:`).

const Json* member(const Json& map, std::string_view key) {
  if (!map.is_object()) return nullptr;
  auto it = map.find(key);
  if (it == map.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string describeType(const Json& value) {
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "a map";
  return "null";
}

// The string, or nullptr after reporting the wrong type.
const std::string* stringAt(const Json& value, const std::string& path, Errors& errors) {
  if (!value.is_string()) {
    errors.add(path, "must be a string (got " + describeType(value) + ")");
    return nullptr;
  }
  return &value.get_ref<const std::string&>();
}

// The integer (saturated to int64), or nullopt after reporting the wrong type.
std::optional<std::int64_t> integerAt(const Json& value, const std::string& path,
                                      const std::string& range, Errors& errors) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? std::numeric_limits<std::int64_t>::max()
               : static_cast<std::int64_t>(v);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  errors.add(path, "must be an integer " + range + " (got " + describeType(value) + ")");
  return std::nullopt;
}

bool expectMap(const Json& value, const std::string& path, Errors& errors) {
  if (value.is_object()) return true;
  errors.add(path, "must be a map (got " + describeType(value) + ")");
  return false;
}

// A list; one longer than `maxItems` is reported but its items are still checked.
bool expectList(const Json& value, const std::string& path, Errors& errors,
                std::size_t maxItems = std::numeric_limits<std::size_t>::max()) {
  if (!value.is_array()) {
    errors.add(path, "must be a list (got " + describeType(value) + ")");
    return false;
  }
  if (value.size() > maxItems) {
    errors.add(path, "must have at most " + std::to_string(maxItems) + " items (has " +
                         std::to_string(value.size()) + ")");
  }
  return true;
}

// Reports every key of `map` the schema does not define: the usual sign of a typo.
void checkUnknownFields(const Json& map, const std::string& path,
                        const std::vector<std::string>& known, Errors& errors) {
  for (const auto& [key, value] : map.items()) {
    if (!contains(known, key))
      errors.add(child(path, key), "unknown field" + didYouMean(key, known));
  }
}

// ---------------------------------------------------------------------------------------------
// Name syntaxes. Each returns "" when the text is acceptable, else what is wrong with it.

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::string dnsLabelProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxLabelLength) {
    return "must be at most 63 characters (has " + std::to_string(name.size()) + ")";
  }
  for (char c : name) {
    if (!isLowerAlnum(c) && c != '-') {
      return "must be a DNS-1123 label: lowercase letters, digits and '-' only";
    }
  }
  if (name.front() == '-' || name.back() == '-') {
    return "must be a DNS-1123 label: start and end with a letter or digit";
  }
  return "";
}

std::string dnsSubdomainProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxSubdomainLength) return "must be at most 253 characters";
  std::size_t start = 0;
  while (true) {
    const auto dot = name.find('.', start);
    const auto label = name.substr(start, dot == std::string_view::npos ? name.npos : dot - start);
    if (label.empty()) return "must be a DNS-1123 subdomain: no empty parts between dots";
    std::string problem = dnsLabelProblem(label);
    if (!problem.empty()) {
      return "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part "
             "starting and ending with a letter or digit";
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return "";
}

// RFC 1123 host name; upper case is allowed (Windows-looking names such as "FILESRV01").
std::string hostnameProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxHostnameLength) {
    return "must be at most 64 characters (has " + std::to_string(name.size()) + ")";
  }
  std::size_t start = 0;
  while (true) {
    const auto dot = name.find('.', start);
    const auto label = name.substr(start, dot == std::string_view::npos ? name.npos : dot - start);
    if (label.empty()) return "must be a host name: no empty parts between dots";
    if (label.size() > kMaxLabelLength)
      return "must be a host name: each part at most 63 characters";
    for (char c : label) {
      if (!isAlnum(c) && c != '-') return "must be a host name: letters, digits, '-' and '.' only";
    }
    if (label.front() == '-' || label.back() == '-') {
      return "must be a host name: each part starts and ends with a letter or digit";
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return "";
}

// Empty means "not scheduled yet".
std::string nodeNameProblem(std::string_view name) {
  return name.empty() ? "" : dnsSubdomainProblem(name);
}

// Kubernetes qualified name: [prefix/]name, name <= 63 of [A-Za-z0-9-_.] framed by alnum.
std::string qualifiedNamePart(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxLabelLength) return "must be at most 63 characters";
  for (char c : name) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
      return "must consist of letters, digits, '-', '_' and '.'";
    }
  }
  if (!isAlnum(name.front()) || !isAlnum(name.back())) {
    return "must start and end with a letter or digit";
  }
  return "";
}

std::string labelKeyProblem(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) return qualifiedNamePart(key);
  std::string problem = dnsSubdomainProblem(key.substr(0, slash));
  if (!problem.empty()) return "prefix " + problem;
  problem = qualifiedNamePart(key.substr(slash + 1));
  return problem.empty() ? "" : "name " + problem;
}

std::string labelValueProblem(std::string_view value) {
  return value.empty() ? "" : qualifiedNamePart(value);
}

// What the kernel's dev_valid_name() accepts.
std::string ifnameProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxIfnameLength) {
    return "must be at most 15 characters (a Linux interface name)";
  }
  if (name == "." || name == "..") return "must not be \".\" or \"..\"";
  for (char c : name) {
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c))) {
      return "must not contain '/', ':' or whitespace (a Linux interface name)";
    }
  }
  return "";
}

// "00:16:3e:5a:01:0b" (either case), unicast.
std::string macProblem(std::string_view mac) {
  const char* kFormat = "must be a MAC address like 00:16:3e:5a:01:0b";
  if (mac.size() != 17) return kFormat;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const bool separator = i % 3 == 2;
    if (separator ? mac[i] != ':' : !std::isxdigit(static_cast<unsigned char>(mac[i]))) {
      return kFormat;
    }
  }
  const int firstOctet = std::stoi(std::string(mac.substr(0, 2)), nullptr, 16);
  if (firstOctet & 1) return "must be a unicast MAC address (lowest bit of the first octet 0)";
  return "";
}

// "host:port" or "tcp://host:port" (also tls://, udp://); host a name or an IPv4 address.
std::string logTargetProblem(std::string_view target) {
  const char* kFormat = "must be host:port or a tcp://, tls:// or udp:// URL like tls://siem:6514";
  if (target.size() > kMaxLogTargetLength) return "must be at most 512 characters";
  if (const auto scheme = target.find("://"); scheme != std::string_view::npos) {
    const auto name = target.substr(0, scheme);
    if (name != "tcp" && name != "tls" && name != "udp") {
      return "unsupported scheme " + inQuotes(name) + " (use tcp, tls or udp)";
    }
    target.remove_prefix(scheme + 3);
  }
  if (!target.empty() && target.back() == '/') target.remove_suffix(1);
  const auto colon = target.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return kFormat;
  const auto port = target.substr(colon + 1);
  int number = 0;
  if (port.empty() || port.size() > 5) return kFormat;
  for (char c : port) {
    if (c < '0' || c > '9') return kFormat;
    number = number * 10 + (c - '0');
  }
  if (number < 1 || number > 65535) return "port must be 1..65535";
  if (!hostnameProblem(target.substr(0, colon)).empty() && !Ipv4::parse(target.substr(0, colon))) {
    return kFormat;
  }
  return "";
}

void checkName(const Json* value, const std::string& path, bool required,
               std::string (*problemOf)(std::string_view), Errors& errors) {
  if (!value) {
    if (required) errors.add(path, "required");
    return;
  }
  const std::string* text = stringAt(*value, path, errors);
  if (!text) return;
  std::string problem = problemOf(*text);
  if (!problem.empty()) errors.add(path, problem);
}

void checkLabelMap(const Json* map, const std::string& path, Errors& errors) {
  if (!map || !expectMap(*map, path, errors)) return;
  for (const auto& [key, value] : map->items()) {
    const std::string keyPath = child(path, key);
    if (std::string problem = labelKeyProblem(key); !problem.empty()) {
      errors.add(keyPath, "key " + problem);
    }
    if (!value.is_string()) {
      errors.add(keyPath, "must be a string (got " + describeType(value) + ")");
      continue;
    }
    if (std::string problem = labelValueProblem(value.get_ref<const std::string&>());
        !problem.empty()) {
      errors.add(keyPath, "value " + problem);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Networks and addresses.

struct NetworkFacts {
  std::optional<Subnet> subnet;
  std::optional<Ipv4> gateway;
  std::optional<IpRange> range;
  bool rangeGiven = false;
  bool valid = false;  // subnet, gateway and range all usable
};

NetworkFacts checkNetwork(const Json* network, const std::string& path, Errors& errors) {
  NetworkFacts facts;
  if (!network) {
    errors.add(path, "required (subnet, and optionally interface, driver, gateway, ipRange)");
    return facts;
  }
  if (!expectMap(*network, path, errors)) return facts;
  checkUnknownFields(*network, path, {"interface", "driver", "subnet", "gateway", "ipRange"},
                     errors);
  const std::size_t before = errors.size();

  if (const Json* value = member(*network, "interface")) {
    checkName(value, child(path, "interface"), false, ifnameProblem, errors);
  }
  if (const Json* value = member(*network, "driver")) {
    const std::string driverPath = child(path, "driver");
    if (const std::string* driver = stringAt(*value, driverPath, errors)) {
      static const std::vector<std::string> kDrivers = {"macvlan", "ipvlan"};
      if (!contains(kDrivers, *driver)) {
        errors.add(driverPath, "must be one of macvlan, ipvlan" + didYouMean(*driver, kDrivers));
      }
    }
  }

  const std::string subnetPath = child(path, "subnet");
  if (const Json* value = member(*network, "subnet")) {
    if (const std::string* text = stringAt(*value, subnetPath, errors)) {
      facts.subnet = Subnet::parse(*text);
      if (!facts.subnet) {
        if (auto normalized = Subnet::parseNormalized(*text)) {
          errors.add(subnetPath,
                     *text + " has host bits set (did you mean " + normalized->str() + "?)");
        } else {
          errors.add(subnetPath,
                     "must be a CIDR like 192.168.1.0/24 (got " + inQuotes(*text) + ")");
        }
      }
    }
  } else {
    errors.add(subnetPath, "required (a CIDR like 192.168.1.0/24)");
  }

  if (const Json* value = member(*network, "gateway")) {
    const std::string gatewayPath = child(path, "gateway");
    if (const std::string* text = stringAt(*value, gatewayPath, errors)) {
      facts.gateway = Ipv4::parse(*text);
      if (!facts.gateway) {
        errors.add(gatewayPath, "must be an IPv4 address like 192.168.1.1");
      } else if (facts.subnet && !facts.subnet->contains(*facts.gateway)) {
        errors.add(gatewayPath, *text + " is outside the subnet " + facts.subnet->str());
      } else if (facts.subnet && facts.subnet->isReserved(*facts.gateway)) {
        errors.add(gatewayPath,
                   *text + " is the " +
                       (*facts.gateway == facts.subnet->network ? "network" : "broadcast") +
                       " address of " + facts.subnet->str());
      }
    }
  }

  if (const Json* value = member(*network, "ipRange")) {
    facts.rangeGiven = true;
    const std::string rangePath = child(path, "ipRange");
    if (const std::string* text = stringAt(*value, rangePath, errors)) {
      facts.range = IpRange::parse(*text);
      if (!facts.range) {
        // Tell a reversed range apart from a malformed one.
        const auto dash = text->find('-');
        std::optional<Ipv4> first, last;
        if (dash != std::string::npos) {
          first = Ipv4::parse(text->substr(0, dash));
          last = Ipv4::parse(text->substr(dash + 1));
        }
        if (first && last) {
          errors.add(rangePath, "the first address must not be above the last (did you mean " +
                                    last->str() + "-" + first->str() + "?)");
        } else {
          errors.add(rangePath,
                     "must be \"first-last\" like 192.168.1.110-192.168.1.149, or one address");
        }
      } else if (facts.subnet && (!facts.subnet->contains(facts.range->first) ||
                                  !facts.subnet->contains(facts.range->last))) {
        errors.add(rangePath, *text + " is not inside the subnet " + facts.subnet->str());
      }
    }
  }
  facts.valid = errors.size() == before && facts.subnet.has_value();
  return facts;
}

// An address a host may take: inside the subnet, not network, broadcast nor gateway.
std::optional<Ipv4> checkHostAddress(const Json& value, const std::string& path,
                                     const NetworkFacts& network, Errors& errors) {
  const std::string* text = stringAt(value, path, errors);
  if (!text) return std::nullopt;
  auto address = Ipv4::parse(*text);
  if (!address) {
    errors.add(path, "must be an IPv4 address like 192.168.1.120 (got " + inQuotes(*text) + ")");
    return std::nullopt;
  }
  if (!network.subnet) return address;
  const Subnet& subnet = *network.subnet;
  if (!subnet.contains(*address)) {
    errors.add(path, *text + " is outside the subnet " + subnet.str());
  } else if (subnet.isReserved(*address)) {
    errors.add(path, *text + " is the " + (*address == subnet.network ? "network" : "broadcast") +
                         " address of " + subnet.str());
  } else if (network.gateway && *address == *network.gateway) {
    errors.add(path, *text + " is the gateway");
  } else {
    return address;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Services and personas.

std::string scalarText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(start, comma - start);
    const auto first = part.find_first_not_of(' ');
    const auto last = part.find_last_not_of(' ');
    parts.push_back(first == std::string::npos ? "" : part.substr(first, last - first + 1));
    start = comma + 1;
  }
  return parts;
}

std::optional<int> parsePort(const std::string& text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 65535) return std::nullopt;
  return value;
}

// Ports of a custom service's persona ("8080,8443" or 8080); nullopt when malformed.
std::optional<std::vector<int>> personaPorts(const Json& value) {
  std::vector<int> ports;
  for (const auto& part : splitList(scalarText(value))) {
    auto port = parsePort(part);
    if (!port) return std::nullopt;
    ports.push_back(*port);
  }
  return ports;
}

void checkPersonaValue(std::string_view service, std::string_view key, const Json& value,
                       const std::string& path, Errors& errors) {
  if (!value.is_string() && !value.is_number() && !value.is_boolean()) {
    errors.add(path, "must be a string, number or boolean (got " + describeType(value) + ")");
    return;
  }
  const std::string text = scalarText(value);
  if (text.size() > kMaxPersonaValueLength) {
    errors.add(path, "must be at most 65536 characters");
    return;
  }
  // The rules are the service's descriptor: the decoy reads the persona with the same ones.
  const auto* info = catalog::findService(service);
  const auto* rule = info != nullptr && info->descriptor != nullptr
                         ? catalog::findPersonaKey(*info->descriptor, std::string(key))
                         : nullptr;
  if (!rule) return;
  std::string problem = catalog::checkPersonaValue(*rule, text);
  if (!problem.empty() && rule->type == catalog::PersonaType::kChoice) {
    problem += didYouMean(text, rule->allowed);
  }
  if (!problem.empty()) errors.add(path, problem);
}

// A port a service will listen on, with where it was declared (for error paths).
struct PortClaim {
  int port = 0;
  std::string path;  // "...services[1].ports[0]", or the service entry for catalog ports
};

// Checks one services list (template, named decky or Decky spec): names, ports, personas,
// duplicates and ports claimed twice on the same protocol.
void checkServices(const Json& list, const std::string& path, Errors& errors) {
  if (!expectList(list, path, errors, kMaxServices)) return;
  const std::vector<std::string> known = catalog::serviceNames();
  std::map<std::string, std::string> firstByName;  // name -> path of its first entry
  // (port, protocol) -> "services[0] (http)"
  std::map<std::pair<int, std::string>, std::string> portOwners;

  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& entry = list[i];
    const std::string entryPath = indexed(path, i);
    if (!entry.is_object()) {
      errors.add(entryPath, "must be a map with name, and optionally ports and persona (got " +
                                describeType(entry) + ")");
      continue;
    }
    checkUnknownFields(entry, entryPath, {"name", "ports", "persona"}, errors);

    const catalog::ServiceInfo* info = nullptr;
    std::string name;
    bool duplicate = false;
    if (const Json* value = member(entry, "name")) {
      if (const std::string* text = stringAt(*value, child(entryPath, "name"), errors)) {
        name = *text;
        info = catalog::findService(name);
        if (!info) {
          errors.add(entryPath, unknownName("service", name, known));
        } else if (auto [it, inserted] = firstByName.emplace(name, entryPath); !inserted) {
          errors.add(entryPath,
                     "duplicate service " + inQuotes(name) + " (also " + it->second + ")");
          duplicate = true;
        }
      }
    } else {
      errors.add(child(entryPath, "name"), "required (a service such as ssh or http)");
    }

    std::vector<PortClaim> claims;
    const std::string portsPath = child(entryPath, "ports");
    const Json* ports = member(entry, "ports");
    if (ports && expectList(*ports, portsPath, errors, kMaxPorts)) {
      std::set<int> seen;
      for (std::size_t k = 0; k < ports->size(); ++k) {
        const std::string portPath = indexed(portsPath, k);
        const Json& port = (*ports)[k];
        if (!port.is_number_integer()) {
          errors.add(portPath, "must be 1..65535 (got " + describeType(port) + ")");
          continue;
        }
        const std::int64_t number =
            port.is_number_unsigned() ? std::min<std::uint64_t>(port.get<std::uint64_t>(), 1u << 20)
                                      : port.get<std::int64_t>();
        if (number < 1 || number > 65535) {
          errors.add(portPath, "must be 1..65535");
        } else if (!seen.insert(static_cast<int>(number)).second) {
          errors.add(portPath, "duplicate port " + std::to_string(number));
        } else {
          claims.push_back({static_cast<int>(number), portPath});
        }
      }
    }

    const std::string personaPath = child(entryPath, "persona");
    const Json* persona = member(entry, "persona");
    if (persona && expectMap(*persona, personaPath, errors) && persona->size() > kMaxPersonaKeys) {
      errors.add(personaPath, "must have at most " + std::to_string(kMaxPersonaKeys) + " keys");
    }
    if (persona && persona->is_object() && info) {
      for (const auto& [key, value] : persona->items()) {
        const std::string keyPath = child(personaPath, key);
        if (!contains(info->personaKeys, key)) {
          std::string detail = "unknown persona key for " + name;
          if (info->personaKeys.empty()) {
            detail += " (it has none)";
          } else {
            detail += " (known: " + joined(info->personaKeys) + ")";
            const std::string best = catalog::suggest(key, info->personaKeys);
            if (!best.empty()) detail += "; did you mean " + inQuotes(best) + "?";
          }
          errors.add(keyPath, detail);
          continue;
        }
        checkPersonaValue(name, key, value, keyPath, errors);
      }
    }
    if (!info) continue;

    if (info->slug == "custom") {
      // A custom service is a program of the user's: it needs a command and its ports.
      const Json* exec = persona && persona->is_object() ? member(*persona, "exec") : nullptr;
      if (!exec) errors.add(child(personaPath, "exec"), "required for a custom service");
      const Json* personaPortList =
          persona && persona->is_object() ? member(*persona, "ports") : nullptr;
      if (claims.empty() && !(ports && ports->is_array() && !ports->empty())) {
        if (personaPortList) {
          for (int port : personaPorts(*personaPortList).value_or(std::vector<int>{})) {
            claims.push_back({port, child(personaPath, "ports")});
          }
        } else {
          errors.add(portsPath, "required for a custom service (the ports its program listens on)");
        }
      }
    } else if (!ports || !ports->is_array() || ports->empty()) {
      for (int port : info->ports) claims.push_back({port, entryPath});
    }

    // A repeated service already has its error; its ports would only repeat it.
    if (duplicate) continue;
    const std::string owner = "services[" + std::to_string(i) + "] (" + name + ")";
    for (const auto& claim : claims) {
      for (const char* protocol : {"tcp", "udp"}) {
        if (!catalog::servesProtocol(*info, protocol)) continue;
        auto [it, inserted] = portOwners.emplace(std::make_pair(claim.port, protocol), owner);
        if (!inserted) {
          errors.add(claim.path, "port " + std::to_string(claim.port) + "/" + protocol +
                                     " is also used by " + it->second);
          break;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Identity fields shared by the template, named deckies and Decky specs.

void checkCatalogRef(const Json* value, const std::string& path, std::string_view what,
                     const std::vector<std::string>& known, Errors& errors) {
  if (!value) return;
  const std::string* text = stringAt(*value, path, errors);
  if (text && !contains(known, *text)) errors.add(path, unknownName(what, *text, known));
}

void checkOsFamily(const Json* value, const std::string& path, Errors& errors) {
  if (!value) return;
  const std::string* text = stringAt(*value, path, errors);
  const std::vector<std::string> known = catalog::osFamilyNames();
  if (text && !contains(known, *text)) {
    errors.add(path, "must be one of " + joined(known) + didYouMean(*text, known));
  }
}

// True when the map names an archetype or a non-empty services list (valid or not: the
// problems are reported elsewhere, this only asks whether the user said something).
bool declaresServices(const Json& map) {
  if (member(map, "archetype")) return true;
  const Json* services = member(map, "services");
  return services && (!services->is_array() || !services->empty());
}

// A Windows version on a non-Windows decky (or a Linux distro on a Windows one) would make its
// banners contradict its TTL and MAC: the OS family comes from osFamily, else the archetype.
void checkDistroFitsFamily(const Json& map, const Json* distro, const std::string& distroPath,
                           Errors& errors) {
  if (distro == nullptr || !distro->is_string()) return;
  const auto* info = catalog::findDistro(distro->get<std::string>());
  if (info == nullptr) return;
  std::string family;
  if (const Json* os = member(map, "osFamily"); os && os->is_string()) {
    family = os->get<std::string>();
  } else if (const Json* archetype = member(map, "archetype");
             archetype && archetype->is_string()) {
    if (const auto* a = catalog::findArchetype(archetype->get<std::string>())) family = a->osFamily;
  }
  if (family.empty() || (family == "windows") == (info->osFamily == "windows")) return;
  errors.add(distroPath, info->osFamily == "windows"
                             ? info->slug + " is a Windows version but the OS family is " + family +
                                   " (set osFamily: windows, or pick a Linux distro)"
                             : info->slug +
                                   " is a Linux distro but the OS family is windows (pick one of " +
                                   "win2019, win2016, win2022, win10, win11)");
}

// Fields of a decky identity: archetype, hostname, distro, osFamily, services.
void checkIdentity(const Json& map, const std::string& path, Errors& errors) {
  checkCatalogRef(member(map, "archetype"), child(path, "archetype"), "archetype",
                  catalog::archetypeNames(), errors);
  checkName(member(map, "hostname"), child(path, "hostname"), false, hostnameProblem, errors);
  checkCatalogRef(member(map, "distro"), child(path, "distro"), "distro", catalog::distroNames(),
                  errors);
  checkOsFamily(member(map, "osFamily"), child(path, "osFamily"), errors);
  checkDistroFitsFamily(map, member(map, "distro"), child(path, "distro"), errors);
  if (const Json* services = member(map, "services")) {
    checkServices(*services, child(path, "services"), errors);
  }
}

// ---------------------------------------------------------------------------------------------
// Kinds.

std::string replicaSuffix(std::int64_t replicas) {
  std::string digits = std::to_string(std::max<std::int64_t>(replicas, 1));
  if (digits.size() < 2) digits.insert(0, 2 - digits.size(), '0');
  return digits;
}

void checkTemplate(const Json& templ, const std::string& path, Errors& errors) {
  if (!expectMap(templ, path, errors)) return;
  checkUnknownFields(templ, path, {"archetype", "services", "distros", "osFamily"}, errors);
  checkCatalogRef(member(templ, "archetype"), child(path, "archetype"), "archetype",
                  catalog::archetypeNames(), errors);
  if (const Json* services = member(templ, "services")) {
    checkServices(*services, child(path, "services"), errors);
  }
  const std::string distrosPath = child(path, "distros");
  if (const Json* distros = member(templ, "distros");
      distros && expectList(*distros, distrosPath, errors, kMaxDistros)) {
    for (std::size_t i = 0; i < distros->size(); ++i) {
      checkCatalogRef(&(*distros)[i], indexed(distrosPath, i), "distro", catalog::distroNames(),
                      errors);
      checkDistroFitsFamily(templ, &(*distros)[i], indexed(distrosPath, i), errors);
    }
  }
  checkOsFamily(member(templ, "osFamily"), child(path, "osFamily"), errors);
}

void checkMutation(const Json& mutation, const std::string& path, Errors& errors) {
  if (!expectMap(mutation, path, errors)) return;
  checkUnknownFields(mutation, path, {"interval", "rotate", "jitter"}, errors);
  const char* kDurationHint = "must be a duration like 30m, 6h or 1h30m";

  // seconds::max() while unknown or invalid: then no jitter can be "too long".
  std::chrono::seconds interval = std::chrono::seconds::max();
  std::string intervalText;
  const std::string intervalPath = child(path, "interval");
  if (const Json* value = member(mutation, "interval")) {
    if (const std::string* text = stringAt(*value, intervalPath, errors)) {
      intervalText = *text;
      const auto parsed = parseDuration(*text);
      if (!parsed) {
        errors.add(intervalPath, kDurationHint);
      } else if (parsed->count() < kMinMutationInterval.count()) {
        errors.add(intervalPath, "must be at least 1m");
      } else {
        interval = *parsed;
      }
    }
  } else {
    errors.add(intervalPath, "required (how often deckies change, like 6h)");
  }

  const std::string rotatePath = child(path, "rotate");
  if (const Json* rotate = member(mutation, "rotate");
      rotate && expectList(*rotate, rotatePath, errors)) {
    static const std::vector<std::string> kRotatable = {"services", "hostname", "distro", "mac"};
    std::set<std::string> seen;
    for (std::size_t i = 0; i < rotate->size(); ++i) {
      const std::string itemPath = indexed(rotatePath, i);
      const std::string* text = stringAt((*rotate)[i], itemPath, errors);
      if (!text) continue;
      if (!contains(kRotatable, *text)) {
        errors.add(itemPath, "must be one of services, hostname, distro, mac" +
                                 didYouMean(*text, kRotatable));
      } else if (!seen.insert(*text).second) {
        errors.add(itemPath, "duplicate " + inQuotes(*text));
      }
    }
  }

  const std::string jitterPath = child(path, "jitter");
  if (const Json* value = member(mutation, "jitter")) {
    if (const std::string* text = stringAt(*value, jitterPath, errors)) {
      auto jitter = parseDuration(*text);
      if (!jitter) {
        errors.add(jitterPath, kDurationHint);
      } else if (*jitter >= interval) {
        errors.add(jitterPath, "must be shorter than the interval (" + intervalText + ")");
      }
    }
  }
}

void validateFleet(const Object& object, Errors& errors) {
  const Json& spec = object.spec;
  const std::string& fleetName = object.metadata.name;

  // Read replicas first: the decky names it implies bound the fleet name.
  std::int64_t replicas = 0;
  bool replicasValid = true;
  if (const Json* value = member(spec, "replicas")) {
    Errors scratch;
    auto number = integerAt(*value, "", "", scratch);
    replicasValid = number && *number >= 0 && *number <= kMaxReplicas;
    if (replicasValid) replicas = *number;
  }
  if (dnsLabelProblem(fleetName).empty()) {
    const std::string example = fleetName + "-" + replicaSuffix(replicas);
    if (example.size() > kMaxLabelLength) {
      errors.add("metadata.name", "leaves no room for decky names: " + inQuotes(example) +
                                      " would be " + std::to_string(example.size()) +
                                      " characters (max 63)");
    }
  }

  if (!expectMap(spec, "spec", errors)) return;
  checkUnknownFields(
      spec, "spec",
      {"network", "replicas", "template", "deckies", "mutation", "nodeSelector", "logTarget"},
      errors);

  const NetworkFacts network = checkNetwork(member(spec, "network"), "spec.network", errors);

  if (const Json* value = member(spec, "replicas")) {
    auto number = integerAt(*value, "spec.replicas", "0..1000", errors);
    if (number && !replicasValid) errors.add("spec.replicas", "must be 0..1000");
  }

  const Json* templ = member(spec, "template");
  const bool templateHasServices = templ && templ->is_object() && declaresServices(*templ);
  if (templ) checkTemplate(*templ, "spec.template", errors);
  if (replicasValid && replicas > 0 && !templateHasServices) {
    errors.add("spec.template", "needs an archetype or services");
  }

  // Named deckies.
  std::set<std::uint32_t> explicitIps;
  std::int64_t withoutIp = 0;
  if (const Json* deckies = member(spec, "deckies");
      deckies && expectList(*deckies, "spec.deckies", errors, kMaxNamedDeckies)) {
    std::map<std::string, std::string> nameOwner;      // name -> path
    std::map<std::uint32_t, std::string> ipOwner;      // ip -> path
    std::map<std::string, std::string> hostnameOwner;  // lowercased hostname -> path
    for (std::size_t i = 0; i < deckies->size(); ++i) {
      const Json& decky = (*deckies)[i];
      const std::string path = indexed("spec.deckies", i);
      if (!expectMap(decky, path, errors)) continue;
      checkUnknownFields(decky, path,
                         {"name", "ip", "archetype", "hostname", "distro", "osFamily", "services"},
                         errors);

      const std::string namePath = child(path, "name");
      if (const Json* value = member(decky, "name")) {
        if (const std::string* name = stringAt(*value, namePath, errors)) {
          if (std::string problem = dnsLabelProblem(*name); !problem.empty()) {
            errors.add(namePath, problem);
          } else if (std::all_of(name->begin(), name->end(),
                                 [](char c) { return c >= '0' && c <= '9'; })) {
            errors.add(namePath, "must not be a number: replicas are named " + fleetName + "-01, " +
                                     fleetName + "-02, ...");
          } else if (auto [it, inserted] = nameOwner.emplace(*name, path); !inserted) {
            errors.add(namePath,
                       "duplicate name " + inQuotes(*name) + " (also " + it->second + ")");
          } else if (const std::string full = fleetName + "-" + *name;
                     !fleetName.empty() && full.size() > kMaxLabelLength) {
            errors.add(namePath, "too long: the decky name " + inQuotes(full) + " would be " +
                                     std::to_string(full.size()) + " characters (max 63)");
          }
        }
      } else {
        errors.add(namePath, "required (the decky becomes " + fleetName + "-<name>)");
      }

      if (const Json* value = member(decky, "ip")) {
        const std::string ipPath = child(path, "ip");
        if (auto address = checkHostAddress(*value, ipPath, network, errors)) {
          if (auto [it, inserted] = ipOwner.emplace(address->value, path); !inserted) {
            errors.add(ipPath, address->str() + " is also the ip of " + it->second);
          } else {
            explicitIps.insert(address->value);
          }
        }
      } else {
        ++withoutIp;
      }

      checkIdentity(decky, path, errors);
      if (const Json* value = member(decky, "hostname"); value && value->is_string()) {
        std::string lowered = value->get<std::string>();
        std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (auto [it, inserted] = hostnameOwner.emplace(lowered, path); !inserted) {
          errors.add(child(path, "hostname"), "duplicate hostname " +
                                                  inQuotes(value->get<std::string>()) + " (also " +
                                                  it->second + ")");
        }
      }
      if (!declaresServices(decky) && !templateHasServices) {
        errors.add(path, "needs an archetype or services (its own or the template's)");
      }
    }
  }

  // Everything without an explicit ip takes one from the pool.
  if (network.valid && replicasValid) {
    const std::int64_t needed = replicas + withoutIp;
    const std::uint64_t free =
        net::countFree(*network.subnet, network.range, network.gateway, explicitIps);
    if (needed > 0 && static_cast<std::uint64_t>(needed) > free) {
      errors.add(replicas > 0 ? "spec.replicas" : "spec.deckies",
                 "needs " + std::to_string(needed) + " addresses but the " +
                     (network.rangeGiven ? "range" : "subnet") + " has " + std::to_string(free) +
                     " free");
    }
  }

  if (const Json* mutation = member(spec, "mutation")) {
    checkMutation(*mutation, "spec.mutation", errors);
  }
  checkLabelMap(member(spec, "nodeSelector"), "spec.nodeSelector", errors);
  checkName(member(spec, "logTarget"), "spec.logTarget", false, logTargetProblem, errors);
}

void validateDecky(const Object& object, Errors& errors) {
  const Json& spec = object.spec;
  if (!expectMap(spec, "spec", errors)) return;
  checkUnknownFields(spec, "spec",
                     {"node", "network", "ip", "mac", "hostname", "distro", "osFamily", "archetype",
                      "services", "identityGeneration", "nodeSelector"},
                     errors);
  checkName(member(spec, "node"), "spec.node", false, nodeNameProblem, errors);
  const NetworkFacts network = checkNetwork(member(spec, "network"), "spec.network", errors);
  if (const Json* value = member(spec, "ip")) {
    checkHostAddress(*value, "spec.ip", network, errors);
  } else {
    errors.add("spec.ip", "required (an address inside spec.network.subnet)");
  }
  checkName(member(spec, "mac"), "spec.mac", false, macProblem, errors);
  checkIdentity(spec, "spec", errors);
  if (!declaresServices(spec)) errors.add("spec.services", "needs an archetype or services");
  if (const Json* value = member(spec, "identityGeneration")) {
    auto number = integerAt(*value, "spec.identityGeneration", ">= 0", errors);
    if (number && *number < 0) errors.add("spec.identityGeneration", "must be >= 0");
  }
  checkLabelMap(member(spec, "nodeSelector"), "spec.nodeSelector", errors);
}

void validateNode(const Object& object, Errors& errors) {
  const Json& spec = object.spec;
  if (!expectMap(spec, "spec", errors)) return;
  checkUnknownFields(spec, "spec", {"capacity", "interfaces"}, errors);
  if (const Json* capacity = member(spec, "capacity");
      capacity && expectMap(*capacity, "spec.capacity", errors)) {
    checkUnknownFields(*capacity, "spec.capacity", {"deckies"}, errors);
    if (const Json* value = member(*capacity, "deckies")) {
      auto number = integerAt(*value, "spec.capacity.deckies", ">= 0", errors);
      if (number && *number < 0) errors.add("spec.capacity.deckies", "must be >= 0");
    }
  }
  if (const Json* interfaces = member(spec, "interfaces");
      interfaces && expectList(*interfaces, "spec.interfaces", errors, kMaxInterfaces)) {
    for (std::size_t i = 0; i < interfaces->size(); ++i) {
      checkName(&(*interfaces)[i], indexed("spec.interfaces", i), true, ifnameProblem, errors);
    }
  }
}

// Events keep their fields at the top level of the wire object (Object::spec holds them).
void validateEvent(const Object& object, Errors& errors) {
  const Json& event = object.spec;
  if (!event.is_object()) {
    errors.add("reason", "required");
    return;
  }
  auto requireText = [&](const Json& map, const char* key, const std::string& path) {
    const Json* value = member(map, key);
    if (!value) {
      errors.add(path, "required");
    } else if (const std::string* text = stringAt(*value, path, errors); text && text->empty()) {
      errors.add(path, "must not be empty");
    }
  };
  requireText(event, "reason", "reason");
  const Json* involved = member(event, "involvedObject");
  if (!involved) {
    errors.add("involvedObject", "required (kind and name of the object the event is about)");
  } else if (expectMap(*involved, "involvedObject", errors)) {
    requireText(*involved, "kind", "involvedObject.kind");
    requireText(*involved, "name", "involvedObject.name");
  }
}

// ---------------------------------------------------------------------------------------------
// Cross-object helpers.

std::string interfaceOf(const Json& spec) {
  const Json* network = member(spec, "network");
  const Json* iface = network ? member(*network, "interface") : nullptr;
  return iface && iface->is_string() ? iface->get<std::string>() : std::string();
}

struct Holder {
  std::string decky;
  std::string fleet;  // empty: a decky written directly
  std::string describe() const {
    return "decky " + decky + (fleet.empty() ? std::string() : " (fleet " + fleet + ")");
  }
};

std::string fleetOf(const Object& decky) {
  if (const OwnerReference* owner = decky.controllerOwner(); owner && owner->kind == "Fleet") {
    return owner->name;
  }
  auto label = decky.metadata.labels.find(kFleetLabel);
  return label == decky.metadata.labels.end() ? std::string() : label->second;
}

bool ownedBy(const Object& decky, const Object& fleet) {
  for (const auto& ref : decky.metadata.ownerReferences) {
    if (ref.controller && !fleet.metadata.uid.empty() && ref.uid == fleet.metadata.uid) return true;
  }
  auto label = decky.metadata.labels.find(kFleetLabel);
  return label != decky.metadata.labels.end() && label->second == fleet.metadata.name;
}

std::optional<Ipv4> ipOf(const Json& map) {
  const Json* value = member(map, "ip");
  return value && value->is_string() ? Ipv4::parse(value->get<std::string>()) : std::nullopt;
}

std::vector<FieldError> fleetAgainst(const Object& candidate, const ObjectRefs& fleets,
                                     const ObjectRefs& deckies) {
  Errors errors;
  const Json& spec = candidate.spec;
  const std::string iface = interfaceOf(spec);

  // Addresses taken by anything that is not this fleet, on the same parent interface.
  std::map<std::uint32_t, Holder> taken;
  for (const Object* fleetRef : fleets) {
    const Object& fleet = *fleetRef;
    if (fleet.kind != "Fleet" || fleet.metadata.name == candidate.metadata.name) continue;
    if (interfaceOf(fleet.spec) != iface) continue;
    const Json* named = member(fleet.spec, "deckies");
    if (!named || !named->is_array()) continue;
    for (const auto& decky : *named) {
      auto address = ipOf(decky);
      const Json* name = member(decky, "name");
      if (!address || !name || !name->is_string()) continue;
      taken.emplace(address->value, Holder{fleet.metadata.name + "-" + name->get<std::string>(),
                                           fleet.metadata.name});
    }
  }
  for (const Object* deckyRef : deckies) {
    const Object& decky = *deckyRef;
    if (decky.kind == candidate.kind && decky.metadata.name == candidate.metadata.name) continue;
    if (ownedBy(decky, candidate) || interfaceOf(decky.spec) != iface) continue;
    if (auto address = ipOf(decky.spec)) {
      // A real Decky names its holder better than another fleet's declaration does.
      taken[address->value] = Holder{decky.metadata.name, fleetOf(decky)};
    }
  }

  // The pool check: only reported when taken addresses are what makes it not fit, since
  // validateObject already reports a pool too small on its own.
  NetworkFacts network;
  if (const Json* net = member(spec, "network")) {
    Errors ignored;
    network = checkNetwork(net, "", ignored);
  }
  const Json* named = member(spec, "deckies");
  std::set<std::uint32_t> ownIps;
  std::int64_t withoutIp = 0;
  if (named && named->is_array()) {
    for (const auto& decky : *named) {
      if (auto address = ipOf(decky)) {
        ownIps.insert(address->value);
      } else if (decky.is_object()) {
        ++withoutIp;
      }
    }
  }
  const Json* replicasValue = member(spec, "replicas");
  const std::int64_t replicas =
      replicasValue && replicasValue->is_number_integer() ? replicasValue->get<std::int64_t>() : 0;
  if (network.valid) {
    const std::int64_t needed = replicas + withoutIp;
    const std::uint64_t freeAlone =
        net::countFree(*network.subnet, network.range, network.gateway, ownIps);
    std::set<std::uint32_t> allUsed = ownIps;
    for (const auto& [address, holder] : taken) allUsed.insert(address);
    const std::uint64_t free =
        net::countFree(*network.subnet, network.range, network.gateway, allUsed);
    if (needed > 0 && static_cast<std::uint64_t>(needed) <= freeAlone &&
        static_cast<std::uint64_t>(needed) > free) {
      errors.add(replicas > 0 ? "spec.replicas" : "spec.deckies",
                 "needs " + std::to_string(needed) + " addresses but the " +
                     (network.rangeGiven ? "range" : "subnet") + " has " + std::to_string(free) +
                     " free (" + std::to_string(freeAlone - free) +
                     " taken by deckies of other fleets on this interface)");
    }
  }

  if (named && named->is_array()) {
    for (std::size_t i = 0; i < named->size(); ++i) {
      auto address = ipOf((*named)[i]);
      if (!address) continue;
      if (auto it = taken.find(address->value); it != taken.end()) {
        errors.add(indexed("spec.deckies", i) + ".ip",
                   address->str() + " is already used by " + it->second.describe());
      }
    }
  }
  return errors.take();
}

std::vector<FieldError> deckyAgainst(const Object& candidate, const ObjectRefs& deckies) {
  Errors errors;
  auto address = ipOf(candidate.spec);
  if (!address) return errors.take();
  const std::string iface = interfaceOf(candidate.spec);
  for (const Object* deckyRef : deckies) {
    const Object& decky = *deckyRef;
    if (decky.kind == candidate.kind && decky.metadata.name == candidate.metadata.name) continue;
    if (interfaceOf(decky.spec) != iface) continue;
    if (ipOf(decky.spec) == address) {
      errors.add("spec.ip", address->str() + " is already used by " +
                                Holder{decky.metadata.name, fleetOf(decky)}.describe());
      break;
    }
  }
  return errors.take();
}

}  // namespace

std::vector<FieldError> validateObject(const Object& object) {
  Errors errors;
  try {
    if (object.apiVersion != kApiVersion) {
      errors.add("apiVersion",
                 "must be " + inQuotes(kApiVersion) + " (got " + inQuotes(object.apiVersion) + ")");
    }
    static const std::vector<std::string> kKinds = {"Fleet", "Decky", "Node", "Event"};
    const bool knownKind = contains(kKinds, object.kind);
    if (!knownKind) {
      errors.add("kind", object.kind.empty()
                             ? std::string("required (one of Fleet, Decky, Node, Event)")
                             : unknownName("kind", object.kind, kKinds));
    }

    // Nodes are host names and events carry dotted suffixes; the rest become decky names.
    const bool subdomainName = object.kind == "Node" || object.kind == "Event";
    if (object.metadata.name.empty()) {
      errors.add("metadata.name", "required");
    } else if (std::string problem = subdomainName ? dnsSubdomainProblem(object.metadata.name)
                                                   : dnsLabelProblem(object.metadata.name);
               !problem.empty()) {
      errors.add("metadata.name", problem);
    }
    for (const auto& [key, value] : object.metadata.labels) {
      const std::string path = "metadata.labels." + key;
      if (std::string problem = labelKeyProblem(key); !problem.empty()) {
        errors.add(path, "key " + problem);
      }
      if (std::string problem = labelValueProblem(value); !problem.empty()) {
        errors.add(path, "value " + problem);
      }
    }
    for (const auto& [key, value] : object.metadata.annotations) {
      if (std::string problem = labelKeyProblem(key); !problem.empty()) {
        errors.add("metadata.annotations." + key, "key " + problem);
      }
    }

    if (object.kind == "Fleet") validateFleet(object, errors);
    if (object.kind == "Decky") validateDecky(object, errors);
    if (object.kind == "Node") validateNode(object, errors);
    if (object.kind == "Event") validateEvent(object, errors);
  } catch (const std::exception& e) {
    // Only a bug can get here (every access is type-checked); report it, do not crash.
    errors.add("", std::string("internal validation error: ") + e.what());
  }
  return errors.take();
}

std::optional<std::pair<std::string, std::uint32_t>> deckyAddressOf(const Json& spec) {
  auto address = ipOf(spec);
  if (!address) return std::nullopt;
  return std::make_pair(interfaceOf(spec), address->value);
}

std::vector<FieldError> validateAgainst(const Object& candidate, const ObjectRefs& fleets,
                                        const ObjectRefs& deckies) {
  try {
    if (candidate.kind == "Fleet") return fleetAgainst(candidate, fleets, deckies);
    if (candidate.kind == "Decky") return deckyAgainst(candidate, deckies);
  } catch (const std::exception& e) {
    return {FieldError{"", std::string("internal validation error: ") + e.what()}};
  }
  return {};
}

std::vector<FieldError> validateAgainst(const Object& candidate, const std::vector<Object>& fleets,
                                        const std::vector<Object>& deckies) {
  ObjectRefs fleetRefs, deckyRefs;
  for (const auto& f : fleets) fleetRefs.push_back(&f);
  for (const auto& d : deckies) deckyRefs.push_back(&d);
  return validateAgainst(candidate, fleetRefs, deckyRefs);
}

Error invalidObjectError(const Object& object, std::vector<FieldError> fields) {
  std::string message = object.kind + " " + inQuotes(object.metadata.name) + " is invalid";
  return Error{Errc::kInvalid, std::move(message), std::move(fields)};
}

}  // namespace decnet::api

namespace decnet::api {
namespace {

// Services named by one services list or, without one, by its archetype; each with its path.
void servicesWithoutEmulator(const Json& holder, const std::string& path,
                             std::vector<std::string>& warnings) {
  if (!holder.is_object()) return;
  const auto note = [](const std::string& where, const std::string& names) {
    return where + ": no emulator yet for " + names +
           "; the decoy serves the other services and reports ServicesReady=False (NotEmulated)";
  };
  if (auto services = holder.find("services");
      services != holder.end() && services->is_array() && !services->empty()) {
    for (std::size_t i = 0; i < services->size(); ++i) {
      const Json& entry = (*services)[i];
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) continue;
      const auto* info = catalog::findService(entry["name"].get<std::string>());
      if (info != nullptr && info->descriptor != nullptr && !info->descriptor->emulated) {
        warnings.push_back(
            note(path + ".services[" + std::to_string(i) + "]", "service \"" + info->slug + "\""));
      }
    }
    return;
  }
  auto archetype = holder.find("archetype");
  if (archetype == holder.end() || !archetype->is_string()) return;
  const auto* info = catalog::findArchetype(archetype->get<std::string>());
  if (info == nullptr) return;
  std::string names;
  for (const auto& name : info->services) {
    const auto* service = catalog::findService(name);
    if (service != nullptr && service->descriptor != nullptr && !service->descriptor->emulated) {
      names += (names.empty() ? "" : ", ") + name;
    }
  }
  if (!names.empty()) {
    warnings.push_back(note(path + ".archetype", "archetype \"" + info->slug + "\"'s " + names));
  }
}

}  // namespace

bool nodeLacksInterface(const Object& node, const std::string& name) {
  const Json* interfaces = member(node.status, "interfaces");
  if (name.empty() || interfaces == nullptr || !interfaces->is_array()) return false;
  return std::find(interfaces->begin(), interfaces->end(), name) == interfaces->end();
}

std::vector<std::string> placementWarnings(const Object& object, const ObjectRefs& nodes) {
  if (object.kind != "Fleet" && object.kind != "Decky") return {};
  const Json* network = member(object.spec, "network");
  const Json* parent = network != nullptr ? member(*network, "interface") : nullptr;
  if (parent == nullptr || !parent->is_string() || parent->get<std::string>().empty()) return {};
  const std::string name = parent->get<std::string>();
  std::string readyWithInterfaces;
  for (const Object* node : nodes) {
    if (node->deleting() || !conditionTrue(node->status, "Ready")) continue;
    const Json* interfaces = member(node->status, "interfaces");
    if (interfaces == nullptr || !interfaces->is_array()) continue;
    if (!nodeLacksInterface(*node, name)) return {};
    readyWithInterfaces += (readyWithInterfaces.empty() ? "" : ", ") + node->metadata.name;
  }
  if (readyWithInterfaces.empty()) return {};
  return {"spec.network.interface: no Ready node has interface \"" + name + "\" (checked " +
          readyWithInterfaces + "); its deckies stay Pending (Unschedulable) until one does"};
}

std::vector<std::string> admissionWarnings(const Object& object) {
  std::vector<std::string> warnings;
  if (!object.spec.is_object()) return warnings;
  if (object.kind == "Fleet") {
    if (auto templ = object.spec.find("template"); templ != object.spec.end()) {
      servicesWithoutEmulator(*templ, "spec.template", warnings);
    }
    if (auto deckies = object.spec.find("deckies");
        deckies != object.spec.end() && deckies->is_array()) {
      for (std::size_t i = 0; i < deckies->size(); ++i) {
        servicesWithoutEmulator((*deckies)[i], "spec.deckies[" + std::to_string(i) + "]", warnings);
      }
    }
  } else if (object.kind == "Decky") {
    servicesWithoutEmulator(object.spec, "spec", warnings);
  }
  return warnings;
}

}  // namespace decnet::api
