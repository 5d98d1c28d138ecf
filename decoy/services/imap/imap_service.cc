// The imap service: ImapProtocol (Dovecot) on the shared line session.
#include <memory>

#include "decoy/common/text/line_session.h"
#include "decoy/service.h"
#include "decoy/services/imap/imap_protocol.h"

namespace decnet::decoy {
namespace {

constexpr std::size_t kMaxLine = 64 * 1024;  // literals carry the long parts

class ImapService final : public Service {
 public:
  ImapService(imap::ImapConfig config, std::chrono::seconds idleTimeout)
      : config_(std::move(config)), idleTimeout_(idleTimeout) {}

  void serve(std::shared_ptr<Connection> connection) override {
    text::startLineSession(std::move(connection), std::make_unique<imap::ImapProtocol>(config_),
                           {.maxLine = kMaxLine, .maxLines = 2000, .idleTimeout = idleTimeout_});
  }

 private:
  const imap::ImapConfig config_;
  const std::chrono::seconds idleTimeout_;
};

class ImapServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "imap"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    imap::ImapConfig config;
    config.banner = persona.text("banner");
    if (config.banner.find_first_of("\r\n") != std::string::npos) {
      persona.invalid("banner", "must not contain line breaks");
    }
    config.users = persona.users("users");
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    return std::make_unique<ImapService>(std::move(config), context.idleTimeout);
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(ImapServiceFactory);

}  // namespace decnet::decoy
