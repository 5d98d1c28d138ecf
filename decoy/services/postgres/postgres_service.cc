// PostgreSQL on the decoy's event loop: SSL/GSSENC refused with 'N', StartupMessage, md5 (or
// cleartext) password authentication, and a simple-query loop for logins the persona allows.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "decoy/common/stream/stream_session.h"
#include "decoy/service.h"
#include "decoy/services/postgres/postgres_protocol.h"

namespace decnet::decoy {
namespace {

namespace pg = postgres;

constexpr std::size_t kMaxAuthMessage = 65535;  // PG_MAX_AUTH_TOKEN_LENGTH
constexpr std::size_t kMaxQueryMessage = 1024 * 1024;
constexpr int kMaxMessages = 1000;

struct PostgresShared {
  std::string version;
  bool cleartext = false;
  std::vector<std::pair<std::string, std::string>> users;
  std::chrono::seconds idleTimeout{60};
  std::mt19937 random{std::random_device{}()};
};

std::string lowerTrimmed(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ';' || c == '\0') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const auto first = out.find_first_not_of(" \t\r\n");
  const auto last = out.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
}

class PostgresSession : public stream::StreamSession {
 public:
  PostgresSession(std::shared_ptr<Connection> connection, std::shared_ptr<PostgresShared> shared)
      : StreamSession(std::move(connection), shared->idleTimeout), shared_(std::move(shared)) {}

 private:
  enum class State { kStartup, kPassword, kReady };

  // StreamSession
  bool onBytes(std::string& buffer, std::string& out) override {
    bool closing = false;
    while (!closing) {
      std::string problem;
      if (state_ == State::kStartup) {
        pg::Startup startup;
        const pg::Frame frame = pg::takeStartup(buffer, startup, problem);
        if (frame == pg::Frame::kNeedMore) break;
        if (frame == pg::Frame::kBad) {
          anomaly(problem, buffer);
          closing = true;  // PostgreSQL only logs "invalid length of startup packet"
          break;
        }
        closing = onStartup(startup, out);
      } else {
        pg::Message message;
        const pg::Frame frame = pg::takeMessage(
            buffer, message, state_ == State::kPassword ? kMaxAuthMessage : kMaxQueryMessage,
            problem);
        if (frame == pg::Frame::kNeedMore) break;
        if (frame == pg::Frame::kBad) {
          anomaly(problem, buffer);
          out += pg::errorResponse("FATAL", "08P01", "invalid message length");
          closing = true;
          break;
        }
        closing = ++messages_ > kMaxMessages ||
                  (state_ == State::kPassword ? onPassword(message, out) : onQuery(message, out));
      }
    }
    return closing;
  }

  bool onStartup(const pg::Startup& startup, std::string& out) {
    if (startup.code == pg::kSslRequest || startup.code == pg::kGssEncRequest) {
      if (++negotiations_ > 2) {
        anomaly("repeated_encryption_request", {});
        return true;
      }
      out += "N";
      return false;
    }
    if (startup.code == pg::kCancelRequest) {
      connection().record("cancel", {{"pid", std::to_string(startup.cancelPid)},
                                     {"key", std::to_string(startup.cancelKey)}});
      return true;
    }
    if (startup.code != pg::kProtocol3) {
      const std::string version =
          std::to_string(startup.code >> 16) + "." + std::to_string(startup.code & 0xffff);
      anomaly("unsupported_protocol_" + version, {});
      out += pg::errorResponse(
          "FATAL", "0A000",
          "unsupported frontend protocol " + version + ": server supports 3.0 to 3.0",
          "postmaster.c", pg::postmasterErrorLine(shared_->version), "ProcessStartupPacket");
      return true;
    }
    user_ = startup.param("user");
    database_ = startup.param("database");
    if (database_.empty()) database_ = user_;
    clientEncoding_ = startup.param("client_encoding");
    if (clientEncoding_.empty() || clientEncoding_ == "auto") clientEncoding_ = "UTF8";
    applicationName_ = startup.param("application_name");
    connection().record(
        "startup",
        {{"user", user_}, {"database", database_}, {"application_name", applicationName_}});
    if (user_.empty()) {
      out +=
          pg::errorResponse("FATAL", "28000", "no PostgreSQL user name specified in startup packet",
                            "postmaster.c", 2258, "ProcessStartupPacket");
      return true;
    }
    state_ = State::kPassword;
    if (shared_->cleartext) {
      out += pg::authentication(3);
    } else {
      salt_.clear();
      for (int i = 0; i < 4; ++i) salt_.push_back(static_cast<char>(shared_->random() & 0xff));
      out += pg::authentication(5, salt_);
    }
    return false;
  }

  bool onPassword(const pg::Message& message, std::string& out) {
    if (message.type != 'p') {
      anomaly("expected_password_message", message.body);
      out += pg::errorResponse("FATAL", "08P01",
                               std::string("expected password response, got message type ") +
                                   std::to_string(static_cast<unsigned char>(message.type)),
                               "auth.c", 748, "recv_password_packet");
      return true;
    }
    std::string secret = message.body;
    if (!secret.empty() && secret.back() == '\0') secret.pop_back();
    const bool success =
        std::any_of(shared_->users.begin(), shared_->users.end(), [&](const auto& entry) {
          return entry.first == user_ &&
                 (shared_->cleartext ? secret == entry.second
                                     : secret == pg::md5Password(user_, entry.second, salt_));
        });
    Fields fields;
    addCredential(fields, user_, secret, success);
    fields.emplace_back("method", shared_->cleartext ? "cleartext" : "md5");
    fields.emplace_back("database", database_);
    if (!shared_->cleartext) fields.emplace_back("salt_b64", base64Encode(salt_));
    connection().record("auth_attempt", std::move(fields));
    if (!success) {
      out += pg::errorResponse("FATAL", "28P01",
                               "password authentication failed for user \"" + user_ + "\"",
                               "auth.c", 326, "auth_failed");
      return true;
    }
    state_ = State::kReady;
    out += pg::authentication(0);
    const std::vector<std::pair<std::string, std::string>> parameters = {
        {"application_name", applicationName_},
        {"client_encoding", clientEncoding_},
        {"DateStyle", "ISO, MDY"},
        {"default_transaction_read_only", "off"},
        {"in_hot_standby", "off"},
        {"integer_datetimes", "on"},
        {"IntervalStyle", "postgres"},
        {"is_superuser", user_ == "postgres" ? "on" : "off"},
        {"server_encoding", "UTF8"},
        {"server_version", shared_->version},
        {"session_authorization", user_},
        {"standard_conforming_strings", "on"},
        {"TimeZone", "Etc/UTC"}};
    for (const auto& [name, value] : parameters) out += pg::parameterStatus(name, value);
    out += pg::backendKeyData(1000 + shared_->random() % 60000, shared_->random());
    out += pg::readyForQuery();
    return false;
  }

  bool onQuery(const pg::Message& message, std::string& out) {
    switch (message.type) {
      case 'X':
        return true;
      case 'Q': {
        std::string query = message.body;
        if (!query.empty() && query.back() == '\0') query.pop_back();
        connection().record("query", {{"query", query.substr(0, 4096)}});
        out += answer(query) + pg::readyForQuery();
        return false;
      }
      case 'S':  // Sync of the extended protocol
        out += pg::readyForQuery();
        return false;
      case 'P':
        connection().record("query", {{"query", message.body.substr(0, 4096)}});
        out += denied();
        return false;
      default:
        return false;  // Bind/Describe/Execute/Flush after a refused Parse: nothing to say
    }
  }

  std::string denied() const {
    return pg::errorResponse("ERROR", "42501", "permission denied for schema public", "aclchk.c",
                             3650, "aclcheck_error");
  }

  std::string answer(const std::string& query) const {
    const std::string q = lowerTrimmed(query);
    if (q.empty()) return pg::message('I', "");
    if (q == "select version()") {
      return pg::singleRow({"version"}, {"PostgreSQL " + shared_->version +
                                         " on x86_64-pc-linux-gnu, compiled by gcc (Debian "
                                         "12.2.0-14) 12.2.0, 64-bit"});
    }
    if (q == "select current_user" || q == "select current_user()" || q == "select user") {
      return pg::singleRow({"current_user"}, {user_});
    }
    if (q == "select current_database()") return pg::singleRow({"current_database"}, {database_});
    if (q == "show server_version") return pg::singleRow({"server_version"}, {shared_->version});
    return denied();
  }

  std::shared_ptr<PostgresShared> shared_;
  State state_ = State::kStartup;
  std::string user_, database_, clientEncoding_, applicationName_, salt_;
  int negotiations_ = 0;
  int messages_ = 0;
};

class PostgresService final : public Service {
 public:
  explicit PostgresService(std::shared_ptr<PostgresShared> shared) : shared_(std::move(shared)) {}

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    std::make_shared<PostgresSession>(std::move(connection), shared_)->start();
  }

 private:
  std::shared_ptr<PostgresShared> shared_;
};

class PostgresServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "postgres"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto shared = std::make_shared<PostgresShared>();
    shared->version = persona.text("version");
    if (shared->version.empty() || shared->version.find('\0') != std::string::npos) {
      persona.invalid("version", "must be a non-empty version string");
    }
    shared->cleartext = persona.text("auth_method") == "cleartext";
    shared->users = persona.users("users");
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    shared->idleTimeout = context.idleTimeout;
    return std::make_unique<PostgresService>(std::move(shared));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(PostgresServiceFactory);

}  // namespace decnet::decoy
