#include "agents/collector_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace decnet::agents {
namespace {

// OpenSSL writes to its socket with write(2): to a collector that has gone away that raises
// SIGPIPE, which ends a process that does not ignore it (the agent, a test). The signal is held
// blocked on this thread around each OpenSSL call that may write, and a SIGPIPE it raised is
// discarded; the call itself fails and the shipper reconnects.
class SigpipeHeld {
 public:
  SigpipeHeld() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    sigset_t pending;
    wasPending_ = ::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeHeld() {
    sigset_t pending;
    if (!wasPending_ && ::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
      const timespec now{};
      ::sigtimedwait(&pipe_, nullptr, &now);
    }
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeHeld(const SigpipeHeld&) = delete;
  SigpipeHeld& operator=(const SigpipeHeld&) = delete;

 private:
  sigset_t pipe_{}, previous_{};
  bool wasPending_ = false;
};

std::string sslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

int connectTcp(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return -1;
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<std::uint16_t>(std::atoi(address.c_str() + colon + 1)));
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr) != 1) return -1;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool readable(int fd, int timeoutMs) {
  pollfd ready{fd, POLLIN, 0};
  return ::poll(&ready, 1, timeoutMs) > 0;
}

class PlainConnection final : public CollectorConnection {
 public:
  explicit PlainConnection(int fd) : fd_(fd) {}
  ~PlainConnection() override { ::close(fd_); }

  bool sendAll(const std::string& bytes) override {
    for (std::size_t at = 0; at < bytes.size();) {
      const ssize_t n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return false;
      at += static_cast<std::size_t>(n);
    }
    return true;
  }

  int receive(char* buffer, int size, int timeoutMs) override {
    if (!readable(fd_, timeoutMs)) return 0;
    const ssize_t n = ::recv(fd_, buffer, static_cast<std::size_t>(size), 0);
    return n <= 0 ? -1 : static_cast<int>(n);
  }

 private:
  const int fd_;
};

class TlsConnection final : public CollectorConnection {
 public:
  TlsConnection(int fd, SSL_CTX* context, SSL* ssl) : fd_(fd), context_(context), ssl_(ssl) {}
  ~TlsConnection() override {
    {
      SigpipeHeld held;
      SSL_shutdown(ssl_);
    }
    SSL_free(ssl_);
    SSL_CTX_free(context_);
    ::close(fd_);
  }

  bool sendAll(const std::string& bytes) override {
    SigpipeHeld held;
    for (std::size_t at = 0; at < bytes.size();) {
      const int n = SSL_write(ssl_, bytes.data() + at, static_cast<int>(bytes.size() - at));
      if (n <= 0) return false;
      at += static_cast<std::size_t>(n);
    }
    return true;
  }

  int receive(char* buffer, int size, int timeoutMs) override {
    // Bytes OpenSSL already decrypted are not visible to poll().
    if (SSL_pending(ssl_) == 0 && !readable(fd_, timeoutMs)) return 0;
    SigpipeHeld held;  // a read may answer the peer (TLS 1.3 key updates)
    const int n = SSL_read(ssl_, buffer, size);
    if (n > 0) return n;
    const int error = SSL_get_error(ssl_, n);
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? 0 : -1;
  }

 private:
  const int fd_;
  SSL_CTX* const context_;
  SSL* const ssl_;
};

Result<std::unique_ptr<CollectorConnection>> openTls(int fd, const std::string& address,
                                                     const TlsFiles& tls) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  const auto failed = [&](const std::string& what) -> Result<std::unique_ptr<CollectorConnection>> {
    const std::string reason = what + ": " + sslError();
    SSL_CTX_free(context);
    ::close(fd);
    return fail(Errc::kUnavailable, "TLS to the collector " + address + ": " + reason);
  };
  if (context == nullptr) return failed("no TLS context");
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (tls.ca.empty() || SSL_CTX_load_verify_locations(context, tls.ca.c_str(), nullptr) != 1) {
    return failed("cannot load the CA " + (tls.ca.empty() ? "(--tls-ca is required)" : tls.ca));
  }
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  if (!tls.cert.empty() &&
      (SSL_CTX_use_certificate_chain_file(context, tls.cert.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(context, tls.key.c_str(), SSL_FILETYPE_PEM) != 1)) {
    return failed("cannot load the certificate " + tls.cert + " and key " + tls.key);
  }
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, fd);
  // The collector's certificate must name the address we dialled.
  const std::string host = address.substr(0, address.rfind(':'));
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  int connected = 0;
  {
    SigpipeHeld held;
    connected = SSL_connect(ssl);
  }
  if (connected != 1) {
    const long verify = SSL_get_verify_result(ssl);
    std::string reason = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : sslError();
    SSL_free(ssl);
    SSL_CTX_free(context);
    ::close(fd);
    return fail(Errc::kUnavailable, "TLS handshake with the collector " + address + ": " + reason);
  }
  return std::unique_ptr<CollectorConnection>(std::make_unique<TlsConnection>(fd, context, ssl));
}

}  // namespace

bool isLoopbackAddress(const std::string& address) {
  const std::string host = address.substr(0, address.rfind(':'));
  return host.rfind("127.", 0) == 0 || host == "localhost" || host == "::1" || host == "[::1]";
}

Result<std::unique_ptr<CollectorConnection>> CollectorConnection::open(const std::string& address,
                                                                       const TlsFiles& tls) {
  if (!tls.enabled() && !isLoopbackAddress(address)) {
    return fail(Errc::kTerminal,
                "refusing to ship events in the clear to " + address +
                    ": off loopback the collector is reached over TLS (--tls-cert, --tls-key, "
                    "--tls-ca)");
  }
  const int fd = connectTcp(address);
  if (fd < 0) return fail(Errc::kUnavailable, "cannot connect to the collector " + address);
  if (!tls.enabled()) {
    return std::unique_ptr<CollectorConnection>(std::make_unique<PlainConnection>(fd));
  }
  return openTls(fd, address, tls);
}

}  // namespace decnet::agents
