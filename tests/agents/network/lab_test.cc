// The libnl lab against the real kernel (root), with names unique to this process.
#include "agents/network/lab.h"

#include <gtest/gtest.h>
#include <net/if.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.h"

namespace decnet::agents {
namespace {

using decnet::testing::run;

bool linkExists(const std::string& name) { return run("ip link show dev " + name).exitCode == 0; }

bool namespaceListed(const std::string& name) {
  const std::string listing = run("ip netns list").output;
  return listing.find(name + " ") != std::string::npos ||
         listing.find(name + "\n") != std::string::npos;
}

// Removes the lab even when a test fails: through labDown, then through iproute2 in case
// labDown is what is broken.
class LabGuard {
 public:
  explicit LabGuard(LabOptions options) : options_(std::move(options)) {}
  LabGuard(const LabGuard&) = delete;
  LabGuard& operator=(const LabGuard&) = delete;
  ~LabGuard() {
    (void)labDown(options_);
    if (linkExists(options_.parent)) run("ip link del " + options_.parent);
    if (namespaceListed(options_.attackerNamespace))
      run("ip netns del " + options_.attackerNamespace);
    for (const auto& extra : extras_) {
      if (linkExists(extra)) run("ip link del " + extra);
    }
  }
  void trackLink(const std::string& name) { extras_.push_back(name); }

 private:
  LabOptions options_;
  std::vector<std::string> extras_;
};

class LabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    static int counter = 0;
    tag_ = "dnt" + std::to_string(::getpid()) + "l" + std::to_string(++counter);
    options_.subnet = "10.77.230.0/24";
    options_.parent = tag_;
    options_.attackerNamespace = tag_ + "-att";
    guard_ = std::make_unique<LabGuard>(options_);
  }

  std::string tag_;
  LabOptions options_;
  std::unique_ptr<LabGuard> guard_;
};

TEST(LabAddress, AttackerAddressFollowsTheOptions) {
  EXPECT_EQ(attackerAddress(LabOptions{}), "10.77.0.250/24");
  LabOptions options;
  options.subnet = "10.77.8.0/22";
  options.attackerHost = 1000;
  EXPECT_EQ(attackerAddress(options), "10.77.11.232/22");
  options.attackerHost = 1023;  // the broadcast address
  EXPECT_EQ(attackerAddress(options), "");
}

TEST_F(LabTest, UpTwiceIsIdempotent) {
  auto up = labUp(options_);
  ASSERT_TRUE(up) << up.error().message;
  const unsigned index = ::if_nametoindex(options_.parent.c_str());
  ASSERT_GT(index, 0u);
  auto again = labUp(options_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(::if_nametoindex(options_.parent.c_str()), index);

  const auto host = run("ip -d link show dev " + options_.parent);
  EXPECT_NE(host.output.find("veth"), std::string::npos) << host.output;
  EXPECT_NE(host.output.find("state UP"), std::string::npos) << host.output;
  const std::string& ns = options_.attackerNamespace;
  EXPECT_TRUE(namespaceListed(ns));
  const auto addr = run("ip -n " + ns + " -4 addr show dev eth0");
  EXPECT_NE(addr.output.find("inet " + attackerAddress(options_)), std::string::npos)
      << addr.output;
  const auto eth0 = run("ip -n " + ns + " link show eth0");
  EXPECT_NE(eth0.output.find("state UP"), std::string::npos) << eth0.output;
  EXPECT_NE(run("ip -n " + ns + " link show lo").output.find("LOOPBACK,UP"), std::string::npos);
}

TEST_F(LabTest, UpCompletesAPartialLab) {
  ASSERT_TRUE(labUp(options_));
  const std::string& ns = options_.attackerNamespace;
  // Deleting the peer takes the host end with it.
  ASSERT_EQ(run("ip -n " + ns + " link del eth0").exitCode, 0);
  ASSERT_FALSE(linkExists(options_.parent));
  auto repaired = labUp(options_);
  ASSERT_TRUE(repaired) << repaired.error().message;
  EXPECT_TRUE(linkExists(options_.parent));
  ASSERT_EQ(run("ip -n " + ns + " addr flush dev eth0").exitCode, 0);
  ASSERT_EQ(run("ip link set " + options_.parent + " down").exitCode, 0);
  ASSERT_TRUE(labUp(options_));
  const auto addr = run("ip -n " + ns + " -4 addr show dev eth0");
  EXPECT_NE(addr.output.find("inet " + attackerAddress(options_)), std::string::npos)
      << addr.output;
  EXPECT_NE(run("ip link show dev " + options_.parent).output.find("state UP"), std::string::npos);

  // A host end without its namespace: the namespace comes back and the pair is rebuilt.
  ASSERT_EQ(run("ip netns del " + ns).exitCode, 0);
  ASSERT_TRUE(labUp(options_));
  EXPECT_NE(run("ip -n " + ns + " -4 addr show dev eth0").output.find(attackerAddress(options_)),
            std::string::npos);
}

TEST_F(LabTest, DownLeavesNothing) {
  ASSERT_TRUE(labUp(options_));
  auto down = labDown(options_);
  ASSERT_TRUE(down) << down.error().message;
  EXPECT_FALSE(namespaceListed(options_.attackerNamespace));
  EXPECT_NE(run("ip link show " + options_.parent).exitCode, 0);
  EXPECT_TRUE(labDown(options_));
}

TEST_F(LabTest, RefusesToTouchANonVeth) {
  const std::string bridge = tag_ + "b";
  guard_->trackLink(bridge);
  ASSERT_EQ(run("ip link add " + bridge + " type bridge").exitCode, 0);
  LabOptions options = options_;
  options.parent = bridge;
  auto up = labUp(options);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, Errc::kConflict);
  auto down = labDown(options);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, Errc::kConflict);
  EXPECT_TRUE(linkExists(bridge));
}

}  // namespace
}  // namespace decnet::agents
