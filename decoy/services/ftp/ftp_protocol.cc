#include "decoy/services/ftp/ftp_protocol.h"

#include <algorithm>

namespace decnet::decoy::ftp {
namespace {

using text::LineOutput;

constexpr int kMaxLoginFails = 3;  // vsftpd's max_login_fails

constexpr const char* kFeatures =
    "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n"
    "211 End\r\n";

constexpr const char* kHelp =
    "214-The following commands are recognized.\r\n"
    " ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n"
    " MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n"
    " RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n"
    " XPWD XRMD\r\n"
    "214 Help OK.\r\n";

bool oneOf(const std::string& verb, std::initializer_list<const char*> verbs) {
  return std::any_of(verbs.begin(), verbs.end(), [&](const char* v) { return verb == v; });
}

}  // namespace

LineOutput FtpProtocol::greeting() { return LineOutput{}.line(config_.banner); }

LineOutput FtpProtocol::onLine(std::string_view line) {
  const auto [rawVerb, arg] = text::splitVerb(line);
  const std::string verb = text::upper(rawVerb);
  Fields fields = {{"cmd", verb}, {"arg", verb == "PASS" ? std::string() : std::string(arg)}};
  const bool hostile = line.find('\0') != std::string_view::npos;
  if (hostile) {
    fields.emplace_back("anomaly", "nul_byte");
    fields.emplace_back("raw_b64", text::rawSample(line));
  }
  LineOutput output = loggedIn_ ? postLogin(verb, arg) : preLogin(verb, arg);
  output.events.insert(output.events.begin(),
                       {"command", std::move(fields), hostile ? kSeverityWarning : kSeverityInfo});
  return output;
}

LineOutput FtpProtocol::preLogin(const std::string& verb, std::string_view arg) {
  LineOutput output;
  if (verb == "USER") {
    user_ = std::string(arg);
    haveUser_ = true;
    return output.line("331 Please specify the password.");
  }
  if (verb == "PASS") {
    if (!haveUser_) return output.line("503 Login with USER first.");
    const bool ok = std::any_of(config_.users.begin(), config_.users.end(),
                                [&](const auto& u) { return u.first == user_ && u.second == arg; });
    Fields fields;
    addCredential(fields, user_, arg, ok);
    output.event("auth_attempt", std::move(fields));
    haveUser_ = false;
    if (ok) {
      loggedIn_ = true;
      return output.line("230 Login successful.");
    }
    output.delay = config_.failDelay;
    output.close = ++failures_ >= kMaxLoginFails;
    return output.line("530 Login incorrect.");
  }
  if (verb == "QUIT") {
    output.close = true;
    return output.line("221 Goodbye.");
  }
  if (verb == "FEAT") {
    output.reply = kFeatures;
    return output;
  }
  if (verb == "OPTS") {
    return output.line(text::upper(arg) == "UTF8 ON" ? "200 Always in UTF8 mode."
                                                     : "501 Option not understood.");
  }
  return output.line("530 Please login with USER and PASS.");
}

std::uint16_t FtpProtocol::passivePort() {
  random_ = random_ * 1103515245u + 12345u;
  return static_cast<std::uint16_t>(30000 + (random_ >> 8) % 20000);
}

LineOutput FtpProtocol::dataCommand(const std::string& verb, std::string_view arg) {
  LineOutput output;
  if (verb == "RETR") output.event("download_attempt", {{"path", std::string(arg)}});
  if (oneOf(verb, {"STOR", "STOU", "APPE"})) {
    output.event("upload",
                 {{"name", std::string(arg)}, {"size", "0"}, {"sha256", text::sha256Hex("")}});
  }
  if (!dataMode_) return output.line("425 Use PORT or PASV first.");
  dataMode_ = false;
  return output.line("425 Failed to establish connection.");
}

LineOutput FtpProtocol::postLogin(const std::string& verb, std::string_view arg) {
  LineOutput output;
  if (oneOf(verb, {"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"})) {
    return dataCommand(verb, arg);
  }
  if (verb == "USER") return output.line("530 Can't change to another user.");
  if (verb == "PASS") return output.line("230 Already logged in.");
  if (verb == "QUIT") {
    output.close = true;
    return output.line("221 Goodbye.");
  }
  if (verb == "FEAT") {
    output.reply = kFeatures;
    return output;
  }
  if (verb == "HELP") {
    output.reply = kHelp;
    return output;
  }
  if (verb == "OPTS") {
    return output.line(text::upper(arg) == "UTF8 ON" ? "200 Always in UTF8 mode."
                                                     : "501 Option not understood.");
  }
  if (verb == "SYST") return output.line("215 UNIX Type: L8");
  if (verb == "PWD" || verb == "XPWD") {
    return output.line("257 \"" + cwd_ + "\" is the current directory");
  }
  if (verb == "CWD" || verb == "XCWD") {
    if (arg == "/" || arg == "." || arg == ".." || arg == "~") {
      cwd_ = "/";
      return output.line("250 Directory successfully changed.");
    }
    return output.line("550 Failed to change directory.");
  }
  if (verb == "CDUP" || verb == "XCUP") {
    cwd_ = "/";
    return output.line("250 Directory successfully changed.");
  }
  if (verb == "TYPE") {
    const std::string type = text::upper(arg);
    if (type == "I" || type == "L8" || type == "L 8") {
      return output.line("200 Switching to Binary mode.");
    }
    if (type == "A" || type == "A N") return output.line("200 Switching to ASCII mode.");
    return output.line("500 Unrecognised TYPE command.");
  }
  if (verb == "PASV") {
    dataMode_ = true;
    std::string ip = config_.localIp;
    std::replace(ip.begin(), ip.end(), '.', ',');
    const std::uint16_t port = passivePort();
    return output.line("227 Entering Passive Mode (" + ip + "," + std::to_string(port >> 8) + "," +
                       std::to_string(port & 255) + ").");
  }
  if (verb == "EPSV") {
    if (text::upper(arg) == "ALL") return output.line("200 EPSV ALL ok.");
    dataMode_ = true;
    return output.line("229 Entering Extended Passive Mode (|||" + std::to_string(passivePort()) +
                       "|)");
  }
  if (verb == "PORT" || verb == "EPRT") {
    if (arg.empty()) return output.line("500 Illegal " + verb + " command.");
    dataMode_ = true;
    return output.line("200 " + verb + " command successful. Consider using PASV.");
  }
  if (verb == "SIZE") return output.line("550 Could not get file size.");
  if (verb == "MDTM") return output.line("550 Could not get file modification time.");
  if (verb == "MKD" || verb == "XMKD") return output.line("550 Create directory operation failed.");
  if (verb == "RMD" || verb == "XRMD") return output.line("550 Remove directory operation failed.");
  if (verb == "DELE") return output.line("550 Delete operation failed.");
  if (verb == "RNFR") return output.line("550 RNFR command failed.");
  if (verb == "RNTO") return output.line("503 RNFR required first.");
  if (verb == "NOOP") return output.line("200 NOOP ok.");
  if (verb == "ABOR") return output.line("225 No transfer to ABOR.");
  if (verb == "ALLO") return output.line("202 ALLO command ignored.");
  if (verb == "REST") {
    return output.line("350 Restart position accepted (" +
                       std::to_string(std::atoll(std::string(arg).c_str())) + ").");
  }
  if (verb == "MODE") {
    return output.line(text::upper(arg) == "S" ? "200 Mode set to S." : "504 Bad MODE command.");
  }
  if (verb == "STRU") {
    return output.line(text::upper(arg) == "F" ? "200 Structure set to F."
                                               : "504 Bad STRU command.");
  }
  if (verb == "SITE") return output.line("500 Unknown SITE command.");
  if (verb == "STAT" && arg.empty()) {
    output.reply =
        "211-FTP server status:\r\n     Connected to " + config_.localIp +
        "\r\n     Logged in as " + user_ +
        "\r\n     TYPE: ASCII\r\n     No session bandwidth limit\r\n     Session timeout in "
        "seconds "
        "is 300\r\n     Control connection is plain text\r\n     Data connections will be plain "
        "text\r\n     At session startup, client count was 1\r\n     vsFTPd 3.0.3 - secure, fast, "
        "stable\r\n211 End of status\r\n";
    return output;
  }
  return output.line("500 Unknown command.");
}

LineOutput FtpProtocol::onAnomaly(text::LineAnomaly anomaly, std::string_view sample) {
  LineOutput output;
  const bool tooLong = anomaly == text::LineAnomaly::kLineTooLong;
  output.events.push_back(text::boundEvent(anomaly, sample));
  output.close = true;
  return output.line(tooLong ? "500 Input line too long." : "421 Too many commands.");
}

LineOutput FtpProtocol::onIdle(std::string_view pending) {
  return text::idleOutput(pending, "421 Timeout.");
}

}  // namespace decnet::decoy::ftp
