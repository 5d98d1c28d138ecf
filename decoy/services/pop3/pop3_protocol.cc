#include "decoy/services/pop3/pop3_protocol.h"

#include <algorithm>
#include <cstdlib>

namespace decnet::decoy::pop3 {
namespace {

using text::LineOutput;

constexpr int kMaxBadCommands = 10;  // Dovecot's CLIENT_MAX_BAD_COMMANDS

constexpr const char* kCapaLogin =
    "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\n"
    "SASL PLAIN\r\n.\r\n";
constexpr const char* kCapaMail =
    "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n.\r\n";

std::string fakeMessage(const std::string& host, const std::string& date, const std::string& from,
                        const std::string& subject, const std::string& body) {
  return "Return-Path: <" + from + ">\r\nDelivered-To: mail@" + host + "\r\nDate: " + date +
         "\r\nFrom: " + from + "\r\nTo: mail@" + host + "\r\nSubject: " + subject +
         "\r\nMessage-ID: <" +
         std::to_string(std::hash<std::string>{}(subject + host) % 100000000) + "@" + host +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + body;
}

// Dot-stuffs a message body for a multi-line reply.
std::string stuffed(std::string_view message) {
  std::string out;
  std::size_t start = 0;
  while (start < message.size()) {
    auto end = message.find("\r\n", start);
    if (end == std::string_view::npos) end = message.size();
    if (message[start] == '.') out += '.';
    out.append(message.substr(start, end - start));
    out += "\r\n";
    start = end + 2;
  }
  return out;
}

}  // namespace

Pop3Protocol::Pop3Protocol(Pop3Config config) : config_(std::move(config)) {
  const std::string& host = config_.hostname;
  messages_ = {
      fakeMessage(host, "Mon, 3 Mar 2025 09:12:44 +0000", "root@" + host,
                  "Cron <root@" + host + "> /usr/local/bin/backup.sh",
                  "backup: 14 files, 2.1G written to /srv/backup\r\n"),
      fakeMessage(host, "Tue, 4 Mar 2025 16:40:02 +0000", "it-support@" + host,
                  "Password expiry reminder",
                  "Hello,\r\n\r\nYour mailbox password expires in 5 days. Please change it from "
                  "the webmail settings page.\r\n\r\nIT Support\r\n"),
  };
  deleted_.assign(messages_.size(), false);
}

LineOutput Pop3Protocol::greeting() { return LineOutput{}.line(config_.banner); }

LineOutput Pop3Protocol::onLine(std::string_view line) {
  if (inSasl_) return saslResponse(line);
  const auto [rawVerb, arg] = text::splitVerb(line);
  const std::string verb = text::upper(rawVerb);
  std::string shown(arg);
  if (verb == "PASS") shown.clear();
  if (verb == "APOP" || verb == "AUTH") shown = std::string(text::splitVerb(arg).first);
  Fields fields = {{"cmd", verb}, {"arg", shown}};
  const bool hostile = line.find('\0') != std::string_view::npos;
  if (hostile) {
    fields.emplace_back("anomaly", "nul_byte");
    fields.emplace_back("raw_b64", text::rawSample(line));
  }
  LineOutput output = loggedIn_ ? transaction(verb, arg) : authorization(verb, arg);
  output.events.insert(output.events.begin(),
                       {"command", std::move(fields), hostile ? kSeverityWarning : kSeverityInfo});
  return output;
}

LineOutput Pop3Protocol::badCommand(std::string_view reply) {
  LineOutput output;
  if (++badCommands_ >= kMaxBadCommands) {
    output.close = true;
    return output.line("-ERR Too many invalid commands.");
  }
  return output.line(reply);
}

LineOutput Pop3Protocol::login(const std::string& method, std::string principal,
                               std::string secret) {
  const bool ok = method != "apop" &&
                  std::any_of(config_.users.begin(), config_.users.end(), [&](const auto& u) {
                    return u.first == principal && u.second == secret;
                  });
  LineOutput output;
  Fields fields;
  addCredential(fields, principal, secret, ok);
  fields.emplace_back("method", method);
  output.event("auth_attempt", std::move(fields));
  haveUser_ = false;
  if (ok) {
    loggedIn_ = true;
    return output.line("+OK Logged in.");
  }
  output.delay = config_.failDelay;
  return output.line("-ERR [AUTH] Authentication failed.");
}

LineOutput Pop3Protocol::authorization(const std::string& verb, std::string_view arg) {
  LineOutput output;
  if (verb == "CAPA") {
    output.reply = kCapaLogin;
    return output;
  }
  if (verb == "USER") {
    if (arg.empty()) return badCommand("-ERR USER: Missing username.");
    user_ = std::string(arg);
    haveUser_ = true;
    return output.line("+OK");
  }
  if (verb == "PASS") {
    if (!haveUser_) return badCommand("-ERR No username given.");
    return login("user", user_, std::string(arg));
  }
  if (verb == "APOP") {
    const auto [name, digest] = text::splitVerb(arg);
    if (name.empty() || digest.empty()) return badCommand("-ERR Invalid parameters.");
    return login("apop", std::string(name), std::string(digest));
  }
  if (verb == "AUTH") {
    if (arg.empty()) {
      output.reply = "+OK\r\nPLAIN\r\n.\r\n";
      return output;
    }
    const auto [mechanism, initial] = text::splitVerb(arg);
    if (text::upper(mechanism) != "PLAIN") {
      return badCommand("-ERR Unsupported authentication mechanism.");
    }
    if (initial.empty()) {
      inSasl_ = true;
      return output.line("+ ");
    }
    return saslResponse(initial);
  }
  if (verb == "QUIT") {
    output.close = true;
    return output.line("+OK Logging out.");
  }
  if (verb == "NOOP") return output.line("+OK");
  return badCommand("-ERR Unknown command.");
}

LineOutput Pop3Protocol::saslResponse(std::string_view line) {
  inSasl_ = false;
  if (line == "*") return LineOutput{}.line("-ERR Authentication aborted by client.");
  std::string principal, secret;
  const std::string anomaly = text::parseSaslPlain(line, principal, secret);
  if (anomaly == "invalid_base64") {
    LineOutput output = badCommand("-ERR Invalid base64 data in continued response");
    output.event("command",
                 {{"cmd", "AUTH"},
                  {"arg", "PLAIN"},
                  {"anomaly", anomaly},
                  {"raw_b64", text::rawSample(line)}},
                 kSeverityWarning);
    return output;
  }
  LineOutput output = login("plain", principal, secret);
  if (!anomaly.empty()) output.events.back().fields.emplace_back("anomaly", anomaly);
  return output;
}

int Pop3Protocol::message(std::string_view arg) const {
  const std::string text(text::splitVerb(arg).first);
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  const int n = std::atoi(text.c_str());
  if (n < 1 || n > static_cast<int>(messages_.size()) || deleted_[n - 1]) return -1;
  return n - 1;
}

LineOutput Pop3Protocol::transaction(const std::string& verb, std::string_view arg) {
  LineOutput output;
  std::size_t count = 0, total = 0;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (!deleted_[i]) {
      ++count;
      total += messages_[i].size();
    }
  }
  const int n = message(arg);
  const std::string noSuch =
      "-ERR There's no message " + std::string(text::splitVerb(arg).first) + ".";
  if (verb == "CAPA") {
    output.reply = kCapaMail;
    return output;
  }
  if (verb == "STAT")
    return output.line("+OK " + std::to_string(count) + " " + std::to_string(total));
  if (verb == "LIST" || verb == "UIDL") {
    const auto entry = [&](std::size_t i) {
      return std::to_string(i + 1) + " " +
             (verb == "LIST" ? std::to_string(messages_[i].size())
                             : "0000000" + std::to_string(i + 1) + "5f1e2d3c");
    };
    if (!arg.empty()) return n < 0 ? output.line(noSuch) : output.line("+OK " + entry(n));
    output.line(verb == "LIST" ? "+OK " + std::to_string(count) + " messages:" : "+OK");
    for (std::size_t i = 0; i < messages_.size(); ++i) {
      if (!deleted_[i]) output.line(entry(i));
    }
    return output.line(".");
  }
  if (verb == "RETR" || verb == "TOP") {
    if (n < 0) return output.line(noSuch);
    std::string text = messages_[n];
    if (verb == "TOP") {
      const auto header = text.find("\r\n\r\n");
      int lines = std::atoi(std::string(text::splitVerb(arg).second).c_str());
      std::size_t end = header + 4;
      while (lines-- > 0 && end < text.size()) {
        const auto next = text.find("\r\n", end);
        end = next == std::string::npos ? text.size() : next + 2;
      }
      text = text.substr(0, end);
      output.line("+OK");
    } else {
      output.event("retr", {{"message", std::to_string(n + 1)}});
      output.line("+OK " + std::to_string(text.size()) + " octets");
    }
    output.reply += stuffed(text);
    return output.line(".");
  }
  if (verb == "DELE") {
    if (n < 0) return output.line(noSuch);
    deleted_[n] = true;
    return output.line("+OK Marked to be deleted.");
  }
  if (verb == "RSET") {
    deleted_.assign(messages_.size(), false);
    return output.line("+OK");
  }
  if (verb == "NOOP") return output.line("+OK");
  if (verb == "QUIT") {
    output.close = true;
    return output.line("+OK Logging out.");
  }
  return badCommand("-ERR Unknown command: " + verb);
}

LineOutput Pop3Protocol::onAnomaly(text::LineAnomaly anomaly, std::string_view sample) {
  const bool tooLong = anomaly == text::LineAnomaly::kLineTooLong;
  LineOutput output;
  output.events.push_back(text::boundEvent(anomaly, sample));
  output.close = true;
  return output.line(tooLong ? "-ERR Input line too long." : "-ERR Too many invalid commands.");
}

LineOutput Pop3Protocol::onIdle(std::string_view pending) {
  return text::idleOutput(pending, "-ERR Disconnected for inactivity.");
}

}  // namespace decnet::decoy::pop3
