#pragma once
// The TCP side of an ssh connection, on the event loop: bridges the attacker's socket to the
// session thread's end of a socket pair. It sends the identification itself at accept, reads the
// client's identification and KEXINIT in the clear (client_version, hassh) and counts bytes.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

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

  // Parses the client's identification line and first binary packet (its KEXINIT).
  void inspect(std::string_view data) {
    if (stage_ == Stage::kDone) return;
    pending_.append(
        data.substr(0, kMaxKexPacket + 8 - std::min(pending_.size(), kMaxKexPacket + 8)));
    if (stage_ == Stage::kIdentification) {
      const auto lf = pending_.find('\n');
      if (lf == std::string::npos) {
        if (pending_.size() > kMaxIdentification) anomaly("identification_too_long");
        return;
      }
      std::string line = pending_.substr(0, lf);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      pending_.erase(0, lf + 1);
      {
        std::lock_guard lock(info_->mutex);
        info_->version = line;
      }
      connection_->setDisconnectField("client_version", line);
      if (line.rfind("SSH-2.0-", 0) != 0 && line.rfind("SSH-1.99-", 0) != 0) {
        anomaly("invalid_identification");
        return;
      }
      stage_ = Stage::kKexInit;
    }
    if (pending_.size() < 6) return;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(pending_[i]); };
    const std::size_t length =
        static_cast<std::size_t>(byte(0)) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
    if (length < 12 || length > kMaxKexPacket) {
      anomaly("malformed_packet");
      return;
    }
    if (pending_.size() < length + 4) return;
    const std::size_t padding = byte(4);
    if (padding + 1 > length || byte(5) != 20 /* SSH_MSG_KEXINIT */) {
      anomaly("unexpected_packet");
      return;
    }
    parseKexInit(std::string_view(pending_).substr(5, length - padding - 1));
    stage_ = Stage::kDone;
    pending_.clear();
    pending_.shrink_to_fit();
  }

  // hassh = MD5("kex;encryption c2s;mac c2s;compression c2s") of the client's KEXINIT.
  void parseKexInit(std::string_view payload) {
    std::size_t at = 1 + 16;  // message number, cookie
    std::vector<std::string> lists;
    while (lists.size() < 7) {
      if (at + 4 > payload.size()) break;
      const auto b = [&](std::size_t i) { return static_cast<unsigned char>(payload[at + i]); };
      const std::size_t length =
          static_cast<std::size_t>(b(0)) << 24 | b(1) << 16 | b(2) << 8 | b(3);
      at += 4;
      if (length > payload.size() - at) break;
      lists.emplace_back(payload.substr(at, length));
      at += length;
    }
    if (lists.size() < 7) {
      anomaly("malformed_kexinit");
      return;
    }
    const std::string algorithms = lists[0] + ";" + lists[2] + ";" + lists[4] + ";" + lists[6];
    const std::string hassh = digestHex(EVP_md5(), algorithms);
    {
      std::lock_guard lock(info_->mutex);
      info_->hassh = hassh;
    }
    connection_->setDisconnectField("hassh", hassh);
  }

  void anomaly(const char* tag) {
    connection_->setDisconnectField("anomaly", tag);
    stage_ = Stage::kDone;
    pending_.clear();
    pending_.shrink_to_fit();
  }

  enum class Stage { kIdentification, kKexInit, kDone };

  const std::shared_ptr<Connection> connection_;
  Local inner_;
  const std::shared_ptr<ClientInfo> info_;
  asio::steady_timer timer_;
  std::array<char, 4096> up_{};
  std::array<char, 4096> down_{};
  Clock::time_point lastActivity_;
  Stage stage_ = Stage::kIdentification;
  std::string pending_;
  bool closed_ = false;
  const std::string identification_;  // "SSH-2.0-<version>\r\n"
  bool innerIdentificationSeen_ = false;
  std::size_t skipped_ = 0;
};

}  // namespace decnet::decoy::ssh
