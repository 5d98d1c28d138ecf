// HTTP/1.0 and 1.1 on the decoy's event loop: the plain TCP stream under HttpSession and the
// factory that reads the persona. Framing lives in decoy/common/http, pages and apps beside this.
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <utility>

#include "decoy/service.h"
#include "decoy/services/http/http_session.h"
#include "decoy/services/http/http_site.h"

namespace decnet::decoy {
namespace {

namespace asio = boost::asio;

// The connection's TCP socket as HttpSession's stream, counting bytes for the disconnect line.
class PlainStream {
 public:
  explicit PlainStream(Connection& connection) : connection_(&connection) {}

  template <class Handler>
  void readSome(asio::mutable_buffer buffer, Handler&& handler) {
    connection_->socket().async_read_some(
        buffer, [connection = connection_, handler = std::forward<Handler>(handler)](
                    const boost::system::error_code& ec, std::size_t n) mutable {
          connection->addBytesIn(n);
          handler(ec, n);
        });
  }

  template <class Handler>
  void write(asio::const_buffer buffer, Handler&& handler) {
    asio::async_write(connection_->socket(), buffer,
                      [connection = connection_, handler = std::forward<Handler>(handler)](
                          const boost::system::error_code& ec, std::size_t n) mutable {
                        connection->addBytesOut(n);
                        handler(ec, n);
                      });
  }

  void shutdownSend() {
    boost::system::error_code ignored;
    connection_->socket().shutdown(asio::socket_base::shutdown_send, ignored);
  }

  void close() {
    boost::system::error_code ignored;
    connection_->socket().close(ignored);
  }

 private:
  Connection* connection_;  // owned by the session, which outlives every operation
};

class HttpService final : public Service {
 public:
  HttpService(std::shared_ptr<const http::SiteConfig> config, std::chrono::seconds idleTimeout)
      : config_(std::move(config)),
        state_(std::make_shared<http::SiteState>()),
        idleTimeout_(idleTimeout) {}

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    PlainStream stream(*connection);
    std::make_shared<http::HttpSession<PlainStream>>(std::move(connection), stream, config_, state_,
                                                     idleTimeout_)
        ->start();
  }

 private:
  const std::shared_ptr<const http::SiteConfig> config_;
  const std::shared_ptr<http::SiteState> state_;
  const std::chrono::seconds idleTimeout_;
};

class HttpServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "http"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto config = std::make_shared<http::SiteConfig>();
    http::readSiteConfig(persona, context, *config);
    if (auto valid = persona.finish(); !valid) return tl::unexpected(valid.error());
    return std::make_unique<HttpService>(std::move(config), context.idleTimeout);
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(HttpServiceFactory);

}  // namespace decnet::decoy
