// libFuzzer target: TelnetDecoder fed the client's stream at once and in chunks. The decoder is a
// byte-wise state machine, so both must agree; answers are bounded (each option once, at most
// 200) and user data never exceeds what came in. Byte 0 picks the chunk size.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoy/services/telnet/telnet_protocol.h"

namespace {

using decnet::decoy::telnet::TelnetDecoder;

constexpr std::size_t kChunks[] = {1, 2, 3, 4, 5, 7, 64, 1000};
constexpr std::size_t kMaxReplies = 200 * 6;  // kMaxNegotiations answers of at most 6 bytes

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)decnet::decoy::telnet::telnetGreeting();

  TelnetDecoder whole;
  std::string wholeData, wholeReplies;
  whole.feed(stream, wholeData, wholeReplies);
  if (wholeData.size() > stream.size() || wholeReplies.size() > kMaxReplies) __builtin_trap();
  const std::string& type = whole.terminalType();
  if (type.size() > 40) __builtin_trap();
  for (const char c : type) {
    if (c < 0x21 || c > 0x7e) __builtin_trap();
  }

  TelnetDecoder pieces;
  std::string pieceData, pieceReplies;
  const std::size_t chunk = kChunks[data[0] % 8];
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    pieces.feed(stream.substr(at, chunk), pieceData, pieceReplies);
  }
  if (pieceData != wholeData || pieceReplies != wholeReplies) __builtin_trap();
  if (pieces.terminalType() != type || pieces.anomaly() != whole.anomaly()) __builtin_trap();
  return 0;
}
