#pragma once
// One HTTP connection on the decoy's event loop: reads, frames requests (RequestParser), answers
// them (Handler), keep-alive and pipelining, an idle timer, and a lingering close. A template
// over the byte stream so http (a TCP socket) and https (TLS over it) share every line.
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "decoy/common/http/http_credentials.h"
#include "decoy/common/http/http_request.h"
#include "decoy/service.h"
#include "decoy/services/http/http_site.h"

namespace decnet::decoy::http {

inline constexpr std::size_t kBodyPreview = 1024;  // what the request event shows
inline constexpr std::size_t kRawPreview = 1024;   // raw bytes kept with an anomaly
inline constexpr auto kLingerTimeout = std::chrono::seconds(2);

// Stream: readSome(mutable_buffer, handler(ec, n)), write(const_buffer, handler(ec, n)),
// shutdownSend(), close().
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(std::shared_ptr<Connection> connection, Stream stream,
              std::shared_ptr<const SiteConfig> config, std::shared_ptr<SiteState> state,
              std::chrono::seconds idleTimeout)
      : connection_(std::move(connection)),
        stream_(std::move(stream)),
        config_(std::move(config)),
        state_(std::move(state)),
        timer_(connection_->socket().get_executor()),
        idleTimeout_(idleTimeout) {}

  // Starts reading requests; `initial` holds bytes already received (after a TLS handshake).
  void start() {
    armTimer();
    process();
  }

 private:
  void read() {
    stream_.readSome(boost::asio::buffer(chunk_),
                     [self = this->shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t n) { self->onRead(ec, n); });
  }

  void onRead(const boost::system::error_code& ec, std::size_t n) {
    if (ec) {
      finish();
      return;
    }
    parser_.feed(std::string_view(chunk_.data(), n));
    if (parser_.midRequest()) armTimer();  // a body that keeps coming keeps the slot
    process();
  }

  void armTimer() {
    timer_.expires_after(idleTimeout_);
    timer_.async_wait([weak = this->weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->onTimeout();
    });
  }

  void onTimeout() {
    if (parser_.midRequest()) {
      Fields fields = {{"anomaly", "incomplete_request"},
                       {"raw_b64", base64Encode(parser_.buffered().substr(0, kRawPreview))}};
      if (!parser_.request().method.empty()) {
        fields.emplace_back("method", parser_.request().method);
        fields.emplace_back("path", parser_.request().path);
      }
      connection_->record("request", std::move(fields), {}, kSeverityWarning);
    }
    stream_.close();
  }

  void finish() {
    timer_.cancel();
    stream_.close();
  }

  void process() {
    switch (parser_.next()) {
      case RequestParser::Status::kNeedMore:
        readOrContinue();
        return;
      case RequestParser::Status::kError:
        reject();
        return;
      case RequestParser::Status::kRequest:
        answer();
        return;
    }
  }

  // curl and browsers wait for "100 Continue" before sending large bodies.
  void readOrContinue() {
    if (!parser_.takeContinue()) {
      read();
      return;
    }
    out_ = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.write(boost::asio::buffer(out_), [self = this->shared_from_this()](
                                                 const boost::system::error_code& ec, std::size_t) {
      if (ec) {
        self->finish();
        return;
      }
      self->read();
    });
  }

  // Malformed head: a 400-class answer, an event with the raw bytes, then a graceful close.
  void reject() {
    const Request& request = parser_.request();
    const int status = parser_.errorStatus();
    Fields fields = {{"method", request.method},
                     {"path", request.path},
                     {"query", request.query},
                     {"anomaly", parser_.errorAnomaly()},
                     {"status", std::to_string(status)},
                     {"raw_b64", base64Encode(parser_.buffered().substr(0, kRawPreview))}};
    connection_->record("request", std::move(fields), {}, kSeverityWarning);
    Handler handler(*config_, *state_, request, connection_->peer().localPort);
    write(handler.serialize(handler.rejectResponse(status), false, served_), true);
  }

  void answer() {
    ++served_;
    Request& request = parser_.request();
    std::vector<Credential> credentials;
    std::string authAnomaly;
    if (const std::string* authorization = request.header("Authorization")) {
      if (auto credential = parseAuthorization(*authorization, authAnomaly)) {
        credentials.push_back(std::move(*credential));
      }
    }
    if (!authAnomaly.empty()) request.addAnomaly(authAnomaly);
    Handler handler(*config_, *state_, request, connection_->peer().localPort);
    const int forced = parser_.forcedStatus();
    Response response = forced != 0 ? handler.errorResponse(forced) : handler.route(credentials);
    if (parser_.mustClose()) response.close = true;

    Fields fields = {{"method", request.method},
                     {"path", request.path},
                     {"query", request.query},
                     {"version", request.version},
                     {"host", request.headerOr("Host")},
                     {"user_agent", request.headerOr("User-Agent")},
                     {"headers_json", jsonHeaders(request)},
                     {"body_preview", request.body.substr(0, kBodyPreview)},
                     {"body_size", std::to_string(request.bodySize)},
                     {"status", std::to_string(response.status)}};
    if (!request.anomaly.empty()) fields.emplace_back("anomaly", request.anomaly);
    connection_->record("request", std::move(fields), {},
                        request.anomaly.empty() ? kSeverityInfo : kSeverityWarning);
    for (const auto& credential : credentials) {
      Fields auth = {{"method", credential.method}};
      addCredential(auth, credential.principal, credential.secret, false);
      auth.emplace_back("path", request.path);
      for (const auto& extra : credential.extra) auth.push_back(extra);
      connection_->record("auth_attempt", std::move(auth));
    }
    const bool keepAlive =
        !response.close && request.wantsKeepAlive() && served_ < kMaxRequestsPerConnection;
    write(handler.serialize(response, keepAlive, served_), !keepAlive);
  }

  void write(std::string data, bool close) {
    out_ = std::move(data);
    stream_.write(boost::asio::buffer(out_), [self = this->shared_from_this(), close](
                                                 const boost::system::error_code& ec, std::size_t) {
      if (ec) {
        self->finish();
      } else if (close) {
        self->linger();
      } else {
        self->parser_.reset();
        self->armTimer();
        self->process();
      }
    });
  }

  // Closing with unread input makes the kernel send RST, which can destroy the response
  // before the client reads it: stop sending, drain briefly, then close.
  void linger() {
    stream_.shutdownSend();
    timer_.expires_after(kLingerTimeout);
    timer_.async_wait([weak = this->weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->finish();
    });
    drain();
  }

  void drain() {
    stream_.readSome(
        boost::asio::buffer(chunk_),
        [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          if (ec) {
            self->finish();
            return;
          }
          self->drain();
        });
  }

  const std::shared_ptr<Connection> connection_;
  Stream stream_;
  const std::shared_ptr<const SiteConfig> config_;
  const std::shared_ptr<SiteState> state_;
  boost::asio::steady_timer timer_;
  const std::chrono::seconds idleTimeout_;
  std::array<char, 4096> chunk_{};
  std::string out_;  // the response being written
  RequestParser parser_;
  int served_ = 0;
};

}  // namespace decnet::decoy::http
