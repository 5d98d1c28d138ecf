#pragma once
// Dovecot's IMAP4rev1 login phase (LOGIN with quoted strings and literals, AUTHENTICATE PLAIN
// with SASL-IR or a continuation) and, for listed users, a one-message INBOX.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "decoy/common/text/line_protocol.h"

namespace decnet::decoy::imap {

struct ImapConfig {
  std::string banner = "* OK Dovecot ready.";
  std::vector<std::pair<std::string, std::string>> users;  // logins that succeed
  std::chrono::milliseconds failDelay{2000};               // Dovecot's auth_failure_delay
};

// IMAP tokens of one command: atoms, quoted strings and literals, in order ("(" and ")" are
// atoms of their own). Nullopt when the syntax is broken.
std::optional<std::vector<std::string>> tokenize(std::string_view command);

class ImapProtocol final : public text::LineProtocol {
 public:
  explicit ImapProtocol(ImapConfig config) : config_(std::move(config)) {}

  // decnet::decoy::text::LineProtocol.
  text::LineOutput greeting() override;
  text::LineOutput onLine(std::string_view line) override;
  text::LineOutput onRaw(std::string_view bytes) override;
  text::LineOutput onAnomaly(text::LineAnomaly anomaly, std::string_view sample) override;
  text::LineOutput onIdle(std::string_view pending) override;

 private:
  text::LineOutput execute(std::string_view command);
  text::LineOutput loginPhase(const std::string& tag, const std::string& verb,
                              const std::vector<std::string>& args);
  text::LineOutput mailPhase(const std::string& tag, const std::string& verb,
                             const std::vector<std::string>& args);
  text::LineOutput saslResponse(std::string_view line);
  text::LineOutput login(const std::string& tag, const std::string& method,
                         const std::string& principal, const std::string& secret);
  text::LineOutput bad(const std::string& tag, std::string_view text);

  ImapConfig config_;
  std::string command_;      // a command being assembled across literals
  bool continuing_ = false;  // the next line continues command_
  std::string saslTag_;      // AUTHENTICATE waiting for its response
  std::string idleTag_;      // IDLE waiting for DONE
  bool loggedIn_ = false;
  bool selected_ = false;
  int badCommands_ = 0;
};

}  // namespace decnet::decoy::imap
