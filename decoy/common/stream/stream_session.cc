#include "decoy/common/stream/stream_session.h"

#include <boost/asio/write.hpp>
#include <utility>

namespace decnet::decoy::stream {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kRawPreview = 256;
}  // namespace

StreamSession::StreamSession(std::shared_ptr<Connection> connection,
                             std::chrono::seconds idleTimeout)
    : connection_(std::move(connection)),
      idleTimeout_(idleTimeout),
      timer_(connection_->socket().get_executor()) {}

void StreamSession::start(std::string greeting) { write(std::move(greeting), false); }

void StreamSession::anomaly(const std::string& what, std::string_view raw) {
  connection_->record("anomaly", {{"anomaly", what}, {"raw_b64", rawPreview(raw)}}, {},
                      kSeverityWarning);
}

std::string StreamSession::rawPreview(std::string_view raw) {
  return base64Encode(raw.substr(0, kRawPreview));
}

void StreamSession::read() {
  armTimer();
  connection_->socket().async_read_some(
      asio::buffer(chunk_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                        std::size_t n) { self->onRead(ec, n); });
}

void StreamSession::onRead(const boost::system::error_code& ec, std::size_t n) {
  if (ec) {
    close();
    return;
  }
  connection_->addBytesIn(n);
  buffer_.append(chunk_.data(), n);
  std::string out;
  const bool closing = onBytes(buffer_, out);
  write(std::move(out), closing);
}

void StreamSession::write(std::string data, bool closing) {
  if (data.empty()) {
    closing ? close() : read();
    return;
  }
  outgoing_ = std::move(data);
  asio::async_write(
      connection_->socket(), asio::buffer(outgoing_),
      [self = shared_from_this(), closing](const boost::system::error_code& ec, std::size_t n) {
        self->connection_->addBytesOut(n);
        if (ec || closing) {
          self->close();
        } else {
          self->read();
        }
      });
}

void StreamSession::armTimer() {
  timer_.expires_after(idleTimeout_);
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->close();
  });
}

void StreamSession::close() {
  timer_.cancel();
  boost::system::error_code ignored;
  connection_->socket().close(ignored);
}

}  // namespace decnet::decoy::stream
