#pragma once
// The host network of deckies: one network namespace per decky holding a macvlan (or ipvlan)
// child of the fleet's parent interface. libnl stays inside the driver's .cc files.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/types/result.h"

namespace decnet::agents {

// Everything the driver needs to build one decky's network.
struct DeckyNetwork {
  std::string namespaceName;       // "decnet-quickstart-01" (iproute2-compatible, /run/netns/NAME)
  std::string parent;              // host interface the child hangs off ("decnet-lab0")
  std::string driver = "macvlan";  // "macvlan" (bridge mode) | "ipvlan" (L2)
  std::string mac;                 // "52:54:00:12:34:56"
  std::string ip;                  // "10.77.0.10"
  int prefix = 24;
  std::string gateway;                                       // default route via; empty: none
  std::vector<std::pair<std::string, std::string>> sysctls;  // {"net.ipv4.ip_default_ttl","128"}
  // Called once eth0, its address and routes are in place, before the sysctls; may be empty.
  std::function<void()> linked;
};

// What is actually there, for drift detection and status.
struct ObservedNetwork {
  bool namespaceExists = false;
  bool linkExists = false;  // "eth0" inside the namespace
  bool linkUp = false;
  std::string mac;
  std::vector<std::string> addresses;  // "10.77.0.10/24"
  bool defaultRoute = false;
};

class NetworkDriver {
 public:
  virtual ~NetworkDriver() = default;

  // Creates or repairs the namespace, its eth0 (created directly inside the namespace, then
  // given the MAC, address, up state and default route), lo up, and the sysctls. Idempotent:
  // what already matches is kept; a wrong MAC/driver/parent re-creates the link. Thread-safe.
  // kUnavailable: the parent is missing or down; kTerminal: the kernel lacks the driver
  // (message says so, e.g. "this kernel has no ipvlan support").
  [[nodiscard]] virtual Result<void> ensure(const DeckyNetwork& network) = 0;
  // Removes the namespace; the kernel deletes its links once nothing holds it (stop the decoy
  // first), asynchronously. Idempotent: an absent namespace is success. A later ensure() of the
  // same MAC waits for the old link to go.
  [[nodiscard]] virtual Result<void> remove(const std::string& namespaceName) = 0;
  // Names of the namespaces on this host that start with `prefix` ("decnet-").
  [[nodiscard]] virtual Result<std::vector<std::string>> list(const std::string& prefix) = 0;
  // What exists for one namespace (never fails for an absent one: namespaceExists=false).
  [[nodiscard]] virtual Result<ObservedNetwork> observe(const std::string& namespaceName) = 0;
  // A host-side macvlan "<name>" on `parent` with `address` (CIDR), so the host reaches the
  // deckies on that parent. Idempotent.
  [[nodiscard]] virtual Result<void> ensureHairpin(const std::string& name,
                                                   const std::string& parent,
                                                   const std::string& address) = 0;
  // Removes the host-side hairpin link `name`. Idempotent.
  [[nodiscard]] virtual Result<void> removeHairpin(const std::string& name) = 0;
  // The interface of the host's IPv4 default route ("eth0"); kNotFound when there is none.
  [[nodiscard]] virtual Result<std::string> defaultRouteInterface() = 0;
};
using NetworkDriverPtr = std::unique_ptr<NetworkDriver>;

// The libnl implementation.
NetworkDriverPtr makeNetlinkDriver();

// Runs `fn` on a thread that has joined the network namespace `namespaceName`; returns its
// result. Used by the runtime and tests. kNotFound when the namespace does not exist.
[[nodiscard]] Result<void> runInNamespace(const std::string& namespaceName,
                                          const std::function<Result<void>()>& fn);

}  // namespace decnet::agents
