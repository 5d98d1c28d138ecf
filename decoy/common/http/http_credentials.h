#pragma once
// Credentials an HTTP client offers: Authorization headers (Basic, Bearer, Digest and other
// schemes), login forms, JSON login bodies, credentials in the query string, and WordPress
// XML-RPC calls. Pure functions of the request bytes.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decoy/common/http/http_request.h"

namespace decnet::decoy::http {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Credential {
  std::string method;  // basic, bearer, digest, form, json, query, xmlrpc, ntlm, ...
  std::string principal;
  std::string secret;
  Pairs extra;  // realm, uri (digest), rpc_method (xmlrpc)
};

// Percent-decoding with '+' as space (form encoding); invalid escapes stay as they are.
std::string urlDecode(std::string_view text);
// Percent-encoding of everything but unreserved characters.
std::string urlEncode(std::string_view text);
// "a=1&b=2" -> pairs, decoded; at most 256 pairs.
Pairs parseForm(std::string_view text);

// An Authorization header value -> the attempt; `anomaly` set when the value is malformed
// (undecodable Basic). nullopt for an empty value.
std::optional<Credential> parseAuthorization(std::string_view value, std::string& anomaly);

// The first user-name-like and password-like fields (username, user, email, login, log, uname,
// pma_username / password, pass, pwd, passwd, pma_password, ...); nullopt without a password.
std::optional<Credential> credentialFromPairs(const Pairs& pairs, std::string method);

// A login in the request's body (form or JSON, POST only) or else its query string.
std::optional<Credential> formCredential(const Request& request);

// <string>...</string> values of an XML-RPC call in order (at most 8), and its method name.
std::vector<std::string> xmlRpcStrings(std::string_view body, std::string& methodName);

}  // namespace decnet::decoy::http
