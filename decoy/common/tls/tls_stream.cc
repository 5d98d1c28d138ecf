#include "decoy/common/tls/tls_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace decnet::decoy::tls {

namespace asio = boost::asio;

class TlsStream::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(Connection& connection, SSL_CTX* ctx, std::chrono::seconds timeout)
      : connection_(connection),
        socket_(connection.socket()),
        timer_(socket_.get_executor()),
        timeout_(timeout),
        ssl_(SSL_new(ctx)) {
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);  // empty input means "retry", not end of stream
    SSL_set_bio(ssl_, in, out);
    SSL_set_accept_state(ssl_);
    in_ = in;
    out_ = out;
  }
  ~Impl() { SSL_free(ssl_); }

  void handshake(std::function<void(const ClientHello&)> onHello,
                 std::function<void(const HandshakeResult&)> done) {
    onHello_ = std::move(onHello);
    done_ = std::move(done);
    timer_.expires_after(timeout_);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->close();
    });
    readHello();
  }

  void readSome(asio::mutable_buffer buffer, Handler handler) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buffer.data(), static_cast<int>(buffer.size()));
    if (n > 0) {
      flushThen([handler = std::move(handler), n](const boost::system::error_code& ec) {
        handler(ec, ec ? 0 : static_cast<std::size_t>(n));
      });
      return;
    }
    const int error = SSL_get_error(ssl_, n);
    if (error != SSL_ERROR_WANT_READ) {
      flushThen([handler = std::move(handler)](const boost::system::error_code&) {
        handler(asio::error::eof, 0);
      });
      return;
    }
    flushThen([self = shared_from_this(), buffer,
               handler = std::move(handler)](const boost::system::error_code& ec) mutable {
      if (ec) {
        handler(ec, 0);
        return;
      }
      self->readRaw([self, buffer,
                     handler = std::move(handler)](const boost::system::error_code& ec) mutable {
        if (ec) {
          handler(ec, 0);
          return;
        }
        self->readSome(buffer, std::move(handler));
      });
    });
  }

  void write(asio::const_buffer buffer, Handler handler) {
    ERR_clear_error();
    if (buffer.size() > 0 && SSL_write(ssl_, buffer.data(), static_cast<int>(buffer.size())) <= 0) {
      asio::post(socket_.get_executor(),
                 [handler = std::move(handler)] { handler(asio::error::broken_pipe, 0); });
      return;
    }
    flushThen([handler = std::move(handler), size = buffer.size()](
                  const boost::system::error_code& ec) { handler(ec, ec ? 0 : size); });
  }

  void shutdownSend() {
    SSL_shutdown(ssl_);
    flushThen([self = shared_from_this()](const boost::system::error_code&) {
      boost::system::error_code ignored;
      self->socket_.shutdown(asio::socket_base::shutdown_send, ignored);
    });
  }

  void close() {
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void readHello() {
    readRaw([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) {
        self->finish({HandshakeResult::Status::kClosed, "", self->hello_});
        return;
      }
      self->onHelloBytes();
    });
  }

  void onHelloBytes() {
    ClientHello hello;
    std::string anomaly;
    switch (parseClientHello(hello_, hello, anomaly)) {
      case HelloStatus::kNeedMore:
        if (hello_.size() > kMaxClientHello + 64) {
          finish({HandshakeResult::Status::kMalformedHello, "client_hello_too_large", hello_});
        } else {
          readHello();
        }
        return;
      case HelloStatus::kNotTls:
        finish({HandshakeResult::Status::kNotTls, "not_tls", hello_});
        return;
      case HelloStatus::kMalformed:
        finish({HandshakeResult::Status::kMalformedHello, anomaly, hello_});
        return;
      case HelloStatus::kComplete:
        break;
    }
    if (onHello_) onHello_(hello);
    helloFed_ = true;
    BIO_write(in_, hello_.data(), static_cast<int>(hello_.size()));
    hello_.clear();
    step();
  }

  // Drives SSL_do_handshake until it completes or fails.
  void step() {
    ERR_clear_error();
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      flushThen([self = shared_from_this()](const boost::system::error_code& ec) {
        self->finish(ec ? HandshakeResult{HandshakeResult::Status::kClosed, "", ""}
                        : HandshakeResult{});
      });
      return;
    }
    const int error = SSL_get_error(ssl_, rc);
    if (error != SSL_ERROR_WANT_READ) {
      char reason[256] = "handshake_failed";
      if (const unsigned long code = ERR_peek_error()) {
        ERR_error_string_n(code, reason, sizeof(reason));
      }
      std::string anomaly = std::string("tls_handshake_failed: ") + reason;
      flushThen([self = shared_from_this(), anomaly](const boost::system::error_code&) {
        self->finish({HandshakeResult::Status::kFailed, anomaly, ""});
      });
      return;
    }
    flushThen([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) {
        self->finish({HandshakeResult::Status::kClosed, "", ""});
        return;
      }
      self->readRaw([self](const boost::system::error_code& ec) {
        if (ec) {
          self->finish({HandshakeResult::Status::kClosed, "", ""});
          return;
        }
        self->step();
      });
    });
  }

  void finish(HandshakeResult result) {
    timer_.cancel();
    if (auto done = std::move(done_)) {
      done_ = nullptr;
      onHello_ = nullptr;
      done(result);
    }
  }

  // One socket read: during the handshake into hello_ (until parsed), later into the input BIO.
  template <class Next>
  void readRaw(Next next) {
    socket_.async_read_some(asio::buffer(raw_),
                            [self = shared_from_this(), next = std::move(next)](
                                const boost::system::error_code& ec, std::size_t n) mutable {
                              if (!ec) {
                                self->connection_.addBytesIn(n);
                                if (!self->helloFed_) {
                                  self->hello_.append(self->raw_.data(), n);
                                } else {
                                  BIO_write(self->in_, self->raw_.data(), static_cast<int>(n));
                                }
                              }
                              next(ec);
                            });
  }

  // Sends what OpenSSL produced (handshake records, alerts, application data), then `next`.
  template <class Next>
  void flushThen(Next next) {
    const std::size_t pending = BIO_ctrl_pending(out_);
    if (pending == 0) {
      asio::post(socket_.get_executor(),
                 [next = std::move(next)]() mutable { next(boost::system::error_code()); });
      return;
    }
    auto data = std::make_shared<std::string>(pending, '\0');
    BIO_read(out_, data->data(), static_cast<int>(pending));
    asio::async_write(socket_, asio::buffer(*data),
                      [self = shared_from_this(), data, next = std::move(next)](
                          const boost::system::error_code& ec, std::size_t n) mutable {
                        self->connection_.addBytesOut(n);
                        next(ec);
                      });
  }

  Connection& connection_;
  asio::ip::tcp::socket& socket_;
  asio::steady_timer timer_;
  const std::chrono::seconds timeout_;
  SSL* ssl_;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
  std::array<char, 4096> raw_{};
  std::string hello_;  // raw records until the ClientHello parses
  bool helloFed_ = false;
  std::function<void(const ClientHello&)> onHello_;
  std::function<void(const HandshakeResult&)> done_;
};

TlsStream::TlsStream(Connection& connection, SSL_CTX* ctx, std::chrono::seconds timeout)
    : impl_(std::make_shared<Impl>(connection, ctx, timeout)) {}

void TlsStream::handshake(std::function<void(const ClientHello&)> onHello,
                          std::function<void(const HandshakeResult&)> done) {
  impl_->handshake(std::move(onHello), std::move(done));
}

void TlsStream::readSome(asio::mutable_buffer buffer, Handler handler) {
  impl_->readSome(buffer, std::move(handler));
}

void TlsStream::write(asio::const_buffer buffer, Handler handler) {
  impl_->write(buffer, std::move(handler));
}

void TlsStream::shutdownSend() { impl_->shutdownSend(); }

void TlsStream::close() { impl_->close(); }

}  // namespace decnet::decoy::tls
