#include "decoy/services/smtp/smtp_protocol.h"

#include <algorithm>
#include <cctype>

namespace decnet::decoy::smtp {
namespace {

using text::LineOutput;

constexpr int kMaxErrors = 20;  // Postfix's smtpd_hard_error_limit
constexpr std::size_t kMaxRcpt = 100;

// The replies that differ between the imitated MTAs.
struct Replies {
  const char* authFailed;
  const char* mailOk;
  const char* rcptOk;
  const char* relayDenied;  // %s: the address
  const char* dataGo;
  const char* queued;  // %s: queue id
  const char* bye;     // %s: hostname
  const char* reset;
  const char* noop;
  const char* unknown;
  const char* tooBig;
};

const Replies& repliesFor(Mta mta) {
  static const Replies kPostfix = {"535 5.7.8 Error: authentication failed: authentication failure",
                                   "250 2.1.0 Ok",
                                   "250 2.1.5 Ok",
                                   "554 5.7.1 <%s>: Relay access denied",
                                   "354 End data with <CR><LF>.<CR><LF>",
                                   "250 2.0.0 Ok: queued as %s",
                                   "221 2.0.0 Bye",
                                   "250 2.0.0 Ok",
                                   "250 2.0.0 Ok",
                                   "502 5.5.2 Error: command not recognized",
                                   "552 5.3.4 Error: message file too big"};
  static const Replies kExim = {"535 Incorrect authentication data",
                                "250 OK",
                                "250 Accepted",
                                "550 relay not permitted",
                                "354 Enter message, ending with \".\" on a line by itself",
                                "250 OK id=%s",
                                "221 %s closing connection",
                                "250 Reset OK",
                                "250 OK",
                                "500 unrecognized command",
                                "552 Message size exceeds maximum permitted"};
  static const Replies kSendmail = {"535 5.7.0 authentication failed",
                                    "250 2.1.0 Sender ok",
                                    "250 2.1.5 Recipient ok",
                                    "550 5.7.1 <%s>... Relaying denied",
                                    "354 Enter mail, end with \".\" on a line by itself",
                                    "250 2.0.0 %s Message accepted for delivery",
                                    "221 2.0.0 %s closing connection",
                                    "250 2.0.0 Reset state",
                                    "250 2.0.0 OK",
                                    "500 5.5.1 Command unrecognized",
                                    "552 5.2.3 Message size exceeds maximum value"};
  return mta == Mta::kExim ? kExim : mta == Mta::kSendmail ? kSendmail : kPostfix;
}

std::string format(const char* pattern, std::string_view value) {
  std::string out(pattern);
  const auto at = out.find("%s");
  if (at != std::string::npos) out.replace(at, 2, value);
  return out;
}

std::string domainOf(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : text::upper(address.substr(at + 1));
}

}  // namespace

std::optional<std::string> pathArgument(std::string_view arg, std::string_view keyword) {
  if (arg.size() < keyword.size() || !text::iequals(arg.substr(0, keyword.size()), keyword)) {
    return std::nullopt;
  }
  arg.remove_prefix(keyword.size());
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  if (arg.empty()) return std::nullopt;
  if (arg.front() == '<') {
    const auto close = arg.find('>');
    if (close == std::string_view::npos) return std::nullopt;
    return std::string(arg.substr(1, close - 1));
  }
  return std::string(arg.substr(0, arg.find(' ')));
}

LineOutput SmtpProtocol::greeting() { return LineOutput{}.line(config_.banner); }

std::string SmtpProtocol::queueId() {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id;
  for (int i = 0; i < 10; ++i) {
    random_ = random_ * 1103515245u + 12345u;
    id.push_back(kHex[(random_ >> 16) & 15]);
  }
  if (config_.mta == Mta::kExim)
    return "1t" + id.substr(0, 4) + "-000" + id.substr(4, 3) + "-" + id.substr(7, 2);
  if (config_.mta == Mta::kSendmail) return "52" + id.substr(0, 2) + "M" + id.substr(2) + "00";
  return id;
}

void SmtpProtocol::resetTransaction() {
  haveMail_ = false;
  from_.clear();
  to_.clear();
  body_.clear();
  size_ = 0;
  bdatLast_ = false;
}

bool SmtpProtocol::localDomain(std::string_view address) const {
  const std::string domain = domainOf(address);
  if (domain.empty()) return true;  // "postmaster" is always local
  std::string host = text::upper(config_.hostname);
  if (domain == host) return true;
  const auto dot = host.find('.');
  return dot != std::string::npos && domain == host.substr(dot + 1);
}

LineOutput SmtpProtocol::error(std::string_view reply) {
  LineOutput output;
  output.line(reply);
  if (++errors_ >= kMaxErrors) {
    output.close = true;
    output.line("421 4.7.0 " + config_.hostname + " Error: too many errors");
  }
  return output;
}

LineOutput SmtpProtocol::onLine(std::string_view line) {
  switch (state_) {
    case State::kData:
      return dataLine(line);
    case State::kAuthPlain:
    case State::kAuthUser:
    case State::kAuthPass:
      return authStep(line);
    case State::kCommand:
      break;
  }
  const auto [rawVerb, arg] = text::splitVerb(line);
  const std::string verb = text::upper(rawVerb);
  Fields fields = {
      {"cmd", verb},
      {"arg", verb == "AUTH" ? std::string(text::splitVerb(arg).first) : std::string(arg)}};
  const bool hostile = line.find('\0') != std::string_view::npos;
  if (hostile) {
    fields.emplace_back("anomaly", "nul_byte");
    fields.emplace_back("raw_b64", text::rawSample(line));
  }
  LineOutput output = command(verb, arg);
  output.events.insert(output.events.begin(),
                       {"command", std::move(fields), hostile ? kSeverityWarning : kSeverityInfo});
  return output;
}

LineOutput SmtpProtocol::command(const std::string& verb, std::string_view arg) {
  const Replies& r = repliesFor(config_.mta);
  const std::string& host = config_.hostname;
  LineOutput output;
  if (verb == "EHLO" || verb == "HELO") {
    if (arg.empty()) return error("501 Syntax: " + verb + " hostname");
    output.event("ehlo", {{"domain", std::string(arg)}});
    greeted_ = true;
    esmtp_ = verb == "EHLO";
    resetTransaction();
    const std::string who =
        config_.mta == Mta::kPostfix
            ? host
            : host + " Hello " + std::string(arg) + " [" + config_.clientIp + "]" +
                  (config_.mta == Mta::kSendmail ? ", pleased to meet you" : "");
    if (!esmtp_) return output.line("250 " + who);
    std::vector<std::string> caps;
    switch (config_.mta) {
      case Mta::kPostfix:
        caps = {"PIPELINING",          "SIZE 10240000", "VRFY", "ETRN",     "AUTH PLAIN LOGIN",
                "ENHANCEDSTATUSCODES", "8BITMIME",      "DSN",  "SMTPUTF8", "CHUNKING"};
        break;
      case Mta::kExim:
        caps = {"SIZE 52428800", "8BITMIME", "PIPELINING", "AUTH PLAIN LOGIN",
                "CHUNKING",      "PRDR",     "HELP"};
        break;
      case Mta::kSendmail:
        caps = {"ENHANCEDSTATUSCODES", "PIPELINING", "8BITMIME", "SIZE", "DSN", "ETRN",
                "AUTH PLAIN LOGIN",    "DELIVERBY",  "HELP"};
        break;
    }
    output.line("250-" + who);
    for (std::size_t i = 0; i < caps.size(); ++i) {
      output.line((i + 1 == caps.size() ? "250 " : "250-") + caps[i]);
    }
    return output;
  }
  if (verb == "QUIT") {
    output.close = true;
    return output.line(format(r.bye, host));
  }
  if (verb == "NOOP") return output.line(r.noop);
  if (verb == "RSET") {
    resetTransaction();
    return output.line(r.reset);
  }
  if (verb == "VRFY") {
    if (arg.empty()) return error("501 5.5.4 Syntax: VRFY address");
    if (config_.mta == Mta::kExim) return output.line("252 Administrative prohibition");
    if (config_.mta == Mta::kSendmail) {
      return output.line(
          "252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)");
    }
    return output.line("252 2.0.0 " + std::string(arg));
  }
  if (verb == "STARTTLS" || (verb == "ETRN" && config_.mta == Mta::kExim)) {
    return error("502 5.5.1 Error: command not implemented");
  }
  if (verb == "ETRN")
    return output.line("458 Unable to queue messages for node " + std::string(arg));
  if (!greeted_ &&
      (verb == "AUTH" || verb == "MAIL" || verb == "RCPT" || verb == "DATA" || verb == "BDAT")) {
    return error("503 5.5.1 Error: send HELO/EHLO first");
  }
  if (verb == "AUTH") return auth(arg);
  if (verb == "MAIL") {
    if (haveMail_) return error("503 5.5.1 Error: nested MAIL command");
    const auto address = pathArgument(arg, "FROM:");
    if (!address) return error("501 5.5.4 Syntax: MAIL FROM:<address>");
    output.event("mail_from", {{"address", *address}});
    resetTransaction();
    haveMail_ = true;
    from_ = *address;
    return output.line(r.mailOk);
  }
  if (verb == "RCPT") {
    if (!haveMail_) return error("503 5.5.1 Error: need MAIL command");
    const auto address = pathArgument(arg, "TO:");
    if (!address) return error("501 5.5.4 Syntax: RCPT TO:<address>");
    if (to_.size() >= kMaxRcpt) return error("452 4.5.3 Error: too many recipients");
    const bool accepted = config_.openRelay || localDomain(*address);
    output.event("rcpt_to", {{"address", *address}, {"accepted", accepted ? "true" : "false"}});
    if (!accepted) {
      LineOutput refused = error(format(r.relayDenied, *address));
      refused.events = std::move(output.events);
      return refused;
    }
    to_.push_back(*address);
    return output.line(r.rcptOk);
  }
  if (verb == "DATA" || verb == "BDAT") {
    if (!haveMail_) return error("503 5.5.1 Error: need RCPT command");
    if (to_.empty()) return error("554 5.5.1 Error: no valid recipients");
    if (verb == "DATA") {
      state_ = State::kData;
      return output.line(r.dataGo);
    }
    const auto [count, last] = text::splitVerb(arg);
    const std::string digits(count);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return error("501 5.5.4 Syntax: BDAT count [LAST]");
    }
    bdatLast_ = text::iequals(last, "LAST");
    const std::size_t n = std::stoul(digits);
    if (n == 0) return onRaw({});
    if (n > config_.maxMessage || size_ + n > config_.maxMessage) {
      // The chunk would be buffered whole before onRaw(): refuse it instead of holding up to a
      // gigabyte for one client, as Postfix refuses a message over message_size_limit.
      output.event(
          "message",
          {{"from", from_}, {"size", std::to_string(size_ + n)}, {"anomaly", "bdat_too_large"}},
          kSeverityWarning);
      output.line("552 5.3.4 Error: message file too big");
      output.close = true;
      return output;
    }
    output.rawBytes = n;
    return output;
  }
  return error(r.unknown);
}

LineOutput SmtpProtocol::auth(std::string_view arg) {
  if (arg.empty()) return error("501 5.5.4 Syntax: AUTH mechanism");
  const auto [mechanism, initial] = text::splitVerb(arg);
  const std::string mech = text::upper(mechanism);
  LineOutput output;
  if (mech == "PLAIN") {
    if (initial.empty()) {
      state_ = State::kAuthPlain;
      return output.line("334 ");
    }
    state_ = State::kAuthPlain;
    return authStep(initial);
  }
  if (mech == "LOGIN") {
    state_ = State::kAuthUser;
    if (initial.empty()) return output.line("334 VXNlcm5hbWU6");
    return authStep(initial);
  }
  return error("535 5.7.8 Error: authentication failed: Invalid authentication mechanism");
}

LineOutput SmtpProtocol::authFailed(const std::string& method, const std::string& principal,
                                    const std::string& secret, const std::string& anomaly) {
  LineOutput output = error(repliesFor(config_.mta).authFailed);
  Fields fields;
  addCredential(fields, principal, secret, false);
  fields.emplace_back("method", method);
  if (!anomaly.empty()) fields.emplace_back("anomaly", anomaly);
  output.event("auth_attempt", std::move(fields));
  return output;
}

LineOutput SmtpProtocol::authStep(std::string_view line) {
  const State state = std::exchange(state_, State::kCommand);
  if (line == "*") return error("501 5.7.0 Authentication aborted");
  if (state == State::kAuthPlain) {
    std::string principal, secret;
    const std::string anomaly = text::parseSaslPlain(line, principal, secret);
    if (anomaly != "invalid_base64") return authFailed("plain", principal, secret, anomaly);
  } else {
    std::string decoded;
    if (base64Decode(line, decoded) && !(line.empty() && state == State::kAuthUser)) {
      if (state == State::kAuthUser) {
        authUser_ = decoded;
        state_ = State::kAuthPass;
        return LineOutput{}.line("334 UGFzc3dvcmQ6");
      }
      return authFailed("login", authUser_, decoded, "");
    }
  }
  LineOutput output = error("501 5.5.2 Cannot decode response");
  output.event("command",
               {{"cmd", "AUTH"},
                {"arg", state == State::kAuthPlain ? "PLAIN" : "LOGIN"},
                {"anomaly", "invalid_base64"},
                {"raw_b64", text::rawSample(line)}},
               kSeverityWarning);
  return output;
}

void SmtpProtocol::addBody(std::string_view bytes) {
  size_ += bytes.size();
  if (body_.size() < config_.maxMessage) {
    body_.append(bytes.substr(0, config_.maxMessage - body_.size()));
  }
}

LineOutput SmtpProtocol::dataLine(std::string_view line) {
  if (line == ".") {
    state_ = State::kCommand;
    return finishMessage();
  }
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  addBody(line);
  addBody("\r\n");
  return {};
}

LineOutput SmtpProtocol::onRaw(std::string_view bytes) {
  addBody(bytes);
  if (bdatLast_) return finishMessage();
  return LineOutput{}.line("250 2.0.0 Ok: " + std::to_string(bytes.size()) + " bytes");
}

LineOutput SmtpProtocol::finishMessage() {
  const Replies& r = repliesFor(config_.mta);
  std::string subject;
  const auto headerEnd = body_.find("\r\n\r\n");
  const std::string_view headers = std::string_view(body_).substr(0, headerEnd);
  for (std::size_t at = 0; at < headers.size();) {
    auto end = headers.find("\r\n", at);
    if (end == std::string_view::npos) end = headers.size();
    const auto header = headers.substr(at, end - at);
    if (header.size() >= 8 && text::iequals(header.substr(0, 8), "Subject:")) {
      subject = std::string(header.substr(8));
      while (!subject.empty() && subject.front() == ' ') subject.erase(0, 1);
      break;
    }
    at = end + 2;
  }
  std::string to;
  for (const auto& rcpt : to_) to += (to.empty() ? "" : ",") + rcpt;
  const bool tooBig = size_ > config_.maxMessage;
  Fields fields = {{"from", from_},
                   {"to", to},
                   {"subject", subject},
                   {"size", std::to_string(size_)},
                   {"sha256", text::sha256Hex(body_)}};
  if (tooBig) fields.emplace_back("anomaly", "message_too_large");
  LineOutput output;
  output.event("message", std::move(fields), tooBig ? kSeverityWarning : kSeverityInfo);
  resetTransaction();
  if (tooBig) return output.line(r.tooBig);
  return output.line(format(r.queued, queueId()));
}

LineOutput SmtpProtocol::onAnomaly(text::LineAnomaly anomaly, std::string_view sample) {
  LineOutput output;
  const bool tooLong = anomaly == text::LineAnomaly::kLineTooLong;
  if (tooLong && state_ == State::kData) {
    addBody(sample);  // the start is kept; the line's size is unknown beyond the bound
    return output;
  }
  output.events.push_back(text::boundEvent(anomaly, sample));
  if (!tooLong) {
    output.close = true;
    return output.line("421 4.7.0 " + config_.hostname + " Error: too many errors");
  }
  state_ = State::kCommand;
  LineOutput reply = error("500 5.5.0 Error: line too long");
  reply.events = std::move(output.events);
  return reply;
}

LineOutput SmtpProtocol::onIdle(std::string_view pending) {
  return text::idleOutput(pending, "421 4.4.2 " + config_.hostname + " Error: timeout exceeded");
}

}  // namespace decnet::decoy::smtp
