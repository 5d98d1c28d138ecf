// libFuzzer target: SftpServer::feed over arbitrary bytes, split at the first input byte so
// framing across feeds is exercised. Invariants: replies are whole packets, nothing escapes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoy/services/ssh/sftp_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace decnet::decoy;
  using namespace decnet::decoy::ssh;
  if (size == 0) return 0;
  static const auto kTree = [] {
    FsFacts facts{"web-01", "admin",    "/home/admin", {"admin"},
                  false,    1600000000, 1700000000,    1710000000};
    return fakeTree(facts);
  }();
  SftpFiles files;
  files.tree = kTree;
  files.user = "admin";
  files.home = "/home/admin";
  files.uid = 1000;
  files.now = 1710000000;
  SftpLimits limits;
  limits.maxStored = 1 << 20;
  SftpServer server(std::move(files), limits);
  // Always start with a valid INIT so the fuzzer reaches the requests.
  server.feed(std::string_view("\0\0\0\5\1\0\0\0\3", 9));
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = std::min<std::size_t>(data[0], input.size());
  for (const auto part : {input.substr(0, split), input.substr(split)}) {
    const auto out = server.feed(part);
    std::string_view reply = out.reply;
    while (!reply.empty()) {
      if (reply.size() < 4) __builtin_trap();
      const std::uint32_t length = (std::uint32_t{std::uint8_t(reply[0])} << 24) |
                                   (std::uint32_t{std::uint8_t(reply[1])} << 16) |
                                   (std::uint32_t{std::uint8_t(reply[2])} << 8) |
                                   std::uint8_t(reply[3]);
      if (length == 0 || reply.size() - 4 < length) __builtin_trap();
      reply.remove_prefix(4 + length);
    }
  }
  server.finish();
  return 0;
}
