#pragma once
// What the fake web site answers: the persona (server family, fake app, pages) read once per
// decoy, and a per-request Handler that routes a parsed request to a Response and serializes it
// in the header order and keep-alive style of the server family. No I/O: shared by http and https.
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "decoy/common/http/http_credentials.h"
#include "decoy/common/http/http_request.h"
#include "decoy/service.h"
#include "decoy/services/http/http_pages.h"

namespace decnet::decoy::http {

inline constexpr int kMaxRequestsPerConnection = 100;  // Apache's MaxKeepAliveRequests

enum class App {
  kNone,
  kApacheDefault,
  kNginxDefault,
  kWordpress,
  kPhpmyadmin,
  kIisDefault,
  kTomcat,
  kJenkins
};

// The landing page of a site without an application, by server family and distro.
enum class Landing { kItWorks, kDebian, kUbuntu, kRhel, kNginx, kIis, kTomcat };

struct SiteConfig {
  std::string scheme = "http";
  std::string server;  // empty: no Server header (Tomcat sends none)
  int responseCode = 200;
  App app = App::kNone;
  Flavor flavor = Flavor::kApache;
  Landing landing = Landing::kItWorks;
  std::string distroName;  // "Rocky Linux" for the RHEL test page
  Fields extraHeaders;
  std::optional<std::string> body;
  std::string hostname;
  std::time_t mtime = 0;  // Last-Modified of the static pages
  std::string jenkinsSession;
};

// Reads the persona keys http and https share into `config`; errors go to `persona`.
void readSiteConfig(PersonaReader& persona, const ServiceContext& context, SiteConfig& config);

// Per-decoy mutable state; only touched on the loop thread.
struct SiteState {
  std::mt19937_64 random{std::random_device{}()};
  // Random characters from `alphabet` (session cookies, CSRF tokens, nonces).
  std::string token(std::size_t length, std::string_view alphabet);
};

struct Response {
  int status = 200;
  std::string contentType = "text/html";
  std::string body;
  Fields headers;           // response-specific: Location, Set-Cookie, WWW-Authenticate, ...
  bool staticFile = false;  // gets Last-Modified, ETag and Accept-Ranges
  bool close = false;
  bool noBody = false;  // 1xx/204/304
  bool httpSys = false;
  bool alwaysBody = false;  // even for HEAD (answers to unparseable requests)  // IIS: the kernel
                            // driver answered (Server: Microsoft-HTTPAPI/2.0)
};

// Answers one request. Cheap to build; lives for one request.
class Handler {
 public:
  Handler(const SiteConfig& config, SiteState& state, const Request& request, int localPort)
      : config_(&config), state_(&state), request_(request), port_(localPort) {}

  // The response to the request; appends the credentials it offered to `credentials`.
  Response route(std::vector<Credential>& credentials);
  // The server family's error page for `status`.
  Response errorResponse(int status) const;
  // The answer to an unparseable request (HTTP.sys answers these on IIS).
  Response rejectResponse(int status) const;
  // Status line, headers and body; `served` requests so far on this connection.
  std::string serialize(const Response& response, bool keepAlive, int served) const;

 private:
  std::string hostName() const;
  std::string hostWithoutPort() const;
  std::string siteUrl() const { return config_->scheme + "://" + hostName(); }
  Response page(std::string body, std::string contentType, bool staticFile, int status = 200) const;
  Response landing() const;
  std::string challenge(const std::string& method) const;
  Response wordpress(const std::optional<Credential>& form, std::vector<Credential>& credentials);
  Response phpmyadmin(const std::optional<Credential>& form);
  Response tomcat();
  Response jenkins();

  const SiteConfig* config_;
  SiteState* state_;
  const Request& request_;
  int port_;
};

// True when `path` is one of `paths`.
bool oneOf(std::string_view path, std::initializer_list<std::string_view> paths);

}  // namespace decnet::decoy::http
