// SSH on libssh in server mode. libssh blocks, the decoy's loop must not: Asio accepts, a relay
// on the loop bridges the TCP socket to one end of a socket pair, and a thread per session runs
// libssh on the other end. The relay sees the cleartext start of the stream (the client's
// identification line and KEXINIT, hence client_version and hassh) and counts bytes.
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "api/catalog/catalog.h"
#include "decoy/common/shell/fake_shell.h"
#include "decoy/service.h"

// The message API (deprecated in favour of callbacks) is the one that supports
// keyboard-interactive, which OpenSSH clients try before password.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace decnet::decoy {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr int kMaxAuthTries = 6;  // OpenSSH's MaxAuthTries
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kShutdownGrace = std::chrono::milliseconds(1500);  // the agent SIGKILLs after 2 s
constexpr std::size_t kMaxIdentification = 255;                   // RFC 4253 §4.2
constexpr std::size_t kMaxKexPacket = 35000;                      // RFC 4253 §6.1
constexpr std::size_t kMaxLine = 4096;
constexpr std::uint64_t kMaxUpload = 64ull << 20;
constexpr std::size_t kThreadStack = 512 * 1024;
// What Debian's and Ubuntu's stock sshd_config advertise ("publickey,password"): libssh would
// list keyboard-interactive before password, an order no OpenSSH produces. Clients that try
// keyboard-interactive anyway are still answered (and recorded).
constexpr int kAuthMethods = SSH_AUTH_METHOD_PUBLICKEY | SSH_AUTH_METHOD_PASSWORD;

std::string hexOf(const unsigned char* data, std::size_t length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += {kHex[data[i] >> 4], kHex[data[i] & 15]};
  return out;
}

std::string digestHex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) return "";
  return hexOf(out, length);
}

// What the relay learned about the client; read by the session thread.
struct ClientInfo {
  mutable std::mutex mutex;
  std::string version;
  std::string hassh;
};

struct SshShared {
  std::string version;
  FakeHost host;
  std::mutex bindMutex;  // ssh_bind_accept_fd reads shared bind state
  ssh_bind bind = nullptr;
  std::mutex mutex;
  std::condition_variable changed;
  int threads = 0;
  int maxThreads = 256;
  bool stopping = false;

  ~SshShared() {
    if (bind != nullptr) ssh_bind_free(bind);
  }
  // Sleeps for `duration` unless the decoy stops first (then returns false).
  bool sleepFor(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex);
    return !changed.wait_for(lock, duration, [this] { return stopping; });
  }
  bool isStopping() {
    std::lock_guard lock(mutex);
    return stopping;
  }
};

// ---- the relay (event loop thread) ----

class SshRelay : public std::enable_shared_from_this<SshRelay> {
 public:
  using Local = asio::local::stream_protocol::socket;

  SshRelay(std::shared_ptr<Connection> connection, Local inner, std::shared_ptr<ClientInfo> info)
      : connection_(std::move(connection)),
        inner_(std::move(inner)),
        info_(std::move(info)),
        timer_(inner_.get_executor()) {}

  void start() {
    lastActivity_ = Clock::now();
    armTimer(kIdleTimeout);
    upstream();
    downstream();
  }

  // Closes both sides; the session thread then sees EOF and ends. Idempotent.
  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    connection_->socket().shutdown(asio::socket_base::shutdown_both, ignored);
    connection_->socket().close(ignored);
    inner_.close(ignored);
    timer_.cancel();
  }

 private:
  void upstream() {
    connection_->socket().async_read_some(
        asio::buffer(up_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            self->close();
            return;
          }
          self->connection_->addBytesIn(n);
          self->lastActivity_ = Clock::now();
          self->inspect(std::string_view(self->up_.data(), n));
          asio::async_write(self->inner_, asio::buffer(self->up_.data(), n),
                            [self](const boost::system::error_code& wec, std::size_t) {
                              if (wec) {
                                self->close();
                                return;
                              }
                              self->upstream();
                            });
        });
  }

  void downstream() {
    inner_.async_read_some(
        asio::buffer(down_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            self->close();
            return;
          }
          self->lastActivity_ = Clock::now();
          asio::async_write(self->connection_->socket(), asio::buffer(self->down_.data(), n),
                            [self](const boost::system::error_code& wec, std::size_t written) {
                              self->connection_->addBytesOut(written);
                              if (wec) {
                                self->close();
                                return;
                              }
                              self->downstream();
                            });
        });
  }

  void armTimer(Clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self) return;
      const auto idle = Clock::now() - self->lastActivity_;
      if (idle >= kIdleTimeout) {
        self->close();
      } else {
        self->armTimer(kIdleTimeout - idle);
      }
    });
  }

  // Parses the client's identification line and first binary packet (its KEXINIT).
  void inspect(std::string_view data) {
    if (stage_ == Stage::kDone) return;
    pending_.append(
        data.substr(0, kMaxKexPacket + 8 - std::min(pending_.size(), kMaxKexPacket + 8)));
    if (stage_ == Stage::kIdentification) {
      const auto lf = pending_.find('\n');
      if (lf == std::string::npos) {
        if (pending_.size() > kMaxIdentification) anomaly("identification_too_long");
        return;
      }
      std::string line = pending_.substr(0, lf);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      pending_.erase(0, lf + 1);
      {
        std::lock_guard lock(info_->mutex);
        info_->version = line;
      }
      connection_->setDisconnectField("client_version", line);
      if (line.rfind("SSH-2.0-", 0) != 0 && line.rfind("SSH-1.99-", 0) != 0) {
        anomaly("invalid_identification");
        return;
      }
      stage_ = Stage::kKexInit;
    }
    if (pending_.size() < 6) return;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(pending_[i]); };
    const std::size_t length =
        static_cast<std::size_t>(byte(0)) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
    if (length < 12 || length > kMaxKexPacket) {
      anomaly("malformed_packet");
      return;
    }
    if (pending_.size() < length + 4) return;
    const std::size_t padding = byte(4);
    if (padding + 1 > length || byte(5) != 20 /* SSH_MSG_KEXINIT */) {
      anomaly("unexpected_packet");
      return;
    }
    parseKexInit(std::string_view(pending_).substr(5, length - padding - 1));
    stage_ = Stage::kDone;
    pending_.clear();
    pending_.shrink_to_fit();
  }

  // hassh = MD5("kex;encryption c2s;mac c2s;compression c2s") of the client's KEXINIT.
  void parseKexInit(std::string_view payload) {
    std::size_t at = 1 + 16;  // message number, cookie
    std::vector<std::string> lists;
    while (lists.size() < 7) {
      if (at + 4 > payload.size()) break;
      const auto b = [&](std::size_t i) { return static_cast<unsigned char>(payload[at + i]); };
      const std::size_t length =
          static_cast<std::size_t>(b(0)) << 24 | b(1) << 16 | b(2) << 8 | b(3);
      at += 4;
      if (length > payload.size() - at) break;
      lists.emplace_back(payload.substr(at, length));
      at += length;
    }
    if (lists.size() < 7) {
      anomaly("malformed_kexinit");
      return;
    }
    const std::string algorithms = lists[0] + ";" + lists[2] + ";" + lists[4] + ";" + lists[6];
    const std::string hassh = digestHex(EVP_md5(), algorithms);
    {
      std::lock_guard lock(info_->mutex);
      info_->hassh = hassh;
    }
    connection_->setDisconnectField("hassh", hassh);
  }

  void anomaly(const char* tag) {
    connection_->setDisconnectField("anomaly", tag);
    stage_ = Stage::kDone;
    pending_.clear();
    pending_.shrink_to_fit();
  }

  enum class Stage { kIdentification, kKexInit, kDone };

  const std::shared_ptr<Connection> connection_;
  Local inner_;
  const std::shared_ptr<ClientInfo> info_;
  asio::steady_timer timer_;
  std::array<char, 4096> up_{};
  std::array<char, 4096> down_{};
  Clock::time_point lastActivity_;
  Stage stage_ = Stage::kIdentification;
  std::string pending_;
  bool closed_ = false;
};

// ---- the session (its own thread, blocking libssh calls) ----

struct SessionArgs {
  std::shared_ptr<SshShared> shared;
  std::shared_ptr<InteractionSink> sink;
  Peer peer;
  int fd = -1;
  std::shared_ptr<ClientInfo> info;
};

// Reads a channel with a carry-over buffer: scp needs lines and exact byte counts.
class ChannelReader {
 public:
  ChannelReader(ssh_channel channel, SshShared& shared) : channel_(channel), shared_(shared) {}

  // Up to `max` bytes; false on EOF, error, idle timeout or shutdown.
  bool some(std::string& out, std::size_t max) {
    if (buffer_.empty() && !fill()) return false;
    const std::size_t n = std::min(max, buffer_.size());
    out.assign(buffer_, 0, n);
    buffer_.erase(0, n);
    return true;
  }

  bool line(std::string& out, std::size_t max) {
    for (;;) {
      const auto lf = buffer_.find('\n');
      if (lf != std::string::npos) {
        out = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        return true;
      }
      if (buffer_.size() > max || !fill()) return false;
    }
  }

 private:
  bool fill() {
    std::array<char, 4096> chunk;
    const auto deadline = Clock::now() + kIdleTimeout;
    while (Clock::now() < deadline && !shared_.isStopping()) {
      const int n = ssh_channel_read_timeout(channel_, chunk.data(), chunk.size(), 0, 1000);
      if (n == SSH_ERROR) return false;
      if (n > 0) {
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        return true;
      }
      if (ssh_channel_is_eof(channel_) || !ssh_channel_is_open(channel_)) return false;
    }
    return false;
  }

  ssh_channel channel_;
  SshShared& shared_;
  std::string buffer_;
};

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ != nullptr) EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  void update(std::string_view data) {
    if (ctx_ != nullptr) EVP_DigestUpdate(ctx_, data.data(), data.size());
  }
  std::string hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (ctx_ == nullptr || EVP_DigestFinal_ex(ctx_, out, &length) != 1) return "";
    return hexOf(out, length);
  }

 private:
  EVP_MD_CTX* ctx_;
};

class SshSession {
 public:
  explicit SshSession(SessionArgs& args) : args_(args), shared_(*args.shared) {}

  void run() {
    session_ = ssh_new();
    if (session_ == nullptr) {
      ::close(args_.fd);
      return;
    }
    int rc;
    {
      std::lock_guard lock(shared_.bindMutex);
      rc = ssh_bind_accept_fd(shared_.bind, session_, args_.fd);
    }
    if (rc == SSH_OK) {
      long timeout = std::chrono::duration_cast<std::chrono::seconds>(kIdleTimeout).count();
      ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &timeout);
      if (ssh_handle_key_exchange(session_) == SSH_OK && authenticate()) serveChannels();
      ssh_disconnect(session_);
    }
    ssh_free(session_);  // closes the socket pair end
  }

 private:
  void record(std::string type, Fields fields, int severity = kSeverityInfo) {
    Interaction interaction =
        peerInteraction("ssh", args_.peer, std::move(type), std::move(fields));
    interaction.severity = severity;
    args_.sink->record(std::move(interaction));
  }

  std::pair<std::string, std::string> client() const {
    std::lock_guard lock(args_.info->mutex);
    return {args_.info->version, args_.info->hassh};
  }

  void recordAuth(const char* method, const std::string& principal, const std::string& secret,
                  bool success, Fields extra = {}) {
    Fields fields = {{"method", method}};
    addCredential(fields, principal, secret, success);
    const auto [version, hassh] = client();
    fields.emplace_back("client_version", version);
    fields.emplace_back("hassh", hassh);
    for (auto& field : extra) fields.push_back(std::move(field));
    record("auth_attempt", std::move(fields));
  }

  bool validLogin(const std::string& user, const std::string& password) const {
    return std::any_of(shared_.host.users.begin(), shared_.host.users.end(), [&](const auto& pair) {
      return pair.first == user && pair.second == password;
    });
  }

  // PAM makes a failed password cost about two seconds; answering at once would give the
  // honeypot away and invite fast brute force.
  void failDelay() {
    static thread_local std::mt19937 random{std::random_device{}()};
    shared_.sleepFor(std::chrono::milliseconds(1700 + random() % 600));
  }

  // True once a password (or keyboard-interactive answer) matched the persona's users.
  bool authenticate() {
    ssh_set_auth_methods(session_, kAuthMethods);
    std::string interactiveUser;
    int failures = 0;
    for (;;) {
      ssh_message message = ssh_message_get(session_);
      if (message == nullptr) return false;
      const int type = ssh_message_type(message);
      const int subtype = ssh_message_subtype(message);
      bool failed = false;
      bool success = false;
      std::string user;
      if (type == SSH_REQUEST_SERVICE) {
        const char* service = ssh_message_service_service(message);
        if (service != nullptr && std::strcmp(service, "ssh-userauth") == 0) {
          ssh_message_service_reply_success(message);
        } else {
          ssh_message_reply_default(message);
        }
      } else if (type != SSH_REQUEST_AUTH) {
        ssh_message_reply_default(message);  // channels before login: refused
      } else {
        const char* rawUser = ssh_message_auth_user(message);
        user = rawUser != nullptr ? rawUser : "";
        switch (subtype) {
          case SSH_AUTH_METHOD_PASSWORD: {
            const char* password = ssh_message_auth_password(message);
            const std::string secret = password != nullptr ? password : "";
            success = validLogin(user, secret);
            recordAuth("password", user, secret, success);
            failed = !success;
            break;
          }
          case SSH_AUTH_METHOD_INTERACTIVE:
            if (ssh_message_auth_kbdint_is_response(message) == 0) {
              interactiveUser = user;
              const char* prompts[] = {"Password: "};
              char echo[] = {0};
              ssh_message_auth_interactive_request(message, "", "", 1, prompts, echo);
              ssh_message_free(message);
              continue;
            } else {
              const int answers = ssh_userauth_kbdint_getnanswers(session_);
              const char* answer =
                  answers > 0 ? ssh_userauth_kbdint_getanswer(session_, 0) : nullptr;
              const std::string secret = answer != nullptr ? answer : "";
              user = interactiveUser;
              success = validLogin(user, secret);
              recordAuth("keyboard-interactive", user, secret, success);
              failed = !success;
            }
            break;
          case SSH_AUTH_METHOD_PUBLICKEY: {
            Fields extra;
            ssh_key key = ssh_message_auth_pubkey(message);
            if (key != nullptr) {
              unsigned char* hash = nullptr;
              std::size_t length = 0;
              if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == 0) {
                char* fingerprint =
                    ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
                if (fingerprint != nullptr) {
                  extra.emplace_back("key_fingerprint", fingerprint);
                  ssh_string_free_char(fingerprint);
                }
                ssh_clean_pubkey_hash(&hash);
              }
              const char* keyType = ssh_key_type_to_char(ssh_key_type(key));
              extra.emplace_back("key_type", keyType != nullptr ? keyType : "");
            }
            recordAuth("publickey", user, "", false, std::move(extra));
            failed = true;
            break;
          }
          case SSH_AUTH_METHOD_NONE:
            break;  // the client asking which methods exist; not a failure (OpenSSH agrees)
          default:
            failed = true;  // hostbased, gssapi: not offered
            break;
        }
        if (success) {
          user_ = user;
          ssh_message_auth_reply_success(message, 0);
          ssh_message_free(message);
          return true;
        }
        if (failed && ++failures >= kMaxAuthTries) {
          ssh_message_free(message);
          ssh_session_set_disconnect_message(session_, "Too many authentication failures");
          return false;
        }
        if (failed &&
            (subtype == SSH_AUTH_METHOD_PASSWORD || subtype == SSH_AUTH_METHOD_INTERACTIVE)) {
          failDelay();
          if (shared_.isStopping()) {
            ssh_message_free(message);
            return false;
          }
        }
        ssh_message_auth_set_methods(message, kAuthMethods);
        ssh_message_reply_default(message);
      }
      ssh_message_free(message);
    }
  }

  static int onLateMessage(ssh_session, ssh_message message, void*) {
    // During a shell nothing may queue up unanswered: window changes are accepted, anything
    // else gets libssh's default refusal.
    if (ssh_message_type(message) == SSH_REQUEST_CHANNEL &&
        ssh_message_subtype(message) == SSH_CHANNEL_REQUEST_WINDOW_CHANGE) {
      ssh_message_channel_request_reply_success(message);
      return 0;
    }
    return 1;
  }

  void serveChannels() {
    ssh_channel channel = nullptr;
    bool pty = false;
    for (;;) {
      ssh_message message = ssh_message_get(session_);
      if (message == nullptr) return;
      const int type = ssh_message_type(message);
      const int subtype = ssh_message_subtype(message);
      if (type == SSH_REQUEST_CHANNEL_OPEN && subtype == SSH_CHANNEL_SESSION &&
          channel == nullptr) {
        channel = ssh_message_channel_request_open_reply_accept(message);
      } else if (type == SSH_REQUEST_CHANNEL_OPEN && subtype == SSH_CHANNEL_DIRECT_TCPIP) {
        const char* host = ssh_message_channel_request_open_destination(message);
        record("port_forward",
               {{"principal", user_},
                {"dst_host", host != nullptr ? host : ""},
                {"dst_port_requested",
                 std::to_string(ssh_message_channel_request_open_destination_port(message))}});
        ssh_message_reply_default(message);
      } else if (type == SSH_REQUEST_CHANNEL && channel != nullptr &&
                 ssh_message_channel_request_channel(message) == channel) {
        switch (subtype) {
          case SSH_CHANNEL_REQUEST_PTY: {
            pty = true;
            const char* term = ssh_message_channel_request_pty_term(message);
            term_ = term != nullptr ? term : "";
            ssh_message_channel_request_reply_success(message);
            break;
          }
          case SSH_CHANNEL_REQUEST_ENV: {
            const char* name = ssh_message_channel_request_env_name(message);
            const std::string variable = name != nullptr ? name : "";
            if (variable == "LANG" || variable.rfind("LC_", 0) == 0) {
              ssh_message_channel_request_reply_success(message);
            } else {
              ssh_message_reply_default(message);
            }
            break;
          }
          case SSH_CHANNEL_REQUEST_WINDOW_CHANGE:
            ssh_message_channel_request_reply_success(message);
            break;
          case SSH_CHANNEL_REQUEST_SHELL:
            ssh_message_channel_request_reply_success(message);
            ssh_message_free(message);
            runShell(channel, pty);
            finishChannel(channel);
            return;
          case SSH_CHANNEL_REQUEST_EXEC: {
            const char* command = ssh_message_channel_request_command(message);
            const std::string line = command != nullptr ? command : "";
            ssh_message_channel_request_reply_success(message);
            ssh_message_free(message);
            runExec(channel, line, pty);
            finishChannel(channel);
            return;
          }
          case SSH_CHANNEL_REQUEST_SUBSYSTEM: {
            const char* name = ssh_message_channel_request_subsystem(message);
            record("session", {{"principal", user_},
                               {"kind", "subsystem"},
                               {"subsystem", name != nullptr ? name : ""}});
            ssh_message_reply_default(message);
            break;
          }
          default:
            ssh_message_reply_default(message);
        }
      } else {
        ssh_message_reply_default(message);
      }
      ssh_message_free(message);
    }
  }

  void finishChannel(ssh_channel channel) {
    ssh_channel_request_send_exit_status(channel, exitStatus_);
    ssh_channel_send_eof(channel);
    ssh_channel_close(channel);
    // Like sshd, let the client close first: disconnecting now would make OpenSSH report
    // "Connection closed by remote host" after every command. A client that lingers gets two
    // seconds.
    ssh_set_message_callback(session_, nullptr, nullptr);
    long grace = 2;
    ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &grace);
    for (int i = 0; i < 16; ++i) {
      ssh_message message = ssh_message_get(session_);
      if (message == nullptr) break;
      ssh_message_reply_default(message);
      ssh_message_free(message);
    }
  }

  bool send(ssh_channel channel, std::string_view data, bool pty) {
    std::string converted;
    if (pty) {
      for (char c : data) {
        if (c == '\n') converted.push_back('\r');
        converted.push_back(c);
      }
      data = converted;
    }
    while (!data.empty()) {
      const int n = ssh_channel_write(channel, data.data(), static_cast<uint32_t>(data.size()));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  FakeShell::Outcome execute(FakeShell& shell, const std::string& line, bool interactive) {
    if (line.find_first_not_of(" \t") == std::string::npos) return {};
    record("command", {{"cmd", line}, {"cwd", shell.cwd()}, {"principal", user_}});
    return shell.run(line, interactive);
  }

  void runShell(ssh_channel channel, bool pty) {
    record("session", {{"principal", user_}, {"kind", "shell"}, {"term", term_}});
    FakeShell shell(shared_.host, user_);
    ssh_set_message_callback(session_, onLateMessage, nullptr);
    if (pty) send(channel, shell.motd(args_.peer.ip) + shell.prompt(), true);
    std::string line;
    enum class Escape { kNone, kStart, kSequence } escape = Escape::kNone;
    bool lastCr = false;
    std::array<char, 1024> buffer;
    for (;;) {
      const int n = ssh_channel_read_timeout(channel, buffer.data(), buffer.size(), 0, 1000);
      if (n == SSH_ERROR) return;
      if (n == 0) {
        if (ssh_channel_is_eof(channel) || !ssh_channel_is_open(channel) || shared_.isStopping()) {
          if (!pty && !line.empty()) send(channel, execute(shell, line, true).output, false);
          return;
        }
        continue;
      }
      for (int i = 0; i < n; ++i) {
        const char c = buffer[static_cast<std::size_t>(i)];
        if (escape == Escape::kStart) {
          escape = (c == '[' || c == 'O') ? Escape::kSequence : Escape::kNone;
          continue;
        }
        if (escape == Escape::kSequence) {
          if (c >= 0x40 && c <= 0x7E) escape = Escape::kNone;
          continue;
        }
        const bool crlf = lastCr && c == '\n';
        lastCr = c == '\r';
        if (crlf) continue;
        if (c == '\r' || c == '\n') {
          if (pty) send(channel, "\n", true);
          const auto outcome = execute(shell, line, true);
          line.clear();
          if (!outcome.output.empty()) send(channel, outcome.output, pty);
          exitStatus_ = outcome.status;
          if (outcome.exit) return;
          if (pty) send(channel, shell.prompt(), true);
          continue;
        }
        if (!pty) {
          if (line.size() < kMaxLine) line.push_back(c);
          continue;
        }
        switch (c) {
          case 0x1B:
            escape = Escape::kStart;
            break;
          case 0x7F:
          case 0x08:
            if (!line.empty()) {
              line.pop_back();
              send(channel, "\b \b", true);
            }
            break;
          case 0x03:
            line.clear();
            send(channel, "^C\n" + shell.prompt(), true);
            break;
          case 0x04:
            if (line.empty()) {
              send(channel, "logout\n", true);
              return;
            }
            break;
          case 0x15:  // ^U: kill the line
            while (!line.empty()) {
              line.pop_back();
              send(channel, "\b \b", true);
            }
            break;
          case '\t':
            send(channel, "\a", true);
            break;
          default:
            if (static_cast<unsigned char>(c) >= 0x20 && line.size() < kMaxLine) {
              line.push_back(c);
              send(channel, std::string_view(&c, 1), true);
            }
        }
      }
    }
  }

  void runExec(ssh_channel channel, const std::string& command, bool pty) {
    record("session", {{"principal", user_}, {"kind", "exec"}, {"term", term_}});
    FakeShell shell(shared_.host, user_);
    // Uploads: legacy scp ("scp -t DIR") and "cat > FILE" with the data on stdin.
    if (command.rfind("scp ", 0) == 0 && command.find(" -t") != std::string::npos) {
      record("command", {{"cmd", command}, {"cwd", shell.cwd()}, {"principal", user_}});
      scpSink(channel, command, shell.cwd());
      return;
    }
    if (command.rfind("cat >", 0) == 0 || command.rfind("cat>", 0) == 0) {
      record("command", {{"cmd", command}, {"cwd", shell.cwd()}, {"principal", user_}});
      std::string target = command.substr(command.find('>') + 1);
      target.erase(0, target.find_first_not_of(" >"));
      target = target.substr(0, target.find_first_of(" ;&|"));
      catSink(channel, target);
      return;
    }
    const auto outcome = execute(shell, command, false);
    send(channel, outcome.output, pty);
    exitStatus_ = outcome.status;
  }

  void recordUpload(const std::string& name, const std::string& path, std::uint64_t size,
                    const std::string& sha256, bool complete) {
    Fields fields = {{"name", name},
                     {"path", path},
                     {"size", std::to_string(size)},
                     {"sha256", sha256},
                     {"principal", user_}};
    if (!complete) fields.emplace_back("anomaly", "incomplete_upload");
    record("file_upload", std::move(fields));
  }

  void catSink(ssh_channel channel, const std::string& target) {
    ChannelReader reader(channel, shared_);
    Sha256 hash;
    std::uint64_t size = 0;
    std::string chunk;
    while (size < kMaxUpload && reader.some(chunk, 65536)) {
      hash.update(chunk);
      size += chunk.size();
    }
    const auto slash = target.rfind('/');
    recordUpload(slash == std::string::npos ? target : target.substr(slash + 1), target, size,
                 hash.hex(), size < kMaxUpload);
    exitStatus_ = 0;
  }

  // The sink side of the legacy scp protocol: "C<mode> <size> <name>\n", data, "\0".
  void scpSink(ssh_channel channel, const std::string& command, const std::string& cwd) {
    std::string directory = command.substr(command.rfind(' ') + 1);
    if (directory.empty() || directory.front() != '/') directory = cwd + "/" + directory;
    while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
    ChannelReader reader(channel, shared_);
    const std::string ok(1, '\0');
    send(channel, ok, false);
    std::string line;
    while (reader.line(line, 1024) && !line.empty()) {
      const char kind = line[0];
      if (kind == 'T' || kind == 'D' || kind == 'E') {
        send(channel, ok, false);
        continue;
      }
      if (kind != 'C') break;  // \1 or \2: the client reports an error; or garbage
      const auto first = line.find(' ');
      const auto second =
          first == std::string::npos ? std::string::npos : line.find(' ', first + 1);
      if (second == std::string::npos) break;
      const std::string sizeText = line.substr(first + 1, second - first - 1);
      if (sizeText.empty() || sizeText.size() > 19 ||
          !std::all_of(sizeText.begin(), sizeText.end(), ::isdigit)) {
        break;
      }
      const std::uint64_t size = std::stoull(sizeText);
      const std::string name = line.substr(second + 1);
      if (size > kMaxUpload) {
        send(channel, "\x01scp: " + directory + "/" + name + ": No space left on device\n", false);
        recordUpload(name, directory + "/" + name, size, "", false);
        exitStatus_ = 1;
        return;
      }
      send(channel, ok, false);
      Sha256 hash;
      std::uint64_t received = 0;
      std::string chunk;
      while (received < size && reader.some(chunk, static_cast<std::size_t>(std::min<std::uint64_t>(
                                                       size - received, 65536)))) {
        hash.update(chunk);
        received += chunk.size();
      }
      recordUpload(name, directory + "/" + name, received, hash.hex(), received == size);
      if (received < size || !reader.some(chunk, 1)) return;  // the trailing \0
      send(channel, ok, false);
    }
    exitStatus_ = 0;
  }

  SessionArgs& args_;
  SshShared& shared_;
  ssh_session session_ = nullptr;
  std::string user_;
  std::string term_;
  int exitStatus_ = 0;
};

void* sessionThread(void* raw) {
  std::unique_ptr<SessionArgs> args(static_cast<SessionArgs*>(raw));
  SshSession(*args).run();
  std::shared_ptr<SshShared> shared = args->shared;
  args.reset();
  {
    std::lock_guard lock(shared->mutex);
    --shared->threads;
  }
  shared->changed.notify_all();
  return nullptr;
}

class SshService final : public Service {
 public:
  explicit SshService(std::shared_ptr<SshShared> shared) : shared_(std::move(shared)) {}

  ~SshService() override { shutdown(); }

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    std::erase_if(relays_, [](const auto& relay) { return relay.expired(); });
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->stopping || shared_->threads >= shared_->maxThreads) {
        connection->record("connection_refused", {{"reason", "limit"}});
        return;
      }
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      connection->record("internal_error", {{"error", std::strerror(errno)}}, {}, kSeverityError);
      return;
    }
    boost::system::error_code ec;
    SshRelay::Local inner(connection->socket().get_executor());
    inner.assign(asio::local::stream_protocol(), fds[0], ec);
    if (ec) {
      ::close(fds[0]);
      ::close(fds[1]);
      return;
    }
    auto info = std::make_shared<ClientInfo>();
    auto* args = new SessionArgs{shared_, connection->sink(), connection->peer(), fds[1], info};
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, kThreadStack);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    {
      std::lock_guard lock(shared_->mutex);
      ++shared_->threads;
    }
    pthread_t thread;
    const int rc = pthread_create(&thread, &attributes, sessionThread, args);
    pthread_attr_destroy(&attributes);
    if (rc != 0) {
      {
        std::lock_guard lock(shared_->mutex);
        --shared_->threads;
      }
      ::close(fds[1]);
      delete args;
      connection->record("internal_error", {{"error", std::strerror(rc)}}, {}, kSeverityError);
      return;
    }
    auto relay = std::make_shared<SshRelay>(std::move(connection), std::move(inner), info);
    relay->start();
    relays_.push_back(relay);
  }

  void shutdown() override {
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->stopping && shared_->threads == 0) return;
      shared_->stopping = true;
    }
    shared_->changed.notify_all();
    for (auto& weak : relays_) {
      if (auto relay = weak.lock()) relay->close();
    }
    relays_.clear();
    // Sessions notice the closed socket (or the flag) within a second; don't let a stuck one
    // hold the process forever.
    std::unique_lock lock(shared_->mutex);
    shared_->changed.wait_for(lock, kShutdownGrace, [this] { return shared_->threads == 0; });
  }

 private:
  const std::shared_ptr<SshShared> shared_;
  std::vector<std::weak_ptr<SshRelay>> relays_;
};

bool validVersion(const std::string& version) {
  if (version.empty() || version.size() > 200) return false;
  if (!std::all_of(version.begin(), version.end(), [](char c) { return c >= 0x20 && c <= 0x7E; })) {
    return false;
  }
  const std::string software = version.substr(0, version.find(' '));
  return !software.empty() && software.find('-') == std::string::npos;
}

bool validHostname(const std::string& name) {
  return !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

class SshServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "ssh"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    std::vector<std::string> keys = {"version", "users", "hostname", "kernel"};
    std::map<std::string, std::string> defaults = {{"version", "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"},
                                                   {"users", "root:toor,admin:admin"}};
    if (const auto* info = api::catalog::findService("ssh")) {
      keys = info->personaKeys;
      for (const auto& [key, value] : info->personaDefaults) defaults[key] = value;
    }
    PersonaReader persona(spec, keys);
    auto shared = std::make_shared<SshShared>();
    shared->version = persona.text("version", defaults["version"]);
    if (!validVersion(shared->version)) {
      persona.invalid("version",
                      "must be printable ASCII like \"OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\" (no '-' "
                      "before the first space)");
    }
    shared->host.sshVersion = shared->version;
    shared->host.hostname = persona.text("hostname", context.hostname);
    if (!validHostname(shared->host.hostname)) {
      persona.invalid("hostname", "must be letters, digits, '-', '.' or '_'");
    }
    std::string kernel =
        persona.text("kernel", "Linux HOSTNAME 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux");
    for (auto at = kernel.find("HOSTNAME"); at != std::string::npos;
         at = kernel.find("HOSTNAME", at + shared->host.hostname.size())) {
      kernel.replace(at, 8, shared->host.hostname);
    }
    if (kernel.find_first_of("\r\n") != std::string::npos) {
      persona.invalid("kernel", "must be one line");
    }
    shared->host.kernel = kernel;
    const std::string users = persona.text("users", defaults["users"]);
    std::string_view rest = users;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
      if (item.empty()) continue;
      const auto colon = item.find(':');
      const std::string user(item.substr(0, colon));
      if (colon == std::string_view::npos || user.empty() || user.size() > 32 ||
          !std::all_of(user.begin(), user.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
          })) {
        persona.invalid("users", "\"" + std::string(item) + "\" is not user:password");
        continue;
      }
      shared->host.users.emplace_back(user, std::string(item.substr(colon + 1)));
    }
    if (auto valid = persona.finish(); !valid) return tl::unexpected(valid.error());
    shared->maxThreads = context.maxConnections;

    // libssh and OpenSSL set up (and read their configuration) now, before the sandbox.
    static std::once_flag initialized;
    std::call_once(initialized, [] { ssh_init(); });
    shared->bind = ssh_bind_new();
    if (shared->bind == nullptr) return fail(Errc::kInternal, "ssh_bind_new failed");
    int verbosity = SSH_LOG_NOLOG;
    ssh_bind_options_set(shared->bind, SSH_BIND_OPTIONS_LOG_VERBOSITY, &verbosity);
    bool processConfig = false;
    ssh_bind_options_set(shared->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &processConfig);
    // libssh sends "SSH-2.0-" + this, exactly what OpenSSH would.
    ssh_bind_options_set(shared->bind, SSH_BIND_OPTIONS_BANNER, shared->version.c_str());
    // Fresh host keys per decoy start: two deckies never share a fingerprint.
    for (const auto& [type, bits] :
         {std::pair{SSH_KEYTYPE_ED25519, 0}, {SSH_KEYTYPE_ECDSA_P256, 256}}) {
      ssh_key key = nullptr;
      if (ssh_pki_generate(type, bits, &key) != SSH_OK || key == nullptr) {
        return fail(Errc::kInternal, "host key generation failed");
      }
      // The bind takes ownership of the key.
      if (ssh_bind_options_set(shared->bind, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {
        ssh_key_free(key);
        return fail(Errc::kInternal, "host key import failed");
      }
    }
    return std::make_unique<SshService>(std::move(shared));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(SshServiceFactory);

}  // namespace decnet::decoy
