#include "api/net/ipv4.h"

#include <algorithm>

namespace decnet::api::net {
namespace {

// A decimal number without sign or leading zeros, at most `maxValue`.
std::optional<std::uint32_t> parseDecimal(std::string_view text, std::uint32_t maxValue) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > maxValue) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Parses "a.b.c.d/n" without judging host bits.
std::optional<Subnet> parseCidr(std::string_view cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = Ipv4::parse(cidr.substr(0, slash));
  auto prefix = parseDecimal(cidr.substr(slash + 1), 32);
  if (!address || !prefix) return std::nullopt;
  return Subnet{*address, static_cast<int>(*prefix)};
}

// The closed interval [lo, hi] of candidate addresses, before exclusions.
struct Pool {
  std::uint32_t lo = 0;
  std::uint32_t hi = 0;
  bool empty = true;
};

Pool poolOf(const Subnet& subnet, const std::optional<IpRange>& range) {
  Pool pool;
  pool.lo = subnet.network.value;
  pool.hi = subnet.broadcast().value;
  if (range) {
    pool.lo = std::max(pool.lo, range->first.value);
    pool.hi = std::min(pool.hi, range->last.value);
  }
  pool.empty = pool.lo > pool.hi;
  return pool;
}

// The addresses of the pool no host may get, sorted and unique.
std::vector<std::uint32_t> exclusionsOf(const Subnet& subnet, const Pool& pool,
                                        std::optional<Ipv4> gateway) {
  std::vector<std::uint32_t> excluded;
  auto add = [&](std::uint32_t value) {
    if (value >= pool.lo && value <= pool.hi) excluded.push_back(value);
  };
  if (subnet.prefix <= 30) {
    add(subnet.network.value);
    add(subnet.broadcast().value);
  }
  if (gateway) add(gateway->value);
  std::sort(excluded.begin(), excluded.end());
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  return excluded;
}

bool isExcluded(const std::vector<std::uint32_t>& excluded, std::uint32_t value) {
  return std::binary_search(excluded.begin(), excluded.end(), value);
}

}  // namespace

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  std::uint32_t value = 0;
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    const auto dot = text.find('.', start);
    const auto part = text.substr(start, dot == std::string_view::npos ? text.npos : dot - start);
    auto octet = parseDecimal(part, 255);
    if (!octet || ++parts > 4) return std::nullopt;
    value = (value << 8) | *octet;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts != 4) return std::nullopt;
  return Ipv4{value};
}

std::string Ipv4::str() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

std::uint32_t prefixMask(int prefix) {
  if (prefix <= 0) return 0;
  if (prefix >= 32) return 0xffffffffu;
  return ~((std::uint32_t{1} << (32 - prefix)) - 1);
}

std::optional<Subnet> Subnet::parse(std::string_view cidr) {
  auto subnet = parseCidr(cidr);
  if (!subnet || (subnet->network.value & ~prefixMask(subnet->prefix)) != 0) return std::nullopt;
  return subnet;
}

std::optional<Subnet> Subnet::parseNormalized(std::string_view cidr) {
  auto subnet = parseCidr(cidr);
  if (subnet) subnet->network.value &= prefixMask(subnet->prefix);
  return subnet;
}

bool Subnet::contains(Ipv4 address) const {
  return (address.value & prefixMask(prefix)) == network.value;
}

Ipv4 Subnet::broadcast() const { return Ipv4{network.value | ~prefixMask(prefix)}; }

std::uint64_t Subnet::size() const { return std::uint64_t{1} << (32 - prefix); }

bool Subnet::isReserved(Ipv4 address) const {
  return prefix <= 30 && (address == network || address == broadcast());
}

std::string Subnet::str() const { return network.str() + "/" + std::to_string(prefix); }

std::optional<IpRange> IpRange::parse(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    auto single = Ipv4::parse(text);
    if (!single) return std::nullopt;
    return IpRange{*single, *single};
  }
  auto first = Ipv4::parse(trim(text.substr(0, dash)));
  auto last = Ipv4::parse(trim(text.substr(dash + 1)));
  if (!first || !last || *last < *first) return std::nullopt;
  return IpRange{*first, *last};
}

bool IpRange::contains(Ipv4 address) const { return first <= address && address <= last; }

std::uint64_t IpRange::size() const {
  return std::uint64_t{last.value} - std::uint64_t{first.value} + 1;
}

std::string IpRange::str() const {
  return first == last ? first.str() : first.str() + "-" + last.str();
}

std::vector<Ipv4> usableAddresses(const Subnet& subnet, const std::optional<IpRange>& range,
                                  std::optional<Ipv4> gateway) {
  std::vector<Ipv4> out;
  const Pool pool = poolOf(subnet, range);
  if (pool.empty) return out;
  const auto excluded = exclusionsOf(subnet, pool, gateway);
  out.reserve(static_cast<std::size_t>(std::uint64_t{pool.hi} - pool.lo + 1));
  for (std::uint64_t value = pool.lo; value <= pool.hi; ++value) {
    const auto v = static_cast<std::uint32_t>(value);
    if (!isExcluded(excluded, v)) out.push_back(Ipv4{v});
  }
  return out;
}

std::optional<Ipv4> lowestFree(const Subnet& subnet, const std::optional<IpRange>& range,
                               std::optional<Ipv4> gateway, const std::set<std::uint32_t>& used) {
  const Pool pool = poolOf(subnet, range);
  if (pool.empty) return std::nullopt;
  const auto excluded = exclusionsOf(subnet, pool, gateway);
  // Each step skips one taken address, so the walk is bounded by |used| + |excluded|.
  std::uint64_t candidate = pool.lo;
  auto next = used.lower_bound(pool.lo);
  while (candidate <= pool.hi) {
    const auto v = static_cast<std::uint32_t>(candidate);
    if (next != used.end() && *next == v) {
      ++next;
      ++candidate;
      continue;
    }
    if (isExcluded(excluded, v)) {
      ++candidate;
      continue;
    }
    return Ipv4{v};
  }
  return std::nullopt;
}

std::uint64_t countFree(const Subnet& subnet, const std::optional<IpRange>& range,
                        std::optional<Ipv4> gateway, const std::set<std::uint32_t>& used) {
  const Pool pool = poolOf(subnet, range);
  if (pool.empty) return 0;
  const auto excluded = exclusionsOf(subnet, pool, gateway);
  std::uint64_t free = std::uint64_t{pool.hi} - pool.lo + 1 - excluded.size();
  for (auto it = used.lower_bound(pool.lo); it != used.end() && *it <= pool.hi; ++it) {
    if (!isExcluded(excluded, *it)) --free;
  }
  return free;
}

}  // namespace decnet::api::net
