#pragma once
// Internal to agents/network (netlink_driver.cc, lab.cc): RAII owners for libnl objects,
// iproute2-compatible namespace files, and threads that join a namespace. Never include this
// outside agents/network: it drags libnl headers along.
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "api/net/ipv4.h"
#include "api/types/result.h"

namespace decnet::agents::nlsupport {

struct SockFree {
  void operator()(nl_sock* sock) const { nl_socket_free(sock); }
};
struct LinkPut {
  void operator()(rtnl_link* link) const { rtnl_link_put(link); }
};
struct NlAddrPut {
  void operator()(nl_addr* addr) const { nl_addr_put(addr); }
};
struct AddrPut {
  void operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
};
struct RoutePut {
  void operator()(rtnl_route* route) const { rtnl_route_put(route); }
};
struct CacheFree {
  void operator()(nl_cache* cache) const { nl_cache_free(cache); }
};
using SockPtr = std::unique_ptr<nl_sock, SockFree>;
using LinkPtr = std::unique_ptr<rtnl_link, LinkPut>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrPut>;
using AddrPtr = std::unique_ptr<rtnl_addr, AddrPut>;
using RoutePtr = std::unique_ptr<rtnl_route, RoutePut>;
using CachePtr = std::unique_ptr<nl_cache, CacheFree>;

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

using Mac = std::array<std::uint8_t, 6>;

// An IPv4 nl_addr with `prefix` (a null pointer only when out of memory).
NlAddrPtr ipv4Addr(api::net::Ipv4 ip, int prefix);

// Text of a (negative) libnl error code.
std::string nlMessage(int err);

// A connected NETLINK_ROUTE socket that lives in the calling thread's network namespace.
Result<SockPtr> openRouteSocket();

// The link called `name` in the socket's namespace; a null pointer when there is none.
Result<LinkPtr> findLink(nl_sock* sock, const std::string& name);

// "macvlan", "veth", ...; empty for links without a kind (lo, physical NICs).
std::string linkKind(rtnl_link* link);

// Sets IFF_UP on `link` unless it is already set.
Result<void> bringUp(nl_sock* sock, rtnl_link* link);

// Renames a freshly created (down) link to `name` and brings it up in one request.
Result<void> renameAndBringUp(nl_sock* sock, rtnl_link* link, const std::string& name);

// Leaves exactly one IPv4 address on link `ifindex`: ip/prefix (other IPv4 addresses go).
Result<void> keepOnlyAddress(nl_sock* sock, int ifindex, api::net::Ipv4 ip, int prefix);

// Brings up the loopback of the socket's namespace unless it is up.
Result<void> bringLoopbackUp(nl_sock* sock);

// A name no other link has, for the moment between creating a link and renaming it.
std::string temporaryLinkName();

// "52:54:00:12:34:56" (either case) into bytes; false when malformed.
bool parseMac(const std::string& text, Mac& out);

// "a.b.c.d/n" with any host bits; false when malformed.
bool parseAddress(const std::string& cidr, api::net::Ipv4& ip, int& prefix);

// An iproute2-compatible namespace name: non-empty, no '/', not "." or "..", <= 255 bytes.
bool validNamespaceName(const std::string& name);

// "/run/netns/NAME".
std::string namespacePath(const std::string& name);

// True when `path` is a live namespace (an nsfs bind mount), not a stale file.
bool namespaceMounted(const std::string& path);

// Only on a thread made for it: joins namespace `name`; creates it first when absent and
// `create` is set. kNotFound when it is absent and `create` is not set.
Result<void> enterNamespace(const std::string& name, bool create);

// An fd of the calling thread's network namespace (for IFLA_NET_NS_FD).
Result<UniqueFd> currentNamespaceFd();

// Unmounts and unlinks /run/netns/NAME. Idempotent.
Result<void> removeNamespaceFile(const std::string& name);

// Runs `fn` on a fresh thread and returns its result. setns() and unshare() change only the
// calling thread, so every namespace excursion gets a thread of its own that then dies.
template <class T>
Result<T> onNewThread(const std::function<Result<T>()>& fn) {
  Result<T> result = fail(Errc::kInternal, "namespace thread did not run");
  try {
    std::thread worker([&result, &fn] { result = fn(); });
    worker.join();
  } catch (const std::system_error& error) {
    return fail(Errc::kUnavailable, std::string("cannot start a thread: ") + error.what());
  }
  return result;
}

}  // namespace decnet::agents::nlsupport
