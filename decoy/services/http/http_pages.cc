#include "decoy/services/http/http_pages.h"

#include <string>

namespace decnet::decoy::http {

// Replaces each "{name}" in `page` by its value; pages stay readable as whole documents.
std::string fill(std::string page,
                 std::initializer_list<std::pair<std::string_view, std::string>> values) {
  for (const auto& [name, value] : values) {
    const std::string token = "{" + std::string(name) + "}";
    for (std::size_t at = page.find(token); at != std::string::npos;
         at = page.find(token, at + value.size())) {
      page.replace(at, token.size(), value);
    }
  }
  return page;
}

std::string statusLine(int status) {
  return std::to_string(status) + " " + std::string(reasonPhrase(status));
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 418:
      return "I'm a teapot";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#039;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string errorPage(Flavor flavor, int status, std::string_view server, std::string_view host,
                      int port, std::string_view path) {
  switch (flavor) {
    case Flavor::kNginx:
      return nginxErrorPage(status, server);
    case Flavor::kIis:
      return iisErrorPage(status);
    case Flavor::kTomcat:
      return tomcatErrorPage(status);
    case Flavor::kJetty:
      return jettyErrorPage(status, path);
    case Flavor::kApache:
      break;
  }
  return apacheErrorPage(status, server, host, port, path);
}

}  // namespace decnet::decoy::http
