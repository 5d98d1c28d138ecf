#include "decoy/services/imap/imap_protocol.h"

#include <algorithm>
#include <cctype>

namespace decnet::decoy::imap {
namespace {

using text::LineOutput;

constexpr std::size_t kMaxLiteral = 64 * 1024;
constexpr std::size_t kMaxCommand = 128 * 1024;
constexpr int kMaxBadCommands = 10;  // Dovecot's CLIENT_MAX_BAD_COMMANDS

constexpr const char* kLoginCaps =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN";
constexpr const char* kMailCaps =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "
    "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY LITERAL+ NOTIFY "
    "SPECIAL-USE";
constexpr const char* kBadCommand = "Error in IMAP command received by server.";

// "{12}" or "{12+}" at the end of `line`: the literal's size and whether it is non-synchronizing.
std::optional<std::pair<std::size_t, bool>> trailingLiteral(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inside = line.substr(open + 1, line.size() - open - 2);
  const bool plus = !inside.empty() && inside.back() == '+';
  if (plus) inside.remove_suffix(1);
  if (inside.empty() || inside.size() > 9 ||
      !std::all_of(inside.begin(), inside.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::make_pair(static_cast<std::size_t>(std::stoul(std::string(inside))), plus);
}

}  // namespace

std::optional<std::vector<std::string>> tokenize(std::string_view command) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < command.size() && tokens.size() < 256) {
    const char c = command[i];
    if (c == ' ') {
      ++i;
    } else if (c == '"') {
      std::string value;
      for (++i; i < command.size() && command[i] != '"'; ++i) {
        if (command[i] == '\\' && i + 1 < command.size()) ++i;
        value.push_back(command[i]);
      }
      if (i >= command.size()) return std::nullopt;  // unterminated
      ++i;
      tokens.push_back(std::move(value));
    } else if (c == '{') {
      const auto close = command.find('}', i);
      if (close == std::string_view::npos) return std::nullopt;
      std::string digits(command.substr(i + 1, close - i - 1));
      if (!digits.empty() && digits.back() == '+') digits.pop_back();
      if (digits.empty() || digits.size() > 9 ||
          !std::all_of(digits.begin(), digits.end(), [](char d) { return d >= '0' && d <= '9'; })) {
        return std::nullopt;
      }
      const std::size_t n = std::stoul(digits);
      if (command.substr(close + 1, 2) != "\r\n" || close + 3 + n > command.size()) {
        return std::nullopt;
      }
      tokens.emplace_back(command.substr(close + 3, n));
      i = close + 3 + n;
    } else if (c == '(' || c == ')') {
      tokens.emplace_back(1, c);
      ++i;
    } else {
      std::size_t end = i;
      int depth = 0;  // BODY[HEADER.FIELDS (FROM)] stays one atom
      while (end < command.size() &&
             (depth > 0 || (command[end] != ' ' && command[end] != ')' && command[end] != '('))) {
        if (command[end] == '[') ++depth;
        if (command[end] == ']') --depth;
        ++end;
      }
      tokens.emplace_back(command.substr(i, end - i));
      i = end;
    }
  }
  return tokens;
}

LineOutput ImapProtocol::greeting() {
  std::string banner = config_.banner;
  if (banner.rfind("* OK ", 0) == 0) {
    banner = "* OK [CAPABILITY " + std::string(kLoginCaps) + "] " + banner.substr(5);
  }
  return LineOutput{}.line(banner);
}

LineOutput ImapProtocol::bad(const std::string& tag, std::string_view text) {
  LineOutput output;
  if (++badCommands_ >= kMaxBadCommands) {
    output.close = true;
    return output.line("* BYE Too many invalid IMAP commands.");
  }
  return output.line((tag.empty() ? "*" : tag) + " BAD " + std::string(text));
}

LineOutput ImapProtocol::onLine(std::string_view line) {
  if (!saslTag_.empty()) return saslResponse(line);
  if (!idleTag_.empty()) {
    const std::string tag = std::exchange(idleTag_, {});
    if (text::iequals(line, "DONE")) return LineOutput{}.line(tag + " OK Idle completed.");
    return bad(tag, kBadCommand);
  }
  if (!continuing_) command_.clear();
  command_.append(line);
  continuing_ = false;
  if (command_.size() > kMaxCommand) return onAnomaly(text::LineAnomaly::kLineTooLong, command_);
  if (const auto literal = trailingLiteral(line)) {
    if (literal->first > kMaxLiteral) {
      LineOutput output;
      output.event("command",
                   {{"tag", std::string(text::splitVerb(command_).first)},
                    {"cmd", ""},
                    {"arg", ""},
                    {"anomaly", "literal_too_large"},
                    {"raw_b64", text::rawSample(command_)}},
                   kSeverityWarning);
      output.close = true;
      command_.clear();
      return output.line("* BYE Too long argument.");
    }
    command_.append("\r\n");
    continuing_ = true;
    LineOutput output;
    output.rawBytes = literal->first;
    if (!literal->second) output.line("+ OK");
    return output;
  }
  const std::string command = std::exchange(command_, {});
  return execute(command);
}

LineOutput ImapProtocol::onRaw(std::string_view bytes) {
  command_.append(bytes);
  continuing_ = true;
  return {};
}

LineOutput ImapProtocol::execute(std::string_view command) {
  const auto tokens = tokenize(command);
  const std::string tag(text::splitVerb(command).first);
  if (!tokens || tokens->size() < 2 || tag.empty()) {
    LineOutput output = bad(tokens && !tokens->empty() ? tag : "", kBadCommand);
    output.event("command",
                 {{"tag", tag},
                  {"cmd", ""},
                  {"arg", ""},
                  {"anomaly", "syntax_error"},
                  {"raw_b64", text::rawSample(command)}},
                 kSeverityWarning);
    return output;
  }
  const std::string verb = text::upper((*tokens)[1]);
  const std::vector<std::string> args(tokens->begin() + 2, tokens->end());
  std::string arg(text::splitVerb(text::splitVerb(command).second).second);
  if (verb == "LOGIN" || verb == "AUTHENTICATE") arg = args.empty() ? "" : args[0];
  Fields fields = {{"tag", tag}, {"cmd", verb}, {"arg", arg}};
  const bool hostile = command.find('\0') != std::string_view::npos;
  if (hostile) {
    fields.emplace_back("anomaly", "nul_byte");
    fields.emplace_back("raw_b64", text::rawSample(command));
  }
  LineOutput output = loggedIn_ ? mailPhase(tag, verb, args) : loginPhase(tag, verb, args);
  output.events.insert(output.events.begin(),
                       {"command", std::move(fields), hostile ? kSeverityWarning : kSeverityInfo});
  return output;
}

LineOutput ImapProtocol::login(const std::string& tag, const std::string& method,
                               const std::string& principal, const std::string& secret) {
  const bool ok = std::any_of(config_.users.begin(), config_.users.end(), [&](const auto& u) {
    return u.first == principal && u.second == secret;
  });
  LineOutput output;
  Fields fields;
  addCredential(fields, principal, secret, ok);
  fields.emplace_back("method", method);
  output.event("auth_attempt", std::move(fields));
  if (ok) {
    loggedIn_ = true;
    return output.line(tag + " OK [CAPABILITY " + kMailCaps + "] Logged in");
  }
  output.delay = config_.failDelay;
  return output.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
}

LineOutput ImapProtocol::loginPhase(const std::string& tag, const std::string& verb,
                                    const std::vector<std::string>& args) {
  LineOutput output;
  if (verb == "CAPABILITY") {
    output.line(std::string("* CAPABILITY ") + kLoginCaps);
    return output.line(tag +
                       " OK Pre-login capabilities listed, post-login capabilities have more.");
  }
  if (verb == "LOGIN") {
    if (args.size() != 2) return bad(tag, kBadCommand);
    return login(tag, "login", args[0], args[1]);
  }
  if (verb == "AUTHENTICATE") {
    if (args.empty() || args.size() > 2) return bad(tag, kBadCommand);
    if (text::upper(args[0]) != "PLAIN") {
      return output.line(tag + " NO Unsupported authentication mechanism.");
    }
    saslTag_ = tag;
    if (args.size() == 2) return saslResponse(args[1]);
    return output.line("+ ");
  }
  if (verb == "STARTTLS") return output.line(tag + " BAD TLS support isn't enabled.");
  if (verb == "NOOP") return output.line(tag + " OK NOOP completed.");
  if (verb == "ID")
    return output.line("* ID (\"name\" \"Dovecot\")").line(tag + " OK ID completed.");
  if (verb == "LOGOUT") {
    output.close = true;
    return output.line("* BYE Logging out").line(tag + " OK Logout completed.");
  }
  return bad(tag, kBadCommand);
}

LineOutput ImapProtocol::saslResponse(std::string_view line) {
  const std::string tag = std::exchange(saslTag_, {});
  if (line == "*") return bad(tag, "Authentication aborted by client.");
  std::string principal, secret;
  const std::string anomaly = text::parseSaslPlain(line, principal, secret);
  if (anomaly == "invalid_base64") {
    LineOutput output = bad(tag, "Invalid base64 data in continued response");
    output.event("command",
                 {{"tag", tag},
                  {"cmd", "AUTHENTICATE"},
                  {"arg", "PLAIN"},
                  {"anomaly", anomaly},
                  {"raw_b64", text::rawSample(line)}},
                 kSeverityWarning);
    return output;
  }
  LineOutput output = login(tag, "plain", principal, secret);
  if (!anomaly.empty()) output.events.back().fields.emplace_back("anomaly", anomaly);
  return output;
}

LineOutput ImapProtocol::mailPhase(const std::string& tag, const std::string& verb,
                                   const std::vector<std::string>& args) {
  LineOutput output;
  const auto done = [&](std::string_view what) {
    return output.line(tag + " OK " + std::string(what) + " completed (0.001 + 0.000 secs).");
  };
  if (verb == "CAPABILITY") {
    output.line(std::string("* CAPABILITY ") + kMailCaps);
    return output.line(tag + " OK Capability completed.");
  }
  if (verb == "NOOP" || verb == "CHECK") return done(verb == "NOOP" ? "NOOP" : "Check");
  if (verb == "LOGOUT") {
    output.close = true;
    return output.line("* BYE Logging out")
        .line(tag + " OK Logout completed (0.001 + 0.000 secs).");
  }
  if (verb == "ID")
    return output.line("* ID (\"name\" \"Dovecot\")").line(tag + " OK ID completed.");
  if (verb == "NAMESPACE") {
    output.line("* NAMESPACE ((\"\" \"/\")) NIL NIL");
    return output.line(tag + " OK Namespace completed (0.001 + 0.000 secs).");
  }
  if (verb == "LIST" || verb == "LSUB") {
    if (args.size() < 2) return bad(tag, kBadCommand);
    if (args[1].empty()) {
      output.line("* " + verb + " (\\Noselect) \"/\" \"\"");
    } else {
      output.line("* " + verb + " (\\HasNoChildren) \"/\" INBOX");
    }
    return done(verb == "LIST" ? "List" : "Lsub");
  }
  if (verb == "SELECT" || verb == "EXAMINE" || verb == "STATUS") {
    if (args.empty()) return bad(tag, kBadCommand);
    if (!text::iequals(args[0], "INBOX")) {
      return output.line(tag + " NO Mailbox doesn't exist: " + printable(args[0]).substr(0, 200));
    }
    if (verb == "STATUS") {
      output.line("* STATUS INBOX (MESSAGES 1 RECENT 0 UIDNEXT 2 UIDVALIDITY 1709450000 UNSEEN 0)");
      return done("Status");
    }
    selected_ = true;
    output.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
        .line(
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
            "permitted.")
        .line("* 1 EXISTS")
        .line("* 0 RECENT")
        .line("* OK [UIDVALIDITY 1709450000] UIDs valid")
        .line("* OK [UIDNEXT 2] Predicted next UID");
    return output.line(tag +
                       (verb == "SELECT" ? " OK [READ-WRITE] Select" : " OK [READ-ONLY] Examine") +
                       " completed (0.001 + 0.000 secs).");
  }
  if (verb == "FETCH" || verb == "UID" || verb == "SEARCH") {
    if (!selected_) return bad(tag, "No mailbox selected.");
    if (verb == "SEARCH" || (!args.empty() && text::upper(args[0]) == "SEARCH")) {
      output.line("* SEARCH 1");
      return done(verb == "SEARCH" ? "Search" : "Search");
    }
    output.line("* 1 FETCH (UID 1 FLAGS (\\Seen) RFC822.SIZE 412)");
    return done("Fetch");
  }
  if (verb == "CLOSE" || verb == "UNSELECT" || verb == "EXPUNGE") {
    if (verb != "EXPUNGE") selected_ = false;
    return done(verb == "CLOSE" ? "Close" : verb == "UNSELECT" ? "Unselect" : "Expunge");
  }
  if (verb == "IDLE") {
    idleTag_ = tag;
    return output.line("+ idling");
  }
  if (verb == "ENABLE") return output.line("* ENABLED").line(tag + " OK Enabled.");
  return bad(tag, "Error in IMAP command " + verb.substr(0, 32) + ": Unknown command.");
}

LineOutput ImapProtocol::onAnomaly(text::LineAnomaly anomaly, std::string_view sample) {
  const bool tooLong = anomaly == text::LineAnomaly::kLineTooLong;
  LineOutput output;
  output.event("command",
               {{"tag", std::string(text::splitVerb(sample.substr(0, 64)).first)},
                {"cmd", ""},
                {"arg", ""},
                {"anomaly", tooLong ? "line_too_long" : "too_many_commands"},
                {"raw_b64", text::rawSample(sample)}},
               kSeverityWarning);
  output.close = true;
  command_.clear();
  continuing_ = false;
  return output.line(tooLong ? "* BYE Too long argument."
                             : "* BYE Too many invalid IMAP commands.");
}

LineOutput ImapProtocol::onIdle(std::string_view pending) {
  LineOutput output;
  if (!pending.empty()) {
    output.event("command",
                 {{"tag", ""},
                  {"cmd", ""},
                  {"arg", ""},
                  {"anomaly", "incomplete_line"},
                  {"raw_b64", text::rawSample(pending)}},
                 kSeverityWarning);
  }
  return output.line("* BYE Disconnected for inactivity.");
}

}  // namespace decnet::decoy::imap
