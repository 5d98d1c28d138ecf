#pragma once
// The TCP side of an ssh connection, on the event loop: bridges the attacker's socket to the
// session thread's end of a socket pair. It sends the identification itself at accept, reads the
// client's identification and KEXINIT in the clear (client_version, hassh) and counts bytes.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "decoy/services/ssh/ssh_client_hello.h"
#include "decoy/services/ssh/ssh_common.h"

namespace decnet::decoy::ssh {

class SshRelay : public std::enable_shared_from_this<SshRelay> {
 public:
  using Local = asio::local::stream_protocol::socket;

  SshRelay(std::shared_ptr<Connection> connection, Local inner, std::shared_ptr<ClientInfo> info,
           std::string identification)
      : connection_(std::move(connection)),
        inner_(std::move(inner)),
        info_(std::move(info)),
        timer_(inner_.get_executor()),
        identification_(std::move(identification)) {}

  // Sends the identification at once, as sshd does before reading anything (a banner grab that
  // half-closes still gets it), then relays both ways.
  void start() {
    lastActivity_ = Clock::now();
    armTimer(kIdleTimeout);
    boost::system::error_code ignored;
    connection_->socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    asio::async_write(
        connection_->socket(), asio::buffer(identification_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t written) {
          self->connection_->addBytesOut(written);
          if (ec) {
            self->close();
            return;
          }
          self->upstream();
          self->downstream();
        });
  }

  // Closes both sides; the session thread then sees EOF and ends. Idempotent.
  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    connection_->socket().shutdown(asio::socket_base::shutdown_both, ignored);
    connection_->socket().close(ignored);
    inner_.close(ignored);
    timer_.cancel();
  }

 private:
  void upstream() {
    connection_->socket().async_read_some(
        asio::buffer(up_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            self->close();
            return;
          }
          self->connection_->addBytesIn(n);
          self->lastActivity_ = Clock::now();
          self->inspect(std::string_view(self->up_.data(), n));
          asio::async_write(self->inner_, asio::buffer(self->up_.data(), n),
                            [self](const boost::system::error_code& wec, std::size_t) {
                              if (wec) {
                                self->close();
                                return;
                              }
                              self->upstream();
                            });
        });
  }

  void downstream() {
    inner_.async_read_some(
        asio::buffer(down_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            self->close();
            return;
          }
          self->lastActivity_ = Clock::now();
          std::size_t from = 0;
          // libssh's own identification line was already sent by start(): drop it.
          if (!self->innerIdentificationSeen_) {
            const auto* end = std::find(self->down_.data(), self->down_.data() + n, '\n');
            from = static_cast<std::size_t>(end - self->down_.data());
            self->skipped_ += from;
            if (from < n) {
              ++from;
              self->innerIdentificationSeen_ = true;
            } else if (self->skipped_ > kMaxIdentification) {
              self->close();
              return;
            }
          }
          if (from == n) {
            self->downstream();
            return;
          }
          asio::async_write(self->connection_->socket(),
                            asio::buffer(self->down_.data() + from, n - from),
                            [self](const boost::system::error_code& wec, std::size_t written) {
                              self->connection_->addBytesOut(written);
                              if (wec) {
                                self->close();
                                return;
                              }
                              self->downstream();
                            });
        });
  }

  void armTimer(Clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self) return;
      const auto idle = Clock::now() - self->lastActivity_;
      if (idle >= kIdleTimeout) {
        self->close();
      } else {
        self->armTimer(kIdleTimeout - idle);
      }
    });
  }

  // Reads the client's identification line and first binary packet (its KEXINIT) from what it
  // sends, and reports client_version, hassh or what was wrong, once each.
  void inspect(std::string_view data) {
    if (hello_.state() != SshClientHello::State::kNeedMore) return;
    const auto state = hello_.feed(data);
    if (hello_.version() && !versionReported_) {
      versionReported_ = true;
      {
        std::lock_guard lock(info_->mutex);
        info_->version = *hello_.version();
      }
      connection_->setDisconnectField("client_version", *hello_.version());
    }
    if (state == SshClientHello::State::kAnomaly) {
      connection_->setDisconnectField("anomaly", hello_.anomaly());
    } else if (state == SshClientHello::State::kDone) {
      // hassh = MD5("kex;encryption c2s;mac c2s;compression c2s") of the client's KEXINIT.
      const std::string hassh = digestHex(EVP_md5(), hello_.hasshAlgorithms());
      {
        std::lock_guard lock(info_->mutex);
        info_->hassh = hassh;
      }
      connection_->setDisconnectField("hassh", hassh);
    }
  }

  const std::shared_ptr<Connection> connection_;
  Local inner_;
  const std::shared_ptr<ClientInfo> info_;
  asio::steady_timer timer_;
  std::array<char, 4096> up_{};
  std::array<char, 4096> down_{};
  Clock::time_point lastActivity_;
  SshClientHello hello_{kMaxIdentification, kMaxKexPacket};
  bool versionReported_ = false;
  bool closed_ = false;
  const std::string identification_;  // "SSH-2.0-<version>\r\n"
  bool innerIdentificationSeen_ = false;
  std::size_t skipped_ = 0;
};

}  // namespace decnet::decoy::ssh
