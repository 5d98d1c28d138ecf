// The profiler's rules: behaviour classes in their order, tools, OS guess, kill chain, score.
#include "pipeline/profiler/profile_rules.h"

#include <gtest/gtest.h>

#include <cmath>

namespace decnet::pipeline {
namespace {

TEST(BehaviourClass, RulesApplyInOrder) {
  struct Case {
    std::int64_t n;
    double mean, cv;
    std::size_t services;
    const char* expected;
  };
  const Case cases[] = {
      {2, 0.1, 0.1, 5, "unknown"},       // n < 3 first, whatever else
      {4, 10.0, 0.1, 2, "slow_scan"},    // s>=2, mean>=10, n>=4
      {3, 10.0, 0.1, 2, "mixed"},        // the same with n=3 is no slow scan
      {5, 9.9, 0.9, 3, "scanning"},      // s>=3, mean<10
      {5, 1.9, 0.9, 2, "scanning"},      // s>=2, mean<2
      {5, 3.0, 0.9, 2, "mixed"},         // s=2, mean 3: neither scan rule
      {8, 4.9, 0.59, 1, "brute_force"},  // s=1, n>=8, mean<5, cv<0.6
      {7, 1.0, 0.1, 1, "mixed"},         // n=7 is too few for brute force
      {4, 60.0, 0.34, 1, "beaconing"},   // cv<0.35, mean>=5, n>=4
      {6, 2.0, 0.5, 1, "interactive"},   // cv>=0.5, mean<5, n>=6
      {8, 2.0, 0.7, 1, "interactive"},   // brute force needs cv<0.6
      {5, 30.0, 0.9, 1, "mixed"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(behaviourClass(c.n, c.mean, c.cv, c.services), c.expected)
        << "n=" << c.n << " mean=" << c.mean << " cv=" << c.cv << " s=" << c.services;
  }
}

AttackerRecord bruteForcer() {
  AttackerRecord a;
  a.ip = "10.77.0.250";
  a.eventCount = 20;
  a.gaps = 19;
  a.gapMean = 0.5;
  a.gapM2 = 0.01 * 19;  // stddev 0.1: cv 0.2
  a.services = {"ssh"};
  a.deckies = {"corp-01"};
  a.eventTypes = {{"connect", 10}, {"auth_attempt", 10}};
  a.clients = {"SSH-2.0-libssh_0.10.4", "Mozilla/4.0 (Hydra)"};
  a.ttls = {64};
  return a;
}

TEST(ProfileAttacker, BruteForceWithToolsOsAndPhases) {
  const AttackerProfile p = profileAttacker(bruteForcer());
  EXPECT_EQ(p.behaviour, "brute_force");
  EXPECT_EQ(p.tools, (std::vector<std::string>{"hydra"}));
  EXPECT_EQ(p.osGuess, "linux");
  EXPECT_EQ(p.killChain, (std::vector<std::string>{"recon", "credential_access"}));
  EXPECT_EQ(p.threatScore, 25 + 5 + 15);
}

TEST(ProfileAttacker, ScoreGrowsWithPhasesAndBreadthAndStaysWithin100) {
  AttackerRecord a = bruteForcer();
  const int base = profileAttacker(a).threatScore;
  a.eventTypes["command"] = 3;
  a.eventTypes["download_attempt"] = 1;
  a.credentialReused = true;
  a.deckies = {"a", "b", "c", "d", "e", "f", "g", "h"};
  const AttackerProfile p = profileAttacker(a);
  EXPECT_EQ(p.killChain.size(), 4u);
  EXPECT_GT(p.threatScore, base);
  EXPECT_LE(p.threatScore, 100);
  EXPECT_EQ(p.threatScore, 100);  // 25 + 65 + 10 + 10, capped
  EXPECT_EQ(profileAttacker(AttackerRecord{}).threatScore, 0);
}

TEST(ProfileAttacker, OsGuessFromTtlBands) {
  AttackerRecord a;
  for (auto [ttl, os] :
       {std::pair{128, "windows"}, {250, "embedded"}, {64, "linux"}, {100, "unknown"}}) {
    a.ttls = {ttl};
    EXPECT_EQ(profileAttacker(a).osGuess, os) << ttl;
  }
}

TEST(ProfileAttacker, ToolGuessesFromUserAgents) {
  AttackerRecord a;
  a.clients = {"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
               "sqlmap/1.7",
               "curl/7.88.1",
               "python-requests/2.31",
               "Nuclei - Open-source project",
               "gobuster/3.5",
               "Wfuzz/3.1.0"};
  EXPECT_EQ(profileAttacker(a).tools,
            (std::vector<std::string>{"nmap", "sqlmap", "curl", "python-requests", "nuclei",
                                      "gobuster", "wfuzz"}));
}

}  // namespace
}  // namespace decnet::pipeline
