#include "api/net/ipv4.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

namespace decnet::api::net {
namespace {

Ipv4 ip(const char* text) {
  auto parsed = Ipv4::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Ipv4{});
}

Subnet subnet(const char* text) {
  auto parsed = Subnet::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Subnet{});
}

TEST(Ipv4, ParsesDottedQuads) {
  EXPECT_EQ(ip("10.0.0.1").value, 0x0a000001u);
  EXPECT_EQ(ip("0.0.0.0").value, 0u);
  EXPECT_EQ(ip("255.255.255.255").value, 0xffffffffu);
  EXPECT_EQ(ip("192.168.1.110").str(), "192.168.1.110");
  EXPECT_EQ(Ipv4{0xc0a80001u}.str(), "192.168.0.1");
}

TEST(Ipv4, RejectsAnythingElse) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.00", "+1.2.3.4",
                          "1..2.3", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1.2.3.-4", "1.2.3.4.",
                          ".1.2.3", "1.2.3.1000", "0x1.2.3.4", "1.2.3.4/24"}) {
    EXPECT_FALSE(Ipv4::parse(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(Ipv4, OrdersNumerically) {
  EXPECT_LT(ip("10.0.0.2"), ip("10.0.0.10"));
  EXPECT_LT(ip("9.255.255.255"), ip("10.0.0.0"));
  EXPECT_EQ(ip("10.0.0.1"), ip("10.0.0.1"));
}

TEST(Subnet, ParsesCidrAndRejectsHostBits) {
  const Subnet s = subnet("10.77.0.0/24");
  EXPECT_EQ(s.network, ip("10.77.0.0"));
  EXPECT_EQ(s.prefix, 24);
  EXPECT_EQ(s.str(), "10.77.0.0/24");
  EXPECT_EQ(s.broadcast(), ip("10.77.0.255"));
  EXPECT_EQ(s.size(), 256u);
  EXPECT_FALSE(Subnet::parse("10.77.0.5/24").has_value());
  auto normalized = Subnet::parseNormalized("10.77.0.5/24");
  ASSERT_TRUE(normalized.has_value());
  EXPECT_EQ(normalized->str(), "10.77.0.0/24");
  for (const char* bad : {"10.77.0.0", "10.77.0.0/", "10.77.0.0/33", "10.77.0.0/024",
                          "10.77.0.0/-1", "10.77.0/24", "10.77.0.0/24/1", "/24"}) {
    EXPECT_FALSE(Subnet::parse(bad).has_value()) << bad;
    EXPECT_FALSE(Subnet::parseNormalized(bad).has_value()) << bad;
  }
}

TEST(Subnet, EdgePrefixes) {
  const Subnet all = subnet("0.0.0.0/0");
  EXPECT_EQ(all.size(), std::uint64_t{1} << 32);
  EXPECT_TRUE(all.contains(ip("203.0.113.9")));
  EXPECT_EQ(all.broadcast(), ip("255.255.255.255"));
  const Subnet host = subnet("10.0.0.7/32");
  EXPECT_EQ(host.size(), 1u);
  EXPECT_TRUE(host.contains(ip("10.0.0.7")));
  EXPECT_FALSE(host.contains(ip("10.0.0.6")));
  EXPECT_FALSE(host.isReserved(ip("10.0.0.7")));
  EXPECT_EQ(subnet("172.16.0.0/12").broadcast(), ip("172.31.255.255"));
}

TEST(Subnet, Contains) {
  const Subnet s = subnet("192.168.1.0/24");
  EXPECT_TRUE(s.contains(ip("192.168.1.0")));
  EXPECT_TRUE(s.contains(ip("192.168.1.255")));
  EXPECT_FALSE(s.contains(ip("192.168.2.0")));
  EXPECT_FALSE(s.contains(ip("192.168.0.255")));
  EXPECT_TRUE(s.isReserved(ip("192.168.1.0")));
  EXPECT_TRUE(s.isReserved(ip("192.168.1.255")));
  EXPECT_FALSE(s.isReserved(ip("192.168.1.1")));
}

TEST(IpRange, ParsesRangesAndSingleAddresses) {
  auto range = IpRange::parse("192.168.1.110-192.168.1.149");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->first, ip("192.168.1.110"));
  EXPECT_EQ(range->last, ip("192.168.1.149"));
  EXPECT_EQ(range->size(), 40u);
  EXPECT_TRUE(range->contains(ip("192.168.1.110")));
  EXPECT_TRUE(range->contains(ip("192.168.1.149")));
  EXPECT_FALSE(range->contains(ip("192.168.1.150")));
  EXPECT_EQ(range->str(), "192.168.1.110-192.168.1.149");

  auto spaced = IpRange::parse("10.0.0.1 - 10.0.0.2");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(spaced->size(), 2u);

  auto single = IpRange::parse("10.0.0.9");
  ASSERT_TRUE(single.has_value());
  EXPECT_EQ(single->first, single->last);
  EXPECT_EQ(single->size(), 1u);
  EXPECT_EQ(single->str(), "10.0.0.9");

  for (const char* bad : {"", "10.0.0.9-10.0.0.1", "10.0.0.1-", "-10.0.0.1", "10.0.0.1-10.0.0",
                          "10.0.0.1-10.0.0.2-10.0.0.3", "10.0.0.0/24"}) {
    EXPECT_FALSE(IpRange::parse(bad).has_value()) << bad;
  }
  EXPECT_EQ(IpRange::parse("0.0.0.0-255.255.255.255")->size(), std::uint64_t{1} << 32);
}

TEST(AddressPool, UsableAddressesSkipNetworkBroadcastAndGateway) {
  const Subnet s = subnet("10.0.0.0/29");
  auto all = usableAddresses(s, std::nullopt, std::nullopt);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all.front(), ip("10.0.0.1"));
  EXPECT_EQ(all.back(), ip("10.0.0.6"));

  auto withGateway = usableAddresses(s, std::nullopt, ip("10.0.0.1"));
  ASSERT_EQ(withGateway.size(), 5u);
  EXPECT_EQ(withGateway.front(), ip("10.0.0.2"));

  auto ranged = usableAddresses(s, IpRange::parse("10.0.0.5-10.0.0.7"), ip("10.0.0.1"));
  EXPECT_EQ(ranged, (std::vector<Ipv4>{ip("10.0.0.5"), ip("10.0.0.6")}));

  // A range partly outside the subnet is clipped to it.
  auto clipped = usableAddresses(s, IpRange::parse("9.255.255.250-10.0.0.2"), std::nullopt);
  EXPECT_EQ(clipped, (std::vector<Ipv4>{ip("10.0.0.1"), ip("10.0.0.2")}));
  EXPECT_TRUE(usableAddresses(s, IpRange::parse("10.0.1.1-10.0.1.5"), std::nullopt).empty());
}

TEST(AddressPool, PointToPointAndHostSubnetsUseEveryAddress) {
  EXPECT_EQ(usableAddresses(subnet("10.0.0.0/31"), std::nullopt, std::nullopt).size(), 2u);
  EXPECT_EQ(usableAddresses(subnet("10.0.0.4/32"), std::nullopt, std::nullopt),
            (std::vector<Ipv4>{ip("10.0.0.4")}));
  EXPECT_EQ(usableAddresses(subnet("10.0.0.4/30"), std::nullopt, std::nullopt),
            (std::vector<Ipv4>{ip("10.0.0.5"), ip("10.0.0.6")}));
}

TEST(AddressPool, LowestFreeAndCountFreeOnALargePool) {
  const Subnet s = subnet("10.20.0.0/16");
  const Ipv4 gateway = ip("10.20.0.1");
  std::set<std::uint32_t> used;
  EXPECT_EQ(countFree(s, std::nullopt, gateway, used), 65533u);
  EXPECT_EQ(lowestFree(s, std::nullopt, gateway, used), ip("10.20.0.2"));

  for (std::uint32_t v = ip("10.20.0.2").value; v < ip("10.20.0.2").value + 5000; ++v) {
    used.insert(v);
  }
  used.insert(ip("10.21.0.9").value);  // outside: ignored
  used.insert(gateway.value);          // excluded anyway: not counted twice
  const auto start = std::chrono::steady_clock::now();
  auto lowest = lowestFree(s, std::nullopt, gateway, used);
  const auto free = countFree(s, std::nullopt, gateway, used);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(lowest.has_value());
  EXPECT_EQ(*lowest, Ipv4{ip("10.20.0.2").value + 5000});
  EXPECT_EQ(free, 65533u - 5000u);
  EXPECT_LT(elapsed, std::chrono::milliseconds(200));
}

TEST(AddressPool, ExhaustedPool) {
  const Subnet s = subnet("10.0.0.0/30");
  std::set<std::uint32_t> used = {ip("10.0.0.2").value};
  EXPECT_EQ(lowestFree(s, std::nullopt, ip("10.0.0.1"), used), std::nullopt);
  EXPECT_EQ(countFree(s, std::nullopt, ip("10.0.0.1"), used), 0u);
  EXPECT_EQ(lowestFree(s, IpRange::parse("10.0.1.0-10.0.1.9"), std::nullopt, {}), std::nullopt);
  EXPECT_EQ(countFree(s, IpRange::parse("10.0.1.0-10.0.1.9"), std::nullopt, {}), 0u);
}

// lowestFree and countFree agree with the materialized pool on random small cases.
TEST(AddressPool, AgreesWithUsableAddresses) {
  std::mt19937 random(42);
  for (int round = 0; round < 500; ++round) {
    const int prefix = 24 + static_cast<int>(random() % 9);  // /24 .. /32
    const std::uint32_t base = 0x0a000000u;
    const Subnet s{Ipv4{base}, prefix};
    std::optional<IpRange> range;
    if (random() % 2) {
      std::uint32_t a = base + random() % 300;
      std::uint32_t b = base + random() % 300;
      range = IpRange{Ipv4{std::min(a, b)}, Ipv4{std::max(a, b)}};
    }
    std::optional<Ipv4> gateway;
    if (random() % 2) gateway = Ipv4{base + static_cast<std::uint32_t>(random() % 260)};
    std::set<std::uint32_t> used;
    const int count = static_cast<int>(random() % 300);
    for (int i = 0; i < count; ++i) used.insert(base + random() % 270);

    std::vector<Ipv4> expected;
    for (const auto& address : usableAddresses(s, range, gateway)) {
      if (!used.count(address.value)) expected.push_back(address);
    }
    EXPECT_EQ(countFree(s, range, gateway, used), expected.size()) << "round " << round;
    auto lowest = lowestFree(s, range, gateway, used);
    if (expected.empty()) {
      EXPECT_FALSE(lowest.has_value()) << "round " << round;
    } else {
      EXPECT_EQ(lowest, expected.front()) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace decnet::api::net
