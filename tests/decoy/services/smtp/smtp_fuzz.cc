// libFuzzer target: SmtpProtocol driven as LineSession drives it (BDAT chunks become raw
// blocks). Byte 0 picks the chunking (bits 0-2), the imitated MTA (bits 3-4) and open relay
// (bit 5); the rest is the client's byte stream.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "decoy/services/smtp/smtp_protocol.h"
#include "tests/fuzz/line_protocol_driver.h"

namespace {

constexpr decnet::fuzz::LineLimits kLimits = {.maxLine = 64 * 1024,
                                              .maxLines = 200000,
                                              .maxReply = 64 * 1024,
                                              .maxRaw = 1024 * 1024};  // the service's bounds

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using decnet::decoy::smtp::Mta;
  decnet::decoy::smtp::SmtpConfig config;
  config.banner = "220 mail.example.test ESMTP Postfix (Debian/GNU)";
  config.mta = (data[0] >> 3) % 3 == 0   ? Mta::kPostfix
               : (data[0] >> 3) % 3 == 1 ? Mta::kExim
                                         : Mta::kSendmail;
  config.openRelay = (data[0] & 0x20) != 0;
  config.hostname = "mail.example.test";
  config.clientIp = "203.0.113.7";
  config.seed = data[0];
  config.maxMessage = kLimits.maxRaw;
  decnet::decoy::smtp::SmtpProtocol protocol(std::move(config));
  decnet::fuzz::driveLineProtocol(
      protocol, kLimits, decnet::fuzz::chunkFor(data[0]),
      std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
