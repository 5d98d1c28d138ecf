#pragma once
// An ESMTP server in the manner of Postfix (default), Exim or Sendmail: EHLO, AUTH PLAIN/LOGIN
// that always fail, MAIL/RCPT with relay refusal, DATA and BDAT up to a bound. Nothing is
// delivered; every message becomes an event with its digest.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "decoy/common/text/line_protocol.h"

namespace decnet::decoy::smtp {

enum class Mta { kPostfix, kExim, kSendmail };

struct SmtpConfig {
  std::string banner;  // the whole 220 line, HOST already replaced
  Mta mta = Mta::kPostfix;
  bool openRelay = false;
  std::string hostname = "localhost";
  std::string clientIp = "127.0.0.1";
  std::uint32_t seed = 1;  // queue ids
  std::size_t maxMessage = 1024 * 1024;
};

class SmtpProtocol final : public text::LineProtocol {
 public:
  explicit SmtpProtocol(SmtpConfig config) : config_(std::move(config)), random_(config_.seed) {}

  // decnet::decoy::text::LineProtocol.
  text::LineOutput greeting() override;
  text::LineOutput onLine(std::string_view line) override;
  text::LineOutput onRaw(std::string_view bytes) override;
  text::LineOutput onAnomaly(text::LineAnomaly anomaly, std::string_view sample) override;
  text::LineOutput onIdle(std::string_view pending) override;

 private:
  enum class State { kCommand, kData, kAuthPlain, kAuthUser, kAuthPass };

  text::LineOutput command(const std::string& verb, std::string_view arg);
  text::LineOutput auth(std::string_view arg);
  text::LineOutput authStep(std::string_view line);
  text::LineOutput authFailed(const std::string& method, const std::string& principal,
                              const std::string& secret, const std::string& anomaly);
  text::LineOutput dataLine(std::string_view line);
  text::LineOutput finishMessage();
  text::LineOutput error(std::string_view reply);
  void addBody(std::string_view bytes);
  bool localDomain(std::string_view address) const;
  std::string queueId();
  void resetTransaction();

  SmtpConfig config_;
  std::uint32_t random_;
  State state_ = State::kCommand;
  bool greeted_ = false;
  bool esmtp_ = false;
  bool haveMail_ = false;
  std::string from_;
  std::vector<std::string> to_;
  std::string body_;
  std::size_t size_ = 0;
  bool bdatLast_ = false;
  std::string authUser_;
  int errors_ = 0;
};

// "<a@b>" (or a bare address) after "FROM:" / "TO:"; nullopt on bad syntax.
std::optional<std::string> pathArgument(std::string_view arg, std::string_view keyword);

}  // namespace decnet::decoy::smtp
