// Microsoft SQL Server (TDS) on the decoy's event loop: PRELOGIN without encryption, LOGIN7
// with the password de-obfuscated, and "Login failed" unless the persona allows the login.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "decoy/common/stream/stream_session.h"
#include "decoy/service.h"
#include "decoy/services/mssql/mssql_protocol.h"

namespace decnet::decoy {
namespace {

constexpr int kMaxMessages = 1000;

struct MssqlShared {
  std::string version;
  std::string serverName;
  std::vector<std::pair<std::string, std::string>> users;
  std::chrono::seconds idleTimeout{60};
};

class MssqlSession : public stream::StreamSession {
 public:
  MssqlSession(std::shared_ptr<Connection> connection, std::shared_ptr<MssqlShared> shared)
      : StreamSession(std::move(connection), shared->idleTimeout), shared_(std::move(shared)) {}

 private:
  // StreamSession
  bool onBytes(std::string& buffer, std::string& out) override {
    bool closing = false;
    mssql::Packet packet;
    while (!closing) {
      std::string problem;
      const mssql::Frame frame = mssql::takePacket(buffer, packet, problem);
      if (frame == mssql::Frame::kNeedMore) break;
      if (frame == mssql::Frame::kBad) {
        anomaly(problem, buffer);
        closing = true;
        break;
      }
      if (++messages_ > kMaxMessages) {
        closing = true;
        break;
      }
      // Reassemble multi-packet messages (bounded); act on the end-of-message packet.
      if (!message_.empty() && packet.type != messageType_) {
        anomaly("interleaved_packet_types", packet.payload);
        closing = true;
        break;
      }
      messageType_ = packet.type;
      message_ += packet.payload;
      if (message_.size() > mssql::kMaxMessage) {
        anomaly("message_too_large", message_);
        closing = true;
        break;
      }
      if ((packet.status & 0x01) == 0) continue;
      std::string complete = std::move(message_);
      message_.clear();
      closing = handle(messageType_, complete, out);
    }
    return closing;
  }

  // Handles one whole message; true when the connection should close after `out` is sent.
  bool handle(std::uint8_t type, const std::string& payload, std::string& out) {
    if (type == mssql::kPrelogin && !loggedIn_) {
      if (payload.size() >= 2 && payload[0] == '\x16' && payload[1] == '\x03') {
        anomaly("tls_without_encryption", payload);  // we said ENCRYPT_NOT_SUP
        return true;
      }
      mssql::Prelogin prelogin;
      std::string problem;
      if (!mssql::parsePrelogin(payload, prelogin, problem)) {
        anomaly(problem, payload);
        return true;
      }
      connection().record("prelogin", {{"client_version", prelogin.clientVersion},
                                       {"encryption", mssql::encryptionName(prelogin.encryption)},
                                       {"instance", prelogin.instance}});
      // A client that insists on TLS cannot go on with a server that has none.
      if (prelogin.encryption == 3) return true;
      out += mssql::preloginResponse(shared_->version, prelogin);
      return false;
    }
    if ((type == mssql::kLogin7 || type == mssql::kLegacyLogin) && !loggedIn_) {
      mssql::Login7 login;
      std::string problem;
      const bool parsed = type == mssql::kLogin7 ? mssql::parseLogin7(payload, login, problem)
                                                 : mssql::parseLegacyLogin(payload, login, problem);
      if (!problem.empty()) anomaly(problem, payload);
      if (!parsed) return true;
      const bool success =
          !login.sspi &&
          std::any_of(shared_->users.begin(), shared_->users.end(), [&](const auto& entry) {
            return entry.first == login.username && entry.second == login.password;
          });
      Fields fields;
      addCredential(fields, login.username, login.password, success);
      fields.emplace_back("hostname", login.hostname);
      fields.emplace_back("app_name", login.appName);
      fields.emplace_back("database", login.database);
      fields.emplace_back("server_name", login.serverName);
      fields.emplace_back("library", login.library);
      if (login.sspi) fields.emplace_back("sspi", "true");
      connection().record("auth_attempt", std::move(fields));
      if (!success) {
        out += mssql::loginFailed(login.username, shared_->serverName);
        return true;
      }
      loggedIn_ = true;
      out += mssql::loginAck(shared_->version,
                             login.database.empty() ? std::string("master") : login.database);
      return false;
    }
    if (type == mssql::kSqlBatch && loggedIn_) {
      connection().record("query", {{"query", mssql::sqlBatchText(payload).substr(0, 4096)}});
      out += mssql::errorReply(229, 14, "The SELECT permission was denied on the object.",
                               shared_->serverName);
      return false;
    }
    char name[8];
    std::snprintf(name, sizeof(name), "0x%02x", type);
    anomaly(std::string("unexpected_packet_type_") + name, payload);
    return true;
  }

  std::shared_ptr<MssqlShared> shared_;
  std::string message_;
  std::uint8_t messageType_ = 0;
  bool loggedIn_ = false;
  int messages_ = 0;
};

class MssqlService final : public Service {
 public:
  explicit MssqlService(std::shared_ptr<MssqlShared> shared) : shared_(std::move(shared)) {}

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    std::make_shared<MssqlSession>(std::move(connection), shared_)->start();
  }

 private:
  std::shared_ptr<MssqlShared> shared_;
};

class MssqlServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "mssql"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto shared = std::make_shared<MssqlShared>();
    shared->version = persona.text("version");
    unsigned major = 0, minor = 0, build = 0;
    if (std::sscanf(shared->version.c_str(), "%u.%u.%u", &major, &minor, &build) != 3 ||
        major > 255 || minor > 255 || build > 65535) {
      persona.invalid("version", "must be MAJOR.MINOR.BUILD, e.g. 15.0.2000");
    }
    shared->users = persona.users("users");
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    shared->serverName = context.hostname;
    for (char& c : shared->serverName)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    shared->idleTimeout = context.idleTimeout;
    return std::make_unique<MssqlService>(std::move(shared));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(MssqlServiceFactory);

}  // namespace decnet::decoy
