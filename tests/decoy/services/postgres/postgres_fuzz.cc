// libFuzzer target: PostgreSQL startup packets (SSL/GSSENC negotiation, cancel, StartupMessage)
// then typed messages, over chunked reads, as the postgres service frames them. Byte 0 picks
// the read size; the rest is the client's stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoy/services/postgres/postgres_protocol.h"

namespace {

using namespace decnet::decoy::postgres;

constexpr std::size_t kChunks[] = {0, 1, 2, 3, 5, 8, 100, 4096};  // 0: all at once
constexpr std::size_t kMaxAuthMessage = 65535;                    // postgres_service.cc
constexpr std::size_t kMaxQueryMessage = 1024 * 1024;
constexpr int kMaxMessages = 1000;

enum class State { kStartup, kPassword, kQuery };

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t chunk = kChunks[data[0] % 8];
  if (chunk == 0) chunk = stream.size();
  std::string buffer;
  State state = State::kStartup;
  std::string user;
  int negotiations = 0;
  int messages = 0;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    buffer.append(stream.substr(at, chunk));
    for (;;) {
      const std::size_t before = buffer.size();
      std::string anomaly;
      if (state == State::kStartup) {
        Startup startup;
        const Frame frame = takeStartup(buffer, startup, anomaly);
        if (frame == Frame::kNeedMore) {
          if (buffer.size() != before) __builtin_trap();
          break;
        }
        if (frame == Frame::kBad) {
          if (anomaly.empty()) __builtin_trap();
          return 0;
        }
        if (buffer.size() >= before || before - buffer.size() > kMaxStartup) __builtin_trap();
        if (startup.params.size() > 64) __builtin_trap();
        if (startup.code == kSslRequest || startup.code == kGssEncRequest) {
          if (++negotiations > 2) return 0;
          continue;
        }
        if (startup.code != kProtocol3) return 0;
        user = startup.param("user");
        (void)errorResponse("FATAL", "28P01",
                            "password authentication failed for user \"" + user + "\"");
        (void)parameterStatus("application_name", startup.param("application_name"));
        state = State::kPassword;
        continue;
      }
      Message message;
      const std::size_t limit = state == State::kPassword ? kMaxAuthMessage : kMaxQueryMessage;
      const Frame frame = takeMessage(buffer, message, limit, anomaly);
      if (frame == Frame::kNeedMore) {
        if (buffer.size() != before) __builtin_trap();
        break;
      }
      if (frame == Frame::kBad) {
        if (anomaly.empty()) __builtin_trap();
        return 0;
      }
      if (message.body.size() + 4 > limit) __builtin_trap();
      if (buffer.size() != before - 5 - message.body.size()) __builtin_trap();
      if (state == State::kPassword) {
        const std::string hashed = md5Password(user, message.body, "salt");
        if (hashed.size() != 35) __builtin_trap();
        state = State::kQuery;
      } else {
        (void)singleRow({"?column?"}, {message.body.substr(0, 64)});
      }
      if (++messages > kMaxMessages) return 0;
    }
  }
  return 0;
}
