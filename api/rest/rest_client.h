#pragma once
// Client over the REST API. cpprestsdk stays in the .cc.
#include <memory>
#include <string>
#include <vector>

#include "api/client/client.h"

namespace decnet::api {

// Who the client is and whom it trusts.
struct RestClientOptions {
  std::string bearerToken;  // sent as `Authorization: Bearer ...` when set
  // PEM of the CA that signed an https server's certificate (decnet's own CA); empty trusts the
  // system's CAs.
  std::string caPem;
  // A client certificate and key (PEM) presented over https: a node's mTLS identity.
  std::string clientCertificatePem;
  std::string clientKeyPem;
  // Skips verifying the server's certificate: only to fetch a CA whose hash is then checked.
  bool insecureSkipVerify = false;
};

// `server`: "http://127.0.0.1:8000" or "https://...". Connection failures come back as
// kUnavailable; 401 and 403 as kUnauthorized and kForbidden.
ClientPtr makeRestClient(const std::string& server, const RestClientOptions& options = {});

// POSTs `body` to `path` on `server` (the auth routes: login, password, node join) and returns
// the JSON answer; an HTTP error comes back as its Errc with the server's message.
Result<Json> postJson(const std::string& server, const std::string& path, const Json& body,
                      const RestClientOptions& options = {});
// GETs `path` on `server` with `options`' identity and returns the JSON answer.
Result<Json> getJson(const std::string& server, const std::string& path,
                     const RestClientOptions& options = {});

// The texts of a Warning header ("299 - \"a\", 299 - \"b\"" -> {"a", "b"}), unescaped.
std::vector<std::string> parseWarningHeader(const std::string& header);

}  // namespace decnet::api
