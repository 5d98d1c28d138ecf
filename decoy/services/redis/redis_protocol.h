#pragma once
// RESP2 and inline command framing plus a tiny Redis command engine, free of any I/O so tests
// drive it with bytes. Nothing a client sends is executed or written to disk: CONFIG SET and SET
// only change per-connection memory.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decoy/event_writer.h"

namespace decnet::decoy::redis {

inline constexpr std::size_t kMaxInline = 64 * 1024;  // Redis' PROTO_INLINE_MAX_SIZE
inline constexpr std::size_t kMaxBulk = 1024 * 1024;  // far below Redis' 512 MB, enough for keys
inline constexpr std::size_t kMaxArgs = 1024;         // arguments of one command
inline constexpr std::size_t kMaxKeys = 64;           // keys kept per connection
inline constexpr std::size_t kMaxConfig = 32;         // CONFIG SET overrides kept per connection

struct Parsed {
  enum class Status { kNeedMore, kCommand, kEmpty, kError };
  Status status = Status::kNeedMore;
  std::vector<std::string> args;
  std::size_t consumed = 0;  // bytes of the buffer this command (or blank line) used
  std::string error;         // kError: the Redis protocol error text (after "-ERR ")
  std::string anomaly;       // kError: the event tag
};

// Frames the next command of `buffer`: a RESP array of bulk strings or an inline line.
Parsed parseCommand(std::string_view buffer);

// RESP2 encoders.
std::string simple(std::string_view text);
std::string error(std::string_view text);
std::string integer(long long value);
std::string bulk(std::string_view data);
std::string nullBulk();
std::string array(const std::vector<std::string>& items);  // items already encoded

// Glob-style match as Redis KEYS and CONFIG GET use it (*, ?, [abc], backslash).
bool globMatch(std::string_view pattern, std::string_view text, bool nocase = false);

struct Settings {
  std::string version = "7.2.7";
  std::string os = "Linux 6.1.0-18-amd64 x86_64";
  std::string password;  // empty: no requirepass
  std::string hostname;
  std::uint64_t startedAt = 0;  // unix seconds when the decoy started
  std::uint32_t runSeed = 0;    // makes run_id stable per decoy
};

struct Event {
  std::string type;
  Fields fields;
};

struct Reply {
  std::string bytes;  // what to send
  bool close = false;
  std::vector<Event> events;
};

// One client's view of a Redis server.
class Engine {
 public:
  Engine(Settings settings, std::string peer, std::uint16_t localPort, std::uint64_t clientId);
  // Executes one parsed command at unix time `now` and says what to answer and record.
  Reply execute(const std::vector<std::string>& args, std::uint64_t now);

 private:
  std::string info(std::string_view section, std::uint64_t now) const;
  std::string configGet(const std::vector<std::string>& args) const;
  std::string clientList(std::uint64_t now) const;
  std::string unknown(const std::vector<std::string>& args) const;

  Settings settings_;
  std::string peer_;  // "ip:port"
  std::uint16_t localPort_;
  std::uint64_t clientId_;
  std::uint64_t connectedAt_ = 0;
  bool authenticated_;
  int db_ = 0;
  std::string name_;
  std::string lastCommand_ = "NULL";
  std::uint64_t commands_ = 0;
  std::map<std::pair<int, std::string>, std::string> store_;
  std::map<std::string, std::string> config_;
};

}  // namespace decnet::decoy::redis
