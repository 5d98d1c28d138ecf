#pragma once
// HTTP/1.0 and 1.1 request framing without I/O: the decoy's http, https, k8s, docker_api and
// elasticsearch emulators feed received bytes in and take whole requests out. Every bound
// (request line, header bytes and count, body sizes) is enforced here so a service cannot forget.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::decoy::http {

inline constexpr std::size_t kMaxRequestLine = 8 * 1024;
inline constexpr std::size_t kMaxHeaderBytes = 32 * 1024;
inline constexpr std::size_t kMaxHeaderCount = 100;    // Apache's LimitRequestFields
inline constexpr std::size_t kBodyKeep = 16 * 1024;    // kept in memory: enough for any login
inline constexpr std::size_t kMaxBody = 1024 * 1024;   // larger declared bodies get 413
inline constexpr std::size_t kMaxChunked = 64 * 1024;  // chunked bodies: read this much, then close

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);
// ASCII lower case.
std::string lower(std::string_view text);
// Without leading/trailing spaces, tabs (and a trailing CR).
std::string_view trim(std::string_view text);
// RFC 9110 token characters (method and header names).
bool isTchar(char c);
bool isToken(std::string_view text);
// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string httpDate(long long unixTime);

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

  // The first header called `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // The header's value, or `fallback`.
  std::string headerOr(std::string_view name, std::string fallback = {}) const;
  // Appends a tag to `anomaly`.
  void addAnomaly(std::string_view tag);
  // True when the client asked to keep the connection open (HTTP/1.1 default, 1.0 opt-in).
  bool wantsKeepAlive() const;
};

// All headers as one JSON object; repeated names are joined with ", ".
std::string jsonHeaders(const Request& request);

// Decodes a chunked body seen so far: appends payload to `out`; `complete` at the last chunk,
// `malformed` at a bad size line or missing CRLF. Pure.
void decodeChunked(std::string_view raw, std::string& out, bool& complete, bool& malformed);

// Incremental request framing: feed() bytes, then next() until kNeedMore.
class RequestParser {
 public:
  enum class Status {
    kNeedMore,  // read more bytes (after sending "100 Continue" if takeContinue())
    kRequest,   // request() is complete: answer it (with forcedStatus() if non-zero)
    kError,     // unparseable head: answer errorStatus(), record errorAnomaly(), close
  };

  // Appends received bytes.
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // Advances the framing as far as the buffered bytes allow.
  Status next();
  // The request of the last kRequest (or the partial one after kError / on timeout).
  const Request& request() const { return request_; }
  Request& request() { return request_; }
  // Non-zero: answer with this status instead of routing (413 too large, 400 bad chunking).
  int forcedStatus() const { return forcedStatus_; }
  // The connection must close after this answer (chunked bodies, oversized bodies).
  bool mustClose() const { return mustClose_; }
  int errorStatus() const { return errorStatus_; }
  const std::string& errorAnomaly() const { return errorAnomaly_; }
  // True once when the client waits for "100 Continue" before sending its body.
  bool takeContinue();
  // Bytes received and not consumed (raw evidence for anomalies).
  std::string_view buffered() const { return buffer_; }
  // True while a request is partly received (for the idle-timeout event).
  bool midRequest() const { return !buffer_.empty() || phase_ != Phase::kHead; }
  // Starts the next request of a keep-alive connection (keeps pipelined bytes).
  void reset();

 private:
  enum class Phase { kHead, kBody, kChunked, kDone };

  Status head();
  Status startBody();
  Status body();
  Status chunked();
  bool parseHead(std::string_view head);
  Status fail(int status, std::string anomaly);

  std::string buffer_;
  std::string chunked_;  // raw chunked body so far
  Request request_;
  Phase phase_ = Phase::kHead;
  std::size_t remaining_ = 0;
  int forcedStatus_ = 0;
  bool mustClose_ = false;
  bool pendingContinue_ = false;
  int errorStatus_ = 0;
  std::string errorAnomaly_;
};

}  // namespace decnet::decoy::http
