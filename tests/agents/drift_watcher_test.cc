// The drift watcher against the real kernel (root): a namespace and a host link of this test's
// own (veth pairs: this kernel has no dummy links), changed by hand with iproute2 as an operator
// (or an intruder) would. Each change must name the decky at once; what is not watched, or no
// longer, names nothing.
#include "agents/drift_watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>

#include "tests/support/process.h"

namespace decnet::agents {
namespace {

using decnet::testing::run;

class DriftWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run("ip netns add " + namespace_).exitCode, 0);
    ASSERT_EQ(run("ip link add " + hairpin_ + " type veth peer name " + hairpin_ + "p").exitCode,
              0);
    ASSERT_TRUE(watcher_.start());
  }
  void TearDown() override {
    watcher_.stop();
    run("ip netns del " + namespace_ + " 2>/dev/null");
    run("ip link del " + hairpin_ + " 2>/dev/null");
  }

  // True once `decky` was named (within 2 s); forgets it then.
  bool named(const std::string& decky) {
    std::unique_lock lock(mutex_);
    const bool seen =
        changed_.wait_for(lock, std::chrono::seconds(2), [&] { return drifted_.count(decky) > 0; });
    drifted_.clear();
    return seen;
  }
  bool nothingNamedFor(std::chrono::milliseconds quiet) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, quiet, [&] { return !drifted_.empty(); });
    return drifted_.empty();
  }

  const std::string tag_ = std::to_string(::getpid() % 100000);
  const std::string decky_ = "dw" + tag_;
  const std::string namespace_ = "decnet-" + decky_;
  const std::string hairpin_ = "dwhp" + tag_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> drifted_;
  DriftWatcher watcher_{[this](const std::string& decky) {
    std::lock_guard lock(mutex_);
    drifted_.insert(decky);
    changed_.notify_all();
  }};
};

TEST_F(DriftWatcherTest, ChangesInsideTheNamespaceNameTheDecky) {
  run("ip -n " + namespace_ + " link add eth0 type veth peer name peer0");
  watcher_.watch(decky_, namespace_, hairpin_);
  EXPECT_EQ(watcher_.watched(), 1u);
  EXPECT_TRUE(nothingNamedFor(std::chrono::milliseconds(300))) << "watching alone is no drift";

  run("ip -n " + namespace_ + " addr add 10.77.250.7/24 dev eth0");
  EXPECT_TRUE(named(decky_)) << "an address added by hand";
  run("ip -n " + namespace_ + " link set eth0 up");
  EXPECT_TRUE(named(decky_)) << "a link state change";
  run("ip -n " + namespace_ + " link del eth0");
  EXPECT_TRUE(named(decky_)) << "the link deleted";
  // Watching again with nothing changed keeps the socket: still one decky, still reporting.
  watcher_.watch(decky_, namespace_, hairpin_);
  run("ip -n " + namespace_ + " link add eth1 type veth peer name peer1");
  EXPECT_TRUE(named(decky_));
}

TEST_F(DriftWatcherTest, ADeletedNamespaceOrHairpinNamesTheDecky) {
  watcher_.watch(decky_, namespace_, hairpin_);
  run("ip link del " + hairpin_);
  EXPECT_TRUE(named(decky_)) << "the host-side hairpin deleted";
  run("ip netns del " + namespace_);
  EXPECT_TRUE(named(decky_)) << "the namespace deleted";
}

TEST_F(DriftWatcherTest, AForgottenDeckyIsNeverNamed) {
  watcher_.watch(decky_, namespace_, hairpin_);
  watcher_.forget(decky_);
  EXPECT_EQ(watcher_.watched(), 0u);
  run("ip -n " + namespace_ + " link add eth0 type veth peer name peer0");
  run("ip link del " + hairpin_);
  run("ip netns del " + namespace_);
  EXPECT_TRUE(nothingNamedFor(std::chrono::milliseconds(500)));
}

}  // namespace
}  // namespace decnet::agents
