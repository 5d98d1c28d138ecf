// Redis on the decoy's event loop: no greeting, one command at a time, replies in order.
#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "api/catalog/catalog.h"
#include "decoy/common/stream/stream_session.h"
#include "decoy/service.h"
#include "decoy/services/redis/redis_protocol.h"

namespace decnet::decoy {
namespace {

constexpr int kMaxCommandsPerConnection = 10000;

std::uint64_t unixNow() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

struct RedisShared {
  redis::Settings settings;
  std::chrono::seconds idleTimeout{60};
  std::uint64_t nextClientId = 3;
};

// The settings as this connection sees them: CLIENT LIST shows the address it reached.
redis::Settings localSettings(redis::Settings settings, Connection& connection) {
  boost::system::error_code ec;
  const auto local = connection.socket().local_endpoint(ec);
  if (!ec) settings.hostname = local.address().to_string();
  return settings;
}

// What one connection may buffer for a command still arriving (4 MiB).
constexpr std::size_t kMaxPendingBytes = 4 * 1024 * 1024;

class RedisSession : public stream::StreamSession {
 public:
  RedisSession(std::shared_ptr<Connection> connection, std::shared_ptr<RedisShared> shared)
      : StreamSession(std::move(connection), shared->idleTimeout),
        engine_(localSettings(shared->settings, this->connection()),
                this->connection().peer().ip + ":" + std::to_string(this->connection().peer().port),
                this->connection().peer().localPort, shared->nextClientId++) {}

 private:
  // StreamSession
  bool onBytes(std::string& buffer, std::string& out) override {
    bool closing = false;
    while (!closing) {
      const redis::Parsed parsed = redis::parseCommand(buffer);
      if (parsed.status == redis::Parsed::Status::kNeedMore) {
        // Each bulk is bounded, but their sum per command is not: cap what one connection may
        // hold while a command is incomplete.
        if (buffer.size() > kMaxPendingBytes) {
          commandAnomaly("command_too_large", buffer);
          out += redis::error("ERR Protocol error: command too large");
          closing = true;
        }
        break;
      }
      if (parsed.status == redis::Parsed::Status::kError) {
        commandAnomaly(parsed.anomaly, buffer);
        out += redis::error("ERR " + parsed.error);
        closing = true;
        break;
      }
      buffer.erase(0, parsed.consumed);
      if (parsed.status == redis::Parsed::Status::kEmpty) continue;
      redis::Reply reply = engine_.execute(parsed.args, unixNow());
      for (auto& event : reply.events) {
        const bool odd = std::any_of(event.fields.begin(), event.fields.end(),
                                     [](const auto& f) { return f.first == "anomaly"; });
        connection().record(event.type, std::move(event.fields), {},
                            odd ? kSeverityWarning : kSeverityInfo);
      }
      out += reply.bytes;
      closing = reply.close || ++commands_ >= kMaxCommandsPerConnection;
    }
    return closing;
  }

  // Redis logs unparsable input as a `command` event with an anomaly, not an `anomaly` event.
  void commandAnomaly(const std::string& what, std::string_view raw) {
    connection().record(
        "command", {{"cmd", ""}, {"args", ""}, {"anomaly", what}, {"raw_b64", rawPreview(raw)}}, {},
        kSeverityWarning);
  }

  redis::Engine engine_;
  int commands_ = 0;
};

class RedisService final : public Service {
 public:
  explicit RedisService(std::shared_ptr<RedisShared> shared) : shared_(std::move(shared)) {}

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    std::make_shared<RedisSession>(std::move(connection), shared_)->start();
  }

 private:
  std::shared_ptr<RedisShared> shared_;
};

class RedisServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "redis"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto shared = std::make_shared<RedisShared>();
    shared->settings.version = persona.text("version");
    std::string release = api::catalog::kernelRelease(*context.distro);
    if (release.empty()) release = "6.1.0-18-amd64";
    shared->settings.os = persona.text("os", "Linux " + release + " x86_64");
    if (shared->settings.os.empty()) shared->settings.os = "Linux " + release + " x86_64";
    shared->settings.password = persona.text("password");
    for (const char* key : {"version", "os"}) {
      if (persona.text(key, "").find_first_of("\r\n") != std::string::npos) {
        persona.invalid(key, "must be one line");
      }
    }
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    shared->settings.hostname = "127.0.0.1";
    shared->settings.startedAt = unixNow();
    shared->settings.runSeed =
        static_cast<std::uint32_t>(std::hash<std::string>{}(context.hostname + "redis"));
    shared->idleTimeout = context.idleTimeout;
    return std::make_unique<RedisService>(std::move(shared));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(RedisServiceFactory);

}  // namespace decnet::decoy
