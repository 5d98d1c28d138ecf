// The http emulator over TLS: a self-signed certificate per decky (kept in the state folder),
// the ClientHello fingerprinted (JA3) before OpenSSL sees it, then the same HttpSession as http.
#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <utility>

#include "decoy/common/tls/tls_context.h"
#include "decoy/common/tls/tls_stream.h"
#include "decoy/service.h"
#include "decoy/services/http/http_session.h"
#include "decoy/services/http/http_site.h"

namespace decnet::decoy {
namespace {

constexpr std::size_t kRawPreview = 1024;

class HttpsService final : public Service {
 public:
  HttpsService(std::shared_ptr<const http::SiteConfig> config, tls::ServerContext ctx,
               std::chrono::seconds idleTimeout)
      : config_(std::move(config)),
        state_(std::make_shared<http::SiteState>()),
        ctx_(std::move(ctx)),
        idleTimeout_(idleTimeout) {}

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    tls::TlsStream stream(*connection, ctx_.get(), idleTimeout_);
    Connection* raw = connection.get();
    stream.handshake(
        [raw](const tls::ClientHello& hello) {
          const std::string ja3 = tls::ja3String(hello);
          raw->record("tls_client_hello",
                      {{"ja3", tls::md5Hex(ja3)}, {"ja3_string", ja3}, {"sni", hello.sni}});
        },
        [this, connection, stream](const tls::HandshakeResult& result) mutable {
          using Status = tls::HandshakeResult::Status;
          if (result.status == Status::kOk) {
            std::make_shared<http::HttpSession<tls::TlsStream>>(connection, stream, config_, state_,
                                                                idleTimeout_)
                ->start();
            return;
          }
          if (result.status != Status::kClosed || !result.raw.empty()) {
            Fields fields = {{"anomaly", result.anomaly.empty() ? "tls_closed" : result.anomaly}};
            if (!result.raw.empty()) {
              fields.emplace_back(
                  "raw_b64", base64Encode(std::string_view(result.raw).substr(0, kRawPreview)));
            }
            connection->record("request", std::move(fields), {}, kSeverityWarning);
          }
          stream.close();
        });
  }

 private:
  const std::shared_ptr<const http::SiteConfig> config_;
  const std::shared_ptr<http::SiteState> state_;
  const tls::ServerContext ctx_;
  const std::chrono::seconds idleTimeout_;
};

class HttpsServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "https"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto config = std::make_shared<http::SiteConfig>();
    config->scheme = "https";
    http::readSiteConfig(persona, context, *config);
    std::string commonName = persona.text("tls_cn");
    if (commonName.empty()) commonName = context.hostname;
    if (commonName.size() > 64) persona.invalid("tls_cn", "at most 64 characters");
    if (auto valid = persona.finish(); !valid) return tl::unexpected(valid.error());
    // Issued when the fake host was installed, like a certificate made by the package.
    const long long issued = static_cast<long long>(config->mtime) - 86400;
    const std::string dir = context.stateDir.empty() ? "" : context.stateDir + "/https";
    auto ctx = tls::makeServerContext(dir, commonName, issued);
    if (!ctx) return tl::unexpected(ctx.error());
    return std::make_unique<HttpsService>(std::move(config), std::move(*ctx), context.idleTimeout);
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(HttpsServiceFactory);

}  // namespace decnet::decoy
