// libFuzzer target: ImapProtocol driven as LineSession drives it (literals become raw blocks),
// plus tokenize() on every line. Byte 0 picks the chunking; the rest is the client's byte stream
// ("admin"/"secret" logs in, so seeds reach the INBOX commands).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "decoy/services/imap/imap_protocol.h"
#include "tests/fuzz/line_protocol_driver.h"

namespace {

constexpr decnet::fuzz::LineLimits kLimits = {.maxLine = 64 * 1024,
                                              .maxLines = 2000,
                                              .maxReply = 256 * 1024,
                                              .maxRaw = 64 * 1024};  // the service's bounds

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The tokenizer alone, on the first line (it also sees literals inline in unit tests).
  const auto tokens = decnet::decoy::imap::tokenize(stream.substr(0, stream.find('\n')));
  if (tokens && tokens->size() > stream.size() + 1) __builtin_trap();
  decnet::decoy::imap::ImapConfig config;
  config.users = {{"admin", "secret"}};
  decnet::decoy::imap::ImapProtocol protocol(std::move(config));
  decnet::fuzz::driveLineProtocol(protocol, kLimits, decnet::fuzz::chunkFor(data[0]), stream);
  return 0;
}
