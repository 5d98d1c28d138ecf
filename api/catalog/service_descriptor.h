#pragma once
// What one emulated protocol is, as data: its name, transports, default ports, persona keys
// (type, default, bounds, one line of doc) and the events it emits. Each protocol's descriptor
// lives beside its emulator in decoy/services/<slug>/descriptor.cc; the catalog, admission's
// persona checks, the CRD enums, `decnet catalog services` and docs/services.md all derive from
// these, so a fact about a service is written once. Plain data: no library beyond std.
#include <string>
#include <vector>

namespace decnet::api::catalog {

enum class PersonaType {
  kText,     // any string (bounded by admission's length limit)
  kInteger,  // decimal integer in [min, max]
  kBoolean,  // "true" or "false"
  kChoice,   // one of `allowed`
  kUsers,    // "user:password,user:password"
  kPorts,    // "8080,8443"
  kHeaders,  // "Name: value; Name2: value2" or a JSON object
};

struct PersonaKey {
  std::string name;  // "response_code"
  PersonaType type = PersonaType::kText;
  std::string defaultValue;  // what the emulator uses when unset; "" = derived (see doc)
  std::string doc;           // one line for docs/services.md and `decnet catalog`
  int min = 0;               // kInteger bounds, inclusive
  int max = 0;
  std::vector<std::string> allowed;  // kChoice values
};

struct EventField {
  std::string name;  // "principal"
  std::string doc;   // one line
};

struct EventSpec {
  std::string type;  // MSGID: "auth_attempt"
  std::string doc;   // one line
  std::vector<EventField> fields;
};

struct ServiceDescriptor {
  std::string slug;                     // "ssh"
  std::string summary;                  // one line: what the emulator pretends to be
  std::vector<std::string> transports;  // "tcp", "udp"
  std::vector<int> ports;               // default ports; empty: the user gives them
  bool emulated = false;  // the decoy has an emulator (a test checks this against its registry)
  std::vector<PersonaKey> persona;
  std::vector<EventSpec> events;  // besides connect/disconnect, which every TCP service emits
};

// Every descriptor, sorted by slug. Built once from decoy/services/*/descriptor.cc.
const std::vector<const ServiceDescriptor*>& serviceDescriptors();

// The persona key `name` of `descriptor`, or nullptr.
const PersonaKey* findPersonaKey(const ServiceDescriptor& descriptor, const std::string& name);

// "text", "integer", "boolean", "one of", "users", "ports", "headers".
const char* personaTypeName(PersonaType type);

// Why `value` is not acceptable for `key` ("must be 200..599"), or "" when it is.
std::string checkPersonaValue(const PersonaKey& key, const std::string& value);

}  // namespace decnet::api::catalog
