// libFuzzer target: ImapProtocol driven as LineSession drives it (literals become raw blocks),
// plus tokenize() on every line. Byte 0 picks the chunking; the rest is the client's byte stream
// ("admin"/"secret" logs in, so seeds reach the INBOX commands).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "decoy/services/imap/imap_protocol.h"

namespace {

using decnet::decoy::text::LineAnomaly;
using decnet::decoy::text::LineFramer;
using decnet::decoy::text::LineOutput;
using decnet::decoy::text::LineProtocol;

constexpr std::size_t kMaxLine = 64 * 1024;  // imap_service.cc
constexpr std::size_t kMaxLines = 2000;
constexpr std::size_t kMaxReply = 256 * 1024;
constexpr std::size_t kMaxLiteral = 64 * 1024;                   // imap_protocol.cc
constexpr std::size_t kChunks[] = {0, 1, 2, 3, 7, 16, 61, 512};  // 0: all at once

void check(const LineOutput& output) {
  if (output.reply.size() > kMaxReply) __builtin_trap();
  if (!output.reply.empty() && !output.reply.ends_with("\r\n")) __builtin_trap();
  if (output.rawBytes > kMaxLiteral) __builtin_trap();
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
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The tokenizer alone, on the first line (it also sees literals inline in unit tests).
  const auto tokens = decnet::decoy::imap::tokenize(stream.substr(0, stream.find('\n')));
  if (tokens && tokens->size() > stream.size() + 1) __builtin_trap();
  decnet::decoy::imap::ImapConfig config;
  config.users = {{"admin", "secret"}};
  decnet::decoy::imap::ImapProtocol protocol(std::move(config));
  drive(protocol, kChunks[data[0] % 8], stream);
  return 0;
}
