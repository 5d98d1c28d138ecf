#include "agents/runtime/decoy_mount_namespace.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>

namespace decnet::agents {
namespace {

constexpr const char* kNetnsDir = "/run/netns";

// On the calling thread, which must be one of its own: unshare() gives it alone the new
// namespace, and the thread ends right after.
Result<int> makeOnThisThread() {
  if (::unshare(CLONE_NEWNS) != 0) {
    return fail(Errc::kUnavailable,
                std::string("cannot make a mount namespace: ") + std::strerror(errno));
  }
  // Private first: the unmounts below must not propagate back to the host's /run/netns.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return fail(Errc::kUnavailable,
                std::string("cannot make the mount namespace private: ") + std::strerror(errno));
  }
  // /run/netns is usually bound on itself (as iproute2 does), with a namespace mounted on each
  // file in it: detaching it takes them all. Namespaces mounted on a plain directory go one by
  // one.
  for (int i = 0; i < 16 && ::umount2(kNetnsDir, MNT_DETACH) == 0; ++i) {
  }
  if (DIR* dir = ::opendir(kNetnsDir)) {
    while (dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      const std::string path = std::string(kNetnsDir) + "/" + name;
      for (int i = 0; i < 16 && ::umount2(path.c_str(), MNT_DETACH) == 0; ++i) {
      }
    }
    ::closedir(dir);
  }
  const int fd = ::open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(Errc::kUnavailable,
                std::string("cannot open the mount namespace: ") + std::strerror(errno));
  }
  return fd;
}

}  // namespace

Result<int> makeDecoyMountNamespace() {
  Result<int> made = fail(Errc::kInternal, "the mount namespace thread did not run");
  try {
    std::thread worker([&made] { made = makeOnThisThread(); });
    worker.join();
  } catch (const std::system_error& error) {
    return fail(Errc::kUnavailable, std::string("cannot start a thread: ") + error.what());
  }
  return made;
}

}  // namespace decnet::agents
