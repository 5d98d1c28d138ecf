#include "reconcilers/identity.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>

namespace decnet::reconcilers {
namespace {

TEST(IdentityTest, MacUsesAnOuiOfTheFamilyAndIsDeterministic) {
  EXPECT_EQ(macFor("windows", 42), macFor("windows", 42));
  EXPECT_NE(macFor("windows", 42), macFor("windows", 43));
  EXPECT_TRUE(std::regex_match(macFor("linux", 7), std::regex("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")));
  const std::string mac = macFor("embedded", 1);
  EXPECT_EQ(std::stoi(mac.substr(0, 2), nullptr, 16) & 1, 0) << "unicast";
}

TEST(IdentityTest, MacIsNeverOneTakenAndAFreeSeedKeepsItsMac) {
  // Two seeds whose first MACs are the same (24 random bits: one pair in a few thousand).
  std::map<std::string, std::uint64_t> seen;
  std::uint64_t first = 0, second = 0;
  for (std::uint64_t seed = 1; seed < 200000 && second == 0; ++seed) {
    auto [it, added] = seen.emplace(macFor("linux", seed), seed);
    if (!added) {
      first = it->second;
      second = seed;
    }
  }
  ASSERT_NE(second, 0u) << "no two seeds shared a MAC";
  const std::string shared = macFor("linux", first);
  ASSERT_EQ(macFor("linux", second), shared);
  const std::string moved = macFor("linux", second, {shared});
  EXPECT_NE(moved, shared);
  EXPECT_TRUE(std::regex_match(moved, std::regex("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")));
  EXPECT_EQ(macFor("linux", second, {shared}), moved) << "still deterministic";
  EXPECT_EQ(macFor("linux", first, {"00:00:5e:00:53:01"}), shared) << "free: unchanged";
  EXPECT_NE(macFor("linux", second, {shared, moved}), moved);
}

TEST(IdentityTest, HostnamesFollowTheDistroStyle) {
  EXPECT_TRUE(std::regex_match(hostnameFor("debian", "linux", "", 1, {}),
                               std::regex("^SRV-[A-Z]+-[1-9][0-9]$")));
  EXPECT_TRUE(std::regex_match(hostnameFor("rocky9", "linux", "", 1, {}),
                               std::regex("^[a-z]+[1-9][0-9]\\.localdomain$")));
  EXPECT_TRUE(std::regex_match(hostnameFor("alpine", "embedded", "", 1, {}),
                               std::regex("^[a-z]+-[1-9][0-9]$")));
  EXPECT_TRUE(
      std::regex_match(hostnameFor("kali", "linux", "", 1, {}), std::regex("^[a-z]+-[a-z]+$")));
  EXPECT_TRUE(std::regex_match(hostnameFor("debian", "windows", "windows-workstation", 1, {}),
                               std::regex("^WS-[A-Z]+-[0-9]{4}$")));
  EXPECT_TRUE(std::regex_match(hostnameFor("debian", "windows", "domain-controller", 1, {}),
                               std::regex("^DC0[1-9]$")));
}

TEST(IdentityTest, HostnamesAvoidTakenNames) {
  std::set<std::string> taken;
  for (int i = 0; i < 200; ++i) {
    auto name = hostnameFor("debian", "linux", "", 5, taken);
    EXPECT_EQ(taken.count(name), 0u);
    taken.insert(name);
  }
}

TEST(IdentityTest, DistrosGoRoundRobinOverThePreferredList) {
  EXPECT_EQ(distroFor({"a", "b"}, "", "linux", 0), "a");
  EXPECT_EQ(distroFor({"a", "b"}, "", "linux", 3), "b");
  EXPECT_EQ(distroFor({}, "linux-server", "linux", 2), "rocky9");  // debian, ubuntu22, rocky9
  // Windows deckies carry a Windows version, never a Linux distro.
  EXPECT_EQ(distroFor({}, "windows-server", "windows", 0), "win2019");
  EXPECT_EQ(distroFor({}, "linux-server", "windows", 0), "win2019");
  EXPECT_EQ(distroFor({}, "", "windows", 1), "win2016");
  EXPECT_EQ(distroFor({}, "", "embedded", 0), "debian");
  // A Windows member of a Linux template's distro list gets a Windows version, and the other
  // way round.
  EXPECT_EQ(distroFor({"ubuntu22", "debian"}, "", "windows", 0), "win2019");
  EXPECT_EQ(distroFor({"win10", "debian"}, "", "linux", 0), "debian");
  EXPECT_EQ(osFamilyFor("", "domain-controller"), "windows");
  EXPECT_EQ(osFamilyFor("bsd", "domain-controller"), "bsd");
}

TEST(IdentityTest, RotatedServicesDifferAndComeFromThePool) {
  const std::vector<api::ServiceSpec> pool = {
      {"mysql", {}, {}}, {"postgres", {}, {}}, {"redis", {}, {}}};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    auto next = rotateServices(pool, pool, seed);
    ASSERT_FALSE(next.empty());
    std::vector<std::string> names;
    for (const auto& s : next) names.push_back(s.name);
    EXPECT_NE(names, (std::vector<std::string>{"mysql", "postgres", "redis"}));
  }
}

}  // namespace
}  // namespace decnet::reconcilers
