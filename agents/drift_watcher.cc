#include "agents/drift_watcher.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "agents/network/network_driver.h"

namespace decnet::agents {
namespace {

constexpr const char* kNamespaceDir = "/run/netns";
constexpr std::string_view kNamespacePrefix = "decnet-";

// A non-blocking rtnetlink socket of the calling thread's namespace, subscribed to `groups`.
int openRouteMonitor(unsigned groups) {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return -1;
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = groups;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint64_t inodeOf(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

}  // namespace

struct DriftWatcher::Impl {
  struct Watched {
    std::string namespaceName;
    std::uint64_t namespaceInode = 0;
    int socket = -1;  // rtnetlink inside the namespace
    std::string hairpin;
  };

  explicit Impl(OnDrift callback) : onDrift(std::move(callback)) {}

  OnDrift onDrift;
  int epoll = -1, wake = -1, namespaces = -1, hostLinks = -1;
  std::thread thread;
  mutable std::mutex mutex;
  std::map<std::string, Watched> deckies;  // decky -> what is watched
  std::map<int, std::string> bySocket;     // namespace socket -> decky

  void add(int fd) {
    epoll_event interest{};
    interest.events = EPOLLIN;
    interest.data.fd = fd;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &interest);
  }

  void closeSocket(Watched& watched) {  // requires mutex
    if (watched.socket < 0) return;
    bySocket.erase(watched.socket);
    ::close(watched.socket);  // also leaves the epoll set
    watched.socket = -1;
  }

  void run();
  void namespacesChanged(std::vector<std::string>& drifted);
  void hostLinksChanged(std::vector<std::string>& drifted);
};

DriftWatcher::DriftWatcher(OnDrift onDrift) : impl_(std::make_unique<Impl>(std::move(onDrift))) {}

DriftWatcher::~DriftWatcher() {
  stop();
  std::lock_guard lock(impl_->mutex);
  for (auto& [decky, watched] : impl_->deckies) impl_->closeSocket(watched);
  for (int fd : {impl_->epoll, impl_->wake, impl_->namespaces, impl_->hostLinks}) {
    if (fd >= 0) ::close(fd);
  }
}

Result<void> DriftWatcher::start() {
  ::mkdir(kNamespaceDir, 0755);  // as `ip netns` makes it
  impl_->epoll = ::epoll_create1(EPOLL_CLOEXEC);
  impl_->wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  impl_->namespaces = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  impl_->hostLinks = openRouteMonitor(RTMGRP_LINK);
  if (impl_->epoll < 0 || impl_->wake < 0 || impl_->namespaces < 0 || impl_->hostLinks < 0 ||
      ::inotify_add_watch(impl_->namespaces, kNamespaceDir, IN_DELETE | IN_MOVED_FROM) < 0) {
    return fail(Errc::kUnavailable,
                std::string("cannot watch the host for drift: ") + std::strerror(errno));
  }
  for (int fd : {impl_->wake, impl_->namespaces, impl_->hostLinks}) impl_->add(fd);
  impl_->thread = std::thread([impl = impl_.get()] {
    pthread_setname_np(pthread_self(), "agent-drift");
    impl->run();
  });
  return {};
}

void DriftWatcher::stop() {
  if (!impl_->thread.joinable()) return;
  const std::uint64_t one = 1;
  ssize_t written = ::write(impl_->wake, &one, sizeof one);
  (void)written;
  impl_->thread.join();
}

void DriftWatcher::watch(const std::string& decky, const std::string& namespaceName,
                         const std::string& hairpin) {
  const std::uint64_t inode = inodeOf(std::string(kNamespaceDir) + "/" + namespaceName);
  {
    std::lock_guard lock(impl_->mutex);
    auto& watched = impl_->deckies[decky];
    watched.hairpin = hairpin;
    if (watched.socket >= 0 && watched.namespaceName == namespaceName &&
        watched.namespaceInode == inode) {
      return;
    }
    impl_->closeSocket(watched);
    watched.namespaceName = namespaceName;
    watched.namespaceInode = inode;
  }
  // The socket belongs to the namespace it is made in: make it on a thread that joined it.
  int socket = -1;
  auto made = runInNamespace(namespaceName, [&socket]() -> Result<void> {
    socket = openRouteMonitor(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE);
    if (socket < 0) return fail(Errc::kUnavailable, std::strerror(errno));
    return {};
  });
  if (!made) {
    spdlog::debug("drift watch of {}: {}", namespaceName, made.error().message);
    return;  // the slow resync still covers this decky
  }
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->deckies.find(decky);
  if (it == impl_->deckies.end() || it->second.socket >= 0 || it->second.namespaceInode != inode) {
    ::close(socket);  // forgotten or re-watched meanwhile
    return;
  }
  it->second.socket = socket;
  impl_->bySocket[socket] = decky;
  impl_->add(socket);
}

void DriftWatcher::forget(const std::string& decky) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->deckies.find(decky);
  if (it == impl_->deckies.end()) return;
  impl_->closeSocket(it->second);
  impl_->deckies.erase(it);
}

std::size_t DriftWatcher::watched() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->deckies.size();
}

void DriftWatcher::Impl::run() {
  std::array<epoll_event, 64> ready{};
  std::array<char, 16384> buffer{};
  for (;;) {
    const int n = ::epoll_wait(epoll, ready.data(), static_cast<int>(ready.size()), -1);
    if (n < 0 && errno != EINTR) return;
    std::vector<std::string> drifted;
    for (int i = 0; i < n; ++i) {
      const int fd = ready[static_cast<std::size_t>(i)].data.fd;
      if (fd == wake) return;
      if (fd == namespaces) {
        namespacesChanged(drifted);
      } else if (fd == hostLinks) {
        hostLinksChanged(drifted);
      } else {
        // Something changed inside a decky's namespace: read it all, reconcile once.
        for (;;) {
          const ssize_t read = ::recv(fd, buffer.data(), buffer.size(), 0);
          if (read > 0 || (read < 0 && errno == ENOBUFS)) continue;  // ENOBUFS: overflowed
          break;
        }
        std::lock_guard lock(mutex);
        if (auto it = bySocket.find(fd); it != bySocket.end()) drifted.push_back(it->second);
      }
    }
    for (const auto& decky : drifted) onDrift(decky);
  }
}

void DriftWatcher::Impl::namespacesChanged(std::vector<std::string>& drifted) {
  alignas(inotify_event) std::array<char, 8192> buffer{};
  for (;;) {
    const ssize_t length = ::read(namespaces, buffer.data(), buffer.size());
    if (length <= 0) return;
    for (ssize_t at = 0; at < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      const std::string name = event->len > 0 ? std::string(event->name) : "";
      if (name.rfind(kNamespacePrefix, 0) != 0) continue;
      std::lock_guard lock(mutex);
      for (const auto& [decky, watched] : deckies) {
        if (watched.namespaceName == name) drifted.push_back(decky);
      }
    }
  }
}

void DriftWatcher::Impl::hostLinksChanged(std::vector<std::string>& drifted) {
  alignas(nlmsghdr) std::array<char, 16384> buffer{};
  for (;;) {
    const ssize_t length = ::recv(hostLinks, buffer.data(), buffer.size(), 0);
    if (length < 0 && errno == ENOBUFS) continue;  // overflowed: read on, the rest follows
    if (length <= 0) return;
    auto remaining = static_cast<unsigned>(length);
    for (auto* message = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(message, remaining);
         message = NLMSG_NEXT(message, remaining)) {
      if (message->nlmsg_type != RTM_DELLINK) continue;
      auto* info = static_cast<ifinfomsg*>(NLMSG_DATA(message));
      int attributesLength = static_cast<int>(IFLA_PAYLOAD(message));
      for (auto* attribute = IFLA_RTA(info); RTA_OK(attribute, attributesLength);
           attribute = RTA_NEXT(attribute, attributesLength)) {
        if (attribute->rta_type != IFLA_IFNAME) continue;
        const std::string link(
            static_cast<const char*>(RTA_DATA(attribute)),
            ::strnlen(static_cast<const char*>(RTA_DATA(attribute)), RTA_PAYLOAD(attribute)));
        // One decky that needs the hairpin is enough: its reconcile makes it again.
        std::lock_guard lock(mutex);
        for (const auto& [decky, watched] : deckies) {
          if (!link.empty() && watched.hairpin == link) {
            drifted.push_back(decky);
            break;
          }
        }
      }
    }
  }
}

}  // namespace decnet::agents
