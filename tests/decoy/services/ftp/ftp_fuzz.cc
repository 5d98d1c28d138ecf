// libFuzzer target: FtpProtocol driven as LineSession drives it. Byte 0 picks the chunking and
// the PASV seed; the rest is the client's byte stream ("admin"/"secret" logs in, so seeds reach
// the post-login commands).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "decoy/services/ftp/ftp_protocol.h"

namespace {

using decnet::decoy::text::LineAnomaly;
using decnet::decoy::text::LineFramer;
using decnet::decoy::text::LineOutput;
using decnet::decoy::text::LineProtocol;

constexpr std::size_t kMaxLine = 4096;  // ftp_service.cc
constexpr std::size_t kMaxLines = 2000;
constexpr std::size_t kMaxReply = 16 * 1024;
constexpr std::size_t kChunks[] = {0, 1, 2, 3, 7, 16, 61, 512};  // 0: all at once

void check(const LineOutput& output) {
  if (output.reply.size() > kMaxReply) __builtin_trap();
  if (!output.reply.empty() && !output.reply.ends_with("\r\n")) __builtin_trap();
  if (output.rawBytes != 0) __builtin_trap();  // FTP has no raw blocks on the control channel
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
  decnet::decoy::ftp::FtpConfig config;
  config.users = {{"admin", "secret"}};
  config.seed = data[0];
  decnet::decoy::ftp::FtpProtocol protocol(std::move(config));
  drive(protocol, kChunks[data[0] % 8],
        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
