#include "decoy/services/ssh/ssh_session.h"

#include <unistd.h>

#include <cstring>
#include <random>

// The message API (deprecated in favour of callbacks) is the one that supports
// keyboard-interactive, which OpenSSH clients try before password.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace decnet::decoy::ssh {

void SshSession::run() {
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

void SshSession::record(std::string type, Fields fields, int severity) {
  Interaction interaction = peerInteraction("ssh", args_.peer, std::move(type), std::move(fields));
  interaction.severity = severity;
  args_.sink->record(std::move(interaction));
}

std::pair<std::string, std::string> SshSession::client() const {
  std::lock_guard lock(args_.info->mutex);
  return {args_.info->version, args_.info->hassh};
}

void SshSession::recordAuth(const char* method, const std::string& principal,
                            const std::string& secret, bool success, Fields extra) {
  Fields fields = {{"method", method}};
  addCredential(fields, principal, secret, success);
  const auto [version, hassh] = client();
  fields.emplace_back("client_version", version);
  fields.emplace_back("hassh", hassh);
  for (auto& field : extra) fields.push_back(std::move(field));
  record("auth_attempt", std::move(fields));
}

bool SshSession::validLogin(const std::string& user, const std::string& password) const {
  return std::any_of(shared_.host.users.begin(), shared_.host.users.end(), [&](const auto& pair) {
    return pair.first == user && pair.second == password;
  });
}

// PAM makes a failed password cost about two seconds; answering at once would give the
// honeypot away and invite fast brute force.
void SshSession::failDelay() {
  static thread_local std::mt19937 random{std::random_device{}()};
  shared_.sleepFor(std::chrono::milliseconds(1700 + random() % 600));
}

// True once a password (or keyboard-interactive answer) matched the persona's users.
bool SshSession::authenticate() {
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
            const char* answer = answers > 0 ? ssh_userauth_kbdint_getanswer(session_, 0) : nullptr;
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
              char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
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

int SshSession::onLateMessage(ssh_session, ssh_message message, void*) {
  // During a shell nothing may queue up unanswered: window changes are accepted, anything
  // else gets libssh's default refusal.
  if (ssh_message_type(message) == SSH_REQUEST_CHANNEL &&
      ssh_message_subtype(message) == SSH_CHANNEL_REQUEST_WINDOW_CHANGE) {
    ssh_message_channel_request_reply_success(message);
    return 0;
  }
  return 1;
}

void SshSession::serveChannels() {
  ssh_channel channel = nullptr;
  bool pty = false;
  for (;;) {
    ssh_message message = ssh_message_get(session_);
    if (message == nullptr) return;
    const int type = ssh_message_type(message);
    const int subtype = ssh_message_subtype(message);
    if (type == SSH_REQUEST_CHANNEL_OPEN && subtype == SSH_CHANNEL_SESSION && channel == nullptr) {
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
          const std::string subsystem = name != nullptr ? name : "";
          record("session",
                 {{"principal", user_}, {"kind", "subsystem"}, {"subsystem", subsystem}});
          if (subsystem != "sftp") {
            ssh_message_reply_default(message);
            break;
          }
          ssh_message_channel_request_reply_success(message);
          ssh_message_free(message);
          runSftp(channel);
          finishChannel(channel);
          return;
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

void SshSession::finishChannel(ssh_channel channel) {
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

bool SshSession::send(ssh_channel channel, std::string_view data, bool pty) {
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

FakeShell::Outcome SshSession::execute(FakeShell& shell, const std::string& line,
                                       bool interactive) {
  if (line.find_first_not_of(" \t") == std::string::npos) return {};
  record("command", {{"cmd", line}, {"cwd", shell.cwd()}, {"principal", user_}});
  auto outcome = shell.run(line, interactive);
  for (const auto& download : outcome.downloads) {
    record("download_attempt",
           {{"url", download.url}, {"tool", download.tool}, {"principal", user_}});
  }
  return outcome;
}

FakeHost SshSession::host() const {
  FakeHost host = shared_.host;
  host.address = args_.localAddress;
  return host;
}

void SshSession::runShell(ssh_channel channel, bool pty) {
  record("session", {{"principal", user_}, {"kind", "shell"}, {"term", term_}});
  FakeShell shell(host(), user_);
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

void SshSession::runExec(ssh_channel channel, const std::string& command, bool pty) {
  record("session", {{"principal", user_}, {"kind", "exec"}, {"term", term_}});
  FakeShell shell(host(), user_);
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

}  // namespace decnet::decoy::ssh
