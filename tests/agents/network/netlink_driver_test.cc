// The libnl network driver against the real kernel (root). Every test builds its own veth lab
// with names unique to this process and tears everything down even when it fails.
#include <gtest/gtest.h>
#include <net/if.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agents/network/lab.h"
#include "agents/network/network_driver.h"
#include "tests/support/process.h"

namespace decnet::agents {
namespace {

using decnet::testing::run;

std::string pidTag() { return "dnt" + std::to_string(::getpid()); }

bool linkExists(const std::string& name) { return run("ip link show dev " + name).exitCode == 0; }

bool namespaceListed(const std::string& name) {
  const std::string listing = run("ip netns list").output;
  return listing.find(name + " ") != std::string::npos ||
         listing.find(name + "\n") != std::string::npos;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::string value;
  std::getline(in, value);
  return value;
}

// Tears down whatever a test made, in destruction order, through the driver first and then
// through iproute2 in case the driver is what is broken.
class LabGuard {
 public:
  LabGuard(NetworkDriver& driver, LabOptions options) : driver_(driver), options_(options) {}
  LabGuard(const LabGuard&) = delete;
  LabGuard& operator=(const LabGuard&) = delete;
  ~LabGuard() {
    for (const auto& name : namespaces_) {
      (void)driver_.remove(name);
      if (namespaceListed(name)) run("ip netns del " + name);
    }
    for (const auto& name : hairpins_) {
      (void)driver_.removeHairpin(name);
      if (linkExists(name)) run("ip link del " + name);
    }
    (void)labDown(options_);
    if (linkExists(options_.parent)) run("ip link del " + options_.parent);
    if (namespaceListed(options_.attackerNamespace))
      run("ip netns del " + options_.attackerNamespace);
  }
  void trackNamespace(const std::string& name) { namespaces_.push_back(name); }
  void trackHairpin(const std::string& name) { hairpins_.push_back(name); }

 private:
  NetworkDriver& driver_;
  LabOptions options_;
  std::vector<std::string> namespaces_;
  std::vector<std::string> hairpins_;
};

class NetlinkDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    static int counter = 0;
    index_ = ++counter;
    tag_ = pidTag() + "t" + std::to_string(index_);
    third_ = 200 + index_;  // 10.77.201.0/24, 10.77.202.0/24, ...: one subnet per test
    lab_.subnet = subnet();
    lab_.parent = tag_;  // "dnt<pid>t<n>" stays within 15 characters
    lab_.attackerNamespace = tag_ + "-att";
    driver_ = makeNetlinkDriver();
    guard_ = std::make_unique<LabGuard>(*driver_, lab_);
    auto up = labUp(lab_);
    ASSERT_TRUE(up) << up.error().message;
  }

  std::string subnet() const { return "10.77." + std::to_string(third_) + ".0/24"; }
  std::string ip(int host) const {
    return "10.77." + std::to_string(third_) + "." + std::to_string(host);
  }

  // A decky on the test's lab whose namespace the guard removes.
  DeckyNetwork decky(const std::string& suffix, int host) {
    DeckyNetwork network;
    network.namespaceName = tag_ + "-" + suffix;
    network.parent = lab_.parent;
    char mac[18];
    std::snprintf(mac, sizeof(mac), "52:54:00:77:%02x:%02x", third_ & 0xff, host & 0xff);
    network.mac = mac;
    network.ip = ip(host);
    network.prefix = 24;
    network.gateway = ip(1);
    guard_->trackNamespace(network.namespaceName);
    return network;
  }

  int ifindexIn(const std::string& ns, const std::string& name) {
    int index = -1;
    auto ran = runInNamespace(ns, [&]() -> Result<void> {
      index = static_cast<int>(::if_nametoindex(name.c_str()));
      return {};
    });
    return ran ? index : -1;
  }

  int index_ = 0;
  int third_ = 0;
  std::string tag_;
  LabOptions lab_;
  NetworkDriverPtr driver_;
  std::unique_ptr<LabGuard> guard_;
};

TEST_F(NetlinkDriverTest, EnsureBuildsNamespaceLinkAddressRouteAndSysctls) {
  const std::string hostTtl = readFile("/proc/sys/net/ipv4/ip_default_ttl");
  DeckyNetwork network = decky("a", 10);
  network.sysctls = {{"net.ipv4.ip_default_ttl", "128"}, {"net.ipv4.tcp_timestamps", "0"}};
  auto ensured = driver_->ensure(network);
  ASSERT_TRUE(ensured) << ensured.error().message;

  auto observed = driver_->observe(network.namespaceName);
  ASSERT_TRUE(observed) << observed.error().message;
  EXPECT_TRUE(observed->namespaceExists);
  EXPECT_TRUE(observed->linkExists);
  EXPECT_TRUE(observed->linkUp);
  EXPECT_EQ(observed->mac, network.mac);
  EXPECT_EQ(observed->addresses, std::vector<std::string>{ip(10) + "/24"});
  EXPECT_TRUE(observed->defaultRoute);

  const std::string& ns = network.namespaceName;
  EXPECT_TRUE(namespaceListed(ns));
  const auto link = run("ip -d -n " + ns + " link show eth0");
  EXPECT_EQ(link.exitCode, 0) << link.output;
  EXPECT_NE(link.output.find(network.mac), std::string::npos) << link.output;
  EXPECT_NE(link.output.find("macvlan mode bridge"), std::string::npos) << link.output;
  EXPECT_NE(link.output.find("@if"), std::string::npos) << link.output;  // parent outside
  EXPECT_NE(link.output.find("state UP"), std::string::npos) << link.output;
  const auto addr = run("ip -n " + ns + " -4 addr show dev eth0");
  EXPECT_NE(addr.output.find("inet " + ip(10) + "/24"), std::string::npos) << addr.output;
  const auto route = run("ip -n " + ns + " route show default");
  EXPECT_NE(route.output.find("default via " + ip(1) + " dev eth0"), std::string::npos)
      << route.output;
  const auto lo = run("ip -n " + ns + " link show lo");
  EXPECT_NE(lo.output.find("LOOPBACK,UP"), std::string::npos) << lo.output;
  const auto ttl = run("ip netns exec " + ns + " sysctl -n net.ipv4.ip_default_ttl");
  EXPECT_EQ(ttl.output, "128\n");
  const auto timestamps = run("ip netns exec " + ns + " sysctl -n net.ipv4.tcp_timestamps");
  EXPECT_EQ(timestamps.output, "0\n");
  EXPECT_EQ(readFile("/proc/sys/net/ipv4/ip_default_ttl"), hostTtl) << "host sysctl changed";
}

TEST_F(NetlinkDriverTest, NewNamespacesGetTheSysctlsTheyLackAndDriftIsStillRepaired) {
  const auto sysctl = [&](const std::string& ns, const std::string& key) {
    return run("ip netns exec " + ns + " sysctl -n " + key).output;
  };
  // The first new namespace shows the driver what new namespaces hold (ttl 64, timestamps on).
  DeckyNetwork first = decky("a", 10);
  first.sysctls = {{"net.ipv4.ip_default_ttl", "128"}, {"net.ipv4.tcp_timestamps", "0"}};
  ASSERT_TRUE(driver_->ensure(first));
  // One value a new namespace already holds, one it does not.
  DeckyNetwork second = decky("b", 11);
  second.sysctls = {{"net.ipv4.ip_default_ttl", "64"}, {"net.ipv4.tcp_timestamps", "0"}};
  ASSERT_TRUE(driver_->ensure(second));
  EXPECT_EQ(sysctl(second.namespaceName, "net.ipv4.ip_default_ttl"), "64\n");
  EXPECT_EQ(sysctl(second.namespaceName, "net.ipv4.tcp_timestamps"), "0\n");
  // What the first decky was given is not what new namespaces hold.
  DeckyNetwork third = decky("c", 12);
  third.sysctls = {{"net.ipv4.ip_default_ttl", "128"}};
  ASSERT_TRUE(driver_->ensure(third));
  EXPECT_EQ(sysctl(third.namespaceName, "net.ipv4.ip_default_ttl"), "128\n");
  // An existing namespace is read: a value changed by hand goes back.
  ASSERT_EQ(run("ip netns exec " + second.namespaceName + " sysctl -qw net.ipv4.ip_default_ttl=99")
                .exitCode,
            0);
  ASSERT_TRUE(driver_->ensure(second));
  EXPECT_EQ(sysctl(second.namespaceName, "net.ipv4.ip_default_ttl"), "64\n");
}

TEST_F(NetlinkDriverTest, AttackerPingSeesTheConfiguredTtl) {
  DeckyNetwork network = decky("a", 10);
  network.sysctls = {{"net.ipv4.ip_default_ttl", "128"}};
  ASSERT_TRUE(driver_->ensure(network));
  const auto ping = run("ip netns exec " + lab_.attackerNamespace + " ping -n -c1 -W1 " + ip(10));
  EXPECT_EQ(ping.exitCode, 0) << ping.output;
  EXPECT_NE(ping.output.find("ttl=128"), std::string::npos) << ping.output;
  EXPECT_EQ(readFile("/proc/sys/net/ipv4/ip_default_ttl"), "64");
}

TEST_F(NetlinkDriverTest, EnsureTwiceKeepsTheLink) {
  DeckyNetwork network = decky("a", 10);
  ASSERT_TRUE(driver_->ensure(network));
  const int before = ifindexIn(network.namespaceName, "eth0");
  ASSERT_GT(before, 0);
  auto again = driver_->ensure(network);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(ifindexIn(network.namespaceName, "eth0"), before);
}

TEST_F(NetlinkDriverTest, EnsureRepairsDrift) {
  DeckyNetwork network = decky("a", 10);
  const std::string& ns = network.namespaceName;
  ASSERT_TRUE(driver_->ensure(network));

  ASSERT_EQ(run("ip -n " + ns + " link del eth0").exitCode, 0);
  auto repaired = driver_->ensure(network);
  ASSERT_TRUE(repaired) << repaired.error().message;
  auto observed = driver_->observe(ns);
  ASSERT_TRUE(observed);
  EXPECT_TRUE(observed->linkUp);
  EXPECT_EQ(observed->mac, network.mac);
  EXPECT_EQ(observed->addresses, std::vector<std::string>{ip(10) + "/24"});
  EXPECT_TRUE(observed->defaultRoute);

  ASSERT_EQ(run("ip -n " + ns + " addr flush dev eth0").exitCode, 0);
  ASSERT_EQ(run("ip -n " + ns + " addr add " + ip(99) + "/24 dev eth0").exitCode, 0);
  ASSERT_EQ(run("ip -n " + ns + " link set lo down").exitCode, 0);
  ASSERT_TRUE(driver_->ensure(network));
  observed = driver_->observe(ns);
  ASSERT_TRUE(observed);
  EXPECT_EQ(observed->addresses, std::vector<std::string>{ip(10) + "/24"});
  EXPECT_TRUE(observed->defaultRoute);  // the flush took the route; ensure() put it back
  EXPECT_NE(run("ip -n " + ns + " link show lo").output.find("LOOPBACK,UP"), std::string::npos);

  ASSERT_EQ(run("ip -n " + ns + " link set eth0 down").exitCode, 0);
  ASSERT_TRUE(driver_->ensure(network));
  observed = driver_->observe(ns);
  ASSERT_TRUE(observed);
  EXPECT_TRUE(observed->linkUp);
}

TEST_F(NetlinkDriverTest, CreatesEth0DirectlyAndRemovesAnOlderAgentsTemporaryLink) {
  DeckyNetwork network = decky("t", 12);
  const std::string& ns = network.namespaceName;
  ASSERT_TRUE(driver_->ensure(network));
  const int ifindex = ifindexIn(ns, "eth0");
  // What an agent that died between creating and renaming its link left behind.
  ASSERT_EQ(run("ip -n " + ns + " link del eth0").exitCode, 0);
  ASSERT_EQ(run("ip link add link " + network.parent + " name dnstale netns " + ns +
                " type macvlan mode bridge")
                .exitCode,
            0);
  auto repaired = driver_->ensure(network);
  ASSERT_TRUE(repaired) << repaired.error().message;
  EXPECT_NE(run("ip -n " + ns + " link show dnstale").exitCode, 0) << "the debris is gone";
  auto observed = driver_->observe(ns);
  ASSERT_TRUE(observed);
  EXPECT_TRUE(observed->linkUp);
  EXPECT_EQ(observed->mac, network.mac);
  EXPECT_NE(ifindexIn(ns, "eth0"), ifindex) << "a new eth0";
}

TEST_F(NetlinkDriverTest, GatewayRemovedAndChanged) {
  DeckyNetwork network = decky("a", 10);
  ASSERT_TRUE(driver_->ensure(network));
  network.gateway = ip(2);
  ASSERT_TRUE(driver_->ensure(network));
  EXPECT_NE(
      run("ip -n " + network.namespaceName + " route show default").output.find("via " + ip(2)),
      std::string::npos);
  network.gateway.clear();
  ASSERT_TRUE(driver_->ensure(network));
  auto observed = driver_->observe(network.namespaceName);
  ASSERT_TRUE(observed);
  EXPECT_FALSE(observed->defaultRoute);
}

TEST_F(NetlinkDriverTest, ChangedMacRecreatesTheLink) {
  DeckyNetwork network = decky("a", 10);
  ASSERT_TRUE(driver_->ensure(network));
  const int before = ifindexIn(network.namespaceName, "eth0");
  network.mac = "52:54:00:aa:bb:cc";
  auto changed = driver_->ensure(network);
  ASSERT_TRUE(changed) << changed.error().message;
  auto observed = driver_->observe(network.namespaceName);
  ASSERT_TRUE(observed);
  EXPECT_EQ(observed->mac, "52:54:00:aa:bb:cc");
  EXPECT_NE(ifindexIn(network.namespaceName, "eth0"), before);
  EXPECT_EQ(observed->addresses, std::vector<std::string>{ip(10) + "/24"});
}

TEST_F(NetlinkDriverTest, DuplicateMacOnTheSameParentIsAConflict) {
  DeckyNetwork first = decky("a", 10);
  DeckyNetwork second = decky("b", 11);
  second.mac = first.mac;
  ASSERT_TRUE(driver_->ensure(first));
  auto clash = driver_->ensure(second);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, Errc::kConflict) << clash.error().message;
}

TEST_F(NetlinkDriverTest, IpvlanIsTerminalOnThisKernel) {
  DeckyNetwork network = decky("a", 10);
  network.driver = "ipvlan";
  auto ensured = driver_->ensure(network);
  if (ensured) GTEST_SKIP() << "this kernel has ipvlan";
  EXPECT_EQ(ensured.error().code, Errc::kTerminal) << ensured.error().message;
  EXPECT_EQ(ensured.error().message,
            "this kernel has no ipvlan support (module ipvlan missing); use driver: macvlan");
}

TEST_F(NetlinkDriverTest, MissingOrDownParentIsUnavailable) {
  DeckyNetwork network = decky("a", 10);
  network.parent = tag_ + "x";
  auto missing = driver_->ensure(network);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kUnavailable);
  EXPECT_EQ(missing.error().message, "parent interface " + network.parent + " does not exist");
  EXPECT_FALSE(namespaceListed(network.namespaceName));

  network.parent = lab_.parent;
  ASSERT_EQ(run("ip link set " + lab_.parent + " down").exitCode, 0);
  auto down = driver_->ensure(network);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, Errc::kUnavailable);
  EXPECT_EQ(down.error().message, "parent interface " + lab_.parent + " is down");
}

TEST_F(NetlinkDriverTest, InvalidInputsAreRejected) {
  DeckyNetwork network = decky("a", 10);
  network.sysctls = {{"kernel.hostname", "x"}};
  auto global = driver_->ensure(network);
  ASSERT_FALSE(global);
  EXPECT_EQ(global.error().code, Errc::kInvalid);
  network.sysctls.clear();
  network.mac = "01:00:5e:00:00:01";
  EXPECT_EQ(driver_->ensure(network).error().code, Errc::kInvalid);
  network.mac = "52:54:00:77:00:01";
  network.gateway = "10.99.0.1";
  EXPECT_EQ(driver_->ensure(network).error().code, Errc::kInvalid);
  network.gateway.clear();
  network.driver = "bridge";
  EXPECT_EQ(driver_->ensure(network).error().code, Errc::kInvalid);
}

TEST_F(NetlinkDriverTest, RemoveIsIdempotentAndListFindsNamespaces) {
  DeckyNetwork a = decky("a", 10);
  DeckyNetwork b = decky("b", 11);
  ASSERT_TRUE(driver_->ensure(a));
  ASSERT_TRUE(driver_->ensure(b));
  auto listed = driver_->list(tag_ + "-");
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, (std::vector<std::string>{tag_ + "-a", tag_ + "-att", tag_ + "-b"}));

  ASSERT_TRUE(driver_->remove(a.namespaceName));
  ASSERT_TRUE(driver_->remove(a.namespaceName));
  EXPECT_FALSE(namespaceListed(a.namespaceName));
  auto observed = driver_->observe(a.namespaceName);
  ASSERT_TRUE(observed);
  EXPECT_FALSE(observed->namespaceExists);
  listed = driver_->list(tag_ + "-");
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, (std::vector<std::string>{tag_ + "-att", tag_ + "-b"}));

  // The removed decky's MAC is free at once: a new namespace can take it.
  DeckyNetwork again = decky("c", 12);
  again.mac = a.mac;
  auto reused = driver_->ensure(again);
  EXPECT_TRUE(reused) << reused.error().message;
}

TEST_F(NetlinkDriverTest, RunInNamespace) {
  auto missing = runInNamespace(tag_ + "-none", [] { return Result<void>{}; });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  DeckyNetwork network = decky("a", 10);
  ASSERT_TRUE(driver_->ensure(network));
  auto failed = runInNamespace(network.namespaceName,
                               []() -> Result<void> { return fail(Errc::kConflict, "from fn"); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "from fn");
  EXPECT_GT(ifindexIn(network.namespaceName, "eth0"), 0);
  EXPECT_EQ(ifindexIn(lab_.attackerNamespace, lab_.parent), 0);  // the host end is not inside
}

TEST_F(NetlinkDriverTest, HairpinLetsTheHostReachADecky) {
  DeckyNetwork network = decky("a", 10);
  ASSERT_TRUE(driver_->ensure(network));
  const std::string hairpin = tag_ + "h";
  guard_->trackHairpin(hairpin);
  auto made = driver_->ensureHairpin(hairpin, lab_.parent, ip(254) + "/24");
  ASSERT_TRUE(made) << made.error().message;
  const auto link = run("ip -d link show dev " + hairpin);
  const int index = static_cast<int>(::if_nametoindex(hairpin.c_str()));
  ASSERT_GT(index, 0);
  EXPECT_NE(link.output.find("macvlan mode bridge"), std::string::npos) << link.output;
  ASSERT_TRUE(driver_->ensureHairpin(hairpin, lab_.parent, ip(254) + "/24"));
  EXPECT_EQ(static_cast<int>(::if_nametoindex(hairpin.c_str())), index);

  // Only ping when the kernel would really route through the hairpin.
  const auto via = run("ip route get " + ip(10));
  ASSERT_NE(via.output.find("dev " + hairpin), std::string::npos) << via.output;
  const auto ping = run("ping -n -c1 -W1 " + ip(10));
  EXPECT_EQ(ping.exitCode, 0) << ping.output;

  ASSERT_TRUE(driver_->removeHairpin(hairpin));
  EXPECT_FALSE(linkExists(hairpin));
  EXPECT_TRUE(driver_->removeHairpin(hairpin));
  auto notOurs = driver_->removeHairpin(lab_.parent);  // a veth: never deleted as a hairpin
  ASSERT_FALSE(notOurs);
  EXPECT_EQ(notOurs.error().code, Errc::kConflict);
  EXPECT_TRUE(linkExists(lab_.parent));
}

TEST_F(NetlinkDriverTest, DefaultRouteInterfaceMatchesIproute2) {
  auto found = driver_->defaultRouteInterface();
  const auto listing = run("ip -4 route show default table main");
  if (listing.output.find("default") == std::string::npos) {
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, Errc::kNotFound);
    return;
  }
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_NE(listing.output.find("dev " + *found), std::string::npos) << listing.output;
}

TEST_F(NetlinkDriverTest, StaleNamespaceFileIsReusedAndRemoved) {
  DeckyNetwork network = decky("a", 10);
  const std::string path = "/run/netns/" + network.namespaceName;
  ASSERT_EQ(run("mkdir -p /run/netns && touch " + path).exitCode, 0);
  auto observed = driver_->observe(network.namespaceName);
  ASSERT_TRUE(observed);
  EXPECT_FALSE(observed->namespaceExists);
  auto ensured = driver_->ensure(network);
  ASSERT_TRUE(ensured) << ensured.error().message;
  observed = driver_->observe(network.namespaceName);
  ASSERT_TRUE(observed);
  EXPECT_TRUE(observed->linkUp);
  ASSERT_TRUE(driver_->remove(network.namespaceName));
  ASSERT_EQ(run("touch " + path).exitCode, 0);
  ASSERT_TRUE(driver_->remove(network.namespaceName));
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

TEST_F(NetlinkDriverTest, ConcurrentEnsureFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5;
  std::vector<DeckyNetwork> fleet;
  for (int i = 0; i < kThreads * kPerThread; ++i)
    fleet.push_back(decky("c" + std::to_string(i), 20 + i));
  std::vector<std::string> errors(fleet.size());
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (int round = 0; round < 2; ++round) {
        for (int i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
          auto ensured = driver_->ensure(fleet[i]);
          if (!ensured) errors[i] = ensured.error().message;
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    EXPECT_EQ(errors[i], "") << fleet[i].namespaceName;
    auto observed = driver_->observe(fleet[i].namespaceName);
    ASSERT_TRUE(observed);
    EXPECT_TRUE(observed->linkUp) << fleet[i].namespaceName;
    EXPECT_EQ(observed->mac, fleet[i].mac);
  }
}

TEST_F(NetlinkDriverTest, FiftyDeckies) {
  constexpr int kCount = 50;
  std::vector<DeckyNetwork> fleet;
  for (int i = 0; i < kCount; ++i) {
    DeckyNetwork network = decky("f" + std::to_string(i), 10 + i);
    network.sysctls = {{"net.ipv4.ip_default_ttl", "128"}};
    fleet.push_back(network);
  }
  const auto start = std::chrono::steady_clock::now();
  for (const auto& network : fleet) {
    auto ensured = driver_->ensure(network);
    ASSERT_TRUE(ensured) << network.namespaceName << ": " << ensured.error().message;
  }
  const double created =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto again = std::chrono::steady_clock::now();
  for (const auto& network : fleet) ASSERT_TRUE(driver_->ensure(network));
  const double kept =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - again).count();
  const auto ping =
      run("ip netns exec " + lab_.attackerNamespace + " ping -n -c1 -W1 " + ip(10 + kCount - 1));
  EXPECT_EQ(ping.exitCode, 0) << ping.output;
  const auto removal = std::chrono::steady_clock::now();
  for (const auto& network : fleet) ASSERT_TRUE(driver_->remove(network.namespaceName));
  const double removed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - removal).count();
  std::printf("[ timing ] %d deckies: create %.3f s, re-ensure %.3f s, remove %.3f s\n", kCount,
              created, kept, removed);
  EXPECT_LT(created, 30.0);
}

}  // namespace
}  // namespace decnet::agents
