#include "agents/network/netlink_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

namespace decnet::agents::nlsupport {
namespace {

constexpr const char* kNetnsDir = "/run/netns";

std::string errnoText(int err) { return std::strerror(err); }

// iproute2 makes /run/netns a shared mount so that namespace bind mounts made later show up
// in mount namespaces cloned earlier (e.g. a decoy's). Doing the same keeps `ip netns`
// and our namespaces interchangeable.
Result<void> prepareNamespaceDir() {
  static std::mutex mutex;
  static bool prepared = false;
  std::lock_guard<std::mutex> lock(mutex);
  if (::mkdir(kNetnsDir, 0755) == 0) {
    prepared = false;  // someone removed it; its propagation is unknown
  } else if (errno != EEXIST) {
    return fail(Errc::kUnavailable, std::string("cannot create /run/netns: ") + errnoText(errno));
  }
  if (prepared) return {};
  bool boundOnItself = false;
  while (::mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    // EINVAL: not a mount point yet; bind it onto itself once, then retry.
    if (errno != EINVAL || boundOnItself) {
      return fail(Errc::kUnavailable,
                  std::string("cannot make /run/netns a shared mount: ") + errnoText(errno));
    }
    if (::mount(kNetnsDir, kNetnsDir, "none", MS_BIND | MS_REC, nullptr) != 0) {
      return fail(Errc::kUnavailable,
                  std::string("cannot bind-mount /run/netns: ") + errnoText(errno));
    }
    boundOnItself = true;
  }
  prepared = true;
  return {};
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

NlAddrPtr ipv4Addr(api::net::Ipv4 ip, int prefix) {
  const std::uint32_t be = htonl(ip.value);
  NlAddrPtr addr(nl_addr_build(AF_INET, &be, sizeof(be)));
  if (addr) nl_addr_set_prefixlen(addr.get(), prefix);
  return addr;
}

std::string nlMessage(int err) { return nl_geterror(err < 0 ? -err : err); }

Result<SockPtr> openRouteSocket() {
  SockPtr sock(nl_socket_alloc());
  if (!sock) return fail(Errc::kInternal, "cannot allocate a netlink socket");
  const int err = nl_connect(sock.get(), NETLINK_ROUTE);
  if (err < 0) return fail(Errc::kUnavailable, "cannot open a netlink socket: " + nlMessage(err));
  return sock;
}

Result<LinkPtr> findLink(nl_sock* sock, const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return fail(Errc::kInvalid, "interface name \"" + name + "\" must be 1..15 characters");
  }
  rtnl_link* raw = nullptr;
  const int err = rtnl_link_get_kernel(sock, 0, name.c_str(), &raw);
  if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return LinkPtr();
  if (err < 0) return fail(Errc::kUnavailable, "cannot read link " + name + ": " + nlMessage(err));
  return LinkPtr(raw);
}

std::string linkKind(rtnl_link* link) {
  const char* kind = rtnl_link_get_type(link);
  return kind != nullptr ? kind : "";
}

Result<void> bringUp(nl_sock* sock, rtnl_link* link) {
  if ((rtnl_link_get_flags(link) & IFF_UP) != 0) return {};
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_flags(change.get(), IFF_UP);
  const int err = rtnl_link_change(sock, link, change.get(), 0);
  if (err < 0) {
    const std::string name = rtnl_link_get_name(link) != nullptr ? rtnl_link_get_name(link) : "?";
    const Errc code = err == -NLE_EXIST ? Errc::kConflict : Errc::kUnavailable;
    return fail(code, "cannot bring up " + name + ": " + nlMessage(err));
  }
  return {};
}

Result<void> renameAndBringUp(nl_sock* sock, rtnl_link* link, const std::string& name) {
  // The kernel applies the new name before the flags, so one request both renames the link
  // while it is still down and then brings it up.
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_name(change.get(), name.c_str());
  rtnl_link_set_flags(change.get(), IFF_UP);
  const int err = rtnl_link_change(sock, link, change.get(), 0);
  if (err < 0) {
    // EADDRINUSE (libnl: "object exists") on up means a sibling already has this MAC.
    const Errc code = err == -NLE_EXIST ? Errc::kConflict : Errc::kUnavailable;
    return fail(code, "cannot rename to " + name + " and bring up: " + nlMessage(err));
  }
  return {};
}

Result<void> keepOnlyAddress(nl_sock* sock, int ifindex, api::net::Ipv4 ip, int prefix) {
  nl_cache* raw = nullptr;
  int err = rtnl_addr_alloc_cache(sock, &raw);
  if (err < 0) return fail(Errc::kUnavailable, "cannot list addresses: " + nlMessage(err));
  CachePtr cache(raw);
  const std::uint32_t wanted = htonl(ip.value);
  bool present = false;
  std::vector<rtnl_addr*> stale;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
       obj = nl_cache_get_next(obj)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    if (rtnl_addr_get_ifindex(addr) != ifindex || rtnl_addr_get_family(addr) != AF_INET) continue;
    nl_addr* local = rtnl_addr_get_local(addr);
    const bool same = local != nullptr && nl_addr_get_len(local) == 4 &&
                      std::memcmp(nl_addr_get_binary_addr(local), &wanted, 4) == 0 &&
                      rtnl_addr_get_prefixlen(addr) == prefix;
    if (same && !present) {
      present = true;
    } else {
      stale.push_back(addr);
    }
  }
  for (rtnl_addr* addr : stale) {
    err = rtnl_addr_delete(sock, addr, 0);
    if (err < 0 && err != -NLE_NOADDR && err != -NLE_OBJ_NOTFOUND) {
      return fail(Errc::kUnavailable, "cannot remove a stale address: " + nlMessage(err));
    }
  }
  if (present) return {};
  AddrPtr addr(rtnl_addr_alloc());
  NlAddrPtr local = ipv4Addr(ip, prefix);
  if (!addr || !local) return fail(Errc::kInternal, "out of memory building an address");
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), AF_INET);
  rtnl_addr_set_local(addr.get(), local.get());
  if (prefix <= 30) {
    // Like `ip addr add ... brd +`: hosts on a real LAN have a broadcast address.
    const std::uint32_t mask = api::net::prefixMask(prefix);
    NlAddrPtr broadcast = ipv4Addr(api::net::Ipv4{(ip.value & mask) | ~mask}, 32);
    if (broadcast) rtnl_addr_set_broadcast(addr.get(), broadcast.get());
  }
  err = rtnl_addr_add(sock, addr.get(), 0);
  if (err < 0 && err != -NLE_EXIST) {
    return fail(Errc::kUnavailable, "cannot add address " + ip.str() + "/" +
                                        std::to_string(prefix) + ": " + nlMessage(err));
  }
  return {};
}

Result<void> bringLoopbackUp(nl_sock* sock) {
  auto lo = findLink(sock, "lo");
  if (!lo) return tl::unexpected(lo.error());
  if (!*lo) return fail(Errc::kInternal, "the namespace has no lo");
  return bringUp(sock, lo->get());
}

std::string temporaryLinkName() {
  static std::atomic<std::uint32_t> counter{0};
  // "dn" + 6 hex digits of the pid + 7 of a counter: 15 characters, unique across processes.
  char name[IFNAMSIZ];
  std::snprintf(name, sizeof(name), "dn%06x%07x", static_cast<unsigned>(::getpid()) & 0xffffffu,
                counter.fetch_add(1) & 0xfffffffu);
  return name;
}

bool parseMac(const std::string& text, Mac& out) {
  if (text.size() != 17) return false;
  for (std::size_t i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':') return false;
    unsigned value = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const char c = text[i * 3 + j];
      unsigned digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return false;
      }
      value = value * 16 + digit;
    }
    out[i] = static_cast<std::uint8_t>(value);
  }
  return true;
}

bool parseAddress(const std::string& cidr, api::net::Ipv4& ip, int& prefix) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  auto parsed = api::net::Ipv4::parse(std::string_view(cidr).substr(0, slash));
  const std::string digits = cidr.substr(slash + 1);
  if (!parsed || digits.empty() || digits.size() > 2) return false;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value > 32) return false;
  ip = *parsed;
  prefix = value;
  return true;
}

bool validNamespaceName(const std::string& name) {
  return !name.empty() && name.size() <= 255 && name != "." && name != ".." &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

std::string namespacePath(const std::string& name) { return std::string(kNetnsDir) + "/" + name; }

bool namespaceMounted(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

Result<void> enterNamespace(const std::string& name, bool create) {
  const std::string path = namespacePath(name);
  if (namespaceMounted(path)) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      return fail(Errc::kUnavailable, "cannot open namespace " + name + ": " + errnoText(errno));
    }
    if (::setns(fd.get(), CLONE_NEWNET) != 0) {
      return fail(Errc::kUnavailable, "cannot join namespace " + name + ": " + errnoText(errno));
    }
    return {};
  }
  if (!create) return fail(Errc::kNotFound, "network namespace " + name + " does not exist");
  if (auto ready = prepareNamespaceDir(); !ready) return ready;
  // A stale file (left by a crash before the bind mount) is simply reused.
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0));
  if (file.get() < 0) {
    return fail(Errc::kUnavailable, "cannot create " + path + ": " + errnoText(errno));
  }
  file = UniqueFd();
  if (::unshare(CLONE_NEWNET) != 0) {
    return fail(Errc::kUnavailable, "cannot create a network namespace: " + errnoText(errno));
  }
  // The bind mount is what keeps the namespace alive once this thread is gone.
  if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return fail(Errc::kUnavailable, "cannot bind-mount namespace " + name + ": " + errnoText(err));
  }
  return {};
}

Result<UniqueFd> currentNamespaceFd() {
  UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return fail(Errc::kUnavailable, "cannot open this thread's namespace: " + errnoText(errno));
  }
  return fd;
}

Result<void> removeNamespaceFile(const std::string& name) {
  const std::string path = namespacePath(name);
  // Mounts can stack when two creators raced; peel them all (bounded).
  for (int i = 0; i < 16 && namespaceMounted(path); ++i) {
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
      return fail(Errc::kUnavailable, "cannot unmount " + path + ": " + errnoText(errno));
    }
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail(Errc::kUnavailable, "cannot remove " + path + ": " + errnoText(errno));
  }
  return {};
}

}  // namespace decnet::agents::nlsupport
