#pragma once
// The network header of the SYN that opened a TCP connection, kept by the kernel on request
// (Linux TCP_SAVE_SYN). Its TTL is the attacker's initial TTL less the hops on the way, which
// the profiler's OS guess reads from `connect` events.
#include <optional>
#include <string_view>

namespace decnet::decoy {

// Asks the kernel to keep the SYN headers of every connection accepted on `listenerFd`. Best
// effort: without it connections carry no TTL.
void keepSynHeaders(int listenerFd);

// The TTL (IPv4) or hop limit (IPv6) in `header`, a saved SYN starting at its IP header;
// nullopt when it is neither.
[[nodiscard]] std::optional<int> ttlOfSynHeader(std::string_view header);

// The TTL of the SYN that opened `connectionFd`. The kernel hands the headers out once.
[[nodiscard]] std::optional<int> synTtl(int connectionFd);

}  // namespace decnet::decoy
