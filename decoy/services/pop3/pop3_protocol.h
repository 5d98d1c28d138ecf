#pragma once
// Dovecot's POP3 (pop3-login, then a tiny mailbox for listed users): USER/PASS, APOP and
// AUTH PLAIN always fail for everyone else, after Dovecot's failure delay.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "decoy/common/text/line_protocol.h"

namespace decnet::decoy::pop3 {

struct Pop3Config {
  std::string banner = "+OK Dovecot ready.";
  std::vector<std::pair<std::string, std::string>> users;  // logins that succeed
  std::string hostname = "localhost";                      // appears in the fake mailbox
  std::chrono::milliseconds failDelay{2000};               // Dovecot's auth_failure_delay
};

class Pop3Protocol final : public text::LineProtocol {
 public:
  explicit Pop3Protocol(Pop3Config config);

  // decnet::decoy::text::LineProtocol.
  text::LineOutput greeting() override;
  text::LineOutput onLine(std::string_view line) override;
  text::LineOutput onAnomaly(text::LineAnomaly anomaly, std::string_view sample) override;
  text::LineOutput onIdle(std::string_view pending) override;

 private:
  text::LineOutput authorization(const std::string& verb, std::string_view arg);
  text::LineOutput transaction(const std::string& verb, std::string_view arg);
  text::LineOutput saslResponse(std::string_view line);
  text::LineOutput login(const std::string& method, std::string principal, std::string secret);
  text::LineOutput badCommand(std::string_view reply);
  // The message numbered by `arg` (1-based), or -1.
  int message(std::string_view arg) const;

  Pop3Config config_;
  std::vector<std::string> messages_;
  std::vector<bool> deleted_;
  std::string user_;
  bool haveUser_ = false;
  bool inSasl_ = false;
  bool loggedIn_ = false;
  int badCommands_ = 0;
};

}  // namespace decnet::decoy::pop3
