// The flood rule shared by the agent and the collector: which events are one kind, and the
// window that passes the first of a kind and counts the rest.
#include "pipeline/common/flood_gate.h"

#include <gtest/gtest.h>

namespace decnet::pipeline {
namespace {

SyslogMessage request(const std::string& port, const std::string& type = "request") {
  auto parsed = parseSyslog("<134>1 2026-12-02T08:00:00Z corp-01 http - " + type +
                            " [relay@55555 src_ip=\"10.77.0.250\" src_port=\"" + port +
                            "\" path=\"/\"][meta sequenceId=\"" + port + "\"] GET");
  EXPECT_TRUE(parsed);
  return *parsed;
}

TEST(FloodKey, SourcePortAndSequenceDoNotMakeAnotherKind) {
  EXPECT_FALSE(floodKey(request("1"), "corp-01").empty());
  EXPECT_EQ(floodKey(request("1"), "corp-01"), floodKey(request("2"), "corp-01"));
  EXPECT_NE(floodKey(request("1"), "corp-01"), floodKey(request("1"), "corp-02"));
  EXPECT_NE(floodKey(request("1"), "corp-01"), floodKey(request("1", "auth_attempt"), "corp-01"));
}

TEST(FloodKey, ReadinessCountsAndAddresslessEventsAreNeverFolded) {
  EXPECT_EQ(floodKey(request("1", "listening"), "corp-01"), "");
  auto counted = request("1");
  counted.data[0].params.push_back({"count", "5"});
  EXPECT_EQ(floodKey(counted, "corp-01"), "");
  auto anonymous = request("1");
  anonymous.attackerAddress.clear();
  EXPECT_EQ(floodKey(anonymous, "corp-01"), "");
}

TEST(FloodGate, PassesTheFirstOfAWindowAndCountsTheRest) {
  FloodGate<int> gate({3, std::chrono::milliseconds(1000), 10});
  const auto start = FloodGate<int>::Clock::now();
  std::vector<std::pair<int, std::uint64_t>> emitted;
  auto emit = [&](int last, std::uint64_t count) { emitted.emplace_back(last, count); };
  int passed = 0;
  for (int i = 0; i < 10; ++i) {
    int event = i;
    if (gate.admit("k", event, start + std::chrono::milliseconds(i), emit)) ++passed;
  }
  EXPECT_EQ(passed, 3);
  gate.closeEnded(start + std::chrono::milliseconds(500), emit);
  EXPECT_TRUE(emitted.empty()) << "the window is still open";
  gate.closeEnded(start + std::chrono::milliseconds(1000), emit);
  ASSERT_EQ(emitted.size(), 1u);
  EXPECT_EQ(emitted[0], (std::pair<int, std::uint64_t>{9, 7}));
  EXPECT_EQ(gate.held(), 7u);
  int next = 10;  // a new window passes again
  EXPECT_TRUE(gate.admit("k", next, start + std::chrono::milliseconds(1001), emit));
}

TEST(FloodGate, PastMaxKeysNewKindsPassUnfolded) {
  FloodGate<int> gate({1, std::chrono::milliseconds(1000), 2});
  const auto now = FloodGate<int>::Clock::now();
  auto ignore = [](int, std::uint64_t) {};
  int e = 0;
  EXPECT_TRUE(gate.admit("a", e, now, ignore));
  EXPECT_TRUE(gate.admit("b", e, now, ignore));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(gate.admit("c", e, now, ignore));
  EXPECT_FALSE(gate.admit("a", e, now, ignore));
}

}  // namespace
}  // namespace decnet::pipeline
