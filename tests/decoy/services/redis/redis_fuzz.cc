// libFuzzer target: parseCommand framing and the Engine, driven as RedisSession drives them
// (reads appended to a buffer, every complete command executed, an error closes). Byte 0 picks
// the read size (bits 0-2) and requirepass "secret" (bit 3); the rest is the client's stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoy/services/redis/redis_protocol.h"

namespace {

using decnet::decoy::redis::Parsed;

constexpr std::size_t kChunks[] = {0, 1, 2, 3, 9, 32, 300, 4096};  // 0: all at once
constexpr int kMaxCommands = 10000;                                // redis_service.cc
constexpr std::uint64_t kNow = 1700000000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  decnet::decoy::redis::Settings settings;
  settings.hostname = "cache-01";
  settings.startedAt = kNow - 86400;
  settings.runSeed = 42;
  if ((data[0] & 0x08) != 0) settings.password = "secret";
  decnet::decoy::redis::Engine engine(settings, "203.0.113.7:51234", 6379, 7);

  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t chunk = kChunks[data[0] % 8];
  if (chunk == 0) chunk = stream.size();
  std::string buffer;
  int commands = 0;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    buffer.append(stream.substr(at, chunk));
    for (;;) {
      const Parsed parsed = decnet::decoy::redis::parseCommand(buffer);
      if (parsed.status == Parsed::Status::kNeedMore) {
        if (parsed.consumed != 0 || !parsed.args.empty()) __builtin_trap();
        break;
      }
      if (parsed.status == Parsed::Status::kError) {
        if (parsed.error.empty() || parsed.anomaly.empty()) __builtin_trap();
        return 0;
      }
      if (parsed.consumed == 0 || parsed.consumed > buffer.size()) __builtin_trap();
      if (parsed.args.size() > decnet::decoy::redis::kMaxArgs) __builtin_trap();
      for (const auto& arg : parsed.args) {
        if (arg.size() > decnet::decoy::redis::kMaxBulk) __builtin_trap();
      }
      buffer.erase(0, parsed.consumed);
      if (parsed.status == Parsed::Status::kEmpty) continue;
      if (parsed.args.empty()) __builtin_trap();
      const auto reply = engine.execute(parsed.args, kNow + static_cast<std::uint64_t>(at));
      // Answers are bounded by what was stored, i.e. by what the client sent, plus fixed text.
      if (reply.bytes.size() > 64 * 1024 + 4 * (at + chunk)) __builtin_trap();
      if (reply.events.empty()) __builtin_trap();  // every command becomes an event
      if (reply.close || ++commands >= kMaxCommands) return 0;
    }
  }
  return 0;
}
