// libFuzzer target: RequestParser fed as HttpSession feeds it (chunked reads, keep-alive resets,
// pipelined requests), each complete request run through the credential extractors, and
// decodeChunked on the raw bytes. Byte 0 picks the read size; the rest is the client's stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoy/common/http/http_credentials.h"
#include "decoy/common/http/http_request.h"

namespace {

using namespace decnet::decoy::http;

constexpr std::size_t kChunks[] = {0, 1, 2, 5, 13, 64, 700, 4096};  // 0: all at once
constexpr std::size_t kMaxPending = kMaxRequestLine + kMaxHeaderBytes;

void checkRequest(const RequestParser& parser) {
  const Request& request = parser.request();
  if (request.body.size() > kBodyKeep) __builtin_trap();
  if (request.headers.size() > kMaxHeaderCount) __builtin_trap();
  if (!isToken(request.method) || request.target.empty()) __builtin_trap();
  if (request.target.size() > kMaxRequestLine) __builtin_trap();
  if (request.path.size() > request.target.size()) __builtin_trap();
  const int forced = parser.forcedStatus();
  if (forced != 0 && forced != 400 && forced != 413) __builtin_trap();

  (void)request.wantsKeepAlive();
  (void)request.headerOr("Host");
  const std::string json = jsonHeaders(request);
  if (json.empty() || json.front() != '{') __builtin_trap();
  if (const std::string* authorization = request.header("Authorization")) {
    std::string anomaly;
    (void)parseAuthorization(*authorization, anomaly);
  }
  (void)formCredential(request);
  std::string rpcMethod;
  if (xmlRpcStrings(request.body, rpcMethod).size() > 8) __builtin_trap();
  if (parseForm(request.query).size() > 256) __builtin_trap();
  if (urlDecode(request.target).size() > request.target.size()) __builtin_trap();
}

// Runs the parser over `stream` read `chunk` bytes at a time; stops where the session closes.
void drive(std::string_view stream, std::size_t chunk) {
  RequestParser parser;
  if (chunk == 0) chunk = stream.size();
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    parser.feed(stream.substr(at, chunk));
    for (;;) {
      const RequestParser::Status status = parser.next();
      if (status == RequestParser::Status::kNeedMore) {
        (void)parser.takeContinue();
        if (parser.buffered().size() > kMaxPending) __builtin_trap();
        break;
      }
      if (status == RequestParser::Status::kError) {
        const int error = parser.errorStatus();
        if (error < 400 || error > 599 || parser.errorAnomaly().empty()) __builtin_trap();
        return;
      }
      checkRequest(parser);
      if (parser.mustClose()) return;
      parser.reset();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  drive(stream, kChunks[data[0] % 8]);

  std::string decoded;
  bool complete = false, malformed = false;
  decodeChunked(stream, decoded, complete, malformed);
  if (decoded.size() > stream.size()) __builtin_trap();
  return 0;
}
