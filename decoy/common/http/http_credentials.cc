#include "decoy/common/http/http_credentials.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "decoy/event_writer.h"

namespace decnet::decoy::http {
namespace {

// Login form fields (REFERENCE.md §1), plus the ones the emulated apps themselves use.
constexpr std::string_view kUserKeys[] = {"username", "user",      "email",        "login",
                                          "log",      "uname",     "pma_username", "j_username",
                                          "userid",   "user_name", "usr"};
constexpr std::string_view kSecretKeys[] = {"password",     "pass",       "pwd",      "passwd",
                                            "pma_password", "j_password", "passwort", "pw"};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <std::size_t N>
bool contains(const std::string_view (&keys)[N], std::string_view key) {
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

// key=value or key="quoted value", comma separated (RFC 7616 auth-params).
Pairs authParams(std::string_view params) {
  Pairs out;
  while (!params.empty() && out.size() < 32) {
    params = trim(params);
    const auto eq = params.find('=');
    if (eq == std::string_view::npos) break;
    std::string key = lower(trim(params.substr(0, eq)));
    params.remove_prefix(eq + 1);
    params = trim(params);
    std::string parsed;
    if (!params.empty() && params.front() == '"') {
      std::size_t i = 1;
      for (; i < params.size() && params[i] != '"'; ++i) {
        if (params[i] == '\\' && i + 1 < params.size()) ++i;
        parsed.push_back(params[i]);
      }
      params.remove_prefix(std::min(params.size(), i + 1));
    } else {
      const auto comma = params.find(',');
      parsed = std::string(trim(params.substr(0, comma)));
      params.remove_prefix(comma == std::string_view::npos ? params.size() : comma);
    }
    const auto comma = params.find(',');
    params.remove_prefix(comma == std::string_view::npos ? params.size() : comma + 1);
    out.emplace_back(std::move(key), std::move(parsed));
  }
  return out;
}

}  // namespace

std::string urlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
               hexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string urlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += {'%', kHex[u >> 4], kHex[u & 15]};
    }
  }
  return out;
}

Pairs parseForm(std::string_view text) {
  Pairs out;
  while (!text.empty() && out.size() < 256) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      out.emplace_back(urlDecode(pair.substr(0, eq)), eq == std::string_view::npos
                                                          ? std::string()
                                                          : urlDecode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<Credential> parseAuthorization(std::string_view value, std::string& anomaly) {
  value = trim(value);
  const auto space = value.find(' ');
  const std::string scheme = lower(value.substr(0, space));
  const std::string_view rest =
      space == std::string_view::npos ? std::string_view() : trim(value.substr(space + 1));
  if (scheme.empty()) return std::nullopt;
  Credential credential;
  credential.method = isToken(scheme) ? scheme : "unknown";
  if (scheme == "basic") {
    std::string decoded;
    if (!base64Decode(rest, decoded)) {
      anomaly = "malformed_basic_auth";
      credential.secret = std::string(rest);
      return credential;
    }
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) {
      anomaly = "malformed_basic_auth";
      credential.principal = decoded;
    } else {
      credential.principal = decoded.substr(0, colon);
      credential.secret = decoded.substr(colon + 1);
    }
    return credential;
  }
  if (scheme == "digest") {
    for (auto& [key, parsed] : authParams(rest)) {
      if (key == "username") credential.principal = parsed;
      if (key == "response") credential.secret = parsed;
      if (key == "realm" || key == "uri") credential.extra.emplace_back(key, parsed);
    }
    return credential;
  }
  credential.secret = std::string(rest);  // bearer tokens, NTLM/Negotiate blobs, ...
  return credential;
}

std::optional<Credential> credentialFromPairs(const Pairs& pairs, std::string method) {
  std::optional<std::string> principal, secret;
  for (const auto& [key, value] : pairs) {
    const std::string k = lower(key);
    if (!principal && contains(kUserKeys, k)) principal = value;
    if (!secret && contains(kSecretKeys, k)) secret = value;
  }
  if (!secret) return std::nullopt;
  return Credential{std::move(method), principal.value_or(""), *secret, {}};
}

std::optional<Credential> formCredential(const Request& request) {
  std::optional<Credential> found;
  if (request.method == "POST") {
    const std::string contentType = lower(request.headerOr("Content-Type"));
    if (contentType.find("application/x-www-form-urlencoded") != std::string::npos) {
      found = credentialFromPairs(parseForm(request.body), "form");
    } else if (contentType.find("json") != std::string::npos) {
      const auto json = nlohmann::json::parse(request.body, nullptr, false);
      if (json.is_object()) {
        Pairs pairs;
        for (const auto& [key, value] : json.items()) {
          if (value.is_string()) pairs.emplace_back(key, value.get<std::string>());
        }
        found = credentialFromPairs(pairs, "json");
      }
    }
  }
  if (!found && !request.query.empty())
    found = credentialFromPairs(parseForm(request.query), "query");
  return found;
}

std::vector<std::string> xmlRpcStrings(std::string_view body, std::string& methodName) {
  std::vector<std::string> out;
  const auto between = [&](std::string_view open, std::string_view close, std::size_t& from,
                           std::string& value) {
    const auto start = body.find(open, from);
    if (start == std::string_view::npos) return false;
    const auto end = body.find(close, start + open.size());
    if (end == std::string_view::npos) return false;
    value = std::string(body.substr(start + open.size(), end - start - open.size()));
    from = end + close.size();
    return true;
  };
  std::size_t at = 0;
  between("<methodName>", "</methodName>", at, methodName);
  std::string value;
  while (out.size() < 8 && between("<string>", "</string>", at, value)) out.push_back(value);
  return out;
}

}  // namespace decnet::decoy::http
