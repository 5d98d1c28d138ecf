// NetworkDriver on libnl: one iproute2-compatible network namespace per decky with a
// macvlan/ipvlan child of the fleet's parent created directly inside it.
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/route/link/ipvlan.h>
#include <netlink/route/link/macvlan.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "agents/network/netlink_support.h"
#include "agents/network/network_driver.h"

namespace decnet::agents {
namespace {

using namespace nlsupport;

constexpr const char* kDeckyLink = "eth0";

class FreshSysctls;

// A DeckyNetwork checked and parsed once, before any thread or syscall.
struct Desired {
  const DeckyNetwork* spec = nullptr;
  bool ipvlan = false;
  Mac mac{};
  api::net::Ipv4 ip;
  std::optional<api::net::Ipv4> gateway;
  std::vector<std::pair<std::string, std::string>> sysctls;  // /proc/sys path, value
  int parentIndex = 0;
  // When the driver last removed a namespace (steady_clock ticks): for kMacReleaseWait after
  // it, a MAC conflict may be a link of that namespace, which the kernel deletes asynchronously,
  // so bringing the link up is retried instead of failing. Read on every try: a removal by
  // another worker while this one waits extends the wait.
  const std::atomic<std::chrono::steady_clock::rep>* lastRemoval = nullptr;
  bool freshNamespace = false;           // ensure() creates the namespace now
  FreshSysctls* freshSysctls = nullptr;  // what new namespaces hold, shared by all
};

// How long after a removal a MAC conflict is waited out: the kernel's namespace cleanup freed
// 200 namespaces' MACs within 50 ms here; two seconds leave room for a loaded host.
constexpr std::chrono::seconds kMacReleaseWait{2};

bool removedRecently(const Desired& d) {
  if (d.lastRemoval == nullptr) return false;
  const std::chrono::steady_clock::time_point removed(
      std::chrono::steady_clock::duration(d.lastRemoval->load()));
  return std::chrono::steady_clock::now() < removed + kMacReleaseWait;
}

// Runs `bringUp` again while it reports a MAC conflict and a namespace was removed recently
// (10 s at most, even while removals go on).
template <typename BringUp>
Result<void> upOnceTheMacIsFree(const Desired& d, BringUp bringUp) {
  const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto up = bringUp();
  while (!up && up.error().code == Errc::kConflict && removedRecently(d) &&
         std::chrono::steady_clock::now() < giveUp) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    up = bringUp();
  }
  return up;
}

std::string formatMac(nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_len(addr) != 6) return "";
  const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(addr));
  char text[18];
  std::snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                b[5]);
  return text;
}

std::string formatIpv4(nl_addr* addr) {
  char text[INET_ADDRSTRLEN] = {};
  if (addr == nullptr || nl_addr_get_len(addr) != 4) return "";
  ::inet_ntop(AF_INET, nl_addr_get_binary_addr(addr), text, sizeof(text));
  return text;
}

// Only net.* sysctls are per network namespace; anything else written from a namespace
// thread would change the whole host.
Result<std::string> sysctlPath(const std::string& key) {
  if (key.rfind("net.", 0) != 0) {
    return fail(Errc::kInvalid, "sysctl " + key + " is not per-namespace (only net.* is allowed)");
  }
  std::string path = "/proc/sys/";
  std::size_t start = 0;
  while (start <= key.size()) {
    const std::size_t dot = std::min(key.find('.', start), key.size());
    const std::string part = key.substr(start, dot - start);
    const bool clean = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-';
    });
    if (!clean) return fail(Errc::kInvalid, "malformed sysctl name " + key);
    path += part;
    if (dot < key.size()) path += '/';
    start = dot + 1;
  }
  return path;
}

std::string normalizeSpaces(const std::string& text) {
  std::string out;
  bool pendingSpace = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') {
      pendingSpace = !out.empty();
    } else {
      if (pendingSpace) out += ' ';
      pendingSpace = false;
      out += c;
    }
  }
  return out;
}

// Sets the sysctls of the calling thread's network namespace, each unless it already holds its
// value. Must run on a thread inside the target namespace: /proc/sys/net resolves to the opener's
// network namespace at open time (verified on this kernel), so the files have to be opened after
// setns(). Each namespace has its own "ipv4" (and "ipv6", "core", ...) directory under
// /proc/sys/net, all under one name in one dentry hash chain: resolving that component costs time
// linear in the number of namespaces, so each directory is opened once and its files relative to
// it.
class SysctlWriter {
 public:
  // `path` is the sysctl's full /proc/sys/net/... path; `found` gets the value it held before
  // (spaces normalised).
  Result<void> set(const std::string& path, const std::string& value, std::string& found) {
    const std::size_t slash = path.rfind('/');
    auto dir = directory(path.substr(0, slash));
    if (!dir) return tl::unexpected(dir.error());
    const std::string name = path.substr(slash + 1);
    UniqueFd in(::openat(*dir, name.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) {
      const Errc code = errno == ENOENT ? Errc::kInvalid : Errc::kUnavailable;
      return fail(code, "cannot read " + path + ": " + std::strerror(errno));
    }
    char buffer[256];
    const ssize_t n = ::read(in.get(), buffer, sizeof(buffer) - 1);
    found = n >= 0 ? normalizeSpaces(std::string(buffer, n)) : std::string();
    if (n >= 0 && found == normalizeSpaces(value)) return {};
    UniqueFd out(::openat(*dir, name.c_str(), O_WRONLY | O_CLOEXEC));
    if (out.get() < 0 || ::write(out.get(), value.data(), value.size()) < 0) {
      const Errc code = errno == EINVAL ? Errc::kInvalid : Errc::kUnavailable;
      return fail(code, "cannot set " + path + " to \"" + value + "\": " + std::strerror(errno));
    }
    return {};
  }

 private:
  Result<int> directory(const std::string& path) {
    auto it = directories_.find(path);
    if (it != directories_.end()) return it->second.get();
    UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
      const Errc code = errno == ENOENT ? Errc::kInvalid : Errc::kUnavailable;
      return fail(code, "cannot open " + path + ": " + std::strerror(errno));
    }
    return directories_.emplace(path, std::move(dir)).first->second.get();
  }

  std::map<std::string, UniqueFd> directories_;
};

// The values the sysctls hold in a network namespace the kernel has just made, learned from the
// namespaces this driver created: every new namespace starts from the same ones. A new
// namespace is then given only the sysctls that differ, without reading any: the lookup of a
// namespace's /proc/sys/net directory walks one entry per namespace on the host. Should the
// values of new namespaces change (a kernel setting that copies the host's), the next ensure()
// of the decky reads and repairs them as drift.
class FreshSysctls {
 public:
  // True when a new namespace is known to hold `value` at `path` (spaces normalised).
  bool holds(const std::string& path, const std::string& value) const {
    std::lock_guard lock(mutex_);
    auto it = values_.find(path);
    return it != values_.end() && it->second == value;
  }
  // Records what a new namespace held at `path`.
  void learn(const std::string& path, const std::string& value) {
    std::lock_guard lock(mutex_);
    values_[path] = value;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> values_;
};

Result<Desired> validate(const DeckyNetwork& n) {
  Desired d;
  d.spec = &n;
  if (!validNamespaceName(n.namespaceName)) {
    return fail(Errc::kInvalid, "invalid namespace name \"" + n.namespaceName + "\"");
  }
  if (n.parent.empty() || n.parent.size() >= IFNAMSIZ) {
    return fail(Errc::kInvalid, "invalid parent interface name \"" + n.parent + "\"");
  }
  if (n.driver != "macvlan" && n.driver != "ipvlan") {
    return fail(Errc::kInvalid, "unknown network driver \"" + n.driver + "\"");
  }
  d.ipvlan = n.driver == "ipvlan";
  // ipvlan children share the parent's MAC, so the MAC only matters for macvlan.
  if (!d.ipvlan) {
    if (!parseMac(n.mac, d.mac)) return fail(Errc::kInvalid, "invalid MAC \"" + n.mac + "\"");
    if ((d.mac[0] & 1) != 0 || std::all_of(d.mac.begin(), d.mac.end(), [](auto b) { return !b; })) {
      return fail(Errc::kInvalid, "MAC " + n.mac + " is not a unicast address");
    }
  }
  auto ip = api::net::Ipv4::parse(n.ip);
  if (!ip) return fail(Errc::kInvalid, "invalid IPv4 address \"" + n.ip + "\"");
  if (n.prefix < 1 || n.prefix > 32) {
    return fail(Errc::kInvalid, "prefix " + std::to_string(n.prefix) + " is not 1..32");
  }
  d.ip = *ip;
  if (!n.gateway.empty()) {
    auto gateway = api::net::Ipv4::parse(n.gateway);
    if (!gateway) return fail(Errc::kInvalid, "invalid gateway \"" + n.gateway + "\"");
    const std::uint32_t mask = api::net::prefixMask(n.prefix);
    if ((gateway->value & mask) != (ip->value & mask) || *gateway == *ip) {
      return fail(Errc::kInvalid, "gateway " + n.gateway + " is not a neighbour on " + n.ip + "/" +
                                      std::to_string(n.prefix));
    }
    d.gateway = gateway;
  }
  for (const auto& [key, value] : n.sysctls) {
    auto path = sysctlPath(key);
    if (!path) return tl::unexpected(path.error());
    d.sysctls.emplace_back(*path, value);
  }
  return d;
}

// Why an existing eth0 cannot be kept; empty when it can. The parent is checked as far as
// the namespace can see it: IFLA_LINK holds the host ifindex and IFLA_LINK_NETNSID says the
// parent lives in another namespace (which one is not compared).
std::string mismatch(rtnl_link* link, const Desired& d) {
  const std::string kind = linkKind(link);
  if (kind != d.spec->driver) return "is a " + (kind.empty() ? "plain link" : kind);
  if (!d.ipvlan && rtnl_link_macvlan_get_mode(link) != MACVLAN_MODE_BRIDGE) {
    return "is not in bridge mode";
  }
  std::uint16_t ipvlanMode = 0;
  if (d.ipvlan &&
      (rtnl_link_ipvlan_get_mode(link, &ipvlanMode) < 0 || ipvlanMode != IPVLAN_MODE_L2)) {
    return "is not in L2 mode";
  }
  std::int32_t netnsid = 0;
  if (rtnl_link_get_link(link) != d.parentIndex || rtnl_link_get_link_netnsid(link, &netnsid) < 0) {
    return "hangs off another parent";
  }
  if (!d.ipvlan) {
    nl_addr* mac = rtnl_link_get_addr(link);
    if (mac == nullptr || nl_addr_get_len(mac) != 6 ||
        std::memcmp(nl_addr_get_binary_addr(mac), d.mac.data(), 6) != 0) {
      return "has MAC " + formatMac(mac) + ", want " + d.spec->mac;
    }
  }
  return "";
}

// Creates the child from the host socket straight into the calling thread's namespace
// (moving a link later is ~50x slower), already named eth0 (the name is the target
// namespace's: an eth0 of the host is no obstacle), then brings it up. Renaming a link
// afterwards cost a notification to every listener, the re-registration of its IPv6 sysctls
// and an expedited RCU grace period. A crash before the link is up leaves an eth0 that the next
// ensure() checks like any other: brought up when it matches, replaced when not.
Result<int> createChild(nl_sock* host, nl_sock* inside, const Desired& d) {
  auto nsFd = currentNamespaceFd();
  if (!nsFd) return tl::unexpected(nsFd.error());
  LinkPtr link(d.ipvlan ? rtnl_link_ipvlan_alloc() : rtnl_link_macvlan_alloc());
  if (!link) return fail(Errc::kInternal, "out of memory building a link");
  if (d.ipvlan) {
    rtnl_link_ipvlan_set_mode(link.get(), IPVLAN_MODE_L2);
  } else {
    rtnl_link_macvlan_set_mode(link.get(), MACVLAN_MODE_BRIDGE);
    // Given at creation, the MAC is set while the link is still down.
    NlAddrPtr mac(nl_addr_build(AF_LLC, d.mac.data(), d.mac.size()));
    rtnl_link_set_addr(link.get(), mac.get());
  }
  rtnl_link_set_link(link.get(), d.parentIndex);
  rtnl_link_set_name(link.get(), kDeckyLink);
  rtnl_link_set_ns_fd(link.get(), nsFd->get());
  int err = rtnl_link_add(host, link.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err == -NLE_OPNOTSUPP) {
    if (d.ipvlan) {
      return fail(Errc::kTerminal,
                  "this kernel has no ipvlan support (module ipvlan missing); use driver: macvlan");
    }
    return fail(Errc::kTerminal, "this kernel has no macvlan support (module macvlan missing)");
  }
  if (err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND) {
    return fail(Errc::kUnavailable, "parent interface " + d.spec->parent + " does not exist");
  }
  if (err < 0) {
    return fail(Errc::kUnavailable, "cannot create " + d.spec->driver + " on " + d.spec->parent +
                                        ": " + nlMessage(err));
  }
  auto created = findLink(inside, kDeckyLink);
  if (!created) return tl::unexpected(created.error());
  if (!*created) {
    return fail(Errc::kInternal, std::string("the new link ") + kDeckyLink + " vanished");
  }
  const int ifindex = rtnl_link_get_ifindex(created->get());
  auto up = upOnceTheMacIsFree(d, [&] { return bringUp(inside, created->get()); });
  if (!up) {
    rtnl_link_delete(inside, created->get());
    if (up.error().code == Errc::kConflict) {
      return fail(Errc::kConflict,
                  "MAC " + d.spec->mac + " is already in use on parent " + d.spec->parent);
    }
    return tl::unexpected(up.error());
  }
  return ifindex;
}

// Keeps exactly the wanted IPv4 default route (or none when there is no gateway).
Result<void> ensureDefaultRoute(nl_sock* sock, int ifindex,
                                const std::optional<api::net::Ipv4>& gateway) {
  nl_cache* raw = nullptr;
  int err = rtnl_route_alloc_cache(sock, AF_INET, 0, &raw);
  if (err < 0) return fail(Errc::kUnavailable, "cannot list routes: " + nlMessage(err));
  CachePtr cache(raw);
  const std::uint32_t wanted = gateway ? htonl(gateway->value) : 0;
  bool present = false;
  std::vector<rtnl_route*> stale;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
       obj = nl_cache_get_next(obj)) {
    auto* route = reinterpret_cast<rtnl_route*>(obj);
    nl_addr* dst = rtnl_route_get_dst(route);
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN || dst == nullptr ||
        nl_addr_get_prefixlen(dst) != 0) {
      continue;
    }
    bool same = false;
    if (gateway && rtnl_route_get_nnexthops(route) == 1) {
      rtnl_nexthop* hop = rtnl_route_nexthop_n(route, 0);
      nl_addr* via = rtnl_route_nh_get_gateway(hop);
      same = rtnl_route_nh_get_ifindex(hop) == ifindex && via != nullptr &&
             nl_addr_get_len(via) == 4 &&
             std::memcmp(nl_addr_get_binary_addr(via), &wanted, 4) == 0;
    }
    if (same && !present) {
      present = true;
    } else {
      stale.push_back(route);
    }
  }
  for (rtnl_route* route : stale) {
    err = rtnl_route_delete(sock, route, 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND) {
      return fail(Errc::kUnavailable, "cannot remove a stale default route: " + nlMessage(err));
    }
  }
  if (!gateway || present) return {};
  RoutePtr route(rtnl_route_alloc());
  NlAddrPtr dst = ipv4Addr(api::net::Ipv4{0}, 0);
  NlAddrPtr via = ipv4Addr(*gateway, 32);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (!route || !dst || !via || hop == nullptr) {
    if (hop != nullptr) rtnl_route_nh_free(hop);
    return fail(Errc::kInternal, "out of memory building a route");
  }
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
  rtnl_route_set_dst(route.get(), dst.get());
  rtnl_route_nh_set_ifindex(hop, ifindex);
  rtnl_route_nh_set_gateway(hop, via.get());
  rtnl_route_add_nexthop(route.get(), hop);  // the route owns the hop from here
  err = rtnl_route_add(sock, route.get(), 0);
  if (err < 0 && err != -NLE_EXIST) {
    return fail(Errc::kUnavailable,
                "cannot add default route via " + gateway->str() + ": " + nlMessage(err));
  }
  return {};
}

// The body of ensure(), on a thread already inside the decky's namespace.
Result<void> configureInside(nl_sock* host, const Desired& d) {
  auto inside = openRouteSocket();
  if (!inside) return tl::unexpected(inside.error());
  nl_cache* raw = nullptr;
  int err = rtnl_link_alloc_cache(inside->get(), AF_UNSPEC, &raw);
  if (err < 0) return fail(Errc::kUnavailable, "cannot list links: " + nlMessage(err));
  CachePtr links(raw);
  int ifindex = 0;
  bool ifUp = false;
  for (nl_object* obj = nl_cache_get_first(links.get()); obj != nullptr;
       obj = nl_cache_get_next(obj)) {
    auto* link = reinterpret_cast<rtnl_link*>(obj);
    const std::string name = rtnl_link_get_name(link) != nullptr ? rtnl_link_get_name(link) : "";
    const std::string kind = linkKind(link);
    std::string why;
    if (name == kDeckyLink) {
      why = mismatch(link, d);
      if (why.empty()) {
        ifindex = rtnl_link_get_ifindex(link);
        ifUp = (rtnl_link_get_flags(link) & IFF_UP) != 0;
        continue;
      }
    } else if (kind == "macvlan" || kind == "ipvlan") {
      why = "is debris of an interrupted ensure()";
    } else {
      continue;
    }
    spdlog::info("decky network {}: {} {}; removing it", d.spec->namespaceName, name, why);
    err = rtnl_link_delete(inside->get(), link);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV) {
      return fail(Errc::kUnavailable, "cannot remove " + name + ": " + nlMessage(err));
    }
  }
  if (ifindex == 0) {
    auto created = createChild(host, inside->get(), d);
    if (!created) return tl::unexpected(created.error());
    ifindex = *created;
  } else if (!ifUp) {
    auto link = findLink(inside->get(), kDeckyLink);
    if (!link) return tl::unexpected(link.error());
    if (*link) {
      auto up = upOnceTheMacIsFree(d, [&] { return bringUp(inside->get(), link->get()); });
      if (!up && up.error().code == Errc::kConflict) {
        return fail(Errc::kConflict,
                    "MAC " + d.spec->mac + " is already in use on parent " + d.spec->parent);
      }
      if (!up) return up;
    }
  }
  if (auto addressed = keepOnlyAddress(inside->get(), ifindex, d.ip, d.spec->prefix); !addressed) {
    return addressed;
  }
  if (auto routed = ensureDefaultRoute(inside->get(), ifindex, d.gateway); !routed) return routed;
  if (auto lo = bringLoopbackUp(inside->get()); !lo) return lo;
  if (d.spec->linked) d.spec->linked();
  SysctlWriter sysctls;
  for (const auto& [path, value] : d.sysctls) {
    const bool learning = d.freshNamespace && d.freshSysctls != nullptr;
    if (learning && d.freshSysctls->holds(path, normalizeSpaces(value))) continue;
    std::string found;
    if (auto set = sysctls.set(path, value, found); !set) return set;
    if (learning && !found.empty()) d.freshSysctls->learn(path, found);
  }
  return {};
}

class NetlinkDriver final : public NetworkDriver {
 public:
  Result<void> ensure(const DeckyNetwork& network) override {
    auto desired = validate(network);
    if (!desired) return tl::unexpected(desired.error());
    std::lock_guard<std::mutex> lock(lockFor(network.namespaceName));
    auto host = openRouteSocket();
    if (!host) return tl::unexpected(host.error());
    auto parent = findLink(host->get(), network.parent);
    if (!parent) return tl::unexpected(parent.error());
    if (!*parent) {
      return fail(Errc::kUnavailable, "parent interface " + network.parent + " does not exist");
    }
    if ((rtnl_link_get_flags(parent->get()) & IFF_UP) == 0) {
      return fail(Errc::kUnavailable, "parent interface " + network.parent + " is down");
    }
    desired->parentIndex = rtnl_link_get_ifindex(parent->get());
    desired->lastRemoval = &lastRemoval_;
    desired->freshNamespace = !namespaceMounted(namespacePath(network.namespaceName));
    desired->freshSysctls = &freshSysctls_;
    nl_sock* hostSock = host->get();
    const Desired& d = *desired;
    return onNewThread<void>([&]() -> Result<void> {
      if (auto entered = enterNamespace(d.spec->namespaceName, true); !entered) return entered;
      return configureInside(hostSock, d);
    });
  }

  Result<void> remove(const std::string& namespaceName) override {
    if (!validNamespaceName(namespaceName)) {
      return fail(Errc::kInvalid, "invalid namespace name \"" + namespaceName + "\"");
    }
    std::lock_guard<std::mutex> lock(lockFor(namespaceName));
    // The kernel deletes the namespace and its links once the last reference goes (the decoy
    // has exited), asynchronously and in batches. Deleting the link here first cost ~24 ms of
    // RTNL time per decky, serialised across teardowns; ensure() instead waits out a MAC that
    // a removed namespace still holds (kMacReleaseWait).
    lastRemoval_ = std::chrono::steady_clock::now().time_since_epoch().count();
    return removeNamespaceFile(namespaceName);
  }

  Result<std::vector<std::string>> list(const std::string& prefix) override {
    std::vector<std::string> names;
    DIR* dir = ::opendir("/run/netns");
    if (dir == nullptr) {
      if (errno == ENOENT) return names;
      return fail(Errc::kUnavailable,
                  std::string("cannot read /run/netns: ") + std::strerror(errno));
    }
    while (dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      if (name.rfind(prefix, 0) == 0) names.push_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<ObservedNetwork> observe(const std::string& namespaceName) override {
    if (!validNamespaceName(namespaceName)) {
      return fail(Errc::kInvalid, "invalid namespace name \"" + namespaceName + "\"");
    }
    if (!namespaceMounted(namespacePath(namespaceName))) return ObservedNetwork{};
    auto observed = onNewThread<ObservedNetwork>([&]() -> Result<ObservedNetwork> {
      if (auto entered = enterNamespace(namespaceName, false); !entered) {
        return tl::unexpected(entered.error());
      }
      return observeInside();
    });
    if (!observed && observed.error().code == Errc::kNotFound) return ObservedNetwork{};
    return observed;
  }

  Result<void> ensureHairpin(const std::string& name, const std::string& parent,
                             const std::string& address) override {
    api::net::Ipv4 ip;
    int prefix = 0;
    if (!parseAddress(address, ip, prefix) || prefix < 1) {
      return fail(Errc::kInvalid, "invalid hairpin address \"" + address + "\"");
    }
    auto host = openRouteSocket();
    if (!host) return tl::unexpected(host.error());
    nl_sock* sock = host->get();
    auto parentLink = findLink(sock, parent);
    if (!parentLink) return tl::unexpected(parentLink.error());
    if (!*parentLink) {
      return fail(Errc::kUnavailable, "parent interface " + parent + " does not exist");
    }
    if ((rtnl_link_get_flags(parentLink->get()) & IFF_UP) == 0) {
      return fail(Errc::kUnavailable, "parent interface " + parent + " is down");
    }
    const int parentIndex = rtnl_link_get_ifindex(parentLink->get());
    auto link = findLink(sock, name);
    if (!link) return tl::unexpected(link.error());
    if (*link) {
      // Never delete a host interface that is not one of our macvlans.
      if (linkKind(link->get()) != "macvlan") {
        return fail(Errc::kConflict, "interface " + name + " exists and is not a macvlan");
      }
      std::int32_t netnsid = 0;
      const bool keep = rtnl_link_get_link(link->get()) == parentIndex &&
                        rtnl_link_get_link_netnsid(link->get(), &netnsid) < 0 &&
                        rtnl_link_macvlan_get_mode(link->get()) == MACVLAN_MODE_BRIDGE;
      if (!keep) {
        spdlog::info("hairpin {}: not a bridge-mode child of {}; re-creating", name, parent);
        const int err = rtnl_link_delete(sock, link->get());
        if (err < 0)
          return fail(Errc::kUnavailable, "cannot remove " + name + ": " + nlMessage(err));
        link->reset();
      }
    }
    if (!*link) {
      LinkPtr fresh(rtnl_link_macvlan_alloc());
      if (!fresh) return fail(Errc::kInternal, "out of memory building a link");
      rtnl_link_macvlan_set_mode(fresh.get(), MACVLAN_MODE_BRIDGE);
      rtnl_link_set_link(fresh.get(), parentIndex);
      rtnl_link_set_name(fresh.get(), name.c_str());
      const int err = rtnl_link_add(sock, fresh.get(), NLM_F_CREATE | NLM_F_EXCL);
      if (err < 0) {
        return fail(Errc::kUnavailable, "cannot create hairpin " + name + ": " + nlMessage(err));
      }
      link = findLink(sock, name);
      if (!link) return tl::unexpected(link.error());
      if (!*link) return fail(Errc::kInternal, "the new hairpin " + name + " vanished");
    }
    if (auto up = bringUp(sock, link->get()); !up) return up;
    return keepOnlyAddress(sock, rtnl_link_get_ifindex(link->get()), ip, prefix);
  }

  Result<void> removeHairpin(const std::string& name) override {
    auto host = openRouteSocket();
    if (!host) return tl::unexpected(host.error());
    auto link = findLink(host->get(), name);
    if (!link) return tl::unexpected(link.error());
    if (!*link) return {};
    if (linkKind(link->get()) != "macvlan") {
      return fail(Errc::kConflict, "interface " + name + " is not a macvlan; not removing it");
    }
    const int err = rtnl_link_delete(host->get(), link->get());
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV) {
      return fail(Errc::kUnavailable, "cannot remove hairpin " + name + ": " + nlMessage(err));
    }
    return {};
  }

  Result<std::string> defaultRouteInterface() override {
    auto host = openRouteSocket();
    if (!host) return tl::unexpected(host.error());
    nl_cache* raw = nullptr;
    const int err = rtnl_route_alloc_cache(host->get(), AF_INET, 0, &raw);
    if (err < 0) return fail(Errc::kUnavailable, "cannot list routes: " + nlMessage(err));
    CachePtr cache(raw);
    int ifindex = 0;
    std::uint32_t best = 0;
    for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
         obj = nl_cache_get_next(obj)) {
      auto* route = reinterpret_cast<rtnl_route*>(obj);
      nl_addr* dst = rtnl_route_get_dst(route);
      if (rtnl_route_get_table(route) != RT_TABLE_MAIN || dst == nullptr ||
          nl_addr_get_prefixlen(dst) != 0 || rtnl_route_get_type(route) != RTN_UNICAST ||
          rtnl_route_get_nnexthops(route) < 1) {
        continue;
      }
      // The kernel prefers the lowest metric.
      const std::uint32_t metric = rtnl_route_get_priority(route);
      const int candidate = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(route, 0));
      if (candidate > 0 && (ifindex == 0 || metric < best)) {
        ifindex = candidate;
        best = metric;
      }
    }
    if (ifindex == 0) return fail(Errc::kNotFound, "the host has no IPv4 default route");
    rtnl_link* link = nullptr;
    const int got = rtnl_link_get_kernel(host->get(), ifindex, nullptr, &link);
    if (got < 0) {
      return fail(Errc::kUnavailable, "cannot read the default route's link: " + nlMessage(got));
    }
    LinkPtr owned(link);
    return std::string(rtnl_link_get_name(link));
  }

 private:
  static Result<ObservedNetwork> observeInside() {
    ObservedNetwork observed;
    observed.namespaceExists = true;
    auto sock = openRouteSocket();
    if (!sock) return tl::unexpected(sock.error());
    auto link = findLink(sock->get(), kDeckyLink);
    if (!link) return tl::unexpected(link.error());
    if (!*link) return observed;
    observed.linkExists = true;
    observed.linkUp = (rtnl_link_get_flags(link->get()) & IFF_UP) != 0;
    observed.mac = formatMac(rtnl_link_get_addr(link->get()));
    const int ifindex = rtnl_link_get_ifindex(link->get());
    nl_cache* raw = nullptr;
    int err = rtnl_addr_alloc_cache(sock->get(), &raw);
    if (err < 0) return fail(Errc::kUnavailable, "cannot list addresses: " + nlMessage(err));
    CachePtr addrs(raw);
    for (nl_object* obj = nl_cache_get_first(addrs.get()); obj != nullptr;
         obj = nl_cache_get_next(obj)) {
      auto* addr = reinterpret_cast<rtnl_addr*>(obj);
      if (rtnl_addr_get_ifindex(addr) != ifindex || rtnl_addr_get_family(addr) != AF_INET) continue;
      observed.addresses.push_back(formatIpv4(rtnl_addr_get_local(addr)) + "/" +
                                   std::to_string(rtnl_addr_get_prefixlen(addr)));
    }
    raw = nullptr;
    err = rtnl_route_alloc_cache(sock->get(), AF_INET, 0, &raw);
    if (err < 0) return fail(Errc::kUnavailable, "cannot list routes: " + nlMessage(err));
    CachePtr routes(raw);
    for (nl_object* obj = nl_cache_get_first(routes.get()); obj != nullptr;
         obj = nl_cache_get_next(obj)) {
      auto* route = reinterpret_cast<rtnl_route*>(obj);
      nl_addr* dst = rtnl_route_get_dst(route);
      if (rtnl_route_get_table(route) == RT_TABLE_MAIN && dst != nullptr &&
          nl_addr_get_prefixlen(dst) == 0) {
        observed.defaultRoute = true;
      }
    }
    return observed;
  }

  // One lock per name stripe: calls for the same decky serialize, different deckies run in
  // parallel.
  std::mutex& lockFor(const std::string& name) {
    return locks_[std::hash<std::string>{}(name) % locks_.size()];
  }

  std::array<std::mutex, 64> locks_;
  // When remove() last ran (steady_clock ticks): a MAC conflict before it plus kMacReleaseWait
  // may be a dying namespace's link.
  std::atomic<std::chrono::steady_clock::rep> lastRemoval_{0};
  FreshSysctls freshSysctls_;
};

}  // namespace

NetworkDriverPtr makeNetlinkDriver() { return std::make_unique<NetlinkDriver>(); }

Result<void> runInNamespace(const std::string& namespaceName,
                            const std::function<Result<void>()>& fn) {
  if (!nlsupport::validNamespaceName(namespaceName)) {
    return fail(Errc::kInvalid, "invalid namespace name \"" + namespaceName + "\"");
  }
  if (!nlsupport::namespaceMounted(nlsupport::namespacePath(namespaceName))) {
    return fail(Errc::kNotFound, "network namespace " + namespaceName + " does not exist");
  }
  return nlsupport::onNewThread<void>([&]() -> Result<void> {
    if (auto entered = nlsupport::enterNamespace(namespaceName, false); !entered) return entered;
    return fn();
  });
}

}  // namespace decnet::agents
