#pragma once
// Page bodies of the fake web applications the http service can pretend to be. Pure functions
// of their arguments; every reflected argument is HTML-escaped here.
#include <string>
#include <string_view>

namespace decnet::decoy::http {

// The server family whose error pages, header order and keep-alive style a response imitates.
enum class Flavor { kApache, kNginx, kIis, kTomcat, kJetty };

// Standard reason phrase ("Not Found"); "Unknown" for unusual codes.
std::string_view reasonPhrase(int status);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string htmlEscape(std::string_view text);

// The body a `flavor` server sends with an error status (404, 401, 400, 405, ...).
// `server` is the Server header value (may be empty), `host`/`port` the virtual host.
std::string errorPage(Flavor flavor, int status, std::string_view server, std::string_view host,
                      int port, std::string_view path);

std::string itWorksPage();                   // Apache's bare "It works!"
std::string apacheDefaultPage(bool ubuntu);  // "Apache2 Debian Default Page"
std::string nginxDefaultPage();              // "Welcome to nginx!"
std::string iisDefaultPage();                // "IIS Windows Server"
std::string tomcatHomePage();                // Tomcat 9 landing page

std::string wordpressHomePage(std::string_view siteUrl, std::string_view blogName);
// `error` empty: the plain form; otherwise the error box is shown and `user` pre-filled.
std::string wordpressLoginPage(std::string_view siteUrl, std::string_view blogName,
                               std::string_view error, std::string_view user);
std::string wordpressXmlRpcFault(int code, std::string_view message);

std::string phpmyadminLoginPage(std::string_view error, std::string_view user,
                                std::string_view token);

std::string jenkinsForbiddenPage(std::string_view from);
std::string jenkinsLoginPage(bool failed);

}  // namespace decnet::decoy::http
