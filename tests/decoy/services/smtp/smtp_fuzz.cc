// libFuzzer target: SmtpProtocol driven as LineSession drives it (BDAT chunks become raw
// blocks). Byte 0 picks the chunking (bits 0-2), the imitated MTA (bits 3-4) and open relay
// (bit 5); the rest is the client's byte stream.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "decoy/services/smtp/smtp_protocol.h"

namespace {

using decnet::decoy::text::LineAnomaly;
using decnet::decoy::text::LineFramer;
using decnet::decoy::text::LineOutput;
using decnet::decoy::text::LineProtocol;

constexpr std::size_t kMaxLine = 64 * 1024;  // smtp_service.cc
constexpr std::size_t kMaxLines = 200000;
constexpr std::size_t kMaxReply = 64 * 1024;
constexpr std::size_t kMaxMessage = 1024 * 1024;                 // SmtpConfig::maxMessage
constexpr std::size_t kChunks[] = {0, 1, 2, 3, 7, 16, 61, 512};  // 0: all at once

void check(const LineOutput& output) {
  if (output.reply.size() > kMaxReply) __builtin_trap();
  if (!output.reply.empty() && !output.reply.ends_with("\r\n")) __builtin_trap();
  // A BDAT block is buffered whole by the framer before onRaw: it must stay within the
  // message bound, or one client holds as much memory as it declares.
  if (output.rawBytes > kMaxMessage) __builtin_trap();
  if (output.delay.count() < 0 || output.delay.count() > 10000) __builtin_trap();
  for (const auto& event : output.events) {
    if (event.type.empty()) __builtin_trap();
  }
}

void drive(LineProtocol& protocol, std::size_t chunk, std::string_view stream) {
  check(protocol.greeting());
  LineFramer framer(kMaxLine);
  if (chunk == 0) chunk = stream.size();
  std::size_t inputs = 0;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    framer.append(stream.substr(at, chunk));
    while (auto item = framer.next()) {
      LineOutput output;
      if (++inputs > kMaxLines) {
        output = protocol.onAnomaly(LineAnomaly::kTooManyLines, item->data);
        output.close = true;
      } else if (item->kind == LineFramer::Item::Kind::kLine) {
        output = protocol.onLine(item->data);
      } else if (item->kind == LineFramer::Item::Kind::kRaw) {
        output = protocol.onRaw(item->data);
      } else {
        output = protocol.onAnomaly(LineAnomaly::kLineTooLong, item->data);
      }
      check(output);
      if (output.close) return;
      if (output.rawBytes > 0) framer.expectRaw(output.rawBytes);
    }
  }
  check(protocol.onIdle(framer.pending()));
}

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
  config.maxMessage = kMaxMessage;
  decnet::decoy::smtp::SmtpProtocol protocol(std::move(config));
  drive(protocol, kChunks[data[0] % 8],
        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
