#pragma once
// Drives a text::LineProtocol in a fuzz target the way LineSession does on a socket: greeting,
// framed lines in chunks, raw blocks on request, bound anomalies, then the idle timeout; traps on
// any output that breaks the protocol's bounds. Shared by the line protocols' *_fuzz.cc.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoy/common/text/line_protocol.h"

namespace decnet::fuzz {

struct LineLimits {
  std::size_t maxLine = 4096;        // the service's LineFramer bound
  std::size_t maxLines = 2000;       // inputs before the session gives up
  std::size_t maxReply = 64 * 1024;  // one reply's bytes
  std::size_t maxRaw = 0;            // largest raw block the protocol may ask for
};

// Chunk sizes byte 0 of an input picks from (0: everything at once).
inline std::size_t chunkFor(std::uint8_t selector) {
  constexpr std::size_t kChunks[] = {0, 1, 2, 3, 7, 16, 61, 512};
  return kChunks[selector % 8];
}

inline void checkLineOutput(const decoy::text::LineOutput& output, const LineLimits& limits) {
  if (output.reply.size() > limits.maxReply) __builtin_trap();
  if (!output.reply.empty() && !output.reply.ends_with("\r\n")) __builtin_trap();
  // A raw block is buffered whole before onRaw(): it must stay within the protocol's bound, or
  // one client holds as much memory as it declares.
  if (output.rawBytes > limits.maxRaw) __builtin_trap();
  if (output.delay.count() < 0 || output.delay.count() > 10000) __builtin_trap();
  for (const auto& event : output.events) {
    if (event.type.empty()) __builtin_trap();
  }
}

inline void driveLineProtocol(decoy::text::LineProtocol& protocol, const LineLimits& limits,
                              std::size_t chunk, std::string_view stream) {
  using decoy::text::LineAnomaly;
  using decoy::text::LineFramer;
  checkLineOutput(protocol.greeting(), limits);
  LineFramer framer(limits.maxLine);
  if (chunk == 0) chunk = stream.size();
  std::size_t inputs = 0;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    framer.append(stream.substr(at, chunk));
    while (auto item = framer.next()) {
      decoy::text::LineOutput output;
      if (++inputs > limits.maxLines) {
        output = protocol.onAnomaly(LineAnomaly::kTooManyLines, item->data);
        output.close = true;
      } else if (item->kind == LineFramer::Item::Kind::kLine) {
        output = protocol.onLine(item->data);
      } else if (item->kind == LineFramer::Item::Kind::kRaw) {
        output = protocol.onRaw(item->data);
      } else {
        output = protocol.onAnomaly(LineAnomaly::kLineTooLong, item->data);
      }
      checkLineOutput(output, limits);
      if (output.close) return;
      if (output.rawBytes > 0) framer.expectRaw(output.rawBytes);
    }
  }
  checkLineOutput(protocol.onIdle(framer.pending()), limits);
}

}  // namespace decnet::fuzz
