// The pop3 service: Pop3Protocol (Dovecot) on the shared line session.
#include <memory>

#include "decoy/common/text/line_session.h"
#include "decoy/service.h"
#include "decoy/services/pop3/pop3_protocol.h"

namespace decnet::decoy {
namespace {

constexpr std::size_t kMaxLine = 8192;

class Pop3Service final : public Service {
 public:
  Pop3Service(pop3::Pop3Config config, std::chrono::seconds idleTimeout)
      : config_(std::move(config)), idleTimeout_(idleTimeout) {}

  void serve(std::shared_ptr<Connection> connection) override {
    text::startLineSession(std::move(connection), std::make_unique<pop3::Pop3Protocol>(config_),
                           {.maxLine = kMaxLine, .maxLines = 2000, .idleTimeout = idleTimeout_});
  }

 private:
  const pop3::Pop3Config config_;
  const std::chrono::seconds idleTimeout_;
};

class Pop3ServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "pop3"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    pop3::Pop3Config config;
    config.banner = persona.text("banner");
    if (config.banner.find_first_of("\r\n") != std::string::npos) {
      persona.invalid("banner", "must not contain line breaks");
    }
    config.users = persona.users("users");
    config.hostname = context.hostname;
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    return std::make_unique<Pop3Service>(std::move(config), context.idleTimeout);
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(Pop3ServiceFactory);

}  // namespace decnet::decoy
