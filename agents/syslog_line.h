#pragma once
// Where the parts of a decoy's RFC 5424 line are, so the agent can read a few fields and edit the
// line in place (stamp a sequence, add a count) without rewriting the attacker's bytes. The
// collector's parser (pipeline/collector/syslog_message.h) gives values; this gives positions.
#include <cstddef>
#include <string>

namespace decnet::agents {

struct SyslogLineParts {
  std::string host, app, msgid;
  std::size_t sdStart = 0, sdEnd = 0;        // [sdStart, sdEnd) is the STRUCTURED-DATA field
  std::size_t relayEnd = std::string::npos;  // the `]` closing [relay@55555 ...], if present
};

// Splits "<PRI>1 TS HOST APP PROCID MSGID SD MSG"; false when the line is not RFC 5424.
bool splitSyslogLine(const std::string& line, SyslogLineParts& parts);

// The value of `key="..."` inside structured data, unescaped; "" when absent.
std::string sdParamValue(const std::string& sd, const std::string& key);

}  // namespace decnet::agents
