#pragma once
// Which addresses (IPv4 and MAC) the deckies on one parent interface already use.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "api/client/client.h"

namespace decnet::reconcilers {

// IPv4 values (host order) of every decky in `deckies` on `interface`, except `exclude`d names.
std::set<std::uint32_t> usedAddresses(const api::SharedObjects& deckies,
                                      const std::string& interface,
                                      const std::set<std::string>& exclude = {});

// MAC addresses (lower case) of every decky in `deckies` on `interface`, except `exclude`d
// names: two deckies with one MAC on one parent cannot both come up.
std::set<std::string> usedMacs(const api::SharedObjects& deckies, const std::string& interface,
                               const std::set<std::string>& exclude = {});

}  // namespace decnet::reconcilers
