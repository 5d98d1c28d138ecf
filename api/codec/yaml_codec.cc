#include "api/codec/yaml_codec.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <regex>

namespace decnet::api {
namespace {

// YAML 1.2 core-schema resolution of a plain scalar.
Json resolvePlainScalar(const std::string& text) {
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kHex("^0x[0-9a-fA-F]+$");
  static const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, kInt)) {
    try {
      return std::stoll(text);
    } catch (...) {
      return text;  // out of range: keep it as text rather than lose digits
    }
  }
  if (std::regex_match(text, kHex)) return std::stoll(text, nullptr, 16);
  if (std::regex_match(text, kFloat)) return std::stod(text);
  return text;
}

Json toJsonNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") return node.Scalar();  // quoted: always a string
      if (node.Tag() == "tag:yaml.org,2002:str") return node.Scalar();
      return resolvePlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(toJsonNode(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& item : node) out[item.first.as<std::string>()] = toJsonNode(item.second);
      return out;
    }
  }
  return nullptr;
}

bool needsQuotes(const std::string& text) {
  if (text.empty()) return true;
  Json resolved = resolvePlainScalar(text);
  if (!resolved.is_string()) return true;  // would read back as a number, bool or null
  static const std::string kSpecialStart = "-?:,[]{}#&*!|>'\"%@` ";
  if (kSpecialStart.find(text.front()) != std::string::npos) return true;
  if (text.back() == ' ' || text.back() == ':') return true;
  if (text.find(": ") != std::string::npos || text.find(" #") != std::string::npos) return true;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string scalar(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return needsQuotes(text) ? quote(text) : text;
  }
  return value.dump();
}

bool isEmptyContainer(const Json& v) { return (v.is_object() || v.is_array()) && v.empty(); }

void emit(const Json& value, int indent, std::string& out);

void emitMapBody(const Json& map, int indent, std::string& out, bool firstInline) {
  bool first = true;
  for (const auto& [key, child] : map.items()) {
    if (!(first && firstInline)) out += std::string(indent, ' ');
    first = false;
    out += (needsQuotes(key) ? quote(key) : key) + ":";
    if (isEmptyContainer(child)) {
      out += child.is_object() ? " {}\n" : " []\n";
    } else if (child.is_object()) {
      out += "\n";
      emitMapBody(child, indent + 2, out, false);
    } else if (child.is_array()) {
      out += "\n";
      emit(child, indent, out);
    } else {
      out += " " + scalar(child) + "\n";
    }
  }
}

void emit(const Json& value, int indent, std::string& out) {
  if (value.is_object()) {
    emitMapBody(value, indent, out, false);
    return;
  }
  if (value.is_array()) {
    for (const auto& item : value) {
      out += std::string(indent, ' ') + "-";
      if (item.is_object() && !item.empty()) {
        out += " ";
        emitMapBody(item, indent + 2, out, true);
      } else if (item.is_array() && !item.empty()) {
        out += "\n";
        emit(item, indent + 2, out);
      } else if (isEmptyContainer(item)) {
        out += item.is_object() ? " {}\n" : " []\n";
      } else {
        out += " " + scalar(item) + "\n";
      }
    }
    return;
  }
  out += std::string(indent, ' ') + scalar(value) + "\n";
}

}  // namespace

Result<std::vector<Json>> parseYamlDocuments(std::string_view text, const std::string& source) {
  try {
    std::vector<Json> documents;
    for (const auto& node : YAML::LoadAll(std::string(text))) {
      if (node.IsNull() || !node.IsDefined()) continue;
      documents.push_back(toJsonNode(node));
    }
    return documents;
  } catch (const YAML::Exception& e) {
    return fail(Errc::kInvalid, source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                    std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return fail(Errc::kInvalid, source + ": " + e.what());
  }
}

std::string toYaml(const Json& document) {
  std::string out;
  if (document.is_object() || document.is_array()) {
    if (document.empty()) return document.is_object() ? "{}\n" : "[]\n";
    emit(document, 0, out);
  } else {
    out = scalar(document) + "\n";
  }
  return out;
}

}  // namespace decnet::api
