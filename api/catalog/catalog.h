#pragma once
// The built-in catalog (docs/services.md, `decnet catalog`): emulated services, archetypes, distros
// and OS families. Immutable data; every accessor is thread-safe and never fails.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

struct ServiceInfo {
  std::string slug;                      // "ssh"
  std::vector<int> ports;                // default ports; empty for "custom" (user-given)
  std::string protocol;                  // "tcp", "udp" or "tcp+udp"
  std::vector<std::string> personaKeys;  // every key the persona may set
  std::vector<std::string> events;       // MSGIDs the service emits
  std::map<std::string, std::string> personaDefaults;  // starting values of some keys
  const ServiceDescriptor* descriptor = nullptr;       // where all of the above comes from
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

// What a stock install of one distro (or Windows version) shows the network. Services take
// their default banners from here, so every port of a decky tells the same story.
struct DistroInfo {
  std::string slug;         // "ubuntu22"
  std::string displayName;  // "Ubuntu 22.04"
  HostnameStyle style = HostnameStyle::kGeneric;
  std::string osFamily = "linux";  // the family it belongs to: linux, windows, ...
  std::string sshVersion;          // after "SSH-2.0-": "OpenSSH_8.9p1 Ubuntu-3ubuntu0.10"
  std::string httpServer;          // stock web server's Server header: "Apache/2.4.52 (Ubuntu)"
  std::string kernel;              // `uname -a` with HOSTNAME for the host name; "" on Windows
  std::string prettyName;          // /etc/os-release PRETTY_NAME, or the Windows product name
  std::string mysqlVersion;        // the distro's packaged MySQL/MariaDB server version
  std::string installDate;         // YYYY-MM-DD: when the fake host was installed (file times)
};

struct OsFamilyInfo {
  std::string slug;                                          // "linux"
  std::vector<std::pair<std::string, std::string>> sysctls;  // {"net.ipv4.ip_default_ttl","64"}
  std::vector<std::string> macOuis;                          // "52:54:00", lowercase
};

// Every service, sorted by slug (derived from the descriptors).
const std::vector<ServiceInfo>& services();
// The service with this exact slug, or nullptr.
const ServiceInfo* findService(std::string_view slug);

// Every archetype, in catalog order.
const std::vector<ArchetypeInfo>& archetypes();
// The archetype with this exact slug, or nullptr.
const ArchetypeInfo* findArchetype(std::string_view slug);

// Every distro, in the default round-robin order (Linux ones first, then Windows versions).
const std::vector<DistroInfo>& distros();
// The distro with this exact slug, or nullptr.
const DistroInfo* findDistro(std::string_view slug);
// The distro a decky presents: its own when known, else the first of its OS family's
// (Windows: win2019), else debian. Never null.
const DistroInfo& distroFor(std::string_view distro, std::string_view osFamily);
// The kernel release inside a `uname -a` line ("5.15.0-126-generic"); "" when none.
std::string kernelRelease(const DistroInfo& distro);

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
