// libFuzzer target: Pop3Protocol driven as LineSession drives it. Byte 0 picks the chunking; the
// rest is the client's byte stream ("admin"/"secret" logs in, so seeds reach the mailbox).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "decoy/services/pop3/pop3_protocol.h"
#include "tests/fuzz/line_protocol_driver.h"

namespace {

constexpr decnet::fuzz::LineLimits kLimits = {
    .maxLine = 8192, .maxLines = 2000, .maxReply = 64 * 1024, .maxRaw = 0};  // the service's bounds

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  decnet::decoy::pop3::Pop3Config config;
  config.users = {{"admin", "secret"}};
  config.hostname = "mail.example.test";
  decnet::decoy::pop3::Pop3Protocol protocol(std::move(config));
  decnet::fuzz::driveLineProtocol(
      protocol, kLimits, decnet::fuzz::chunkFor(data[0]),
      std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
