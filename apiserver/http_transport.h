#pragma once
// The HTTP/1.1 listener the API server runs on. Boost.Beast stays in http_transport.cc; the
// routes see only HttpRequest/HttpResponse, and watches write through a ResponseStream.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/types/result.h"
#include "apiserver/http_exchange.h"

namespace decnet::apiserver {

// A response body written as it is produced (a watch), sent with chunked encoding.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues `chunk` for the client. False once the client is gone or has fallen more than the
  // backlog limit behind (the stream is then closed). Thread-safe; never blocks.
  virtual bool write(std::shared_ptr<const std::string> chunk) = 0;
  // Ends the body after the queued chunks. Thread-safe; idempotent.
  virtual void finish() = 0;
  // Runs `callback` once, when the stream ends for any reason (finish, client gone, shutdown).
  virtual void onClosed(std::function<void()> callback) = 0;
};

// What a handler answers: a whole response, or the status and headers of a stream whose body
// `stream` then writes (it is called once the headers are on their way).
struct Reply {
  HttpResponse response;
  std::function<void(std::shared_ptr<ResponseStream>)> stream;
};

// Serves one request. Runs on a transport thread and may block (on the store), briefly.
using RequestHandler = std::function<Reply(const HttpRequest&)>;

// TLS for the listener: the server's certificate and key, and the CA whose client certificates
// identify their holder (mutual TLS for agents); PEM text.
struct TlsServerConfig {
  std::string certificatePem;
  std::string keyPem;
  std::string clientCaPem;  // "" requests no client certificate
};

struct TransportLimits {
  std::size_t maxBodyBytes = 4 * 1024 * 1024;      // 413 past this, chunked or not
  std::size_t maxHeaderBytes = 64 * 1024;          // 431 past this
  std::size_t maxStreamBacklog = 8 * 1024 * 1024;  // a watcher this far behind is dropped
  int threads = 4;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Binds `listen` (HOST:PORT) and serves `handler`, over TLS when `tls` is set. kUnavailable
  // when it cannot bind, kInvalid when the TLS material is unusable.
  static Result<std::unique_ptr<HttpTransport>> start(
      const std::string& listen, RequestHandler handler, TransportLimits limits = {},
      const std::optional<TlsServerConfig>& tls = std::nullopt);
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  virtual void stop() = 0;
};

}  // namespace decnet::apiserver
