#include "api/catalog/service_descriptor.h"

#include <algorithm>

namespace decnet::api::catalog {
namespace {

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(start, comma - start);
    const auto first = part.find_first_not_of(' ');
    const auto last = part.find_last_not_of(' ');
    parts.push_back(first == std::string::npos ? "" : part.substr(first, last - first + 1));
    start = comma + 1;
  }
  return parts;
}

bool allDigits(const std::string& text) {
  return !text.empty() && text.size() <= 9 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string joinedChoices(const std::vector<std::string>& allowed) {
  std::string out;
  for (const auto& value : allowed) out += (out.empty() ? "" : ", ") + value;
  return out;
}

}  // namespace

const PersonaKey* findPersonaKey(const ServiceDescriptor& descriptor, const std::string& name) {
  for (const auto& key : descriptor.persona) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

const char* personaTypeName(PersonaType type) {
  switch (type) {
    case PersonaType::kText:
      return "text";
    case PersonaType::kInteger:
      return "integer";
    case PersonaType::kBoolean:
      return "boolean";
    case PersonaType::kChoice:
      return "one of";
    case PersonaType::kUsers:
      return "users";
    case PersonaType::kPorts:
      return "ports";
    case PersonaType::kHeaders:
      return "headers";
  }
  return "text";
}

std::string checkPersonaValue(const PersonaKey& key, const std::string& value) {
  switch (key.type) {
    case PersonaType::kText:
    case PersonaType::kHeaders:
      return "";
    case PersonaType::kInteger: {
      const long number = allDigits(value) ? std::stol(value) : -1;
      if (number < key.min || number > key.max) {
        return "must be an integer " + std::to_string(key.min) + ".." + std::to_string(key.max);
      }
      return "";
    }
    case PersonaType::kBoolean:
      return value == "true" || value == "false" ? "" : "must be true or false";
    case PersonaType::kChoice:
      return std::find(key.allowed.begin(), key.allowed.end(), value) != key.allowed.end()
                 ? ""
                 : "must be one of " + joinedChoices(key.allowed);
    case PersonaType::kUsers:
      if (value.empty()) return "";
      for (const auto& entry : splitCommas(value)) {
        const auto colon = entry.find(':');
        if (colon == std::string::npos || colon == 0) {
          return "must be user:password pairs separated by commas (like root:toor,admin:admin)";
        }
      }
      return "";
    case PersonaType::kPorts:
      for (const auto& part : splitCommas(value)) {
        const long port = allDigits(part) ? std::stol(part) : -1;
        if (port < 1 || port > 65535) {
          return "must be ports 1..65535 separated by commas (like 8080,8443)";
        }
      }
      return "";
  }
  return "";
}

}  // namespace decnet::api::catalog
