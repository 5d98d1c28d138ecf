#include "agents/event_folder.h"

#include <algorithm>

#include "agents/syslog_line.h"
#include "pipeline/collector/syslog_message.h"

namespace decnet::agents {
namespace {

// The line with ` NAME="VALUE"` (VALUE escaped) added at the end of its relay@55555 element; ""
// when it has none.
std::string withRelayParam(const std::string& line, const std::string& name,
                           const std::string& value) {
  SyslogLineParts parts;
  if (!splitSyslogLine(line, parts) || parts.relayEnd == std::string::npos) return "";
  std::string escaped;
  for (const char c : value) {
    if (c == '"' || c == '\\' || c == ']') escaped += '\\';
    escaped += c;
  }
  return line.substr(0, parts.relayEnd) + " " + name + "=\"" + escaped + "\"" +
         line.substr(parts.relayEnd);
}

}  // namespace

EventFolder::EventFolder(FoldOptions options) : gate_(options) {}

void EventFolder::addCountLine(std::string line, std::uint64_t count) {
  ended_.push_back(withRelayParam(line, "count", std::to_string(count)));
}

bool EventFolder::admit(const std::string& decky, const std::string& line, Clock::time_point now) {
  const auto message = pipeline::parseSyslog(line);
  const auto hasRelay = [](const pipeline::SdElement& e) { return e.id == "relay@55555"; };
  if (!message || std::none_of(message->data.begin(), message->data.end(), hasRelay)) return true;
  std::string key = pipeline::floodKey(*message, decky);
  if (key.empty()) return true;
  return gate_.admit(std::move(key), line, now,
                     [this](std::string last, std::uint64_t count) { addCountLine(last, count); });
}

std::vector<std::string> EventFolder::takeEnded(Clock::time_point now) {
  gate_.closeEnded(now,
                   [this](std::string last, std::uint64_t count) { addCountLine(last, count); });
  return std::exchange(ended_, {});
}

}  // namespace decnet::agents
