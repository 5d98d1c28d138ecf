#include <algorithm>
#include <array>

#include "pipeline/common/flood_gate.h"

namespace decnet::pipeline {
namespace {

constexpr std::array<std::string_view, 4> kNeverFolded = {"decoy_start", "listening", "bind_failed",
                                                          "not_emulated"};
constexpr std::array<std::string_view, 4> kNotInKey = {"src_port", "duration_ms", "bytes_in",
                                                       "bytes_out"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string floodKey(const SyslogMessage& message, std::string_view decky) {
  if (message.attackerAddress.empty() || among(kNeverFolded, message.msgId)) return "";
  for (const auto& element : message.data) {
    for (const auto& param : element.params) {
      if (param.name == "count") return "";
    }
  }
  // NUL separates the parts: values are printable, so two different events never share a key.
  std::string key = std::string(decky) + '\0' + message.appName + '\0' + message.msgId + '\0' +
                    message.attackerAddress + '\0' + message.message;
  for (const auto& element : message.data) {
    if (element.id == "meta") continue;  // the agent's sequence number differs on every line
    key += '\0' + element.id;
    for (const auto& param : element.params) {
      if (among(kNotInKey, param.name)) continue;
      key += '\0' + param.name + '=' + param.value;
    }
  }
  return key;
}

}  // namespace decnet::pipeline
