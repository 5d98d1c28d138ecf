#include "agents/runtime/decoy_mount_namespace.h"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace decnet::agents {
namespace {

bool isNamespaceMount(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

// What `check` returns when run on a thread inside the mount namespace `fd`.
template <class F>
auto inside(int fd, F check) {
  decltype(check()) seen{};
  bool entered = false;
  std::thread([&] {
    // setns(CLONE_NEWNS) wants a filesystem context of the thread's own.
    if (::unshare(CLONE_FS) != 0 || ::setns(fd, CLONE_NEWNS) != 0) return;
    entered = true;
    seen = check();
  }).join();
  EXPECT_TRUE(entered) << "could not enter the mount namespace";
  return seen;
}

class DecoyMountNamespaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    first_ = "decnet-mnt-" + std::to_string(::getpid());
    second_ = first_ + "-late";
    ASSERT_EQ(std::system(("ip netns add " + first_).c_str()), 0);
  }
  void TearDown() override {
    std::system(("ip netns del " + first_ + " 2>/dev/null").c_str());
    std::system(("ip netns del " + second_ + " 2>/dev/null").c_str());
  }
  std::string first_, second_;
};

TEST_F(DecoyMountNamespaceTest, HasTheHostsFilesWithoutItsNetworkNamespaces) {
  auto fd = makeDecoyMountNamespace();
  ASSERT_TRUE(fd) << fd.error().message;
  const std::string first = "/run/netns/" + first_;
  EXPECT_FALSE(inside(*fd, [&] { return isNamespaceMount(first); }));
  EXPECT_TRUE(inside(*fd, [] { return ::access("/proc/self/status", R_OK) == 0; }));
  EXPECT_TRUE(inside(*fd, [] { return ::access("/usr/bin", X_OK) == 0; }));
  EXPECT_TRUE(isNamespaceMount(first)) << "the host's namespace must stay mounted";

  // One made afterwards does not propagate into it either.
  ASSERT_EQ(std::system(("ip netns add " + second_).c_str()), 0);
  const std::string second = "/run/netns/" + second_;
  EXPECT_TRUE(isNamespaceMount(second));
  EXPECT_FALSE(inside(*fd, [&] { return isNamespaceMount(second); }));
  ::close(*fd);
}

}  // namespace
}  // namespace decnet::agents
