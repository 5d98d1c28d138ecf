// The smtp service: SmtpProtocol (Postfix, Exim or Sendmail) on the shared line session.
#include <ctime>
#include <memory>
#include <random>

#include "decoy/common/text/line_session.h"
#include "decoy/service.h"
#include "decoy/services/smtp/smtp_protocol.h"

namespace decnet::decoy {
namespace {

constexpr std::size_t kMaxLine = 64 * 1024;  // DATA lines may be long; commands are not
constexpr std::size_t kMaxLines = 200000;    // DATA lines count too

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string rfc2822Now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

class SmtpService final : public Service {
 public:
  SmtpService(smtp::SmtpConfig config, std::chrono::seconds idleTimeout)
      : config_(std::move(config)), idleTimeout_(idleTimeout), random_(std::random_device{}()) {}

  void serve(std::shared_ptr<Connection> connection) override {
    smtp::SmtpConfig config = config_;
    config.banner = replaceAll(config.banner, "DATE", rfc2822Now());
    config.clientIp = connection->peer().ip;
    config.seed = static_cast<std::uint32_t>(random_());
    text::startLineSession(
        std::move(connection), std::make_unique<smtp::SmtpProtocol>(std::move(config)),
        {.maxLine = kMaxLine, .maxLines = kMaxLines, .idleTimeout = idleTimeout_});
  }

 private:
  const smtp::SmtpConfig config_;
  const std::chrono::seconds idleTimeout_;
  std::mt19937 random_;  // loop thread only
};

class SmtpServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "smtp"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    smtp::SmtpConfig config;
    const std::string mta = persona.text("mta");
    config.mta = mta == "exim"       ? smtp::Mta::kExim
                 : mta == "sendmail" ? smtp::Mta::kSendmail
                                     : smtp::Mta::kPostfix;
    std::string banner = persona.text("banner");
    if (!persona.has("banner") && config.mta == smtp::Mta::kExim) {
      banner = "220 HOST ESMTP Exim 4.96 DATE";
    } else if (!persona.has("banner") && config.mta == smtp::Mta::kSendmail) {
      banner = "220 HOST ESMTP Sendmail 8.17.1.9/8.17.1.9; DATE";
    }
    if (banner.find_first_of("\r\n") != std::string::npos) {
      persona.invalid("banner", "must not contain line breaks");
    }
    config.banner = replaceAll(banner, "HOST", context.hostname);
    config.openRelay = persona.boolean("open_relay");
    config.hostname = context.hostname;
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    return std::make_unique<SmtpService>(std::move(config), context.idleTimeout);
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(SmtpServiceFactory);

}  // namespace decnet::decoy
