#pragma once
// The built-in catalog (REFERENCE.md §1, §3, §4, §5): emulated services, archetypes, distros
// and OS families. Immutable data; every accessor is thread-safe and never fails.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::api::catalog {

struct ServiceInfo {
  std::string slug;                      // "ssh"
  std::vector<int> ports;                // default ports; empty for "custom" (user-given)
  std::string protocol;                  // "tcp", "udp" or "tcp+udp"
  std::vector<std::string> personaKeys;  // every key the persona may set
  std::vector<std::string> events;       // MSGIDs the service emits
  std::map<std::string, std::string> personaDefaults;  // starting values of some keys
};

struct ArchetypeInfo {
  std::string slug;  // "linux-server"
  std::vector<std::string> services;
  std::string osFamily;
  std::vector<std::string> preferredDistros;
};

enum class HostnameStyle {
  kGeneric,  // SRV-<WORD>-<nn>
  kRhel,     // <word><nn>.localdomain
  kMinimal,  // <word>-<nn>
  kRolling,  // <word>-<word>
};

struct DistroInfo {
  std::string slug;         // "ubuntu22"
  std::string displayName;  // "Ubuntu 22.04"
  HostnameStyle style = HostnameStyle::kGeneric;
};

struct OsFamilyInfo {
  std::string slug;                                          // "linux"
  std::vector<std::pair<std::string, std::string>> sysctls;  // {"net.ipv4.ip_default_ttl","64"}
  std::vector<std::string> macOuis;                          // "52:54:00", lowercase
};

// Every service, in catalog order.
const std::vector<ServiceInfo>& services();
// The service with this exact slug, or nullptr.
const ServiceInfo* findService(std::string_view slug);

// Every archetype, in catalog order.
const std::vector<ArchetypeInfo>& archetypes();
// The archetype with this exact slug, or nullptr.
const ArchetypeInfo* findArchetype(std::string_view slug);

// Every distro, in the default round-robin order.
const std::vector<DistroInfo>& distros();
// The distro with this exact slug, or nullptr.
const DistroInfo* findDistro(std::string_view slug);

// Every OS family: linux, windows, bsd, embedded, cisco.
const std::vector<OsFamilyInfo>& osFamilies();
// The OS family with this exact slug, or nullptr.
const OsFamilyInfo* findOsFamily(std::string_view slug);

// The words hostnames are made of ("alpha" ... "files").
const std::vector<std::string>& hostnameWords();

// Slugs of each table, in catalog order.
std::vector<std::string> serviceNames();
std::vector<std::string> archetypeNames();
std::vector<std::string> distroNames();
std::vector<std::string> osFamilyNames();

// True when `service` may listen on `protocol` ("tcp" or "udp").
bool servesProtocol(const ServiceInfo& service, std::string_view protocol);

// Case-insensitive Levenshtein distance.
std::size_t editDistance(std::string_view a, std::string_view b);

// The candidate closest to `input` when it is within max(2, len/3) edits; "" otherwise.
std::string suggest(std::string_view input, const std::vector<std::string>& candidates);

}  // namespace decnet::api::catalog
