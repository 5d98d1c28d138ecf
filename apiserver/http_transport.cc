// Boost.Beast parses requests (bounded headers and bodies, chunked or not); responses are
// written as gathered buffers, so cached JSON pieces go out without being joined first.
#include "apiserver/http_transport.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace decnet::apiserver {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Piece = std::shared_ptr<const std::string>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kRequestTimeout = std::chrono::seconds(60);  // idle keep-alive and slow senders
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxPiecesPerWrite = 64;

Piece piece(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded; '+' is a space in query strings (as Go's url.ParseQuery reads them).
std::string percentDecode(std::string_view text, bool plusIsSpace) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexDigit(text[i + 1]) >= 0 &&
        hexDigit(text[i + 2]) >= 0) {
      out += static_cast<char>(hexDigit(text[i + 1]) * 16 + hexDigit(text[i + 2]));
      i += 2;
    } else if (text[i] == '+' && plusIsSpace) {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

HttpRequest exchangeFor(http::request<http::string_body>&& request, const std::string& remote,
                        const std::string& peerCertificateName) {
  HttpRequest exchange;
  exchange.method = std::string(request.method_string());
  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  exchange.path = percentDecode(target.substr(0, question), false);
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const auto equals = pair.find('=');
      if (!pair.empty()) {
        exchange.query[percentDecode(pair.substr(0, equals), true)] =
            equals == std::string_view::npos ? "" : percentDecode(pair.substr(equals + 1), true);
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  for (const auto& field : request) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    exchange.headers[name] = std::string(field.value());
  }
  exchange.body = std::move(request.body());
  exchange.remoteAddress = remote;
  exchange.peerCertificateName = peerCertificateName;
  return exchange;
}

// Header values from handlers never split the response.
std::string headerValue(const std::string& value) {
  std::string clean = value;
  for (auto& c : clean) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return clean;
}

// A JSON string's contents (quotes, backslashes and control bytes escaped).
std::string jsonEscaped(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string statusLine(int status) {
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
}

std::string headerBlock(const HttpResponse& response, const std::string& framing, bool keepAlive) {
  std::string head = statusLine(response.status);
  head += "Content-Type: " + headerValue(response.contentType) + "\r\n";
  for (const auto& [name, value] : response.headers) {
    head += headerValue(name) + ": " + headerValue(value) + "\r\n";
  }
  head += framing;
  head += keepAlive ? "" : "Connection: close\r\n";
  head += "\r\n";
  return head;
}

// What a watch's stream reaches of its session, whatever the session's transport.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Thread-safe: queues one chunk of the streamed body; false when closed or too far behind.
  virtual bool queueChunk(Piece chunk) = 0;
  // Thread-safe: ends the streamed body and the connection.
  virtual void finishStream() = 0;
  virtual void setClosedCallback(std::function<void()> callback) = 0;
};

// A watch's body: chunks go to the session's strand; the session may be gone already.
class SessionStream final : public ResponseStream {
 public:
  explicit SessionStream(std::weak_ptr<SessionBase> session) : session_(std::move(session)) {}
  bool write(Piece chunk) override;
  void finish() override;
  void onClosed(std::function<void()> callback) override;

 private:
  std::weak_ptr<SessionBase> session_;
};

// The common name of the client certificate OpenSSL verified on `stream`, "" without one.
std::string verifiedPeerName(TlsStream& stream) {
  SSL* ssl = stream.native_handle();
  if (SSL_get_verify_result(ssl) != X509_V_OK) return "";
  X509* certificate = SSL_get1_peer_certificate(ssl);
  if (certificate == nullptr) return "";
  char name[256] = {};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName,
                                               name, sizeof name);
  X509_free(certificate);
  return length > 0 ? std::string(name, static_cast<std::size_t>(length)) : "";
}

// One connection: plain (beast::tcp_stream) or TLS (TlsStream, handshaken first).
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket socket, const RequestHandler& handler, const TransportLimits& limits,
          net::ssl::context* tls)
      : stream_(makeStream(std::move(socket), tls)), handler_(handler), limits_(limits) {
    beast::error_code ec;
    const auto peer = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
  }
  ~Session() override { runClosedCallback(); }

  void run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->lowest().expires_after(kHandshakeTimeout);
        self->stream_.async_handshake(net::ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return self->close();
          self->peerName_ = verifiedPeerName(self->stream_);
          self->readRequest();
        });
      } else {
        self->readRequest();
      }
    });
  }

  bool queueChunk(Piece chunk) override {
    if (closed_.load()) return false;
    if (backlog_.fetch_add(chunk->size()) + chunk->size() > limits_.maxStreamBacklog) {
      net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close(); });
      return false;
    }
    net::post(stream_.get_executor(), [self = this->shared_from_this(), chunk = std::move(chunk)] {
      if (self->closed_.load()) return;
      char size[20];
      std::snprintf(size, sizeof size, "%zx\r\n", chunk->size());
      self->outbound_.push_back(piece(size));
      self->outbound_.push_back(chunk);
      self->outbound_.push_back(crlf());
      self->writeNext();
    });
    return true;
  }

  void finishStream() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->closed_.load() || self->state_ == State::kFinishing) return;
      self->outbound_.push_back(piece("0\r\n\r\n"));
      self->state_ = State::kFinishing;
      self->writeNext();
    });
  }

  void setClosedCallback(std::function<void()> callback) override {
    std::unique_lock lock(closedMutex_);
    if (!closed_.load()) {
      closedCallback_ = std::move(callback);
      return;
    }
    lock.unlock();
    if (callback) callback();
  }

 private:
  enum class State { kReading, kResponding, kStreaming, kFinishing };

  static Stream makeStream(tcp::socket socket, net::ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      (void)tls;
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  // Where response bytes go: the bare socket for plain HTTP (no timer on long watches), the TLS
  // layer otherwise (its timer is off once a request has been read).
  auto& writer() {
    if constexpr (kTls) {
      return stream_;
    } else {
      return stream_.socket();
    }
  }

  static Piece crlf() {
    static const Piece kCrlf = piece("\r\n");
    return kCrlf;
  }

  void readRequest() {
    state_ = State::kReading;
    parser_.emplace();
    parser_->body_limit(limits_.maxBodyBytes);
    parser_->header_limit(static_cast<std::uint32_t>(limits_.maxHeaderBytes));
    lowest().expires_after(kRequestTimeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->onHeader(ec);
                            });
  }

  // Clients that wait for "100 Continue" before a large body (curl does) get it at once.
  void onHeader(beast::error_code ec) {
    if (ec) return onRequest(ec);
    const auto expect = parser_->get()[http::field::expect];
    if (!parser_->is_done() && beast::iequals(expect, "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return net::async_write(writer(), net::buffer(kContinue),
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                if (ec) return self->close();
                                self->readBody();
                              });
    }
    readBody();
  }

  void readBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->onRequest(ec);
                     });
  }

  void onRequest(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return refuse(413, "RequestEntityTooLarge",
                    "the request body is larger than " +
                        std::to_string(limits_.maxBodyBytes / (1024 * 1024)) + " MiB");
    }
    if (ec == http::error::header_limit) {
      return refuse(431, "RequestHeaderFieldsTooLarge", "the request headers are too large");
    }
    if (ec) return close();
    auto request = parser_->release();
    keepAlive_ = request.keep_alive();
    Reply reply;
    try {
      if constexpr (kTls) lowest().expires_never();  // the response's writes are not timed
      reply = handler_(exchangeFor(std::move(request), remote_, peerName_));
    } catch (const std::exception& e) {
      spdlog::error("api: request failed: {}", e.what());
      return refuse(500, "InternalError", e.what());
    }
    if (reply.stream) return startStream(std::move(reply));
    respond(reply.response);
  }

  // A Status body for errors found before the handler runs; the connection then closes.
  void refuse(int status, const std::string& reason, const std::string& message) {
    keepAlive_ = false;
    HttpResponse response;
    response.status = status;
    response.body =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
        "\"Failure\",\"message\":\"" +
        jsonEscaped(message) + "\",\"reason\":\"" + reason +
        "\",\"code\":" + std::to_string(status) + "}";
    respond(response);
  }

  void respond(const HttpResponse& response) {
    std::size_t length = response.body.size();
    if (!response.bodyParts.empty()) {
      length = 0;
      for (const auto& part : response.bodyParts) length += part->size();
    }
    outbound_.push_back(piece(
        headerBlock(response, "Content-Length: " + std::to_string(length) + "\r\n", keepAlive_)));
    if (response.bodyParts.empty()) {
      if (!response.body.empty()) outbound_.push_back(piece(response.body));
    } else {
      outbound_.insert(outbound_.end(), response.bodyParts.begin(), response.bodyParts.end());
    }
    state_ = State::kResponding;
    writeNext();
  }

  void startStream(Reply reply) {
    state_ = State::kStreaming;
    keepAlive_ = false;
    lowest().expires_never();
    outbound_.push_back(piece(headerBlock(reply.response, "Transfer-Encoding: chunked\r\n", true)));
    writeNext();
    watchForHangUp();
    reply.stream(std::make_shared<SessionStream>(this->weak_from_this()));
  }

  // A streaming client sends nothing more; a read that ends means it hung up.
  void watchForHangUp() {
    writer().async_read_some(net::buffer(hangUpBuffer_),
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();
                               self->watchForHangUp();
                             });
  }

  void writeNext() {
    if (writing_ || closed_.load()) return;
    if (outbound_.empty()) {
      if (state_ == State::kResponding) {
        if (keepAlive_) return readRequest();
        return close();
      }
      if (state_ == State::kFinishing) close();
      return;
    }
    writing_ = true;
    std::vector<net::const_buffer> buffers;
    const std::size_t count = std::min(outbound_.size(), kMaxPiecesPerWrite);
    buffers.reserve(count);
    for (std::size_t i = 0; i < count; ++i) buffers.emplace_back(net::buffer(*outbound_[i]));
    net::async_write(writer(), buffers,
                     [self = this->shared_from_this(), count](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       std::size_t written = 0;
                       for (std::size_t i = 0; i < count; ++i) {
                         written += self->outbound_.front()->size();
                         self->outbound_.pop_front();
                       }
                       if (self->state_ == State::kStreaming || self->state_ == State::kFinishing) {
                         self->backlog_.fetch_sub(std::min(written, self->backlog_.load()));
                       }
                       if (ec) return self->close();
                       self->writeNext();
                     });
  }

  void close() {
    if (closed_.exchange(true)) return;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
    outbound_.clear();
    runClosedCallback();
  }

  void runClosedCallback() {
    std::function<void()> callback;
    {
      std::lock_guard lock(closedMutex_);
      callback = std::move(closedCallback_);
      closedCallback_ = nullptr;
    }
    if (callback) callback();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const RequestHandler& handler_;
  const TransportLimits& limits_;
  std::string remote_;
  std::string peerName_;  // the verified client certificate's CN (TLS only)
  State state_ = State::kReading;
  bool keepAlive_ = true;
  bool writing_ = false;
  std::deque<Piece> outbound_;
  std::array<char, 512> hangUpBuffer_{};
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> backlog_{0};
  std::mutex closedMutex_;
  std::function<void()> closedCallback_;
};

bool SessionStream::write(Piece chunk) {
  auto session = session_.lock();
  return session && session->queueChunk(std::move(chunk));
}

void SessionStream::finish() {
  if (auto session = session_.lock()) session->finishStream();
}

void SessionStream::onClosed(std::function<void()> callback) {
  if (auto session = session_.lock()) return session->setClosedCallback(std::move(callback));
  if (callback) callback();
}

// The server side of TLS: the certificate and key, and the CA whose client certificates count
// (requested, not required: users come with bearer tokens).
Result<std::unique_ptr<net::ssl::context>> serverContext(const TlsServerConfig& config) {
  auto context = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  beast::error_code ec;
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                           net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                           net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                       ec);
  if (!ec) context->use_certificate_chain(net::buffer(config.certificatePem), ec);
  if (!ec) context->use_private_key(net::buffer(config.keyPem), net::ssl::context::pem, ec);
  if (ec)
    return fail(Errc::kInvalid, "the API's TLS certificate or key is unusable: " + ec.message());
  if (!config.clientCaPem.empty()) {
    context->add_certificate_authority(net::buffer(config.clientCaPem), ec);
    if (ec) return fail(Errc::kInvalid, "the client CA is unusable: " + ec.message());
    // Requested, not required (users have no certificate); one that does not verify against
    // the CA ends the handshake.
    context->set_verify_mode(net::ssl::verify_peer);
  }
  return context;
}

class BeastTransport final : public HttpTransport {
 public:
  BeastTransport(RequestHandler handler, TransportLimits limits,
                 std::unique_ptr<net::ssl::context> tls)
      : handler_(std::move(handler)),
        limits_(limits),
        tls_(std::move(tls)),
        acceptor_(net::make_strand(context_)) {}
  ~BeastTransport() override { stop(); }

  Result<void> listen(const std::string& address) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) {
      return fail(Errc::kTerminal, "listen address must be HOST:PORT, not " + address);
    }
    beast::error_code ec;
    const auto host = net::ip::make_address(address.substr(0, colon), ec);
    if (ec) return fail(Errc::kTerminal, "listen host must be an IP address, not " + address);
    const int port = std::atoi(address.c_str() + colon + 1);
    const tcp::endpoint endpoint(host, static_cast<unsigned short>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::kUnavailable, "cannot listen on " + address + ": " + ec.message());
    accept();
    for (int i = 0; i < std::max(1, limits_.threads); ++i) {
      threads_.emplace_back([this] { context_.run(); });
    }
    return {};
  }

  void stop() override {
    if (stopped_.exchange(true)) return;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    context_.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

 private:
  void accept() {
    acceptor_.async_accept(
        net::make_strand(context_), [this](beast::error_code ec, tcp::socket socket) {
          if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
          if (!ec) {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (tls_) {
              std::make_shared<Session<TlsStream>>(std::move(socket), handler_, limits_, tls_.get())
                  ->run();
            } else {
              std::make_shared<Session<beast::tcp_stream>>(std::move(socket), handler_, limits_,
                                                           nullptr)
                  ->run();
            }
          }
          accept();
        });
  }

  RequestHandler handler_;
  TransportLimits limits_;
  std::unique_ptr<net::ssl::context> tls_;  // null: plain HTTP
  net::io_context context_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> HttpTransport::start(
    const std::string& listen, RequestHandler handler, TransportLimits limits,
    const std::optional<TlsServerConfig>& tls) {
  std::unique_ptr<net::ssl::context> context;
  if (tls) {
    auto made = serverContext(*tls);
    if (!made) return tl::unexpected(made.error());
    context = std::move(*made);
  }
  auto transport = std::make_unique<BeastTransport>(std::move(handler), limits, std::move(context));
  if (auto listening = transport->listen(listen); !listening) {
    return tl::unexpected(listening.error());
  }
  return std::unique_ptr<HttpTransport>(std::move(transport));
}

}  // namespace decnet::apiserver
