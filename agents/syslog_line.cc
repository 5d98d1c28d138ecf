#include "agents/syslog_line.h"

namespace decnet::agents {

bool splitSyslogLine(const std::string& line, SyslogLineParts& parts) {
  if (line.size() < 8 || line[0] != '<') return false;
  const auto close = line.find('>');
  if (close == std::string::npos || close > 4 || line.compare(close + 1, 2, "1 ") != 0)
    return false;
  std::size_t pos = close + 3;
  std::string fields[5];  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
  for (auto& field : fields) {
    const auto space = line.find(' ', pos);
    if (space == std::string::npos) return false;
    field = line.substr(pos, space - pos);
    pos = space + 1;
  }
  parts.host = fields[1];
  parts.app = fields[2];
  parts.msgid = fields[4];
  parts.sdStart = pos;
  parts.relayEnd = std::string::npos;
  if (pos < line.size() && line[pos] == '-') {
    parts.sdEnd = pos + 1;
    return true;
  }
  static const std::string kRelay = "[relay@55555";
  // One or more [id k="v"...] elements; quoted values may contain escaped \" and \].
  while (pos < line.size() && line[pos] == '[') {
    const bool relay = line.compare(pos, kRelay.size(), kRelay) == 0 &&
                       pos + kRelay.size() < line.size() &&
                       (line[pos + kRelay.size()] == ' ' || line[pos + kRelay.size()] == ']');
    bool quoted = false;
    ++pos;
    for (; pos < line.size(); ++pos) {
      const char c = line[pos];
      if (quoted && c == '\\') {
        ++pos;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (!quoted && c == ']') break;
    }
    if (pos >= line.size()) return false;
    if (relay && parts.relayEnd == std::string::npos) parts.relayEnd = pos;
    ++pos;
  }
  parts.sdEnd = pos;
  return parts.sdEnd > parts.sdStart;
}

std::string sdParamValue(const std::string& sd, const std::string& key) {
  const std::string needle = " " + key + "=\"";
  auto start = sd.find(needle);
  if (start == std::string::npos) return "";
  std::string out;
  for (auto pos = start + needle.size(); pos < sd.size(); ++pos) {
    if (sd[pos] == '\\' && pos + 1 < sd.size()) {
      out += sd[++pos];
    } else if (sd[pos] == '"') {
      break;
    } else {
      out += sd[pos];
    }
  }
  return out;
}

}  // namespace decnet::agents
