#pragma once
// TLS on a decoy connection without blocking the event loop: OpenSSL runs on memory BIOs and the
// raw bytes move through the connection's Asio socket. The ClientHello is read and parsed
// (client_hello.h) before OpenSSL sees it, so even handshakes OpenSSL refuses are fingerprinted.
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <functional>
#include <memory>
#include <string>

#include "decoy/common/tls/client_hello.h"
#include "decoy/service.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace decnet::decoy::tls {

struct HandshakeResult {
  enum class Status { kOk, kNotTls, kMalformedHello, kFailed, kClosed };
  Status status = Status::kOk;
  std::string anomaly;  // why it failed (OpenSSL's reason, parse error)
  std::string raw;      // the first bytes received (evidence for kNotTls / kMalformedHello)
};

// A copyable handle on one connection's TLS state (HttpSession's Stream).
class TlsStream {
 public:
  using Handler = std::function<void(const boost::system::error_code&, std::size_t)>;

  // `connection` and `ctx` must outlive every operation (the caller holds both).
  TlsStream(Connection& connection, SSL_CTX* ctx, std::chrono::seconds timeout);

  // Reads the ClientHello (reported once through `onHello` when it parses), then completes the
  // handshake; `done` is called exactly once. Loop thread only.
  void handshake(std::function<void(const ClientHello&)> onHello,
                 std::function<void(const HandshakeResult&)> done);
  // Up to buffer-size bytes of plaintext; eof when the peer closed.
  void readSome(boost::asio::mutable_buffer buffer, Handler handler);
  // Encrypts and sends all of `buffer`.
  void write(boost::asio::const_buffer buffer, Handler handler);
  // Sends close_notify, then stops sending.
  void shutdownSend();
  // Closes the socket; pending operations fail.
  void close();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace decnet::decoy::tls
