// libFuzzer target: the client identification + KEXINIT reader the ssh relay feeds with what
// the client sends before encryption. Byte 0 picks the chunk size; traps when buffering passes
// its bound or a finished reader changes its answer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoy/services/ssh/ssh_client_hello.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr std::size_t kChunks[] = {0, 1, 2, 3, 7, 16, 61, 512};
  const std::size_t chunk = kChunks[data[0] % 8];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  using decnet::decoy::ssh::SshClientHello;
  SshClientHello hello(255, 35000);
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t take = chunk == 0 ? input.size() : chunk;
    const auto before = hello.state();
    const auto state = hello.feed(input.substr(at, take));
    if (before != SshClientHello::State::kNeedMore && state != before) __builtin_trap();
    at += take;
  }
  if (hello.state() == SshClientHello::State::kDone && hello.hasshAlgorithms().size() > 35000) {
    __builtin_trap();
  }
  if (hello.state() == SshClientHello::State::kAnomaly && hello.anomaly().empty()) __builtin_trap();
  if (hello.version() && hello.version()->size() > 255) __builtin_trap();
  return 0;
}
