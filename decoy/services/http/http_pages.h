#pragma once
// Page bodies of the web servers and fake web applications the http service can pretend to be,
// one file per server family (pages_apache.cc, pages_nginx.cc, pages_iis.cc, pages_java.cc,
// pages_php.cc). Pure functions of their arguments; every reflected argument is HTML-escaped.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace decnet::decoy::http {

// The server family whose error pages, header order and keep-alive style a response imitates.
enum class Flavor { kApache, kNginx, kIis, kTomcat, kJetty };

// Standard reason phrase ("Not Found"); "Unknown" for unusual codes.
std::string_view reasonPhrase(int status);
// "404 Not Found".
std::string statusLine(int status);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string htmlEscape(std::string_view text);

// Replaces each "{name}" in `page` by its value; pages stay readable as whole documents.
std::string fill(std::string page,
                 std::initializer_list<std::pair<std::string_view, std::string>> values);

// The body a `flavor` server sends with an error status (404, 401, 400, 405, ...).
// `server` is the Server header value (may be empty), `host`/`port` the virtual host.
std::string errorPage(Flavor flavor, int status, std::string_view server, std::string_view host,
                      int port, std::string_view path);
std::string apacheErrorPage(int status, std::string_view server, std::string_view host, int port,
                            std::string_view path);
std::string nginxErrorPage(int status, std::string_view server);
std::string iisErrorPage(int status);  // custerr pages; HTTP.sys pages for 400/414/431/505
std::string tomcatErrorPage(int status);
std::string jettyErrorPage(int status, std::string_view path);

std::string itWorksPage();                          // Apache's bare "It works!"
std::string apacheDefaultPage(bool ubuntu);         // "Apache2 Debian Default Page"
std::string rhelTestPage(std::string_view distro);  // CentOS/Rocky/Fedora "Test Page"
std::string nginxDefaultPage();                     // "Welcome to nginx!"
std::string iisDefaultPage();                       // "IIS Windows Server"
std::string tomcatHomePage();                       // Tomcat 9 landing page

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
