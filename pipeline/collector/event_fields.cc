#include "pipeline/collector/event_fields.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::pipeline {

namespace {

// The general path: nlohmann's object (names sorted, the last of a repeated name kept) with
// invalid UTF-8 replaced.
std::string fieldsJsonGeneral(const SyslogMessage& message) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& element : message.data) {
    if (element.id == "meta") continue;
    const bool relay = element.id.rfind("relay@", 0) == 0;
    for (const auto& param : element.params) {
      fields[relay ? param.name : element.id + "." + param.name] = param.value;
    }
  }
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool printableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte <= 0x7e;
  });
}

// `text` quoted, '"' and '\\' escaped; runs without either are appended whole.
void appendQuoted(std::string& out, std::string_view text) {
  out += '"';
  std::size_t from = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '"' && text[at] != '\\') continue;
    out.append(text.substr(from, at - from));
    out += '\\';
    from = at;  // the quote or backslash itself goes with the next run
  }
  out.append(text.substr(from));
  out += '"';
}

}  // namespace

// Byte for byte what fieldsJsonGeneral gives; printable ASCII (nearly every line) skips building
// a JSON tree, where ingest spent ~6 % of its time.
std::string fieldsJson(const SyslogMessage& message) {
  std::size_t count = 0;
  for (const auto& element : message.data) count += element.params.size();
  // "id.name" of params outside a relay element; reserved up front, so the views into it hold.
  std::vector<std::string> qualified;
  qualified.reserve(count);
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  fields.reserve(count);
  std::size_t bytes = 2;
  for (const auto& element : message.data) {
    if (element.id == "meta") continue;
    const bool relay = element.id.rfind("relay@", 0) == 0;
    for (const auto& param : element.params) {
      if (!printableAscii(param.name) || !printableAscii(param.value) ||
          !printableAscii(element.id)) {
        return fieldsJsonGeneral(message);
      }
      if (relay) {
        fields.emplace_back(param.name, param.value);
      } else {
        fields.emplace_back(qualified.emplace_back(element.id + "." + param.name), param.value);
      }
      bytes += fields.back().first.size() + fields.back().second.size() + 6;
    }
  }
  const auto byName = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (fields.size() <= 32) {
    // Insertion sort: stable, and no buffer to allocate as std::stable_sort does.
    for (std::size_t i = 1; i < fields.size(); ++i) {
      for (std::size_t j = i; j > 0 && byName(fields[j], fields[j - 1]); --j) {
        std::swap(fields[j], fields[j - 1]);
      }
    }
  } else {
    std::stable_sort(fields.begin(), fields.end(), byName);
  }
  std::string out;
  out.reserve(bytes);
  out += '{';
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i + 1 < fields.size() && fields[i + 1].first == fields[i].first) continue;  // last wins
    if (out.size() > 1) out += ',';
    appendQuoted(out, fields[i].first);
    out += ':';
    appendQuoted(out, fields[i].second);
  }
  out += '}';
  return out;
}

}  // namespace decnet::pipeline
