// Microsoft SQL Server (TDS) on the decoy's event loop: PRELOGIN without encryption, LOGIN7
// with the password de-obfuscated, and "Login failed" unless the persona allows the login.
#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "decoy/service.h"
#include "decoy/services/mssql/mssql_protocol.h"

namespace decnet::decoy {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kRawPreview = 256;
constexpr int kMaxMessages = 1000;

struct MssqlShared {
  std::string version;
  std::string serverName;
  std::vector<std::pair<std::string, std::string>> users;
  std::chrono::seconds idleTimeout{60};
};

class MssqlSession : public std::enable_shared_from_this<MssqlSession> {
 public:
  MssqlSession(std::shared_ptr<Connection> connection, std::shared_ptr<MssqlShared> shared)
      : connection_(std::move(connection)),
        shared_(std::move(shared)),
        timer_(connection_->socket().get_executor()) {}

  void start() { read(); }

 private:
  void read() {
    armTimer();
    connection_->socket().async_read_some(
        asio::buffer(chunk_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                          std::size_t n) { self->onRead(ec, n); });
  }

  void onRead(const boost::system::error_code& ec, std::size_t n) {
    if (ec) {
      close();
      return;
    }
    connection_->addBytesIn(n);
    buffer_.append(chunk_.data(), n);
    std::string out;
    bool closing = false;
    mssql::Packet packet;
    while (!closing) {
      std::string problem;
      const mssql::Frame frame = mssql::takePacket(buffer_, packet, problem);
      if (frame == mssql::Frame::kNeedMore) break;
      if (frame == mssql::Frame::kBad) {
        anomaly(problem, buffer_);
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
    write(std::move(out), closing);
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
      connection_->record("prelogin", {{"client_version", prelogin.clientVersion},
                                       {"encryption", mssql::encryptionName(prelogin.encryption)},
                                       {"instance", prelogin.instance}});
      // A client that insists on TLS cannot go on with a server that has none.
      if (prelogin.encryption == 3) return true;
      out += mssql::preloginResponse(shared_->version, prelogin);
      return false;
    }
    if (type == mssql::kLogin7 && !loggedIn_) {
      mssql::Login7 login;
      std::string problem;
      const bool parsed = mssql::parseLogin7(payload, login, problem);
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
      connection_->record("auth_attempt", std::move(fields));
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
      connection_->record("query", {{"query", mssql::sqlBatchText(payload).substr(0, 4096)}});
      out += mssql::errorReply(229, 14, "The SELECT permission was denied on the object.",
                               shared_->serverName);
      return false;
    }
    char name[8];
    std::snprintf(name, sizeof(name), "0x%02x", type);
    anomaly(std::string("unexpected_packet_type_") + name, payload);
    return true;
  }

  void anomaly(const std::string& what, std::string_view raw) {
    connection_->record("anomaly",
                        {{"anomaly", what}, {"raw_b64", base64Encode(raw.substr(0, kRawPreview))}},
                        {}, kSeverityWarning);
  }

  void write(std::string data, bool closing) {
    if (data.empty()) {
      closing ? close() : read();
      return;
    }
    outgoing_ = std::move(data);
    asio::async_write(
        connection_->socket(), asio::buffer(outgoing_),
        [self = shared_from_this(), closing](const boost::system::error_code& ec, std::size_t n) {
          self->connection_->addBytesOut(n);
          if (ec || closing) {
            self->close();
          } else {
            self->read();
          }
        });
  }

  void armTimer() {
    timer_.expires_after(shared_->idleTimeout);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->close();
    });
  }

  void close() {
    timer_.cancel();
    boost::system::error_code ignored;
    connection_->socket().close(ignored);
  }

  std::shared_ptr<Connection> connection_;
  std::shared_ptr<MssqlShared> shared_;
  asio::steady_timer timer_;
  std::array<char, 16 * 1024> chunk_{};
  std::string buffer_;
  std::string outgoing_;
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
