// MySQL/MariaDB on the decoy's event loop: greeting, one login (native password, switching
// clients that ask for another plugin), then a few canned answers to the queries clients send.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "api/catalog/catalog.h"
#include "decoy/common/stream/stream_session.h"
#include "decoy/service.h"
#include "decoy/services/mysql/mysql_protocol.h"

namespace decnet::decoy {
namespace {

constexpr int kMaxCommands = 1000;
constexpr char kNative[] = "mysql_native_password";

struct MysqlShared {
  std::string version;      // what SELECT VERSION() says
  std::string wireVersion;  // what the greeting says (MariaDB adds "5.5.5-")
  std::string comment;      // @@version_comment
  std::string product;      // "MariaDB" or "MySQL" in syntax errors
  std::string hostname;
  std::uint8_t charset = 45;
  std::vector<std::pair<std::string, std::string>> users;
  std::chrono::seconds idleTimeout{60};
  std::uint32_t nextConnectionId = 8;
  std::mt19937 random{std::random_device{}()};
};

std::string lowerTrimmed(std::string_view text) {
  while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.front())) != 0)) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (std::isspace(static_cast<unsigned char>(text.back())) != 0 || text.back() == ';')) {
    text.remove_suffix(1);
  }
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

class MysqlSession : public stream::StreamSession {
 public:
  MysqlSession(std::shared_ptr<Connection> connection, std::shared_ptr<MysqlShared> shared)
      : StreamSession(std::move(connection), shared->idleTimeout), shared_(std::move(shared)) {
    // Printable, as real servers generate it, never NUL.
    for (int i = 0; i < 20; ++i)
      scramble_.push_back(static_cast<char>(0x21 + shared_->random() % 94));
    connectionId_ = shared_->nextConnectionId++;
  }

  // The server greeting (HandshakeV10) this session starts with.
  std::string greeting() const {
    return mysql::packet(
        0, mysql::handshake(shared_->wireVersion, connectionId_, scramble_, shared_->charset));
  }

 private:
  enum class State { kHandshake, kAuthSwitch, kCommand };

  // StreamSession
  bool onBytes(std::string& buffer, std::string& out) override {
    bool closing = false;
    mysql::Packet packet;
    while (!closing) {
      const mysql::Frame frame = mysql::takePacket(buffer, packet);
      if (frame == mysql::Frame::kNeedMore) break;
      if (frame == mysql::Frame::kTooLarge) {
        anomaly("packet_too_large", buffer);
        out += state_ == State::kCommand
                   ? mysql::packet(1, mysql::errPayload(1153, "08S01",
                                                        "Got a packet bigger than "
                                                        "'max_allowed_packet' bytes"))
                   : badHandshake(2);
        closing = true;
        break;
      }
      closing = handle(packet, out);
    }
    return closing;
  }

  std::string badHandshake(std::uint8_t sequence) {
    return mysql::packet(sequence, mysql::errPayload(1043, "08S01", "Bad handshake"));
  }

  // Handles one packet; true when the connection should close after `out` is sent.
  bool handle(const mysql::Packet& packet, std::string& out) {
    const auto next = static_cast<std::uint8_t>(packet.sequence + 1);
    switch (state_) {
      case State::kHandshake: {
        if (packet.sequence != 1) {
          anomaly("bad_sequence", packet.payload);
          out += mysql::packet(next, mysql::errPayload(1156, "08S01", "Got packets out of order"));
          return true;
        }
        std::string problem;
        auto response = mysql::parseHandshakeResponse(packet.payload, problem);
        if (!response) {
          anomaly(problem, packet.payload);
          out += badHandshake(next);
          return true;
        }
        if (response->sslRequest) {
          anomaly("ssl_request_without_ssl", packet.payload);
          return true;
        }
        if (!problem.empty()) anomaly(problem, packet.payload);
        response_ = std::move(*response);
        if (response_.plugin.empty() || response_.plugin == kNative) {
          return finishLogin(response_.authResponse, next, out);
        }
        state_ = State::kAuthSwitch;
        out += mysql::packet(next, mysql::authSwitch(kNative, scramble_));
        return false;
      }
      case State::kAuthSwitch:
        return finishLogin(packet.payload, next, out);
      case State::kCommand:
        return command(packet, next, out);
    }
    return true;
  }

  bool finishLogin(const std::string& authData, std::uint8_t sequence, std::string& out) {
    const std::string& user = response_.user;
    const bool success =
        std::any_of(shared_->users.begin(), shared_->users.end(), [&](const auto& entry) {
          return entry.first == user &&
                 mysql::verifyNativePassword(entry.second, scramble_, authData);
        });
    std::string attributes;
    for (const auto& [key, value] : response_.attributes) {
      if (attributes.size() > 512) break;
      if (!attributes.empty()) attributes += ", ";
      attributes += key + "=" + value;
    }
    connection().record(
        "auth_attempt",
        {{"principal", user},
         {"auth_plugin", response_.plugin.empty() ? std::string(kNative) : response_.plugin},
         {"secret_b64", base64Encode(authData)},
         {"scramble_b64", base64Encode(scramble_)},
         {"database", response_.database},
         {"client_attrs", attributes},
         {"outcome", success ? "success" : "failed"}});
    if (!success) {
      out += mysql::packet(
          sequence,
          mysql::errPayload(1045, "28000",
                            "Access denied for user '" + user + "'@'" + connection().peer().ip +
                                "' (using password: " + (authData.empty() ? "NO" : "YES") + ")"));
      return true;
    }
    database_ = response_.database;
    state_ = State::kCommand;
    out += mysql::packet(sequence, mysql::okPayload());
    return false;
  }

  bool command(const mysql::Packet& packet, std::uint8_t sequence, std::string& out) {
    if (packet.payload.empty() || ++commands_ > kMaxCommands) return true;
    const auto code = static_cast<unsigned char>(packet.payload[0]);
    const std::string body = packet.payload.substr(1);
    switch (code) {
      case 0x01:  // COM_QUIT
        return true;
      case 0x02:  // COM_INIT_DB
        connection().record("query", {{"query", "USE " + body.substr(0, 4096)}});
        database_ = body.substr(0, 64);
        out += mysql::packet(sequence, mysql::okPayload());
        return false;
      case 0x03:  // COM_QUERY
        connection().record("query", {{"query", body.substr(0, 4096)}});
        out += answer(body, sequence);
        return false;
      case 0x0e:  // COM_PING
        out += mysql::packet(sequence, mysql::okPayload());
        return false;
      case 0x04:  // COM_FIELD_LIST
        out += mysql::packet(sequence, mysql::eofPayload());
        return false;
      default:
        out += mysql::packet(sequence, mysql::errPayload(1047, "08S01", "Unknown command"));
        return false;
    }
  }

  std::string answer(const std::string& query, std::uint8_t sequence) {
    const std::string q = lowerTrimmed(query);
    if (q.rfind("select ", 0) == 0) {
      if (auto rows = selectList(query); rows)
        return mysql::resultSet(sequence, rows->first, {rows->second});
    }
    if (q == "show databases" || q == "show schemas") {
      return mysql::resultSet(sequence, {"Database"},
                              {{"information_schema"}, {"mysql"}, {"performance_schema"}, {"sys"}});
    }
    if (q == "show tables") {
      if (database_.empty()) {
        return mysql::packet(sequence, mysql::errPayload(1046, "3D000", "No database selected"));
      }
      return mysql::resultSet(sequence, {"Tables_in_" + database_}, {});
    }
    if (q.rfind("set ", 0) == 0 || q.rfind("use ", 0) == 0 || q.empty()) {
      if (q.rfind("use ", 0) == 0) database_ = query.substr(query.find_first_of(" \t") + 1, 64);
      return mysql::packet(sequence, mysql::okPayload());
    }
    std::string near = query.substr(0, 80);
    for (char& c : near) {
      if (c == '\'' || c == '\0') c = ' ';
    }
    return mysql::packet(
        sequence, mysql::errPayload(1064, "42000",
                                    "You have an error in your SQL syntax; check the manual that "
                                    "corresponds to your " +
                                        shared_->product +
                                        " server version for the right syntax to use near '" +
                                        near + "' at line 1"));
  }

  // Value of one SELECT expression clients send on their own (status, version checks).
  std::optional<std::optional<std::string>> expression(const std::string& item) const {
    const std::string e = lowerTrimmed(item);
    const std::string who = response_.user + "@" + connection().peer().ip;
    if (e == "version()" || e == "@@version") return shared_->version;
    if (e == "@@version_comment") return shared_->comment;
    if (e == "database()" || e == "schema()") {
      return database_.empty() ? std::nullopt : std::optional(database_);
    }
    if (e == "user()" || e == "session_user()" || e == "system_user()") return who;
    if (e == "current_user()" || e == "current_user") return response_.user + "@%";
    if (e == "connection_id()") return std::to_string(connectionId_);
    if (e.rfind("@@character_set_", 0) == 0) return std::string("utf8mb4");
    if (e.rfind("@@collation_", 0) == 0) return std::string("utf8mb4_general_ci");
    if (e == "@@hostname") return shared_->hostname;
    if (e == "@@port") return std::to_string(connection().peer().localPort);
    if (e == "@@datadir") return std::string("/var/lib/mysql/");
    if (e == "@@version_compile_os") return std::string("debian-linux-gnu");
    if (e == "@@version_compile_machine") return std::string("x86_64");
    if (e == "@@max_allowed_packet") return std::string("16777216");
    if (!e.empty() && std::all_of(e.begin(), e.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      return e;
    }
    if (e.size() >= 2 && (e.front() == '\'' || e.front() == '"') && e.back() == e.front()) {
      const auto first = item.find(e.front());
      const auto last = item.rfind(e.front());
      return item.substr(first + 1, last - first - 1);
    }
    return std::nullopt;
  }

  // "SELECT a, b [LIMIT n]" of known expressions: column names and the one row; else nullopt.
  std::optional<std::pair<std::vector<std::string>, std::vector<std::optional<std::string>>>>
  selectList(const std::string& query) const {
    std::string list = query.substr(std::min(query.size(), query.find_first_of(" \t\r\n") + 1));
    const std::string lowered = lowerTrimmed(list);
    while (!list.empty() &&
           (std::isspace(static_cast<unsigned char>(list.back())) != 0 || list.back() == ';'))
      list.pop_back();
    const auto limit = lowered.rfind(" limit ");
    if (limit != std::string::npos) {
      std::string lower = list;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      list.resize(lower.rfind("limit"));
    }
    std::pair<std::vector<std::string>, std::vector<std::optional<std::string>>> out;
    std::size_t start = 0;
    while (start <= list.size() && out.first.size() < 32) {
      const auto comma = list.find(',', start);
      std::string item =
          list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())) != 0)
        item.erase(0, 1);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())) != 0)
        item.pop_back();
      auto value = expression(item);
      if (!value) return std::nullopt;
      const bool quoted = !item.empty() && (item.front() == '\'' || item.front() == '"');
      out.first.push_back(quoted ? **value : item);
      out.second.push_back(*value);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }

  std::shared_ptr<MysqlShared> shared_;
  std::string scramble_;
  std::uint32_t connectionId_ = 0;
  State state_ = State::kHandshake;
  mysql::HandshakeResponse response_;
  std::string database_;
  int commands_ = 0;
};

class MysqlService final : public Service {
 public:
  explicit MysqlService(std::shared_ptr<MysqlShared> shared) : shared_(std::move(shared)) {}

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    auto session = std::make_shared<MysqlSession>(std::move(connection), shared_);
    session->start(session->greeting());
  }

 private:
  std::shared_ptr<MysqlShared> shared_;
};

class MysqlServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "mysql"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto shared = std::make_shared<MysqlShared>();
    std::string fallback = context.distro->mysqlVersion;
    if (fallback.empty()) fallback = "10.11.6-MariaDB-0+deb12u1";
    shared->version = persona.text("version", fallback);
    if (shared->version.empty()) shared->version = fallback;
    if (shared->version.find('\0') != std::string::npos || shared->version.size() > 64) {
      persona.invalid("version", "must be at most 64 characters without NUL");
    }
    shared->users = persona.users("users");
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    const bool mariadb = shared->version.find("MariaDB") != std::string::npos;
    shared->wireVersion = (mariadb && shared->version.rfind("5.5.5-", 0) != 0)
                              ? "5.5.5-" + shared->version
                              : shared->version;
    if (shared->version.rfind("5.5.5-", 0) == 0) shared->version.erase(0, 6);
    shared->product = mariadb ? "MariaDB" : "MySQL";
    std::string lowered = shared->version;
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (mariadb) {
      shared->comment = lowered.find("deb") != std::string::npos
                            ? context.distro->displayName
                            : "mariadb.org binary distribution";
      shared->charset = 45;
    } else {
      shared->comment =
          lowered.find("ubuntu") != std::string::npos ? "(Ubuntu)" : "MySQL Community Server - GPL";
      shared->charset = shared->version.rfind("8.", 0) == 0 ? 255 : 8;
    }
    shared->hostname = context.hostname;
    shared->idleTimeout = context.idleTimeout;
    shared->nextConnectionId = 8 + shared->random() % 200;
    return std::make_unique<MysqlService>(std::move(shared));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(MysqlServiceFactory);

}  // namespace decnet::decoy
