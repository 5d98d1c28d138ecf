#include "decoy/saved_syn.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>

namespace decnet::decoy {

void keepSynHeaders(int listenerFd) {
  const int on = 1;
  (void)::setsockopt(listenerFd, IPPROTO_TCP, TCP_SAVE_SYN, &on, sizeof on);  // best effort
}

std::optional<int> ttlOfSynHeader(std::string_view header) {
  if (header.empty()) return std::nullopt;
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(header[at]); };
  const int version = byte(0) >> 4;
  if (version == 4 && header.size() >= 20) return byte(8);  // IPv4: TTL at offset 8
  if (version == 6 && header.size() >= 40) return byte(7);  // IPv6: hop limit at offset 7
  return std::nullopt;
}

std::optional<int> synTtl(int connectionFd) {
  // The kernel refuses (EINVAL) a buffer shorter than the saved headers: room for IPv6 with
  // extension headers and TCP with every option.
  std::array<char, 1024> header{};
  socklen_t length = header.size();
  if (::getsockopt(connectionFd, IPPROTO_TCP, TCP_SAVED_SYN, header.data(), &length) != 0) {
    return std::nullopt;
  }
  return ttlOfSynHeader(std::string_view(header.data(), length));
}

}  // namespace decnet::decoy
