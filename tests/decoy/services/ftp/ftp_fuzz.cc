// libFuzzer target: FtpProtocol driven as LineSession drives it. Byte 0 picks the chunking and
// the PASV seed; the rest is the client's byte stream ("admin"/"secret" logs in, so seeds reach
// the post-login commands).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "decoy/services/ftp/ftp_protocol.h"
#include "tests/fuzz/line_protocol_driver.h"

namespace {

constexpr decnet::fuzz::LineLimits kLimits = {
    .maxLine = 4096, .maxLines = 2000, .maxReply = 16 * 1024, .maxRaw = 0};  // the service's bounds

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  decnet::decoy::ftp::FtpConfig config;
  config.users = {{"admin", "secret"}};
  config.seed = data[0];
  decnet::decoy::ftp::FtpProtocol protocol(std::move(config));
  decnet::fuzz::driveLineProtocol(
      protocol, kLimits, decnet::fuzz::chunkFor(data[0]),
      std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
