#include "reconcilers/identity.h"

#include <algorithm>
#include <cstdio>

#include "api/catalog/catalog.h"

namespace decnet::reconcilers {
namespace {

namespace catalog = api::catalog;

// SplitMix64: spreads a seed into well-mixed successive values.
std::uint64_t mix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string twoDigits(std::uint64_t value) { return std::to_string(10 + value % 90); }

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string windowsName(const std::string& archetype, std::uint64_t& state) {
  static const std::vector<std::string> kDepartments = {"FIN", "HR",  "OPS", "ENG", "SALES",
                                                        "IT",  "LEG", "MKT", "ADM"};
  if (archetype == "domain-controller") {
    char buffer[8];
    std::snprintf(buffer, sizeof(buffer), "DC%02u", static_cast<unsigned>(1 + mix(state) % 9));
    return buffer;
  }
  const std::string prefix = archetype == "windows-server" ? "SRV" : "WS";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%s-%s-%04u", prefix.c_str(),
                kDepartments[mix(state) % kDepartments.size()].c_str(),
                static_cast<unsigned>(mix(state) % 10000));
  return buffer;
}

std::string styledName(const catalog::DistroInfo* distro, std::uint64_t& state) {
  const auto& words = catalog::hostnameWords();
  const std::string word = words[mix(state) % words.size()];
  const auto style = distro != nullptr ? distro->style : catalog::HostnameStyle::kGeneric;
  switch (style) {
    case catalog::HostnameStyle::kRhel:
      return word + twoDigits(mix(state)) + ".localdomain";
    case catalog::HostnameStyle::kMinimal:
      return word + "-" + twoDigits(mix(state));
    case catalog::HostnameStyle::kRolling:
      return word + "-" + words[mix(state) % words.size()];
    case catalog::HostnameStyle::kGeneric:
      break;
  }
  return "SRV-" + upper(word) + "-" + twoDigits(mix(state));
}

}  // namespace

std::string macFor(const std::string& osFamily, std::uint64_t seed,
                   const std::set<std::string>& taken) {
  const auto* family = catalog::findOsFamily(osFamily);
  std::uint64_t state = seed;
  // 24 random bits per MAC: among 1,000 deckies on one parent, about one fleet in 100 had two
  // sharing one, and one of the two never came up. A taken MAC gives way to the next value of
  // the seed's sequence (1,024 tries at most).
  std::string mac;
  for (int attempt = 0; attempt < 1024; ++attempt) {
    const std::uint64_t bits = mix(state);
    std::string oui = "52:54:00";
    if (family != nullptr && !family->macOuis.empty()) {
      oui = family->macOuis[bits % family->macOuis.size()];
    }
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%s:%02x:%02x:%02x", oui.c_str(),
                  static_cast<unsigned>((bits >> 8) & 0xff),
                  static_cast<unsigned>((bits >> 16) & 0xff),
                  static_cast<unsigned>((bits >> 24) & 0xff));
    mac = buffer;
    if (taken.count(mac) == 0) break;
  }
  return mac;
}

std::string hostnameFor(const std::string& distro, const std::string& osFamily,
                        const std::string& archetype, std::uint64_t seed,
                        const std::set<std::string>& taken) {
  std::uint64_t state = seed;
  const auto* info = catalog::findDistro(distro);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::string name =
        osFamily == "windows" ? windowsName(archetype, state) : styledName(info, state);
    if (taken.count(name) == 0) return name;
  }
  // The word space is exhausted for this fleet: fall back to a numbered name.
  for (std::uint64_t n = 100;; ++n) {
    std::string name = "host-" + std::to_string(n);
    if (taken.count(name) == 0) return name;
  }
}

bool distroFits(const std::string& distro, const std::string& osFamily) {
  const auto* info = catalog::findDistro(distro);
  return info == nullptr || (info->osFamily == "windows") == (osFamily == "windows");
}

std::string distroFor(const std::vector<std::string>& distros, const std::string& archetype,
                      const std::string& osFamily, std::size_t index) {
  // Windows deckies carry a Windows version; every other family a Linux distro. A list that has
  // none of the decky's kind (a Windows member of a Linux template) is passed over, so a decky's
  // banners never contradict its TTL and MAC.
  const std::string family = osFamily == "windows" ? "windows" : "linux";
  const auto fits = [&](const std::string& slug) { return distroFits(slug, osFamily); };
  std::vector<std::string> candidates;
  for (const auto& slug : distros) {
    if (fits(slug)) candidates.push_back(slug);
  }
  if (candidates.empty()) {
    if (const auto* a = catalog::findArchetype(archetype); a != nullptr) {
      for (const auto& slug : a->preferredDistros) {
        if (fits(slug)) candidates.push_back(slug);
      }
    }
  }
  if (candidates.empty()) {
    for (const auto& info : catalog::distros()) {
      if (info.osFamily == family) candidates.push_back(info.slug);
    }
  }
  return candidates[index % candidates.size()];
}

std::string osFamilyFor(const std::string& explicitFamily, const std::string& archetype) {
  if (!explicitFamily.empty()) return explicitFamily;
  if (const auto* a = catalog::findArchetype(archetype); a != nullptr) return a->osFamily;
  return "linux";
}

std::vector<api::ServiceSpec> servicesFor(const std::vector<api::ServiceSpec>& explicitServices,
                                          const std::string& archetype) {
  if (!explicitServices.empty()) return explicitServices;
  std::vector<api::ServiceSpec> out;
  if (const auto* a = catalog::findArchetype(archetype); a != nullptr) {
    for (const auto& name : a->services) out.push_back(api::ServiceSpec{name, {}, {}});
  }
  return out;
}

std::vector<api::ServiceSpec> rotateServices(const std::vector<api::ServiceSpec>& current,
                                             const std::vector<api::ServiceSpec>& pool,
                                             std::uint64_t seed) {
  if (pool.size() < 2) return current;
  std::uint64_t state = seed;
  const auto names = [](const std::vector<api::ServiceSpec>& services) {
    std::vector<std::string> out;
    for (const auto& s : services) out.push_back(s.name);
    return out;
  };
  const auto currentNames = names(current);
  const std::uint64_t subsets = (1ULL << std::min<std::size_t>(pool.size(), 16)) - 1;
  for (int attempt = 0; attempt < 64; ++attempt) {
    const std::uint64_t mask = 1 + mix(state) % subsets;  // never empty
    std::vector<api::ServiceSpec> next;
    for (std::size_t i = 0; i < pool.size() && i < 16; ++i) {
      if ((mask >> i) & 1ULL) next.push_back(pool[i]);
    }
    if (names(next) != currentNames) return next;
  }
  return current;
}

}  // namespace decnet::reconcilers
