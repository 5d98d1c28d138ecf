#include "decoy/common/text/line_protocol.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace decnet::decoy::text {

LineOutput& LineOutput::line(std::string_view text) {
  reply.append(text);
  reply.append("\r\n");
  return *this;
}

LineOutput& LineOutput::event(std::string type, Fields fields, int severity) {
  events.push_back({std::move(type), std::move(fields), severity});
  return *this;
}

std::optional<LineFramer::Item> LineFramer::next() {
  if (raw_ > 0) {
    if (buffer_.size() < raw_) return std::nullopt;
    Item item{Item::Kind::kRaw, buffer_.substr(0, raw_)};
    buffer_.erase(0, raw_);
    raw_ = 0;
    return item;
  }
  const auto newline = buffer_.find('\n');
  if (skipping_) {
    if (newline == std::string::npos) {
      buffer_.clear();
      return std::nullopt;
    }
    buffer_.erase(0, newline + 1);
    skipping_ = false;
    return next();
  }
  if (newline == std::string::npos) {
    if (buffer_.size() <= maxLine_) return std::nullopt;
    Item item{Item::Kind::kTooLong, buffer_.substr(0, std::min<std::size_t>(buffer_.size(), 1024))};
    buffer_.clear();
    skipping_ = true;
    return item;
  }
  if (newline > maxLine_) {
    Item item{Item::Kind::kTooLong, buffer_.substr(0, 1024)};
    buffer_.erase(0, newline + 1);
    return item;
  }
  std::size_t end = newline;
  if (end > 0 && buffer_[end - 1] == '\r') --end;
  Item item{Item::Kind::kLine, buffer_.substr(0, end)};
  buffer_.erase(0, newline + 1);
  return item;
}

FeedResult feed(LineProtocol& protocol, LineFramer& framer, std::string_view bytes) {
  FeedResult result;
  framer.append(bytes);
  for (int guard = 0; guard < 100000 && !result.closed; ++guard) {
    auto item = framer.next();
    if (!item) break;
    LineOutput output;
    switch (item->kind) {
      case LineFramer::Item::Kind::kLine:
        output = protocol.onLine(item->data);
        break;
      case LineFramer::Item::Kind::kRaw:
        output = protocol.onRaw(item->data);
        break;
      case LineFramer::Item::Kind::kTooLong:
        output = protocol.onAnomaly(LineAnomaly::kLineTooLong, item->data);
        break;
    }
    result.replies += output.reply;
    for (auto& event : output.events) result.events.push_back(std::move(event));
    if (output.rawBytes > 0) framer.expectRaw(output.rawBytes);
    result.closed = output.close;
  }
  return result;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::pair<std::string_view, std::string_view> splitVerb(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

std::string parseSaslPlain(std::string_view base64, std::string& principal, std::string& secret) {
  std::string decoded;
  principal.clear();
  secret.clear();
  if (base64 == "=") return "malformed_sasl_plain";  // an empty initial response
  if (!base64Decode(base64, decoded)) return "invalid_base64";
  const auto first = decoded.find('\0');
  const auto second = first == std::string::npos ? first : decoded.find('\0', first + 1);
  if (second == std::string::npos) {
    secret = decoded;
    return "malformed_sasl_plain";
  }
  principal = decoded.substr(first + 1, second - first - 1);
  secret = decoded.substr(second + 1);
  return {};
}

std::string sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string rawSample(std::string_view bytes, std::size_t n) {
  return base64Encode(bytes.substr(0, n));
}

LineEvent boundEvent(LineAnomaly anomaly, std::string_view sample) {
  const bool tooLong = anomaly == LineAnomaly::kLineTooLong;
  return {"command",
          {{"cmd", upper(splitVerb(sample.substr(0, 16)).first)},
           {"arg", ""},
           {"anomaly", tooLong ? "line_too_long" : "too_many_commands"},
           {"raw_b64", rawSample(sample)}},
          kSeverityWarning};
}

LineOutput idleOutput(std::string_view pending, std::string_view reply) {
  LineOutput output;
  if (!pending.empty()) {
    output.event(
        "command",
        {{"cmd", ""}, {"arg", ""}, {"anomaly", "incomplete_line"}, {"raw_b64", rawSample(pending)}},
        kSeverityWarning);
  }
  return output.line(reply);
}

}  // namespace decnet::decoy::text
