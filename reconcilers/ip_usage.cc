#include "reconcilers/ip_usage.h"

#include "api/net/ipv4.h"

namespace decnet::reconcilers {

std::set<std::uint32_t> usedAddresses(const api::SharedObjects& deckies,
                                      const std::string& interface,
                                      const std::set<std::string>& exclude) {
  std::set<std::uint32_t> used;
  for (const auto& shared : deckies) {
    const api::Object& decky = *shared;
    if (exclude.count(decky.metadata.name) > 0) continue;
    const auto& spec = decky.spec;
    std::string parent;
    if (auto net = spec.find("network"); net != spec.end() && net->is_object()) {
      parent = net->value("interface", "");
    }
    if (parent != interface) continue;
    if (auto ip = api::net::Ipv4::parse(spec.value("ip", ""))) used.insert(ip->value);
  }
  return used;
}

}  // namespace decnet::reconcilers
