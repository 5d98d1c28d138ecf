// HTTP/1.0 and 1.1 on the decoy's event loop: keep-alive, pipelining, Content-Length and
// chunked bodies, and a handful of fake web applications whose login forms never succeed.
#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api/catalog/catalog.h"
#include "decoy/services/http/http_pages.h"
#include "decoy/service.h"

namespace decnet::decoy {
namespace {

namespace asio = boost::asio;
using http::Flavor;

constexpr std::size_t kMaxRequestLine = 8 * 1024;
constexpr std::size_t kMaxHeaderBytes = 32 * 1024;
constexpr std::size_t kMaxHeaderCount = 100;    // Apache's LimitRequestFields
constexpr std::size_t kBodyPreview = 1024;      // what the request event shows
constexpr std::size_t kBodyKeep = 16 * 1024;    // enough for any login form
constexpr std::size_t kMaxBody = 1024 * 1024;   // larger declared bodies get 413 and a close
constexpr std::size_t kMaxChunked = 64 * 1024;  // chunked bodies: read this much, then close
constexpr std::size_t kRawPreview = 1024;       // raw bytes kept with an anomaly
constexpr int kMaxRequestsPerConnection = 100;  // Apache's MaxKeepAliveRequests
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kLingerTimeout = std::chrono::seconds(2);

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

const std::vector<std::string>& appNames() {
  static const std::vector<std::string> names = {"none",      "apache_default", "nginx_default",
                                                 "wordpress", "phpmyadmin",     "iis_default",
                                                 "tomcat",    "jenkins"};
  return names;
}

// Login form fields (REFERENCE.md §1), plus the ones the emulated apps themselves use.
const std::vector<std::string_view> kUserKeys = {
    "username",     "user",       "email",  "login",     "log", "uname",
    "pma_username", "j_username", "userid", "user_name", "usr"};
const std::vector<std::string_view> kSecretKeys = {
    "password", "pass", "pwd", "passwd", "pma_password", "j_password", "passwort", "pw"};

struct HttpConfig {
  std::string server;  // empty: no Server header (Tomcat sends none)
  int responseCode = 200;
  App app = App::kNone;
  Flavor flavor = Flavor::kApache;
  Fields extraHeaders;
  std::optional<std::string> body;
  std::string hostname;
  std::time_t mtime = 0;  // Last-Modified of the static pages
  std::string jenkinsSession;
};

// Per-decoy mutable state; only touched on the loop thread.
struct HttpState {
  std::mt19937_64 random{std::random_device{}()};
  std::string token(std::size_t length, std::string_view alphabet) {
    std::string out;
    for (std::size_t i = 0; i < length; ++i) out.push_back(alphabet[random() % alphabet.size()]);
    return out;
  }
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool isTchar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), isTchar);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

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

std::vector<std::pair<std::string, std::string>> parseForm(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
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

std::string httpDate(std::time_t when) {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

struct Request {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  std::string version = "HTTP/1.1";
  int minor = 1;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // at most kBodyKeep bytes
  std::size_t bodySize = 0;
  std::string anomaly;  // comma-separated tags

  const std::string* header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (iequals(key, name)) return &value;
    }
    return nullptr;
  }
  std::string headerOr(std::string_view name, std::string fallback = {}) const {
    const std::string* value = header(name);
    return value ? *value : std::move(fallback);
  }
  void addAnomaly(std::string_view tag) {
    if (!anomaly.empty()) anomaly += ',';
    anomaly += tag;
  }
};

struct Response {
  int status = 200;
  std::string contentType = "text/html";
  std::string body;
  Fields headers;           // response-specific: Location, Set-Cookie, WWW-Authenticate, ...
  bool staticFile = false;  // gets Last-Modified, ETag and Accept-Ranges
  bool close = false;
  bool noBody = false;  // 1xx/204/304
};

struct Credential {
  std::string method;  // basic, bearer, digest, form, xmlrpc, ntlm, ...
  std::string principal;
  std::string secret;
  Fields extra;
};

// "Basic dXNlcjpwYXNz", "Bearer x", "Digest username=..., response=..." -> a login attempt.
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
    // key=value or key="quoted value", comma separated
    std::string_view params = rest;
    while (!params.empty()) {
      params = trim(params);
      const auto eq = params.find('=');
      if (eq == std::string_view::npos) break;
      const std::string key = lower(trim(params.substr(0, eq)));
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
      if (key == "username") credential.principal = parsed;
      if (key == "response") credential.secret = parsed;
      if (key == "realm" || key == "uri") credential.extra.emplace_back(key, parsed);
    }
    return credential;
  }
  credential.secret = std::string(rest);  // bearer tokens, NTLM/Negotiate blobs, ...
  return credential;
}

std::optional<Credential> credentialFromPairs(
    const std::vector<std::pair<std::string, std::string>>& pairs, std::string method) {
  std::optional<std::string> principal, secret;
  for (const auto& [key, value] : pairs) {
    const std::string k = lower(key);
    if (!principal && std::find(kUserKeys.begin(), kUserKeys.end(), k) != kUserKeys.end()) {
      principal = value;
    }
    if (!secret && std::find(kSecretKeys.begin(), kSecretKeys.end(), k) != kSecretKeys.end()) {
      secret = value;
    }
  }
  if (!secret) return std::nullopt;
  return Credential{std::move(method), principal.value_or(""), *secret, {}};
}

// <string>...</string> values of an XML-RPC call, in order (no XML library: a few tags suffice).
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

std::string jsonHeaders(const Request& request) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : request.headers) {
    auto& slot = object[name];
    slot = slot.is_string() ? slot.get<std::string>() + ", " + value : value;
  }
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<Connection> connection, std::shared_ptr<const HttpConfig> config,
              std::shared_ptr<HttpState> state)
      : connection_(std::move(connection)),
        config_(std::move(config)),
        state_(std::move(state)),
        timer_(connection_->socket().get_executor()) {}

  void start() {
    armTimer();
    process();
  }

 private:
  enum class Phase { kHead, kBody, kChunked, kClosing };

  void read() {
    connection_->socket().async_read_some(
        asio::buffer(chunk_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                          std::size_t n) { self->onRead(ec, n); });
  }

  void onRead(const boost::system::error_code& ec, std::size_t n) {
    if (ec) {
      finish();
      return;
    }
    connection_->addBytesIn(n);
    buffer_.append(chunk_.data(), n);
    if (phase_ != Phase::kHead) armTimer();  // a body that keeps coming keeps the slot
    process();
  }

  void armTimer() {
    timer_.expires_after(kIdleTimeout);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->onTimeout();
    });
  }

  void onTimeout() {
    if (!buffer_.empty() || phase_ == Phase::kBody || phase_ == Phase::kChunked) {
      Fields fields = {{"anomaly", "incomplete_request"},
                       {"raw_b64", base64Encode(std::string_view(buffer_).substr(0, kRawPreview))}};
      if (!request_.method.empty()) {
        fields.emplace_back("method", request_.method);
        fields.emplace_back("path", request_.path);
      }
      connection_->record("request", std::move(fields), {}, kSeverityWarning);
    }
    boost::system::error_code ignored;
    connection_->socket().close(ignored);
  }

  void finish() {
    timer_.cancel();
    boost::system::error_code ignored;
    connection_->socket().close(ignored);
  }

  // Garbage (TLS handshakes, binary probes) shows in the method before any line ends: answer
  // at once instead of waiting for a newline that may never come.
  static bool garbageMethod(std::string_view buffer) {
    for (std::size_t i = 0; i < buffer.size() && i <= 32; ++i) {
      if (buffer[i] == ' ') return i == 0;
      if (!isTchar(buffer[i])) return true;
    }
    return buffer.size() > 32;  // no method is that long
  }

  void process() {
    for (;;) {
      switch (phase_) {
        case Phase::kClosing:
          return;
        case Phase::kHead:
          if (!processHead()) return;
          break;
        case Phase::kBody:
          if (!processBody()) return;
          break;
        case Phase::kChunked:
          if (!processChunked()) return;
          break;
      }
    }
  }

  // True when the loop should continue with the next phase.
  bool processHead() {
    std::size_t skip = 0;
    while (skip < buffer_.size() && (buffer_[skip] == '\r' || buffer_[skip] == '\n')) ++skip;
    buffer_.erase(0, skip);
    if (buffer_.empty()) {
      read();
      return false;
    }
    if (garbageMethod(buffer_)) {
      reject(400, std::string(buffer_.size() >= 2 && buffer_[0] == '\x16' && buffer_[1] == '\x03'
                                  ? "malformed_request_line,tls_handshake"
                                  : "malformed_request_line"));
      return false;
    }
    // The head ends at the first empty line (CRLF or bare LF endings, as Apache accepts).
    std::size_t lineStart = 0, headEnd = std::string::npos, bodyStart = 0;
    while (true) {
      const auto lf = buffer_.find('\n', lineStart);
      if (lf == std::string::npos) break;
      const std::size_t length = lf - lineStart - (lf > lineStart && buffer_[lf - 1] == '\r');
      if (lineStart == 0 && length > kMaxRequestLine) {
        reject(414, "request_line_too_long");
        return false;
      }
      if (length == 0 && lineStart > 0) {
        headEnd = lineStart;
        bodyStart = lf + 1;
        break;
      }
      lineStart = lf + 1;
    }
    if (headEnd == std::string::npos) {
      if (buffer_.find('\n') == std::string::npos && buffer_.size() > kMaxRequestLine) {
        reject(414, "request_line_too_long");
      } else if (buffer_.size() > kMaxRequestLine + kMaxHeaderBytes) {
        reject(431, "headers_too_large");
      } else {
        read();
      }
      return false;
    }
    if (headEnd > kMaxRequestLine + kMaxHeaderBytes) {
      reject(431, "headers_too_large");
      return false;
    }
    request_ = Request{};
    int status = 0;
    std::string anomaly;
    if (!parseHead(std::string_view(buffer_).substr(0, headEnd), status, anomaly)) {
      reject(status, anomaly);
      return false;
    }
    buffer_.erase(0, bodyStart);
    return startBody();
  }

  bool parseHead(std::string_view head, int& status, std::string& anomaly) {
    std::vector<std::string_view> lines;
    while (!head.empty()) {
      const auto lf = head.find('\n');
      std::string_view line = head.substr(0, lf);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines.push_back(line);
      head.remove_prefix(lf == std::string_view::npos ? head.size() : lf + 1);
    }
    // Request line: METHOD SP target SP HTTP/x.y
    const std::string_view requestLine = lines.empty() ? std::string_view() : lines.front();
    const auto first = requestLine.find(' ');
    const auto last = requestLine.rfind(' ');
    status = 400;
    anomaly = "malformed_request_line";
    if (first == std::string_view::npos || first == last) return false;
    const std::string_view method = requestLine.substr(0, first);
    const std::string_view target = requestLine.substr(first + 1, last - first - 1);
    const std::string_view version = requestLine.substr(last + 1);
    if (!isToken(method) || target.empty()) return false;
    for (char c : target) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7F) return false;
    }
    request_.method = std::string(method);
    request_.target = std::string(target);
    const auto question = target.find('?');
    request_.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos)
      request_.query = std::string(target.substr(question + 1));
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
        !std::isdigit(static_cast<unsigned char>(version[5])) || version[6] != '.' ||
        !std::isdigit(static_cast<unsigned char>(version[7]))) {
      return false;
    }
    request_.version = std::string(version);
    if (version[5] != '1') {
      status = 505;
      anomaly = "unsupported_version";
      return false;
    }
    request_.minor = version[7] - '0';

    for (std::size_t i = 1; i < lines.size(); ++i) {
      const std::string_view line = lines[i];
      if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
        if (request_.headers.empty()) {
          anomaly = "malformed_header";
          return false;
        }
        request_.headers.back().second += ' ';
        request_.headers.back().second += trim(line);
        request_.addAnomaly("obs_fold");
        continue;
      }
      const auto colon = line.find(':');
      if (colon == std::string_view::npos || !isToken(line.substr(0, colon))) {
        anomaly = "malformed_header";
        return false;
      }
      if (request_.headers.size() >= kMaxHeaderCount) {
        anomaly = "too_many_headers";
        return false;
      }
      request_.headers.emplace_back(std::string(line.substr(0, colon)),
                                    std::string(trim(line.substr(colon + 1))));
    }
    if (request_.minor >= 1 && request_.header("Host") == nullptr) {
      anomaly = "missing_host";
      return false;
    }
    return true;
  }

  bool startBody() {
    const std::string* encoding = request_.header("Transfer-Encoding");
    std::optional<std::size_t> length;
    for (const auto& [name, value] : request_.headers) {
      if (!iequals(name, "Content-Length")) continue;
      std::size_t parsed = 0;
      const bool digits = !value.empty() && value.size() <= 18 &&
                          std::all_of(value.begin(), value.end(), [](char c) {
                            return std::isdigit(static_cast<unsigned char>(c));
                          });
      if (!digits) {
        reject(400, "malformed_content_length");
        return false;
      }
      parsed = std::stoull(value);
      if (length && *length != parsed) {
        reject(400, "conflicting_content_length");  // a request smuggling probe
        return false;
      }
      length = parsed;
    }
    if (encoding != nullptr) {
      if (length) request_.addAnomaly("te_and_cl");
      if (lower(*encoding).find("chunked") == std::string::npos) {
        reject(501, "unsupported_transfer_encoding");
        return false;
      }
      phase_ = Phase::kChunked;
      chunked_.clear();
      maybeContinue();
      return true;
    }
    remaining_ = length.value_or(0);
    if (remaining_ > kMaxBody) {
      request_.bodySize = remaining_;
      request_.addAnomaly("body_too_large");
      finishRequest(true, 413);
      return false;
    }
    phase_ = Phase::kBody;
    if (remaining_ > 0) maybeContinue();
    return true;
  }

  // curl and browsers wait for "100 Continue" before sending large bodies.
  void maybeContinue() {
    const std::string* expect = request_.header("Expect");
    if (expect == nullptr || !iequals(trim(*expect), "100-continue") || !buffer_.empty() ||
        request_.minor < 1) {
      return;
    }
    pendingContinue_ = true;
  }

  bool processBody() {
    const std::size_t n = std::min(remaining_, buffer_.size());
    if (request_.body.size() < kBodyKeep) {
      request_.body.append(buffer_, 0, std::min(n, kBodyKeep - request_.body.size()));
    }
    request_.bodySize += n;
    remaining_ -= n;
    buffer_.erase(0, n);
    if (remaining_ > 0) {
      readOrContinue();
      return false;
    }
    finishRequest(false, 0);
    return false;
  }

  bool processChunked() {
    const std::size_t room = kMaxChunked - std::min(kMaxChunked, chunked_.size());
    const std::size_t take = std::min(room, buffer_.size());
    chunked_.append(buffer_, 0, take);
    buffer_.erase(0, take);
    std::string decoded;
    bool complete = false, malformed = false;
    decodeChunked(chunked_, decoded, complete, malformed);
    request_.body = decoded.substr(0, kBodyKeep);
    request_.bodySize = decoded.size();
    if (malformed) request_.addAnomaly("malformed_chunked");
    if (!complete && !malformed && chunked_.size() >= kMaxChunked) {
      request_.addAnomaly("body_too_large");
    }
    if (complete || malformed || chunked_.size() >= kMaxChunked) {
      // What follows a chunked body is ambiguous (trailers, smuggled requests): close after.
      buffer_.clear();
      finishRequest(true, malformed ? 400 : 0);
      return false;
    }
    readOrContinue();
    return false;
  }

  static void decodeChunked(std::string_view raw, std::string& out, bool& complete,
                            bool& malformed) {
    std::size_t at = 0;
    while (true) {
      const auto lf = raw.find('\n', at);
      if (lf == std::string_view::npos) return;
      std::string_view sizeLine = raw.substr(at, lf - at);
      if (!sizeLine.empty() && sizeLine.back() == '\r') sizeLine.remove_suffix(1);
      sizeLine = sizeLine.substr(0, sizeLine.find(';'));  // chunk extensions
      sizeLine = trim(sizeLine);
      if (sizeLine.empty() || sizeLine.size() > 8 ||
          !std::all_of(sizeLine.begin(), sizeLine.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
        malformed = true;
        return;
      }
      const std::size_t size = std::stoul(std::string(sizeLine), nullptr, 16);
      at = lf + 1;
      if (size == 0) {
        complete = true;  // trailers are not needed
        return;
      }
      if (raw.size() < at + size) {
        out.append(raw.substr(at));
        return;
      }
      out.append(raw.substr(at, size));
      at += size;
      if (raw.size() >= at + 2 && raw.substr(at, 2) == "\r\n") {
        at += 2;
      } else if (raw.size() >= at + 1 && raw[at] == '\n') {
        at += 1;
      } else if (raw.size() >= at + 2) {
        malformed = true;
        return;
      } else {
        return;
      }
    }
  }

  void readOrContinue() {
    if (!pendingContinue_) {
      read();
      return;
    }
    pendingContinue_ = false;
    out_ = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(
        connection_->socket(), asio::buffer(out_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->connection_->addBytesOut(n);
          if (ec) {
            self->finish();
            return;
          }
          self->read();
        });
  }

  // Malformed head: a 400-class answer, an event with the raw bytes, then a graceful close.
  void reject(int status, const std::string& anomaly) {
    Fields fields = {{"method", request_.method},
                     {"path", request_.path},
                     {"query", request_.query},
                     {"anomaly", anomaly},
                     {"status", std::to_string(status)},
                     {"raw_b64", base64Encode(std::string_view(buffer_).substr(0, kRawPreview))}};
    connection_->record("request", std::move(fields), {}, kSeverityWarning);
    Response response = errorResponse(status);
    response.close = true;
    request_.method = "GET";  // the error page always has a body
    write(serialize(response, false), true);
  }

  void finishRequest(bool close, int forcedStatus) {
    ++requests_;
    std::vector<Credential> credentials;
    std::string authAnomaly;
    if (const std::string* authorization = request_.header("Authorization")) {
      if (auto credential = parseAuthorization(*authorization, authAnomaly)) {
        credentials.push_back(std::move(*credential));
      }
    }
    if (!authAnomaly.empty()) request_.addAnomaly(authAnomaly);
    Response response = forcedStatus != 0 ? errorResponse(forcedStatus) : route(credentials);
    if (close) response.close = true;

    Fields fields = {{"method", request_.method},
                     {"path", request_.path},
                     {"query", request_.query},
                     {"version", request_.version},
                     {"host", request_.headerOr("Host")},
                     {"user_agent", request_.headerOr("User-Agent")},
                     {"headers_json", jsonHeaders(request_)},
                     {"body_preview", request_.body.substr(0, kBodyPreview)},
                     {"body_size", std::to_string(request_.bodySize)},
                     {"status", std::to_string(response.status)}};
    if (!request_.anomaly.empty()) fields.emplace_back("anomaly", request_.anomaly);
    connection_->record("request", std::move(fields), {},
                        request_.anomaly.empty() ? kSeverityInfo : kSeverityWarning);
    for (const auto& credential : credentials) {
      Fields auth = {{"method", credential.method}};
      addCredential(auth, credential.principal, credential.secret, false);
      auth.emplace_back("path", request_.path);
      for (const auto& extra : credential.extra) auth.push_back(extra);
      connection_->record("auth_attempt", std::move(auth));
    }

    const bool keepAlive =
        !response.close && wantsKeepAlive() && requests_ < kMaxRequestsPerConnection;
    write(serialize(response, keepAlive), !keepAlive);
  }

  bool wantsKeepAlive() const {
    const std::string connection = lower(request_.headerOr("Connection"));
    if (request_.minor >= 1) return connection.find("close") == std::string::npos;
    return connection.find("keep-alive") != std::string::npos;
  }

  void write(std::string data, bool close) {
    phase_ = close ? Phase::kClosing : Phase::kHead;
    out_ = std::move(data);
    asio::async_write(
        connection_->socket(), asio::buffer(out_),
        [self = shared_from_this(), close](const boost::system::error_code& ec, std::size_t n) {
          self->connection_->addBytesOut(n);
          if (ec) {
            self->finish();
          } else if (close) {
            self->linger();
          } else {
            self->request_ = Request{};
            self->armTimer();
            self->process();
          }
        });
  }

  // Closing with unread input makes the kernel send RST, which can destroy the response
  // before the client reads it: stop sending, drain briefly, then close.
  void linger() {
    boost::system::error_code ignored;
    connection_->socket().shutdown(asio::socket_base::shutdown_send, ignored);
    timer_.expires_after(kLingerTimeout);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->finish();
    });
    drain();
  }

  void drain() {
    connection_->socket().async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            self->finish();
            return;
          }
          self->connection_->addBytesIn(n);
          self->drain();
        });
  }

  // ---- responses ----

  std::string hostName() const {
    std::string host = request_.headerOr("Host");
    const bool sane =
        !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
                 c == '[' || c == ']';
        });
    return sane ? host : config_->hostname;
  }

  std::string hostWithoutPort() const {
    std::string host = hostName();
    if (!host.empty() && host.front() != '[') host = host.substr(0, host.find(':'));
    return host;
  }

  std::string siteUrl() const { return "http://" + hostName(); }

  Response errorResponse(int status) const {
    Response response;
    response.status = status;
    response.body = http::errorPage(config_->flavor, status, config_->server, hostWithoutPort(),
                                    connection_->peer().localPort, request_.path);
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

  Response page(std::string body, std::string contentType, bool staticFile,
                int status = 200) const {
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

  // The landing page of a static site (the `body` persona replaces it).
  Response staticIndex(std::string defaultBody) const {
    return page(config_->body.value_or(std::move(defaultBody)), "text/html", true,
                config_->responseCode);
  }

  static bool oneOf(std::string_view path, std::initializer_list<std::string_view> paths) {
    return std::find(paths.begin(), paths.end(), path) != paths.end();
  }

  Response route(std::vector<Credential>& credentials) {
    const std::string& method = request_.method;
    const std::string& path = request_.path;
    const bool post = method == "POST";

    // Form logins, JSON logins, and logins in the query string.
    std::optional<Credential> form;
    const std::string contentType = lower(request_.headerOr("Content-Type"));
    if (post && contentType.find("application/x-www-form-urlencoded") != std::string::npos) {
      form = credentialFromPairs(parseForm(request_.body), "form");
    } else if (post && contentType.find("json") != std::string::npos) {
      const auto json = nlohmann::json::parse(request_.body, nullptr, false);
      if (json.is_object()) {
        std::vector<std::pair<std::string, std::string>> pairs;
        for (const auto& [key, value] : json.items()) {
          if (value.is_string()) pairs.emplace_back(key, value.get<std::string>());
        }
        form = credentialFromPairs(pairs, "json");
      }
    }
    if (!form && !request_.query.empty())
      form = credentialFromPairs(parseForm(request_.query), "query");
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
                       (config_->app == App::kIisDefault && oneOf(path, {"/iisstart.htm"}));
    if (!index) return errorResponse(404);
    // Static servers refuse POST to a file.
    if (post) return errorResponse(405);
    switch (config_->app) {
      case App::kApacheDefault:
        return staticIndex(
            http::apacheDefaultPage(config_->server.find("Ubuntu") != std::string::npos));
      case App::kNginxDefault:
        return staticIndex(http::nginxDefaultPage());
      case App::kIisDefault:
        return staticIndex(http::iisDefaultPage());
      default:
        return staticIndex(http::itWorksPage());
    }
  }

  std::string challenge(const std::string& method) const {
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

  Response wordpress(const std::optional<Credential>& form, std::vector<Credential>& credentials) {
    const std::string& path = request_.path;
    const std::string site = siteUrl();
    const std::string blog = config_->hostname;
    const auto php = [&](std::string body, int status = 200) {
      Response response = page(std::move(body), "text/html; charset=UTF-8", false, status);
      response.headers.emplace_back("Link", "<" + site + "/wp-json/>; rel=\"https://api.w.org/\"");
      return response;
    };
    if (oneOf(path, {"/", "/index.php"})) {
      Response response = php(http::wordpressHomePage(site, blog), config_->responseCode);
      if (config_->body) response.body = *config_->body;
      return response;
    }
    if (path == "/wp-login.php") {
      std::string error;
      std::string user;
      if (request_.method == "POST") {
        user = form ? form->principal : "";
        if (user.empty()) {
          error = "<strong>Error:</strong> The username field is empty.";
        } else {
          error = "<strong>Error:</strong> The password you entered for the username <strong>" +
                  http::htmlEscape(user) + "</strong> is incorrect. <a href=\"" + site +
                  "/wp-login.php?action=lostpassword\">Lost your password?</a>";
        }
      }
      Response response = page(http::wordpressLoginPage(site, blog, error, user),
                               "text/html; charset=UTF-8", false);
      response.headers.emplace_back("Expires", "Wed, 11 Jan 1984 05:00:00 GMT");
      response.headers.emplace_back("Cache-Control",
                                    "no-cache, must-revalidate, max-age=0, no-store, private");
      response.headers.emplace_back("Set-Cookie",
                                    "wordpress_test_cookie=WP%20Cookie%20check; path=/; HttpOnly");
      response.headers.emplace_back("X-Frame-Options", "SAMEORIGIN");
      return response;
    }
    if (path == "/wp-admin" || path.rfind("/wp-admin/", 0) == 0) {
      Response response = php("", 302);
      response.headers.emplace_back(
          "Location", site + "/wp-login.php?redirect_to=" + urlEncode(site + path) + "&reauth=1");
      return response;
    }
    if (path == "/xmlrpc.php") {
      if (request_.method != "POST") {
        return page("XML-RPC server accepts POST requests only.", "text/plain;charset=UTF-8", false,
                    405);
      }
      std::string methodName;
      const auto strings = xmlRpcStrings(request_.body, methodName);
      Response response;
      if (methodName == "system.listMethods") {
        std::string list;
        for (const char* name : {"system.multicall", "system.listMethods", "system.getCapabilities",
                                 "wp.getUsersBlogs", "wp.getPosts", "wp.getUsers",
                                 "metaWeblog.getRecentPosts", "pingback.ping"}) {
          list += std::string("  <value><string>") + name + "</string></value>\n";
        }
        response = page(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse>\n  <params>"
            "\n    <param>\n      <value>\n      <array><data>\n" +
                list +
                "</data></array>\n      </value>\n    </param>\n  </params>\n"
                "</methodResponse>\n",
            "text/xml; charset=UTF-8", false);
      } else {
        // wp.getUsersBlogs(user, pass); most other wp./metaWeblog. calls (blog, user, pass).
        const std::size_t userAt = methodName == "wp.getUsersBlogs" ? 0 : 1;
        if (strings.size() >= userAt + 2 &&
            (methodName.rfind("wp.", 0) == 0 || methodName.rfind("metaWeblog.", 0) == 0 ||
             methodName.rfind("blogger.", 0) == 0)) {
          credentials.push_back(Credential{
              "xmlrpc", strings[userAt], strings[userAt + 1], {{"rpc_method", methodName}}});
          response = page(http::wordpressXmlRpcFault(403, "Incorrect username or password."),
                          "text/xml; charset=UTF-8", false);
        } else {
          response = page(http::wordpressXmlRpcFault(-32700, "parse error. not well formed"),
                          "text/xml; charset=UTF-8", false);
        }
      }
      return response;
    }
    if (path == "/robots.txt") {
      return page(
          "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
          "Sitemap: " +
              site + "/wp-sitemap.xml\n",
          "text/plain; charset=utf-8", false);
    }
    if (path == "/wp-json" || path == "/wp-json/") {
      nlohmann::json info = {{"name", blog},
                             {"description", ""},
                             {"url", site},
                             {"home", site},
                             {"gmt_offset", "0"},
                             {"timezone_string", ""},
                             {"namespaces", {"oembed/1.0", "wp/v2", "wp-site-health/v1"}}};
      return page(info.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=UTF-8", false);
    }
    return errorResponse(404);
  }

  Response phpmyadmin(const std::optional<Credential>& form) {
    const std::string& path = request_.path;
    if (path == "/phpmyadmin" || path == "/pma") {
      const std::string location = siteUrl() + path + "/";
      Response response = page(
          "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>301 Moved "
          "Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has "
          "moved <a href=\"" +
              http::htmlEscape(location) + "\">here</a>.</p>\n</body></html>\n",
          "text/html; charset=iso-8859-1", false, 301);
      response.headers.emplace_back("Location", location);
      return response;
    }
    if (!oneOf(path, {"/", "/index.php", "/phpmyadmin/", "/phpmyadmin/index.php", "/pma/",
                      "/pma/index.php"})) {
      return errorResponse(404);
    }
    std::string error;
    std::string user;
    if (request_.method == "POST" && form) {
      user = form->principal;
      error = "mysqli::real_connect(): (HY000/1045): Access denied for user '" +
              http::htmlEscape(user) +
              "'@'localhost' (using password: " + (form->secret.empty() ? "NO" : "YES") +
              ")</div><div class=\"alert alert-danger\" role=\"alert\"><img src=\"themes/dot.gif\" "
              "title=\"\" alt=\"\" class=\"icon ic_s_error\"> Cannot log in to the MySQL server";
    }
    Response response =
        page(http::phpmyadminLoginPage(error, user, state_->token(32, "0123456789abcdef")),
             "text/html; charset=utf-8", false, error.empty() ? config_->responseCode : 200);
    if (config_->body && error.empty() && request_.method != "POST") response.body = *config_->body;
    response.headers.emplace_back(
        "Set-Cookie", "phpMyAdmin=" + state_->token(26, "abcdefghijklmnopqrstuvwxyz0123456789") +
                          "; path=/; HttpOnly; SameSite=Strict");
    response.headers.emplace_back("X-Frame-Options", "DENY");
    response.headers.emplace_back(
        "Cache-Control",
        "no-store, no-cache, must-revalidate,  pre-check=0, post-check=0, "
        "max-age=0");
    return response;
  }

  Response tomcat() {
    const std::string& path = request_.path;
    if (oneOf(path, {"/", "/index.jsp"})) {
      Response response = page(config_->body.value_or(http::tomcatHomePage()),
                               "text/html;charset=UTF-8", false, config_->responseCode);
      return response;
    }
    if (path == "/manager" || path == "/host-manager") {
      Response response = page("", "text/html;charset=UTF-8", false, 302);
      response.headers.emplace_back("Location", path + "/html");
      return response;
    }
    if (path.rfind("/manager/", 0) == 0 || path.rfind("/host-manager/", 0) == 0) {
      Response response = errorResponse(401);
      response.headers.emplace_back("WWW-Authenticate",
                                    path.rfind("/host-manager/", 0) == 0
                                        ? "Basic realm=\"Tomcat Host Manager Application\""
                                        : "Basic realm=\"Tomcat Manager Application\"");
      return response;
    }
    return errorResponse(404);
  }

  Response jenkins() {
    const std::string& path = request_.path;
    const auto withHeaders = [&](Response response) {
      response.headers.emplace_back("X-Content-Type-Options", "nosniff");
      response.headers.emplace_back("X-Hudson", "1.395");
      response.headers.emplace_back("X-Jenkins", "2.426.1");
      response.headers.emplace_back("X-Jenkins-Session", config_->jenkinsSession);
      response.headers.emplace_back("Set-Cookie",
                                    "JSESSIONID." + config_->jenkinsSession + "=node0" +
                                        state_->token(26, "abcdefghijklmnopqrstuvwxyz0123456789") +
                                        ".node0; Path=/; HttpOnly");
      return response;
    };
    if (path == "/login") {
      return withHeaders(page(config_->body.value_or(http::jenkinsLoginPage(false)),
                              "text/html;charset=utf-8", false, config_->responseCode));
    }
    if (path == "/loginError") {
      return withHeaders(page(http::jenkinsLoginPage(true), "text/html;charset=utf-8", false, 401));
    }
    if (path == "/j_spring_security_check" || path == "/j_acegi_security_check") {
      Response response = page("", "text/html;charset=utf-8", false, 302);
      response.headers.emplace_back("Location", siteUrl() + "/loginError");
      return withHeaders(std::move(response));
    }
    if (path == "/robots.txt") {
      return page("# we don't want robots to click \"build\" links\nUser-agent: *\nDisallow: /\n",
                  "text/plain", true);
    }
    // Everything else needs a login; Jenkins answers 403 with a redirect to the form.
    Response response =
        page(http::jenkinsForbiddenPage(urlEncode(path)), "text/html;charset=utf-8", false, 403);
    return withHeaders(std::move(response));
  }

  std::string serialize(const Response& response, bool keepAlive) {
    const Flavor flavor = config_->flavor;
    const bool head = request_.method == "HEAD";
    const std::string date = httpDate(std::time(nullptr));
    std::string contentHeaders;  // Last-Modified, ETag, Accept-Ranges of static pages
    if (response.staticFile && response.status == 200) {
      char etag[64];
      const auto size = static_cast<unsigned long long>(response.body.size());
      const auto mtime = static_cast<unsigned long long>(config_->mtime);
      if (flavor == Flavor::kNginx) {
        std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", mtime, size);
      } else if (flavor == Flavor::kIis) {
        std::snprintf(etag, sizeof(etag), "\"%llx:0\"",
                      mtime * 10000000ULL + 116444736000000000ULL);
      } else {
        std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", size, mtime * 1000000ULL);
      }
      contentHeaders = "Last-Modified: " + httpDate(config_->mtime) + "\r\nETag: " + etag +
                       "\r\nAccept-Ranges: bytes\r\n";
    }
    std::string specific;
    for (const auto& [name, value] : response.headers) specific += name + ": " + value + "\r\n";
    for (const auto& [name, value] : config_->extraHeaders)
      specific += name + ": " + value + "\r\n";
    const std::string server = config_->server.empty() ? "" : "Server: " + config_->server + "\r\n";
    const std::string length =
        response.noBody ? "" : "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    const std::string type =
        response.noBody ? "" : "Content-Type: " + response.contentType + "\r\n";

    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      std::string(http::reasonPhrase(response.status)) + "\r\n";
    switch (flavor) {
      case Flavor::kNginx:
        out += server + "Date: " + date + "\r\n" + type + length;
        out += std::string("Connection: ") + (keepAlive ? "keep-alive" : "close") + "\r\n";
        out += specific + contentHeaders;
        break;
      case Flavor::kIis:
        out += type + contentHeaders + specific + server +
               "X-Powered-By: ASP.NET\r\nDate: " + date + "\r\n" +
               (keepAlive ? "" : "Connection: close\r\n") + length;
        break;
      case Flavor::kApache:
        out += "Date: " + date + "\r\n" + server + specific + contentHeaders + length;
        if (response.staticFile) out += "Vary: Accept-Encoding\r\n";
        if (keepAlive) {
          out += "Keep-Alive: timeout=5, max=" +
                 std::to_string(kMaxRequestsPerConnection - requests_) +
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

  const std::shared_ptr<Connection> connection_;
  const std::shared_ptr<const HttpConfig> config_;
  const std::shared_ptr<HttpState> state_;
  asio::steady_timer timer_;
  std::array<char, 4096> chunk_{};
  std::string buffer_;   // received, not yet consumed
  std::string chunked_;  // raw chunked body so far
  std::string out_;      // the response being written
  Request request_;
  Phase phase_ = Phase::kHead;
  std::size_t remaining_ = 0;
  int requests_ = 0;
  bool pendingContinue_ = false;
};

class HttpService final : public Service {
 public:
  explicit HttpService(std::shared_ptr<const HttpConfig> config)
      : config_(std::move(config)), state_(std::make_shared<HttpState>()) {}

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    std::make_shared<HttpSession>(std::move(connection), config_, state_)->start();
  }

 private:
  const std::shared_ptr<const HttpConfig> config_;
  const std::shared_ptr<HttpState> state_;
};

// "Name: value; Name2: value2" or a JSON object {"Name": "value"} (what a YAML map in the
// persona becomes). Names must be header tokens; values may not contain CR or LF.
bool parseExtraHeaders(const std::string& text, Fields& out, std::string& error) {
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

Flavor flavorOf(const std::string& server, App app) {
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
      return Flavor::kApache;
  }
}

class HttpServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "http"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    std::vector<std::string> keys = {"server_header", "response_code", "fake_app", "extra_headers",
                                     "body"};
    std::map<std::string, std::string> defaults = {{"server_header", "Apache/2.4.54 (Debian)"},
                                                   {"response_code", "200"},
                                                   {"fake_app", "none"}};
    if (const auto* info = api::catalog::findService(spec.name)) {
      keys = info->personaKeys;
      for (const auto& [key, value] : info->personaDefaults) defaults[key] = value;
    }
    PersonaReader persona(spec, keys);
    auto config = std::make_shared<HttpConfig>();
    const std::string app = persona.choice("fake_app", defaults["fake_app"], appNames());
    config->app =
        static_cast<App>(std::find(appNames().begin(), appNames().end(), app) - appNames().begin());
    // Without an explicit server_header, an app that never runs on Apache brings its own.
    std::string server = defaults["server_header"];
    switch (config->app) {
      case App::kNginxDefault:
        server = "nginx/1.18.0 (Ubuntu)";
        break;
      case App::kIisDefault:
        server = "Microsoft-IIS/10.0";
        break;
      case App::kTomcat:
        server = "";
        break;  // Tomcat 9 sends no Server header
      case App::kJenkins:
        server = "Jetty(10.0.18)";
        break;
      default:
        break;
    }
    config->server = persona.text("server_header", server);
    if (config->server.find_first_of("\r\n") != std::string::npos) {
      persona.invalid("server_header", "must not contain line breaks");
    }
    config->responseCode =
        persona.integer("response_code", std::stoi(defaults["response_code"]), 200, 599);
    if (persona.has("body")) config->body = persona.text("body", "");
    if (persona.has("extra_headers")) {
      std::string error;
      if (!parseExtraHeaders(persona.text("extra_headers", ""), config->extraHeaders, error)) {
        persona.invalid("extra_headers", error + " (use \"Name: value; Name2: value2\" or a map)");
      }
    }
    if (auto valid = persona.finish(); !valid) return tl::unexpected(valid.error());

    config->flavor = flavorOf(config->server, config->app);
    config->hostname = context.hostname;
    // A stable, per-decky "installation date" for Last-Modified/ETag: the same decky always
    // shows the same one, two deckies rarely share it.
    const std::size_t seed = std::hash<std::string>{}(context.hostname);
    config->mtime = 1672531200 + static_cast<std::time_t>(seed % (400 * 86400));
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) config->jenkinsSession.push_back(kHex[(seed >> (4 * i)) & 15]);
    return std::make_unique<HttpService>(std::move(config));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(HttpServiceFactory);

}  // namespace decnet::decoy
