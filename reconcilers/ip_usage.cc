#include "reconcilers/ip_usage.h"

#include <algorithm>
#include <cctype>

#include "api/net/ipv4.h"

namespace decnet::reconcilers {
namespace {

// Calls `use` with the spec of every decky on `interface` not named in `exclude`.
template <typename Use>
void forEachOnInterface(const api::SharedObjects& deckies, const std::string& interface,
                        const std::set<std::string>& exclude, Use use) {
  for (const auto& shared : deckies) {
    const api::Object& decky = *shared;
    if (exclude.count(decky.metadata.name) > 0) continue;
    const auto& spec = decky.spec;
    std::string parent;
    if (auto net = spec.find("network"); net != spec.end() && net->is_object()) {
      parent = net->value("interface", "");
    }
    if (parent == interface) use(spec);
  }
}

}  // namespace

std::set<std::uint32_t> usedAddresses(const api::SharedObjects& deckies,
                                      const std::string& interface,
                                      const std::set<std::string>& exclude) {
  std::set<std::uint32_t> used;
  forEachOnInterface(deckies, interface, exclude, [&](const api::Json& spec) {
    if (auto ip = api::net::Ipv4::parse(spec.value("ip", ""))) used.insert(ip->value);
  });
  return used;
}

std::set<std::string> usedMacs(const api::SharedObjects& deckies, const std::string& interface,
                               const std::set<std::string>& exclude) {
  std::set<std::string> used;
  forEachOnInterface(deckies, interface, exclude, [&](const api::Json& spec) {
    std::string mac = spec.value("mac", "");
    std::transform(mac.begin(), mac.end(), mac.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!mac.empty()) used.insert(mac);
  });
  return used;
}

}  // namespace decnet::reconcilers
