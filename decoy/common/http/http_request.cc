#include "decoy/common/http/http_request.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

namespace decnet::decoy::http {

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
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), isTchar);
}

std::string httpDate(long long unixTime) {
  const auto when = static_cast<std::time_t>(unixTime);
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

const std::string* Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

std::string Request::headerOr(std::string_view name, std::string fallback) const {
  const std::string* value = header(name);
  return value ? *value : std::move(fallback);
}

void Request::addAnomaly(std::string_view tag) {
  if (!anomaly.empty()) anomaly += ',';
  anomaly += tag;
}

bool Request::wantsKeepAlive() const {
  const std::string connection = lower(headerOr("Connection"));
  if (minor >= 1) return connection.find("close") == std::string::npos;
  return connection.find("keep-alive") != std::string::npos;
}

std::string jsonHeaders(const Request& request) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : request.headers) {
    auto& slot = object[name];
    slot = slot.is_string() ? slot.get<std::string>() + ", " + value : value;
  }
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void decodeChunked(std::string_view raw, std::string& out, bool& complete, bool& malformed) {
  std::size_t at = 0;
  while (true) {
    const auto lf = raw.find('\n', at);
    if (lf == std::string_view::npos) return;
    std::string_view sizeLine = raw.substr(at, lf - at);
    sizeLine = trim(sizeLine.substr(0, sizeLine.find(';')));  // chunk extensions
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

namespace {

// Garbage (TLS handshakes, binary probes) shows in the method before any line ends: answer at
// once instead of waiting for a newline that may never come.
bool garbageMethod(std::string_view buffer) {
  for (std::size_t i = 0; i < buffer.size() && i <= 32; ++i) {
    if (buffer[i] == ' ') return i == 0;
    if (!isTchar(buffer[i])) return true;
  }
  return buffer.size() > 32;  // no method is that long
}

}  // namespace

bool RequestParser::takeContinue() {
  const bool pending = pendingContinue_;
  pendingContinue_ = false;
  return pending;
}

void RequestParser::reset() {
  request_ = Request{};
  chunked_.clear();
  phase_ = Phase::kHead;
  remaining_ = 0;
  forcedStatus_ = 0;
  mustClose_ = false;
  pendingContinue_ = false;
}

RequestParser::Status RequestParser::fail(int status, std::string anomaly) {
  errorStatus_ = status;
  errorAnomaly_ = std::move(anomaly);
  phase_ = Phase::kDone;
  return Status::kError;
}

RequestParser::Status RequestParser::next() {
  switch (phase_) {
    case Phase::kHead:
      return head();
    case Phase::kBody:
      return body();
    case Phase::kChunked:
      return chunked();
    case Phase::kDone:
      break;
  }
  return Status::kNeedMore;
}

RequestParser::Status RequestParser::head() {
  std::size_t skip = 0;
  while (skip < buffer_.size() && (buffer_[skip] == '\r' || buffer_[skip] == '\n')) ++skip;
  buffer_.erase(0, skip);
  if (buffer_.empty()) return Status::kNeedMore;
  if (garbageMethod(buffer_)) {
    return fail(400, buffer_.size() >= 2 && buffer_[0] == '\x16' && buffer_[1] == '\x03'
                         ? "malformed_request_line,tls_handshake"
                         : "malformed_request_line");
  }
  // The head ends at the first empty line (CRLF or bare LF endings, as Apache accepts).
  std::size_t lineStart = 0, headEnd = std::string::npos, bodyStart = 0;
  while (true) {
    const auto lf = buffer_.find('\n', lineStart);
    if (lf == std::string::npos) break;
    const std::size_t length = lf - lineStart - (lf > lineStart && buffer_[lf - 1] == '\r');
    if (lineStart == 0 && length > kMaxRequestLine) return fail(414, "request_line_too_long");
    if (length == 0 && lineStart > 0) {
      headEnd = lineStart;
      bodyStart = lf + 1;
      break;
    }
    lineStart = lf + 1;
  }
  if (headEnd == std::string::npos) {
    if (buffer_.find('\n') == std::string::npos && buffer_.size() > kMaxRequestLine) {
      return fail(414, "request_line_too_long");
    }
    if (buffer_.size() > kMaxRequestLine + kMaxHeaderBytes) return fail(431, "headers_too_large");
    return Status::kNeedMore;
  }
  if (headEnd > kMaxRequestLine + kMaxHeaderBytes) return fail(431, "headers_too_large");
  request_ = Request{};
  if (!parseHead(std::string_view(buffer_).substr(0, headEnd))) {
    return fail(errorStatus_, errorAnomaly_);
  }
  buffer_.erase(0, bodyStart);
  return startBody();
}

bool RequestParser::parseHead(std::string_view head) {
  // Request line: METHOD SP target SP HTTP/x.y
  const auto lf = head.find('\n');
  std::string_view requestLine = head.substr(0, lf);
  head.remove_prefix(lf == std::string_view::npos ? head.size() : lf + 1);
  if (!requestLine.empty() && requestLine.back() == '\r') requestLine.remove_suffix(1);
  const auto first = requestLine.find(' ');
  const auto last = requestLine.rfind(' ');
  errorStatus_ = 400;
  errorAnomaly_ = "malformed_request_line";
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
  if (question != std::string_view::npos) request_.query = std::string(target.substr(question + 1));
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      !std::isdigit(static_cast<unsigned char>(version[5])) || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return false;
  }
  request_.version = std::string(version);
  if (version[5] != '1') {
    errorStatus_ = 505;
    errorAnomaly_ = "unsupported_version";
    return false;
  }
  request_.minor = version[7] - '0';

  while (!head.empty()) {
    const auto end = head.find('\n');
    std::string_view line = head.substr(0, end);
    head.remove_prefix(end == std::string_view::npos ? head.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
      if (request_.headers.empty()) {
        errorAnomaly_ = "malformed_header";
        return false;
      }
      request_.headers.back().second += ' ';
      request_.headers.back().second += trim(line);
      request_.addAnomaly("obs_fold");
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon))) {
      errorAnomaly_ = "malformed_header";
      return false;
    }
    if (request_.headers.size() >= kMaxHeaderCount) {
      errorAnomaly_ = "too_many_headers";
      return false;
    }
    request_.headers.emplace_back(std::string(line.substr(0, colon)),
                                  std::string(trim(line.substr(colon + 1))));
  }
  if (request_.minor >= 1 && request_.header("Host") == nullptr) {
    errorAnomaly_ = "missing_host";
    return false;
  }
  return true;
}

RequestParser::Status RequestParser::startBody() {
  std::optional<std::size_t> length;
  for (const auto& [name, value] : request_.headers) {
    if (!iequals(name, "Content-Length")) continue;
    const bool digits =
        !value.empty() && value.size() <= 18 && std::all_of(value.begin(), value.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        });
    if (!digits) return fail(400, "malformed_content_length");
    const std::size_t parsed = std::stoull(value);
    if (length && *length != parsed) {
      return fail(400, "conflicting_content_length");  // a request smuggling probe
    }
    length = parsed;
  }
  const std::string* expect = request_.header("Expect");
  const bool wantsContinue = expect != nullptr && iequals(trim(*expect), "100-continue") &&
                             buffer_.empty() && request_.minor >= 1;
  if (const std::string* encoding = request_.header("Transfer-Encoding")) {
    if (length) request_.addAnomaly("te_and_cl");
    if (lower(*encoding).find("chunked") == std::string::npos) {
      return fail(501, "unsupported_transfer_encoding");
    }
    phase_ = Phase::kChunked;
    chunked_.clear();
    pendingContinue_ = wantsContinue;
    return chunked();
  }
  remaining_ = length.value_or(0);
  if (remaining_ > kMaxBody) {
    request_.bodySize = remaining_;
    request_.addAnomaly("body_too_large");
    forcedStatus_ = 413;
    mustClose_ = true;
    phase_ = Phase::kDone;
    return Status::kRequest;
  }
  phase_ = Phase::kBody;
  pendingContinue_ = remaining_ > 0 && wantsContinue;
  return body();
}

RequestParser::Status RequestParser::body() {
  const std::size_t n = std::min(remaining_, buffer_.size());
  if (request_.body.size() < kBodyKeep) {
    request_.body.append(buffer_, 0, std::min(n, kBodyKeep - request_.body.size()));
  }
  request_.bodySize += n;
  remaining_ -= n;
  buffer_.erase(0, n);
  if (remaining_ > 0) return Status::kNeedMore;
  phase_ = Phase::kDone;
  return Status::kRequest;
}

RequestParser::Status RequestParser::chunked() {
  const std::size_t room = kMaxChunked - std::min(kMaxChunked, chunked_.size());
  const std::size_t take = std::min(room, buffer_.size());
  chunked_.append(buffer_, 0, take);
  buffer_.erase(0, take);
  std::string decoded;
  bool complete = false, malformed = false;
  decodeChunked(chunked_, decoded, complete, malformed);
  request_.body = decoded.substr(0, kBodyKeep);
  request_.bodySize = decoded.size();
  const bool full = chunked_.size() >= kMaxChunked;
  if (!complete && !malformed && !full) return Status::kNeedMore;
  if (malformed) request_.addAnomaly("malformed_chunked");
  if (!complete && !malformed) request_.addAnomaly("body_too_large");
  // What follows a chunked body is ambiguous (trailers, smuggled requests): close after.
  buffer_.clear();
  mustClose_ = true;
  forcedStatus_ = malformed ? 400 : 0;
  phase_ = Phase::kDone;
  return Status::kRequest;
}

}  // namespace decnet::decoy::http
