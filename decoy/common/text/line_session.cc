#include "decoy/common/text/line_session.h"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <string>

namespace decnet::decoy::text {
namespace {

namespace asio = boost::asio;
constexpr auto kLingerTimeout = std::chrono::seconds(2);

class LineSession : public std::enable_shared_from_this<LineSession> {
 public:
  LineSession(std::shared_ptr<Connection> connection, std::unique_ptr<LineProtocol> protocol,
              LineSessionOptions options)
      : connection_(std::move(connection)),
        protocol_(std::move(protocol)),
        options_(options),
        framer_(options.maxLine),
        idleTimer_(connection_->socket().get_executor()),
        delayTimer_(connection_->socket().get_executor()) {}

  void start() {
    armIdle();
    send(protocol_->greeting());
  }

 private:
  void read() {
    connection_->socket().async_read_some(
        asio::buffer(chunk_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                          std::size_t n) { self->onRead(ec, n); });
  }

  void onRead(const boost::system::error_code& ec, std::size_t n) {
    if (ec || closing_) {
      finish();
      return;
    }
    connection_->addBytesIn(n);
    framer_.append(std::string_view(chunk_.data(), n));
    armIdle();
    process();
  }

  // Handles framed items until one needs a reply on the wire; reads when none is left.
  void process() {
    for (;;) {
      auto item = framer_.next();
      if (!item) {
        read();
        return;
      }
      LineOutput output;
      if (++inputs_ > options_.maxLines) {
        output = protocol_->onAnomaly(LineAnomaly::kTooManyLines, item->data);
        output.close = true;
      } else if (item->kind == LineFramer::Item::Kind::kLine) {
        output = protocol_->onLine(item->data);
      } else if (item->kind == LineFramer::Item::Kind::kRaw) {
        output = protocol_->onRaw(item->data);
      } else {
        output = protocol_->onAnomaly(LineAnomaly::kLineTooLong, item->data);
      }
      if (output.reply.empty() && !output.close && output.delay.count() == 0) {
        apply(output);
        continue;
      }
      send(std::move(output));
      return;
    }
  }

  void apply(LineOutput& output) {
    for (auto& event : output.events) {
      connection_->record(std::move(event.type), std::move(event.fields), {}, event.severity);
    }
    output.events.clear();
    if (output.rawBytes > 0) framer_.expectRaw(output.rawBytes);
  }

  void send(LineOutput output) {
    apply(output);
    const bool close = output.close;
    out_ = std::move(output.reply);
    if (output.delay.count() > 0) {
      delayTimer_.expires_after(output.delay);
      delayTimer_.async_wait(
          [self = shared_from_this(), close](const boost::system::error_code& ec) {
            if (ec) return;
            self->write(close);
          });
      return;
    }
    write(close);
  }

  void write(bool close) {
    if (close) closing_ = true;
    writing_ = true;
    asio::async_write(
        connection_->socket(), asio::buffer(out_),
        [self = shared_from_this(), close](const boost::system::error_code& ec, std::size_t n) {
          self->connection_->addBytesOut(n);
          self->writing_ = false;
          if (ec) {
            self->finish();
          } else if (close) {
            self->linger();
          } else {
            self->process();
          }
        });
  }

  void armIdle() {
    idleTimer_.expires_after(options_.idleTimeout);
    idleTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->onIdle();
    });
  }

  void onIdle() {
    if (closing_) {
      finish();
      return;
    }
    closing_ = true;
    if (writing_) {  // a client that stops reading gets no farewell
      finish();
      return;
    }
    LineOutput output = protocol_->onIdle(framer_.pending());
    delayTimer_.cancel();
    output.close = true;
    output.delay = {};
    send(std::move(output));
  }

  // Closing with unread input makes the kernel send RST, which can destroy the reply before
  // the client reads it: stop sending, drain briefly, then close.
  void linger() {
    boost::system::error_code ignored;
    connection_->socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    idleTimer_.expires_after(kLingerTimeout);
    idleTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->finish();
    });
    drain();
  }

  void drain() {
    connection_->socket().async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            self->finish();
            return;
          }
          self->connection_->addBytesIn(n);
          self->drain();
        });
  }

  void finish() {
    idleTimer_.cancel();
    delayTimer_.cancel();
    boost::system::error_code ignored;
    connection_->socket().close(ignored);
  }

  std::shared_ptr<Connection> connection_;
  std::unique_ptr<LineProtocol> protocol_;
  LineSessionOptions options_;
  LineFramer framer_;
  asio::steady_timer idleTimer_;
  asio::steady_timer delayTimer_;
  std::array<char, 4096> chunk_{};
  std::string out_;
  std::size_t inputs_ = 0;
  bool closing_ = false;
  bool writing_ = false;
};

}  // namespace

void startLineSession(std::shared_ptr<Connection> connection,
                      std::unique_ptr<LineProtocol> protocol, LineSessionOptions options) {
  std::make_shared<LineSession>(std::move(connection), std::move(protocol), options)->start();
}

}  // namespace decnet::decoy::text
