// telnetd: option negotiation (telnet_protocol.cc), the distro's issue banner, "HOST login: " and
// "Password: " (not echoed), "Login incorrect" after PAM's delay, three tries, then the fake shell
// for the persona's users. All I/O is async on the loop; the shell is pure and fast.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <memory>
#include <random>
#include <utility>

#include "api/catalog/catalog.h"
#include "decoy/common/shell/fake_shell.h"
#include "decoy/service.h"
#include "decoy/services/telnet/telnet_protocol.h"

namespace decnet::decoy::telnet {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr int kMaxTries = 3;
constexpr std::size_t kMaxLine = 1024;
constexpr std::size_t kMaxPending = 64 * 1024;  // unsent output before we give up on the client
constexpr int kMaxCommands = 2000;

struct TelnetConfig {
  std::string banner;  // "\r\n"-terminated lines before the first prompt
  FakeHost host;
  std::chrono::seconds idleTimeout{60};
};

class TelnetSession : public std::enable_shared_from_this<TelnetSession> {
 public:
  TelnetSession(std::shared_ptr<Connection> connection, std::shared_ptr<const TelnetConfig> config)
      : connection_(std::move(connection)),
        config_(std::move(config)),
        timer_(connection_->socket().get_executor()),
        delay_(connection_->socket().get_executor()) {}

  void start() {
    lastInput_ = Clock::now();
    armIdle(config_->idleTimeout);
    // Like telnetd, nothing more until the client answers the options.
    write(telnetGreeting());
    read();
  }

 private:
  enum class Stage { kLogin, kPassword, kWaiting, kShell, kClosed };

  std::string loginPrompt() const { return config_->host.hostname + " login: "; }

  void read() {
    connection_->socket().async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            self->close();
            return;
          }
          self->connection_->addBytesIn(n);
          self->lastInput_ = Clock::now();
          std::string data, replies;
          self->decoder_.feed(std::string_view(self->buffer_.data(), n), data, replies);
          // Everything one read causes (echoes, prompts) leaves in one segment: separate small
          // writes would each wait for the client's delayed ACK (Nagle).
          self->batching_ = true;
          if (!replies.empty()) self->write(replies);
          if (!self->greeted_) {
            self->greeted_ = true;
            self->write(telnetModeNegotiation() + self->config_->banner + self->loginPrompt());
          }
          for (char c : data) {
            if (self->stage_ == Stage::kClosed) break;
            self->onChar(c);
          }
          self->batching_ = false;
          if (!self->batch_.empty()) self->write(std::exchange(self->batch_, {}));
          if (self->stage_ == Stage::kClosed) return;
          if (!self->decoder_.anomaly().empty()) {
            self->connection_->setDisconnectField("anomaly", self->decoder_.anomaly());
          }
          if (self->stage_ != Stage::kClosed) self->read();
        });
  }

  void onChar(char c) {
    if (stage_ == Stage::kWaiting)
      return;  // typed during the failure delay: dropped, as login does
    const bool echo = stage_ != Stage::kPassword;
    if (c == '\r' || c == '\n') {
      if (echo) write("\r\n");
      std::string line = std::move(line_);
      line_.clear();
      onLine(line);
      return;
    }
    if (c == 0x7f || c == 0x08) {
      if (!line_.empty()) {
        line_.pop_back();
        if (echo) write("\b \b");
      }
      return;
    }
    if (c == 0x03 && stage_ == Stage::kShell) {
      line_.clear();
      write("^C\r\n" + shell_->prompt());
      return;
    }
    if (c == 0x04 && stage_ == Stage::kShell && line_.empty()) {
      write("logout\r\n");
      closeAfterWrite();
      return;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return;
    if (line_.size() >= kMaxLine) {
      connection_->setDisconnectField("anomaly", "line_too_long");
      return;
    }
    line_.push_back(c);
    if (echo) write(std::string(1, c));
  }

  void onLine(const std::string& line) {
    switch (stage_) {
      case Stage::kLogin:
        if (line.empty()) {
          write(loginPrompt());
          return;
        }
        user_ = line;
        stage_ = Stage::kPassword;
        write("Password: ");
        return;
      case Stage::kPassword:
        write("\r\n");
        checkPassword(line);
        return;
      case Stage::kShell:
        runCommand(line);
        return;
      default:
        return;
    }
  }

  void checkPassword(const std::string& password) {
    const auto& users = config_->host.users;
    const bool success = std::any_of(users.begin(), users.end(), [&](const auto& pair) {
      return pair.first == user_ && pair.second == password;
    });
    Fields fields;
    addCredential(fields, user_, password, success);
    connection_->record("auth_attempt", std::move(fields));
    if (success) {
      stage_ = Stage::kShell;
      shell_ = std::make_unique<FakeShell>(host(), user_);
      write(crlf(shell_->motd(connection_->peer().ip)) + shell_->prompt());
      return;
    }
    // login(1) with PAM: about three seconds before "Login incorrect".
    stage_ = Stage::kWaiting;
    static thread_local std::mt19937 random{std::random_device{}()};
    delay_.expires_after(std::chrono::milliseconds(2200 + random() % 800));
    delay_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->stage_ == Stage::kClosed) return;
      self->write("\r\nLogin incorrect\r\n");
      if (++self->failures_ >= kMaxTries) {
        self->closeAfterWrite();
        return;
      }
      self->stage_ = Stage::kLogin;
      self->write(self->loginPrompt());
    });
  }

  FakeHost host() const {
    FakeHost host = config_->host;
    boost::system::error_code ec;
    const auto local = connection_->socket().local_endpoint(ec);
    if (!ec) host.address = local.address().to_string();
    return host;
  }

  void runCommand(const std::string& line) {
    if (line.find_first_not_of(" \t") == std::string::npos) {
      write(shell_->prompt());
      return;
    }
    if (++commands_ > kMaxCommands) {
      connection_->setDisconnectField("anomaly", "too_many_commands");
      closeAfterWrite();
      return;
    }
    const std::string principal = user_;
    connection_->record("command",
                        {{"cmd", line}, {"cwd", shell_->cwd()}, {"principal", principal}});
    auto outcome = shell_->run(line, true);
    for (const auto& download : outcome.downloads) {
      connection_->record(
          "download_attempt",
          {{"url", download.url}, {"tool", download.tool}, {"principal", principal}});
    }
    write(crlf(outcome.output));
    if (outcome.exit) {
      closeAfterWrite();
      return;
    }
    write(shell_->prompt());
  }

  static std::string crlf(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 16);
    for (char c : text) {
      if (c == '\n') out.push_back('\r');
      out.push_back(c);
    }
    return out;
  }

  void write(std::string data) {
    if (stage_ == Stage::kClosed || data.empty()) return;
    if (batching_) {
      batch_ += data;
      return;
    }
    pendingBytes_ += data.size();
    if (pendingBytes_ > kMaxPending) {
      connection_->setDisconnectField("anomaly", "client_not_reading");
      close();
      return;
    }
    queue_.push_back(std::move(data));
    if (queue_.size() == 1) flush();
  }

  void flush() {
    if (queue_.empty()) {
      if (closeWhenFlushed_) close();
      return;
    }
    asio::async_write(
        connection_->socket(), asio::buffer(queue_.front()),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->connection_->addBytesOut(n);
          if (ec) {
            self->close();
            return;
          }
          self->pendingBytes_ -= self->queue_.front().size();
          self->queue_.pop_front();
          self->flush();
        });
  }

  void closeAfterWrite() {
    closeWhenFlushed_ = true;
    stage_ = Stage::kWaiting;
    if (queue_.empty() && batch_.empty()) close();
  }

  void armIdle(Clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->stage_ == Stage::kClosed) return;
      const auto idle = Clock::now() - self->lastInput_;
      if (idle >= self->config_->idleTimeout) {
        self->close();
      } else {
        self->armIdle(self->config_->idleTimeout - idle);
      }
    });
  }

  void close() {
    if (stage_ == Stage::kClosed) return;
    stage_ = Stage::kClosed;
    if (!decoder_.terminalType().empty()) {
      connection_->setDisconnectField("term", decoder_.terminalType());
    }
    boost::system::error_code ignored;
    connection_->socket().shutdown(asio::socket_base::shutdown_both, ignored);
    connection_->socket().close(ignored);
    timer_.cancel();
    delay_.cancel();
  }

  const std::shared_ptr<Connection> connection_;
  const std::shared_ptr<const TelnetConfig> config_;
  asio::steady_timer timer_;
  asio::steady_timer delay_;
  std::array<char, 2048> buffer_{};
  TelnetDecoder decoder_;
  Stage stage_ = Stage::kLogin;
  bool greeted_ = false;  // banner and login prompt sent (after the client's first bytes)
  std::string line_;
  std::string user_;
  int failures_ = 0;
  int commands_ = 0;
  std::unique_ptr<FakeShell> shell_;
  std::deque<std::string> queue_;
  bool batching_ = false;  // inside a read's handling: writes gather in batch_
  std::string batch_;
  std::size_t pendingBytes_ = 0;
  bool closeWhenFlushed_ = false;
  Clock::time_point lastInput_;
};

class TelnetService final : public Service {
 public:
  explicit TelnetService(std::shared_ptr<const TelnetConfig> config) : config_(std::move(config)) {}

  void serve(std::shared_ptr<Connection> connection) override {
    std::make_shared<TelnetSession>(std::move(connection), config_)->start();
  }

 private:
  const std::shared_ptr<const TelnetConfig> config_;
};

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class TelnetServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "telnet"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto config = std::make_shared<TelnetConfig>();
    const auto& distro = *context.distro;
    FakeHost& host = config->host;
    host.hostname = persona.text("hostname");
    if (host.hostname.empty()) host.hostname = context.hostname;
    if (host.hostname.empty() || host.hostname.size() > 253 ||
        host.hostname.find_first_of(" \r\n\t") != std::string::npos) {
      persona.invalid("hostname", "must be a host name");
    }
    host.users = persona.users("users");
    host.osFamily = context.osFamily == "windows" ? "windows" : "linux";
    host.prettyName = distro.prettyName;
    host.installDate = distro.installDate;
    host.sshVersion = distro.sshVersion;
    host.kernel = replaceAll(distro.kernel, "HOSTNAME", host.hostname);
    std::string banner = persona.text("banner");
    if (!persona.has("banner")) {
      // /etc/issue.net: the distro name (Debian's is "Debian GNU/Linux 12").
      banner = distro.prettyName;
      if (banner.rfind("Debian", 0) == 0) banner = banner.substr(0, banner.find(" ("));
      if (host.osFamily == "windows") banner = "Welcome to Microsoft Telnet Service";
    }
    if (banner.size() > 4096) persona.invalid("banner", "must be at most 4096 bytes");
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    std::string lines = "\r\n";
    if (!banner.empty())
      lines = replaceAll(replaceAll(banner, "\r\n", "\n"), "\n", "\r\n") + "\r\n";
    config->banner = lines;
    config->idleTimeout = context.idleTimeout;
    return std::make_unique<TelnetService>(std::move(config));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(TelnetServiceFactory);

}  // namespace decnet::decoy::telnet
