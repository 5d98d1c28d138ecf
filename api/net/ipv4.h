#pragma once
// IPv4 addresses, subnets, ranges and address-pool arithmetic. Pure values: no sockets.
#include <compare>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::api::net {

struct Ipv4 {
  std::uint32_t value = 0;  // host byte order: 10.0.0.1 == 0x0a000001

  // Strict dotted quad: four decimal octets 0..255, no sign, no leading zeros.
  static std::optional<Ipv4> parse(std::string_view text);
  // "10.0.0.1".
  std::string str() const;
  auto operator<=>(const Ipv4&) const = default;
};

// The netmask of a prefix length 0..32 (0 -> 0, 24 -> 0xffffff00).
std::uint32_t prefixMask(int prefix);

struct Subnet {
  Ipv4 network;
  int prefix = 0;

  // "a.b.c.d/n" with n in 0..32; nullopt when malformed or when host bits are set.
  static std::optional<Subnet> parse(std::string_view cidr);
  // Like parse, but clears host bits instead of failing ("10.0.0.5/24" -> 10.0.0.0/24).
  static std::optional<Subnet> parseNormalized(std::string_view cidr);
  // True when the address lies in the subnet (network and broadcast included).
  bool contains(Ipv4 address) const;
  // The highest address of the subnet.
  Ipv4 broadcast() const;
  // Number of addresses, network and broadcast included (2^(32-prefix)).
  std::uint64_t size() const;
  // True for the network or broadcast address of a subnet that has them (prefix <= 30).
  bool isReserved(Ipv4 address) const;
  // "10.0.0.0/24".
  std::string str() const;
  bool operator==(const Subnet&) const = default;
};

struct IpRange {
  Ipv4 first;
  Ipv4 last;

  // "a.b.c.d-e.f.g.h" with first <= last (spaces around '-' allowed), or one address.
  static std::optional<IpRange> parse(std::string_view text);
  // True when first <= address <= last.
  bool contains(Ipv4 address) const;
  // Number of addresses, both ends included.
  std::uint64_t size() const;
  // "a-b", or "a" when first == last.
  std::string str() const;
  bool operator==(const IpRange&) const = default;
};

// Addresses of range∩subnet (the whole subnet without a range) that may be given to a host:
// without the network and broadcast addresses (prefix <= 30) and the gateway; ascending.
// Materializes the list: meant for small pools and tests.
std::vector<Ipv4> usableAddresses(const Subnet& subnet, const std::optional<IpRange>& range,
                                  std::optional<Ipv4> gateway);

// The lowest usable address (as above) not in `used`; nullopt when the pool is exhausted.
// O(|used| log |used|) at worst, independent of the pool size.
std::optional<Ipv4> lowestFree(const Subnet& subnet, const std::optional<IpRange>& range,
                               std::optional<Ipv4> gateway, const std::set<std::uint32_t>& used);

// Number of usable addresses (as above) not in `used`; entries of `used` outside the pool or
// equal to an excluded address are ignored.
std::uint64_t countFree(const Subnet& subnet, const std::optional<IpRange>& range,
                        std::optional<Ipv4> gateway, const std::set<std::uint32_t>& used);

}  // namespace decnet::api::net
