#pragma once
// The REST API (Kubernetes conventions) over any api::Client backend: discovery and object
// routes in routes/, errors mapped in error_status.cc. cpprestsdk stays in api_server.cc.
#include <functional>
#include <memory>
#include <string>

#include "api/client/client.h"
#include "api/types/result.h"

namespace decnet::apiserver {

struct ApiServerOptions {
  std::string listen = "127.0.0.1:8000";  // HOST:PORT
  std::chrono::seconds watchBookmarkEvery{5};
  std::chrono::seconds watchMaxDuration{std::chrono::minutes(30)};  // clients reconnect
  // Extra read-only routes ("/metrics"): path -> (content type, body). Optional.
  std::map<std::string, std::function<std::pair<std::string, std::string>()>> extraRoutes;
  std::function<bool()> ready;  // /readyz; default: always ready
};

class ApiServer {
 public:
  ApiServer(api::Client& backend, ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts serving. kUnavailable when the address cannot be bound.
  Result<void> start();
  // Ends open watches and stops listening. Idempotent; blocks until done.
  void stop();
  // "http://127.0.0.1:8000"
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace decnet::apiserver
