#include "pipeline/collector/syslog_message.h"

#include <charconv>

namespace decnet::pipeline {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kNil = "-";

// REFERENCE.md §2: the names an attacker address may hide under, best first.
constexpr std::string_view kAddressKeys[] = {"src_ip",      "src",       "client_ip", "remote_ip",
                                             "remote_addr", "target_ip", "ip"};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isPrintUsAscii(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 33 && u <= 126;
}

// SD-NAME (RFC 5424 §6.3.2) minus its 32-character limit, which the lenient SD side ignores.
bool isSdNameChar(char c) { return isPrintUsAscii(c) && c != '=' && c != ']' && c != '"'; }

bool isAlnum(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Characters that glue a key to a longer word ("zip=", "src_ip=" for "ip").
bool isWordChar(char c) { return isAlnum(c) || c == '_' || c == '-' || c == '.'; }

// IPv4, IPv6 (with a %zone) and host names.
bool isAddressChar(char c) {
  return isAlnum(c) || c == '.' || c == ':' || c == '%' || c == '_' || c == '-';
}

tl::unexpected<Error> reject(std::string reason) {
  return fail(Errc::kTerminal, std::move(reason));
}

// Value of the two digits at s[at], or -1.
int twoDigits(std::string_view s, std::size_t at) {
  if (at + 2 > s.size() || !isDigit(s[at]) || !isDigit(s[at + 1])) return -1;
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

int daysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// RFC 5424 §6.2.3: YYYY-MM-DDTHH:MM:SS[.1*6DIGIT](Z|+HH:MM|-HH:MM), upper-case T and Z, real
// calendar dates, no leap second.
bool validTimestamp(std::string_view t) {
  if (t.size() < 20) return false;
  const int century = twoDigits(t, 0), yy = twoDigits(t, 2);
  const int month = twoDigits(t, 5), day = twoDigits(t, 8);
  const int hour = twoDigits(t, 11), minute = twoDigits(t, 14), second = twoDigits(t, 17);
  if (century < 0 || yy < 0 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':') {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(century * 100 + yy, month) ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return false;
  }
  std::size_t at = 19;
  if (t[at] == '.') {
    const std::size_t first = ++at;
    while (at < t.size() && isDigit(t[at])) ++at;
    if (at == first || at - first > 6) return false;
  }
  if (at < t.size() && t[at] == 'Z') return at + 1 == t.size();
  if (at + 6 != t.size() || (t[at] != '+' && t[at] != '-') || t[at + 3] != ':') return false;
  const int offsetHour = twoDigits(t, at + 1), offsetMinute = twoDigits(t, at + 4);
  return offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59;
}

// Walks the line left to right; every read is bounds-checked so hostile input only fails.
class LineParser {
 public:
  explicit LineParser(std::string_view line) : s_(line) {}

  Result<SyslogMessage> parse() {
    SyslogMessage m;
    if (s_.empty()) return reject("empty line");
    if (auto pri = parsePri()) {
      m.priority = *pri;
    } else {
      return reject("bad PRI");
    }
    if (auto error = parseVersion()) return reject(*error);
    std::string_view timestamp;
    if (auto error = headerField("TIMESTAMP", 64, timestamp)) return reject(*error);
    if (timestamp != kNil && !validTimestamp(timestamp)) return reject("bad TIMESTAMP");
    m.timestamp = timestamp == kNil ? std::string() : std::string(timestamp);
    const struct {
      const char* name;
      std::size_t max;
      std::string* out;
    } fields[] = {{"HOSTNAME", kMaxHostname, &m.hostname},
                  {"APP-NAME", kMaxAppName, &m.appName},
                  {"PROCID", kMaxProcId, &m.procId},
                  {"MSGID", kMaxMsgId, &m.msgId}};
    for (const auto& field : fields) {
      std::string_view value;
      if (auto error = headerField(field.name, field.max, value)) return reject(*error);
      if (value != kNil) field.out->assign(value);
    }
    if (auto error = parseStructuredData(m.data)) return reject(*error);
    if (pos_ < s_.size()) {
      if (s_[pos_] != ' ') return reject("no SP after structured data");
      std::string_view message = s_.substr(pos_ + 1);
      if (message.starts_with(kBom)) message.remove_prefix(kBom.size());
      m.message.assign(message);
    }
    return m;
  }

 private:
  // "<N>" with N in 0..191 and no leading zero; nullopt when malformed.
  std::optional<int> parsePri() {
    if (s_[0] != '<') return std::nullopt;
    std::size_t at = 1;
    int value = 0;
    while (at < s_.size() && isDigit(s_[at]) && at <= 3) value = value * 10 + (s_[at++] - '0');
    const std::size_t digits = at - 1;
    if (digits == 0 || at >= s_.size() || s_[at] != '>') return std::nullopt;
    if ((digits > 1 && s_[1] == '0') || value > 191) return std::nullopt;
    pos_ = at + 1;
    return value;
  }

  // The token up to the next SP (or the end), leaving pos_ on that SP.
  std::string_view token() {
    std::size_t end = s_.find(' ', pos_);
    if (end == std::string_view::npos) end = s_.size();
    const std::string_view t = s_.substr(pos_, end - pos_);
    pos_ = end;
    return t;
  }

  // Steps over the SP that must end a header field; a line that stops here is truncated.
  std::optional<std::string> endOfField() {
    if (pos_ + 1 >= s_.size()) return "truncated header";
    ++pos_;
    return std::nullopt;
  }

  std::optional<std::string> parseVersion() {
    const std::string_view v = token();
    if (v.empty()) return pos_ >= s_.size() ? "truncated header" : "missing version";
    if (!isDigit(v[0])) return "missing version";
    bool digits = v[0] != '0' && v.size() <= 3;
    for (char c : v) digits = digits && isDigit(c);
    if (!digits) return "bad version";
    if (v != "1") return "unsupported version";
    return endOfField();
  }

  // NILVALUE or 1*max PRINTUSASCII, followed by SP.
  std::optional<std::string> headerField(const char* name, std::size_t max,
                                         std::string_view& value) {
    value = token();
    if (value.empty()) {
      return pos_ >= s_.size() ? std::string("truncated header") : "empty " + std::string(name);
    }
    if (value.size() > max) return std::string(name) + " too long";
    for (char c : value) {
      if (!isPrintUsAscii(c)) return "bad byte in " + std::string(name);
    }
    return endOfField();
  }

  std::optional<std::string> parseStructuredData(std::vector<SdElement>& data) {
    if (s_[pos_] == '-') {
      ++pos_;
      return std::nullopt;
    }
    if (s_[pos_] != '[') return "bad structured data";
    data.reserve(2);  // a decoy's relay element and its meta
    while (pos_ < s_.size() && s_[pos_] == '[') {
      ++pos_;
      SdElement element;
      if (auto error = parseElement(element)) return error;
      data.push_back(std::move(element));
    }
    return std::nullopt;
  }

  std::string_view sdName() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && isSdNameChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // After "[": SD-ID *(1*SP PARAM) *SP "]"; extra spaces are tolerated, missing ones are not.
  std::optional<std::string> parseElement(SdElement& element) {
    element.params.reserve(8);
    element.id.assign(sdName());
    if (pos_ >= s_.size()) return "truncated structured data";
    if (element.id.empty() || (s_[pos_] != ' ' && s_[pos_] != ']')) return "bad SD-ID";
    for (;;) {
      const std::size_t spaces = pos_;
      while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
      if (pos_ >= s_.size()) return "truncated structured data";
      if (s_[pos_] == ']') {
        ++pos_;
        return std::nullopt;
      }
      if (pos_ == spaces) return "no SP between SD params";
      SdParam param;
      param.name.assign(sdName());
      if (pos_ >= s_.size()) return "truncated structured data";
      if (param.name.empty()) return "bad SD param name";
      if (s_[pos_] != '=') return "no '=' after SD param name";
      if (++pos_ >= s_.size()) return "truncated structured data";
      if (s_[pos_] != '"') return "unquoted SD param value";
      ++pos_;
      if (auto error = paramValue(param.value)) return error;
      element.params.push_back(std::move(param));
    }
  }

  // After the opening quote, through the closing one. Runs without escapes are appended whole.
  std::optional<std::string> paramValue(std::string& value) {
    while (pos_ < s_.size()) {
      std::size_t end = pos_;
      while (end < s_.size() && s_[end] != '"' && s_[end] != '\\') ++end;
      value.append(s_.substr(pos_, end - pos_));
      pos_ = end;
      if (pos_ >= s_.size()) break;
      if (s_[pos_] == '"') {
        ++pos_;
        return std::nullopt;
      }
      if (pos_ + 1 < s_.size()) {
        const char next = s_[pos_ + 1];
        if (next == '"' || next == '\\' || next == ']') {
          value.push_back(next);
          pos_ += 2;
          continue;
        }
      }
      value.push_back('\\');  // an unknown escape keeps its backslash
      ++pos_;
    }
    return "unterminated SD param value";
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string addressInData(const std::vector<SdElement>& data) {
  for (std::string_view key : kAddressKeys) {
    for (const auto& element : data) {
      for (const auto& param : element.params) {
        if (param.name == key && !param.value.empty()) return param.value;
      }
    }
  }
  return {};
}

// "key=value" or key="value" as a whole word in free text; the value is address characters.
std::string addressInMessage(std::string_view msg) {
  for (std::string_view key : kAddressKeys) {
    for (std::size_t at = msg.find(key); at != std::string_view::npos; at = msg.find(key, at + 1)) {
      if (at > 0 && isWordChar(msg[at - 1])) continue;
      std::size_t v = at + key.size();
      if (v >= msg.size() || msg[v] != '=') continue;
      const bool quoted = ++v < msg.size() && (msg[v] == '"' || msg[v] == '\'');
      const std::size_t start = quoted ? v + 1 : v;
      std::size_t end = start;
      while (end < msg.size() && isAddressChar(msg[end])) ++end;
      if (quoted && (end >= msg.size() || msg[end] != msg[v])) continue;
      std::string_view value = msg.substr(start, end - start);
      if (!quoted) {
        while (value.ends_with('.')) value.remove_suffix(1);  // the end of a sentence
      }
      if (!value.empty()) return std::string(value);
    }
  }
  return {};
}

// RFC 5424 §7.3.1 wants 1..2147483647; any non-negative int64 is accepted, anything else ignored.
std::optional<std::int64_t> sequenceIdOf(const SyslogMessage& m) {
  const std::string* text = m.param("meta", "sequenceId");
  if (text == nullptr || text->empty() || !isDigit(text->front())) return std::nullopt;
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

const std::string* SyslogMessage::param(std::string_view sdId, std::string_view name) const {
  for (const auto& element : data) {
    if (element.id != sdId) continue;
    for (const auto& p : element.params) {
      if (p.name == name) return &p.value;
    }
  }
  return nullptr;
}

Result<SyslogMessage> parseSyslog(std::string_view line) {
  if (line.ends_with("\r\n")) {
    line.remove_suffix(2);
  } else if (line.ends_with('\n')) {
    line.remove_suffix(1);
  }
  auto parsed = LineParser(line).parse();
  if (!parsed) return parsed;
  SyslogMessage& m = *parsed;
  m.attackerAddress = addressInData(m.data);
  if (m.attackerAddress.empty()) m.attackerAddress = addressInMessage(m.message);
  m.sequenceId = sequenceIdOf(m);
  return parsed;
}

}  // namespace decnet::pipeline
