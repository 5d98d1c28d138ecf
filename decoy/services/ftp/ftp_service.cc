// The ftp service: FtpProtocol (vsftpd 3.0.3) on the shared line session.
#include <memory>
#include <random>

#include "decoy/common/text/line_session.h"
#include "decoy/service.h"
#include "decoy/services/ftp/ftp_protocol.h"

namespace decnet::decoy {
namespace {

constexpr std::size_t kMaxLine = 4096;  // vsftpd's VSFTP_MAX_COMMAND_LINE

class FtpService final : public Service {
 public:
  FtpService(ftp::FtpConfig config, std::chrono::seconds idleTimeout)
      : config_(std::move(config)), idleTimeout_(idleTimeout), random_(std::random_device{}()) {}

  void serve(std::shared_ptr<Connection> connection) override {
    ftp::FtpConfig config = config_;
    boost::system::error_code ec;
    const auto local = connection->socket().local_endpoint(ec);
    if (!ec && local.address().is_v4()) config.localIp = local.address().to_string();
    config.seed = static_cast<std::uint32_t>(random_());
    text::startLineSession(std::move(connection),
                           std::make_unique<ftp::FtpProtocol>(std::move(config)),
                           {.maxLine = kMaxLine, .maxLines = 2000, .idleTimeout = idleTimeout_});
  }

 private:
  const ftp::FtpConfig config_;
  const std::chrono::seconds idleTimeout_;
  std::mt19937 random_;  // loop thread only
};

class FtpServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "ftp"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    ftp::FtpConfig config;
    config.banner = persona.text("banner");
    if (config.banner.find_first_of("\r\n") != std::string::npos) {
      persona.invalid("banner", "must not contain line breaks");
    }
    config.users = persona.users("users");
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    return std::make_unique<FtpService>(std::move(config), context.idleTimeout);
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(FtpServiceFactory);

}  // namespace decnet::decoy
