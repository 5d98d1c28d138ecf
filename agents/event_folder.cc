#include "agents/event_folder.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "agents/syslog_line.h"
#include "pipeline/collector/syslog_message.h"

namespace decnet::agents {
namespace {

// What the readiness of a decoy is read from: each line matters on its own.
constexpr std::array<std::string_view, 4> kNeverFolded = {"decoy_start", "listening", "bind_failed",
                                                          "not_emulated"};
// Fields that differ between the connections of one flood.
constexpr std::array<std::string_view, 4> kNotInKey = {"src_port", "duration_ms", "bytes_in",
                                                       "bytes_out"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

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

EventFolder::EventFolder(FoldOptions options) : options_(options) {}

std::string EventFolder::keyOf(const std::string& decky, const std::string& line) const {
  const auto message = pipeline::parseSyslog(line);
  if (!message || message->attackerAddress.empty() || among(kNeverFolded, message->msgId)) {
    return "";
  }
  // The count goes into the relay@55555 element; a line that has a count already keeps its own.
  SyslogLineParts parts;
  if (!splitSyslogLine(line, parts) || parts.relayEnd == std::string::npos ||
      message->param("relay@55555", "count") != nullptr) {
    return "";
  }
  // NUL separates the parts: values are printable, so two different lines never share a key.
  std::string key = decky + '\0' + message->appName + '\0' + message->msgId + '\0' +
                    message->attackerAddress + '\0' + message->message;
  for (const auto& element : message->data) {
    key += '\0' + element.id;
    for (const auto& param : element.params) {
      if (among(kNotInKey, param.name)) continue;
      key += '\0' + param.name + '=' + param.value;
    }
  }
  return key;
}

bool EventFolder::admit(const std::string& decky, const std::string& line, Clock::time_point now) {
  std::string key = keyOf(decky, line);
  if (key.empty()) return true;
  auto window = windows_.find(key);
  if (window != windows_.end() && now - window->second.start >= options_.window) {
    close(window);
    window = windows_.end();
  }
  if (window == windows_.end()) {
    if (windows_.size() >= options_.maxKeys) return true;  // bounded: wait for windows to end
    window = windows_.emplace(std::move(key), Window{now, 0, 0, {}}).first;
  }
  if (window->second.passed < options_.linesPerWindow) {
    ++window->second.passed;
    return true;
  }
  ++window->second.held;
  window->second.lastHeld = line;
  ++folded_;
  return false;
}

std::vector<std::string> EventFolder::takeEnded(Clock::time_point now) {
  for (auto window = windows_.begin(); window != windows_.end();) {
    const auto current = window++;
    if (now - current->second.start >= options_.window) close(current);
  }
  return std::exchange(ended_, {});
}

void EventFolder::close(std::unordered_map<std::string, Window>::iterator window) {
  if (window->second.held > 0) {
    ended_.push_back(
        withRelayParam(window->second.lastHeld, "count", std::to_string(window->second.held)));
  }
  windows_.erase(window);
}

}  // namespace decnet::agents
