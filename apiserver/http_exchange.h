#pragma once
// One HTTP request and its answer, independent of the server library: route groups take and
// return these, so they are tested and swapped without the transport.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace decnet::apiserver {

struct HttpRequest {
  std::string method;                          // "GET", "PATCH", ...
  std::string path;                            // decoded path, no query
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remoteAddress;  // the client's IP address ("127.0.0.1")
  // The common name of the client certificate the TLS handshake verified against the API's
  // CA ("system:node:sensor-1"), "" without one.
  std::string peerCertificateName;

  // The query parameter `key`, "" when absent.
  std::string param(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? "" : it->second;
  }
  // The header `name` (lower-case), "" when absent.
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  // When set, the body is these pieces in order instead of `body`: cached JSON is sent where it
  // lies, not copied into one string (a list of 1,000 objects is 1,000 shared pieces).
  std::vector<std::shared_ptr<const std::string>> bodyParts;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Warning, ...)
};

}  // namespace decnet::apiserver
