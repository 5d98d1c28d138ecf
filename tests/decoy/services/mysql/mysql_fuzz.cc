// libFuzzer target: MySQL packet framing over chunked reads, the first packet as a
// HandshakeResponse41 (or SSLRequest), later ones as auth data checked with
// mysql_native_password, as the mysql service does. Byte 0 picks the read size; the rest is the
// client's stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoy/services/mysql/mysql_protocol.h"

namespace {

using namespace decnet::decoy::mysql;

constexpr std::size_t kChunks[] = {0, 1, 2, 3, 4, 17, 100, 4096};  // 0: all at once
constexpr std::string_view kScramble = "abcdefghij0123456789";     // 20 bytes, as the service's
constexpr int kMaxPackets = 1000;

void checkResponse(const HandshakeResponse& response, std::string_view payload) {
  if (response.user.size() > payload.size() || response.authResponse.size() > payload.size()) {
    __builtin_trap();
  }
  if (response.database.size() > payload.size() || response.plugin.size() > payload.size()) {
    __builtin_trap();
  }
  if (response.attributes.size() > 64) __builtin_trap();
  (void)verifyNativePassword("secret", kScramble, response.authResponse);
  // What the service echoes back in its answers must frame cleanly.
  (void)packet(2, errPayload(1045, "28000", "Access denied for user '" + response.user + "'"));
  (void)lengthEncoded(response.database);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t chunk = kChunks[data[0] % 8];
  if (chunk == 0) chunk = stream.size();
  std::string buffer;
  int packets = 0;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    buffer.append(stream.substr(at, chunk));
    for (;;) {
      const std::size_t before = buffer.size();
      Packet next;
      const Frame frame = takePacket(buffer, next);
      if (frame == Frame::kNeedMore) {
        if (buffer.size() != before) __builtin_trap();
        break;
      }
      if (frame == Frame::kTooLarge) return 0;
      if (next.payload.size() > kMaxPacket) __builtin_trap();
      if (buffer.size() != before - 4 - next.payload.size()) __builtin_trap();
      if (packets == 0) {
        std::string anomaly;
        const auto response = parseHandshakeResponse(next.payload, anomaly);
        if (!response) {
          if (anomaly.empty()) __builtin_trap();
          return 0;  // the service answers "Bad handshake" and closes
        }
        checkResponse(*response, next.payload);
        if (response->sslRequest) return 0;
      } else {
        (void)verifyNativePassword("secret", kScramble, next.payload);
      }
      if (++packets >= kMaxPackets) return 0;
    }
  }
  return 0;
}
