#pragma once
// Deterministic identity generation for deckies: MAC, hostname, distro, rotated services.
// Every function is pure: the same seed gives the same answer, so reconciles are idempotent.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "api/types/fleet_spec.h"
#include "api/types/hash.h"

namespace decnet::reconcilers {

using decnet::stableHash;

// "52:54:00:xx:xx:xx" with an OUI that fits `osFamily`, the rest derived from `seed`; never one
// of `taken` (lower case). A seed's first MAC stays what it always was.
std::string macFor(const std::string& osFamily, std::uint64_t seed,
                   const std::set<std::string>& taken = {});

// A hostname in the distro's style , or Windows-looking for the windows
// family; never one of `taken`.
std::string hostnameFor(const std::string& distro, const std::string& osFamily,
                        const std::string& archetype, std::uint64_t seed,
                        const std::set<std::string>& taken);

// The distro for the `index`-th decky: `distros` round-robin, else the archetype's preferred
// list, else every distro.
// True when `distro` suits `osFamily`: a Windows version for windows, a Linux distro for the
// other families; unknown slugs are not judged.
bool distroFits(const std::string& distro, const std::string& osFamily);

std::string distroFor(const std::vector<std::string>& distros, const std::string& archetype,
                      const std::string& osFamily, std::size_t index);

// The OS family: explicit, else the archetype's, else linux.
std::string osFamilyFor(const std::string& explicitFamily, const std::string& archetype);

// Services of a template or named decky: explicit ones, else the archetype's catalog services.
std::vector<api::ServiceSpec> servicesFor(const std::vector<api::ServiceSpec>& explicitServices,
                                          const std::string& archetype);

// A different non-empty subset of the archetype's services (keeping persona settings of
// services that stay); `current` when the archetype offers no alternative.
std::vector<api::ServiceSpec> rotateServices(const std::vector<api::ServiceSpec>& current,
                                             const std::vector<api::ServiceSpec>& pool,
                                             std::uint64_t seed);

}  // namespace decnet::reconcilers
