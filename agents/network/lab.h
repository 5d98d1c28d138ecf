#pragma once
// The local lab: a veth pair whose host end is the decoy LAN's parent interface, and an
// attacker namespace that holds the peer end. Everything it makes is named decnet-*.
#include <string>

#include "api/types/result.h"

namespace decnet::agents {

struct LabOptions {
  std::string subnet = "10.77.0.0/24";
  std::string parent = "decnet-lab0";  // host end; fleets use it as network.interface
  std::string attackerNamespace = "decnet-attacker";
  int attackerHost = 250;  // attacker address: subnet + this host number
};

// Creates (or completes) the lab: veth pair, both ends up, peer moved into the attacker
// namespace as eth0 with its address, lo up there. Idempotent.
[[nodiscard]] Result<void> labUp(const LabOptions& options);
// Removes the attacker namespace and the veth pair. Idempotent.
[[nodiscard]] Result<void> labDown(const LabOptions& options);
// "10.77.0.250/24" for the options.
std::string attackerAddress(const LabOptions& options);

}  // namespace decnet::agents
