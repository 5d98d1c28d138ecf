// The local lab on libnl: a veth pair whose host end is the decoy LAN's parent and whose peer
// is eth0 of an attacker namespace.
#include "agents/network/lab.h"

#include <net/if.h>
#include <netlink/route/link/veth.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "agents/network/netlink_support.h"

namespace decnet::agents {
namespace {

using namespace nlsupport;

constexpr const char* kAttackerLink = "eth0";

std::optional<api::net::Ipv4> attackerIp(const LabOptions& options) {
  auto subnet = api::net::Subnet::parse(options.subnet);
  if (!subnet || subnet->prefix < 1 || subnet->prefix > 30) return std::nullopt;
  if (options.attackerHost < 1 ||
      static_cast<std::uint64_t>(options.attackerHost) >= subnet->size() - 1) {
    return std::nullopt;
  }
  return api::net::Ipv4{subnet->network.value + static_cast<std::uint32_t>(options.attackerHost)};
}

// True when the namespace's eth0 is the peer of the host end `parent`: a veth whose
// IFLA_LINK is the host ifindex and whose peer lives in another namespace.
bool isPeerOf(rtnl_link* eth0, rtnl_link* parent) {
  std::int32_t netnsid = 0;
  return linkKind(eth0) == "veth" && rtnl_link_get_link(eth0) == rtnl_link_get_ifindex(parent) &&
         rtnl_link_get_link_netnsid(eth0, &netnsid) == 0;
}

// Creates the pair from the host socket with the peer born inside the calling thread's
// namespace under a temporary name; returns that name.
Result<std::string> createPair(nl_sock* host, const std::string& parent) {
  auto nsFd = currentNamespaceFd();
  if (!nsFd) return tl::unexpected(nsFd.error());
  rtnl_link* link = rtnl_link_veth_alloc();
  if (link == nullptr) return fail(Errc::kInternal, "out of memory building a veth");
  const std::string temporary = temporaryLinkName();
  rtnl_link_set_name(link, parent.c_str());
  rtnl_link* peer = rtnl_link_veth_get_peer(link);
  rtnl_link_set_name(peer, temporary.c_str());
  rtnl_link_set_ns_fd(peer, nsFd->get());
  rtnl_link_put(peer);
  const int err = rtnl_link_add(host, link, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_veth_release(link);
  if (err < 0) {
    return fail(Errc::kUnavailable, "cannot create veth pair " + parent + ": " + nlMessage(err));
  }
  return temporary;
}

// The body of labUp(), on a thread inside the attacker namespace.
Result<void> completeInside(nl_sock* host, const LabOptions& options, api::net::Ipv4 ip,
                            int prefix) {
  auto inside = openRouteSocket();
  if (!inside) return tl::unexpected(inside.error());
  auto parent = findLink(host, options.parent);
  if (!parent) return tl::unexpected(parent.error());
  auto eth0 = findLink(inside->get(), kAttackerLink);
  if (!eth0) return tl::unexpected(eth0.error());
  if (!*parent || !*eth0 || !isPeerOf(eth0->get(), parent->get())) {
    // Half a lab (one end missing or paired elsewhere): start the pair over.
    if (*eth0) rtnl_link_delete(inside->get(), eth0->get());
    if (*parent) {
      spdlog::info("lab: {} is not paired with {}'s eth0; re-creating the pair", options.parent,
                   options.attackerNamespace);
      const int err = rtnl_link_delete(host, parent->get());
      if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV) {
        return fail(Errc::kUnavailable, "cannot remove " + options.parent + ": " + nlMessage(err));
      }
    }
    auto temporary = createPair(host, options.parent);
    if (!temporary) return tl::unexpected(temporary.error());
    auto peer = findLink(inside->get(), *temporary);
    if (!peer) return tl::unexpected(peer.error());
    if (!*peer) return fail(Errc::kInternal, "the new veth peer " + *temporary + " vanished");
    if (auto renamed = renameAndBringUp(inside->get(), peer->get(), kAttackerLink); !renamed) {
      return renamed;
    }
    eth0 = findLink(inside->get(), kAttackerLink);
    if (!eth0) return tl::unexpected(eth0.error());
    if (!*eth0) return fail(Errc::kInternal, "the attacker's eth0 vanished");
    parent = findLink(host, options.parent);
    if (!parent) return tl::unexpected(parent.error());
    if (!*parent) return fail(Errc::kInternal, "the new host end " + options.parent + " vanished");
  }
  if (auto up = bringUp(inside->get(), eth0->get()); !up) return up;
  if (auto addressed =
          keepOnlyAddress(inside->get(), rtnl_link_get_ifindex(eth0->get()), ip, prefix);
      !addressed) {
    return addressed;
  }
  if (auto lo = bringLoopbackUp(inside->get()); !lo) return lo;
  // Macvlan children lose carrier unless both ends of the pair are up.
  return bringUp(host, parent->get());
}

}  // namespace

std::string attackerAddress(const LabOptions& options) {
  auto ip = attackerIp(options);
  if (!ip) return "";
  return ip->str() + "/" + std::to_string(api::net::Subnet::parse(options.subnet)->prefix);
}

namespace {

struct LabParent {
  SockPtr host;
  LinkPtr parent;  // null when the host end does not exist yet
};

// Checks the attacker namespace name, opens a route socket and looks up the lab's host end.
// Only ever a veth is touched: anything else under that name belongs to someone else.
Result<LabParent> openLabParent(const LabOptions& options) {
  if (!validNamespaceName(options.attackerNamespace)) {
    return fail(Errc::kInvalid, "invalid namespace name \"" + options.attackerNamespace + "\"");
  }
  auto host = openRouteSocket();
  if (!host) return tl::unexpected(host.error());
  auto parent = findLink(host->get(), options.parent);
  if (!parent) return tl::unexpected(parent.error());
  if (*parent && linkKind(parent->get()) != "veth") {
    return fail(Errc::kConflict, "interface " + options.parent + " exists and is not a veth");
  }
  return LabParent{std::move(*host), std::move(*parent)};
}

}  // namespace

Result<void> labUp(const LabOptions& options) {
  auto ip = attackerIp(options);
  if (!ip) {
    return fail(Errc::kInvalid, "lab subnet " + options.subnet + " with attacker host " +
                                    std::to_string(options.attackerHost) + " is not usable");
  }
  const int prefix = api::net::Subnet::parse(options.subnet)->prefix;
  if (options.parent.empty() || options.parent.size() >= IFNAMSIZ) {
    return fail(Errc::kInvalid, "invalid lab interface name \"" + options.parent + "\"");
  }
  auto opened = openLabParent(options);
  if (!opened) return tl::unexpected(opened.error());
  auto& [host, parent] = *opened;
  nl_sock* hostSock = host.get();
  return onNewThread<void>([&]() -> Result<void> {
    if (auto entered = enterNamespace(options.attackerNamespace, true); !entered) return entered;
    return completeInside(hostSock, options, *ip, prefix);
  });
}

Result<void> labDown(const LabOptions& options) {
  auto opened = openLabParent(options);
  if (!opened) return tl::unexpected(opened.error());
  auto& [host, parent] = *opened;
  if (parent) {
    // Deleting the host end takes the peer (and every macvlan child) with it right away,
    // whereas a namespace's links only go when the kernel gets round to destroying it.
    const int err = rtnl_link_delete(host.get(), parent.get());
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV) {
      return fail(Errc::kUnavailable, "cannot remove " + options.parent + ": " + nlMessage(err));
    }
  }
  return removeNamespaceFile(options.attackerNamespace);
}

}  // namespace decnet::agents
