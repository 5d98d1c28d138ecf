#pragma once
// Learns of drift on the host from the kernel instead of re-checking every decky on a timer:
// inotify on /run/netns (a namespace deleted), one rtnetlink socket inside each decky's namespace
// (a link or an IPv4 address changed there) and one in the host's namespace (a hairpin link
// deleted). Each names the decky to reconcile to `onDrift`, called from the watcher's thread.
// A decoy's exit is the runtime's to report (RuntimeDriver::supervise).
#include <functional>
#include <memory>
#include <string>

#include "api/types/result.h"

namespace decnet::agents {

class DriftWatcher {
 public:
  using OnDrift = std::function<void(const std::string& decky)>;
  explicit DriftWatcher(OnDrift onDrift);
  ~DriftWatcher();
  DriftWatcher(const DriftWatcher&) = delete;
  DriftWatcher& operator=(const DriftWatcher&) = delete;

  // Starts the watching thread. kUnavailable when epoll, inotify or netlink cannot be had (the
  // caller then keeps polling).
  Result<void> start();
  // Stops and joins the thread. Idempotent.
  void stop();
  // Watches `decky`'s namespace `namespaceName` (a new socket when it was made anew since the
  // last call) and the host link `hairpin` ("" for none) it needs. Thread-safe, cheap when
  // nothing changed.
  void watch(const std::string& decky, const std::string& namespaceName,
             const std::string& hairpin);
  // Stops watching `decky`. Thread-safe.
  void forget(const std::string& decky);
  // Deckies watched now (for tests and metrics).
  std::size_t watched() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace decnet::agents
