#include "decoy/services/http/http_site.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace decnet::decoy::http {
namespace {

const std::vector<std::string>& appNames() {
  static const std::vector<std::string> names = {"none",      "apache_default", "nginx_default",
                                                 "wordpress", "phpmyadmin",     "iis_default",
                                                 "tomcat",    "jenkins"};
  return names;
}

// "Name: value; Name2: value2" or a JSON object {"Name": "value"} (what a YAML map in the
// persona becomes). Names must be header tokens; values may not contain CR or LF.
static bool parseExtraHeaders(const std::string& text, Fields& out, std::string& error) {
  std::vector<std::pair<std::string, std::string>> pairs;
  const std::string_view trimmed = trim(text);
  if (!trimmed.empty() && trimmed.front() == '{') {
    const auto json = nlohmann::json::parse(trimmed, nullptr, false);
    if (!json.is_object()) {
      error = "not a valid JSON object";
      return false;
    }
    for (const auto& [key, value] : json.items()) {
      if (!value.is_string() && !value.is_number() && !value.is_boolean()) {
        error = "value of " + key + " must be a string";
        return false;
      }
      pairs.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  } else {
    std::string_view rest = trimmed;
    while (!rest.empty()) {
      const auto semicolon = rest.find(';');
      const std::string_view item = trim(rest.substr(0, semicolon));
      rest.remove_prefix(semicolon == std::string_view::npos ? rest.size() : semicolon + 1);
      if (item.empty()) continue;
      const auto colon = item.find(':');
      if (colon == std::string_view::npos) {
        error = "\"" + std::string(item) + "\" is not Name: value";
        return false;
      }
      pairs.emplace_back(std::string(trim(item.substr(0, colon))),
                         std::string(trim(item.substr(colon + 1))));
    }
  }
  for (auto& [name, value] : pairs) {
    if (!isToken(name)) {
      error = "\"" + name + "\" is not a valid header name";
      return false;
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
      error = "the value of " + name + " contains a line break";
      return false;
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

// The nginx the distro packages (what `apt install nginx` would answer with).
std::string nginxFor(const api::catalog::DistroInfo& distro) {
  if (distro.slug.rfind("ubuntu", 0) == 0) return "nginx/1.18.0 (Ubuntu)";
  if (distro.slug == "debian") return "nginx/1.22.1";
  if (distro.slug == "rocky9" || distro.slug == "centos7") return "nginx/1.20.1";
  return "nginx/1.24.0";
}

// The Server header an app brings when the persona names none; nullopt: the distro's server.
std::optional<std::string> appServer(App app, const api::catalog::DistroInfo& distro) {
  switch (app) {
    case App::kNginxDefault:
      return nginxFor(distro);
    case App::kIisDefault:
      return std::string("Microsoft-IIS/10.0");
    case App::kApacheDefault:
      if (distro.httpServer.rfind("Apache", 0) == 0) return distro.httpServer;
      return std::string("Apache/2.4.58 (Win64)");
    case App::kTomcat:
      return std::string();  // Tomcat 9 sends no Server header
    case App::kJenkins:
      return std::string("Jetty(10.0.18)");
    default:
      return std::nullopt;
  }
}

Flavor flavorOf(const std::string& server, App app, const std::string& distroServer) {
  if (server.rfind("nginx", 0) == 0) return Flavor::kNginx;
  if (server.rfind("Microsoft-IIS", 0) == 0) return Flavor::kIis;
  if (server.rfind("Jetty", 0) == 0) return Flavor::kJetty;
  if (server.rfind("Apache-Coyote", 0) == 0) return Flavor::kTomcat;
  if (server.rfind("Apache", 0) == 0) return Flavor::kApache;
  switch (app) {
    case App::kTomcat:
      return Flavor::kTomcat;
    case App::kJenkins:
      return Flavor::kJetty;
    case App::kNginxDefault:
      return Flavor::kNginx;
    case App::kIisDefault:
      return Flavor::kIis;
    default:
      break;
  }
  if (server.empty() && !distroServer.empty()) return flavorOf(distroServer, app, "");
  return Flavor::kApache;
}

}  // namespace

std::string SiteState::token(std::size_t length, std::string_view alphabet) {
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out.push_back(alphabet[random() % alphabet.size()]);
  return out;
}

bool oneOf(std::string_view path, std::initializer_list<std::string_view> paths) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

void readSiteConfig(PersonaReader& persona, const ServiceContext& context, SiteConfig& config) {
  const api::catalog::DistroInfo& distro = *context.distro;
  const std::string app = persona.text("fake_app");
  const auto found = std::find(appNames().begin(), appNames().end(), app);
  config.app =
      found == appNames().end() ? App::kNone : static_cast<App>(found - appNames().begin());
  // An explicit server_header wins (empty: none); else the app's own server; else the distro's.
  if (persona.has("server_header")) {
    config.server = persona.text("server_header");
  } else {
    config.server = appServer(config.app, distro).value_or(distro.httpServer);
  }
  if (config.server.find_first_of("\r\n") != std::string::npos) {
    persona.invalid("server_header", "must not contain line breaks");
  }
  config.flavor = flavorOf(config.server, config.app, distro.httpServer);
  config.responseCode = persona.integer("response_code");
  if (persona.has("body")) config.body = persona.text("body");
  if (persona.has("extra_headers")) {
    std::string error;
    if (!parseExtraHeaders(persona.text("extra_headers"), config.extraHeaders, error)) {
      persona.invalid("extra_headers", error + " (use \"Name: value; Name2: value2\" or a map)");
    }
  }
  // The landing page follows the server family, and for Apache the distro's packaging.
  switch (config.flavor) {
    case Flavor::kIis:
      config.landing = Landing::kIis;
      break;
    case Flavor::kNginx:
      config.landing = Landing::kNginx;
      break;
    case Flavor::kTomcat:
      config.landing = Landing::kTomcat;
      break;
    case Flavor::kJetty:
      config.landing = Landing::kItWorks;
      break;
    case Flavor::kApache:
      if (config.server.find("Ubuntu") != std::string::npos) {
        config.landing = Landing::kUbuntu;
      } else if (config.server.find("Debian") != std::string::npos) {
        config.landing = Landing::kDebian;
      } else if (config.server.find("CentOS") != std::string::npos ||
                 config.server.find("Rocky") != std::string::npos ||
                 config.server.find("Fedora") != std::string::npos ||
                 config.server.find("Red Hat") != std::string::npos) {
        config.landing = Landing::kRhel;
        // welcome.conf serves the test page with 403 when there is no index.html.
        if (!persona.has("response_code")) config.responseCode = 403;
      }
      break;
  }
  config.distroName = distro.displayName;
  while (!config.distroName.empty() &&
         (std::isdigit(static_cast<unsigned char>(config.distroName.back())) ||
          config.distroName.back() == '.' || config.distroName.back() == ' ')) {
    config.distroName.pop_back();
  }
  if (config.distroName.empty() || distro.osFamily != "linux") config.distroName = "Linux";
  config.hostname = context.hostname;
  // A stable, per-decky "installation date" for Last-Modified/ETag: the same decky always
  // shows the same one, two deckies rarely share it.
  const std::size_t seed = std::hash<std::string>{}(context.hostname);
  config.mtime = 1672531200 + static_cast<std::time_t>(seed % (400 * 86400));
  static constexpr char kHex[] = "0123456789abcdef";
  config.jenkinsSession.clear();
  for (int i = 0; i < 8; ++i) config.jenkinsSession.push_back(kHex[(seed >> (4 * i)) & 15]);
}

std::string Handler::hostName() const {
  std::string host = request_.headerOr("Host");
  const bool sane =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '[' || c == ']';
      });
  return sane ? host : config_->hostname;
}

std::string Handler::hostWithoutPort() const {
  std::string host = hostName();
  if (!host.empty() && host.front() != '[') host = host.substr(0, host.find(':'));
  return host;
}

Response Handler::errorResponse(int status) const {
  Response response;
  response.status = status;
  response.body = http::errorPage(config_->flavor, status, config_->server, hostWithoutPort(),
                                  port_, request_.path);
  switch (config_->flavor) {
    case Flavor::kApache:
      response.contentType = "text/html; charset=iso-8859-1";
      break;
    case Flavor::kTomcat:
      response.contentType = "text/html;charset=utf-8";
      break;
    case Flavor::kJetty:
      response.contentType = "text/html;charset=iso-8859-1";
      break;
    default:
      response.contentType = "text/html";
  }
  return response;
}

Response Handler::page(std::string body, std::string contentType, bool staticFile,
                       int status) const {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.contentType = std::move(contentType);
  response.staticFile = staticFile;
  if (status == 204 || status == 304 || status < 200) {
    response.noBody = true;
    response.body.clear();
  }
  return response;
}

Response Handler::route(std::vector<Credential>& credentials) {
  const std::string& method = request_.method;
  const std::string& path = request_.path;
  const bool post = method == "POST";

  // Form logins, JSON logins, and logins in the query string.
  const std::optional<Credential> form = formCredential(request_);
  if (form) credentials.push_back(*form);

  if (method == "OPTIONS") {
    Response response = page("", "text/html", false);
    response.headers.emplace_back("Allow", "GET,POST,OPTIONS,HEAD");
    return response;
  }
  if (method != "GET" && method != "HEAD" && method != "POST") {
    static const std::vector<std::string_view> known = {
        "PUT",       "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND",
        "PROPPATCH", "MKCOL",  "COPY",  "MOVE",  "LOCK",    "UNLOCK"};
    const bool standard = std::find(known.begin(), known.end(), method) != known.end();
    Response response = errorResponse(standard ? 405 : 501);
    response.headers.emplace_back("Allow", "GET,POST,OPTIONS,HEAD");
    return response;
  }

  // Credentials in an Authorization header are always wrong.
  for (const auto& credential : credentials) {
    if (credential.method == "form" || credential.method == "json" ||
        credential.method == "query") {
      continue;
    }
    Response response = errorResponse(401);
    response.headers.emplace_back("WWW-Authenticate", challenge(credential.method));
    return response;
  }

  switch (config_->app) {
    case App::kWordpress:
      return wordpress(form, credentials);
    case App::kPhpmyadmin:
      return phpmyadmin(form);
    case App::kTomcat:
      return tomcat();
    case App::kJenkins:
      return jenkins();
    case App::kApacheDefault:
    case App::kNginxDefault:
    case App::kIisDefault:
    case App::kNone:
      break;
  }
  const bool index = oneOf(path, {"/", "/index.html", "/index.htm"}) ||
                     (config_->landing == Landing::kIis && oneOf(path, {"/iisstart.htm"}));
  if (!index) return errorResponse(404);
  // Static servers refuse POST to a file.
  if (post) return errorResponse(405);
  return landing();
}

Response Handler::landing() const {
  std::string body;
  int status = config_->responseCode;
  switch (config_->landing) {
    case Landing::kDebian:
      body = apacheDefaultPage(false);
      break;
    case Landing::kUbuntu:
      body = apacheDefaultPage(true);
      break;
    case Landing::kRhel:
      body = rhelTestPage(config_->distroName);
      break;
    case Landing::kNginx:
      body = nginxDefaultPage();
      break;
    case Landing::kIis:
      body = iisDefaultPage();
      break;
    case Landing::kTomcat:
      body = tomcatHomePage();
      break;
    case Landing::kItWorks:
      body = itWorksPage();
      break;
  }
  return page(config_->body.value_or(std::move(body)), "text/html", true, status);
}

Response Handler::rejectResponse(int status) const {
  Response response = errorResponse(status);
  response.close = true;
  response.alwaysBody = true;
  if (config_->flavor == Flavor::kIis) {
    response.httpSys = true;
    response.contentType = "text/html; charset=us-ascii";
    if (status == 414 || status == 431) response.status = 400;
  }
  return response;
}

std::string Handler::challenge(const std::string& method) const {
  std::string realm = "Restricted";
  if (config_->app == App::kTomcat) realm = "Tomcat Manager Application";
  if (config_->app == App::kPhpmyadmin) realm = "phpMyAdmin localhost";
  if (method == "bearer") return "Bearer realm=\"" + realm + "\", error=\"invalid_token\"";
  if (method == "digest") {
    return "Digest realm=\"" + realm + "\", nonce=\"" + state_->token(32, "0123456789abcdef") +
           "\", algorithm=MD5, qop=\"auth\"";
  }
  return "Basic realm=\"" + realm + "\"";
}

std::string Handler::serialize(const Response& response, bool keepAlive, int served) const {
  const Flavor flavor = config_->flavor;
  const bool head = request_.method == "HEAD" && !response.alwaysBody;
  const std::string date = httpDate(std::time(nullptr));
  std::string contentHeaders;  // Last-Modified, ETag, Accept-Ranges of static pages
  if (response.staticFile && response.status == 200) {
    char etag[64];
    const auto size = static_cast<unsigned long long>(response.body.size());
    const auto mtime = static_cast<unsigned long long>(config_->mtime);
    if (flavor == Flavor::kNginx) {
      std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", mtime, size);
    } else if (flavor == Flavor::kIis) {
      std::snprintf(etag, sizeof(etag), "\"%llx:0\"", mtime * 10000000ULL + 116444736000000000ULL);
    } else {
      std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", size, mtime * 1000000ULL);
    }
    contentHeaders = "Last-Modified: " + httpDate(config_->mtime) + "\r\nETag: " + etag +
                     "\r\nAccept-Ranges: bytes\r\n";
  }
  std::string specific;
  for (const auto& [name, value] : response.headers) specific += name + ": " + value + "\r\n";
  for (const auto& [name, value] : config_->extraHeaders) specific += name + ": " + value + "\r\n";
  const std::string server = config_->server.empty() ? "" : "Server: " + config_->server + "\r\n";
  const std::string length =
      response.noBody ? "" : "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  const std::string type = response.noBody ? "" : "Content-Type: " + response.contentType + "\r\n";

  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    std::string(http::reasonPhrase(response.status)) + "\r\n";
  switch (flavor) {
    case Flavor::kNginx:
      out += server + "Date: " + date + "\r\n" + type + length;
      out += std::string("Connection: ") + (keepAlive ? "keep-alive" : "close") + "\r\n";
      out += specific + contentHeaders;
      break;
    case Flavor::kIis:
      if (response.httpSys) {
        out += type + "Server: Microsoft-HTTPAPI/2.0\r\nDate: " + date +
               "\r\nConnection: close\r\n" + length;
        break;
      }
      out += type + contentHeaders + specific + server + "X-Powered-By: ASP.NET\r\nDate: " + date +
             "\r\n" + (keepAlive ? "" : "Connection: close\r\n") + length;
      break;
    case Flavor::kApache:
      out += "Date: " + date + "\r\n" + server + specific + contentHeaders + length;
      if (response.staticFile) out += "Vary: Accept-Encoding\r\n";
      if (keepAlive) {
        out += "Keep-Alive: timeout=5, max=" + std::to_string(kMaxRequestsPerConnection - served) +
               "\r\nConnection: Keep-Alive\r\n";
      } else {
        out += "Connection: close\r\n";
      }
      out += type;
      break;
    case Flavor::kTomcat:
    case Flavor::kJetty:
      out += "Date: " + date + "\r\n" + specific + contentHeaders + type + length + server;
      if (!keepAlive) out += "Connection: close\r\n";
      break;
  }
  out += "\r\n";
  if (!head && !response.noBody) out += response.body;
  return out;
}

}  // namespace decnet::decoy::http
