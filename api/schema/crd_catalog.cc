#include "api/schema/crd_catalog.h"

#include "api/codec/yaml_codec.h"

namespace decnet::api {
namespace {

std::vector<CrdInfo> parseCatalog() {
  std::vector<CrdInfo> catalog;
  for (const auto text : crdDocuments()) {
    auto documents = parseYamlDocuments(text, "crds");
    if (!documents) continue;  // crd_test keeps the files parseable
    for (const auto& crd : *documents) {
      const Json names = crd["spec"].value("names", Json::object());
      CrdInfo info;
      info.kind = names.value("kind", "");
      info.plural = names.value("plural", "");
      info.singular = names.value("singular", "");
      info.listKind = names.value("listKind", info.kind + "List");
      for (const auto& version : crd["spec"].value("versions", Json::array())) {
        if (!version.value("served", false)) continue;
        info.schema = version["schema"].value("openAPIV3Schema", Json::object());
        for (const auto& column : version.value("additionalPrinterColumns", Json::array())) {
          info.columns.push_back({column.value("name", ""), column.value("type", "string"),
                                  column.value("jsonPath", ""), column.value("description", ""),
                                  column.value("priority", 0)});
        }
        break;
      }
      if (!info.kind.empty()) catalog.push_back(std::move(info));
    }
  }
  return catalog;
}

// One step of a path applied to every current value.
void step(std::vector<Json>& values, const std::string& path, std::size_t& at) {
  std::vector<Json> next;
  if (path[at] == '.') {
    ++at;
    std::size_t end = at;
    while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
    const std::string key = path.substr(at, end - at);
    at = end;
    for (const auto& value : values) {
      if (value.is_object() && value.contains(key)) next.push_back(value[key]);
    }
  } else if (path[at] == '[') {
    const std::size_t close = path.find(']', at);
    const std::string inside =
        path.substr(at + 1, (close == std::string::npos ? path.size() : close) - at - 1);
    at = close == std::string::npos ? path.size() : close + 1;
    for (const auto& value : values) {
      if (!value.is_array()) continue;
      if (inside == "*") {
        for (const auto& item : value) next.push_back(item);
      } else if (inside.rfind("?(@.", 0) == 0 && inside.back() == ')') {
        // ?(@.field=="text"): the items whose field equals the text.
        const std::string test = inside.substr(4, inside.size() - 5);
        const auto equals = test.find("==");
        if (equals == std::string::npos) continue;
        const std::string field = test.substr(0, equals);
        std::string want = test.substr(equals + 2);
        if (want.size() >= 2 && (want.front() == '"' || want.front() == '\'')) {
          want = want.substr(1, want.size() - 2);
        }
        for (const auto& item : value) {
          if (item.is_object() && item.contains(field) && item[field].is_string() &&
              item[field] == want) {
            next.push_back(item);
          }
        }
      } else {
        try {
          const auto index = std::stoul(inside);
          if (index < value.size()) next.push_back(value[index]);
        } catch (...) {
        }
      }
    }
  } else {
    at = path.size();  // not a path this evaluator knows: nothing matches
  }
  values = std::move(next);
}

}  // namespace

const std::vector<CrdInfo>& crdCatalog() {
  static const std::vector<CrdInfo> catalog = parseCatalog();
  return catalog;
}

const CrdInfo* findCrd(const std::string& kind) {
  for (const auto& crd : crdCatalog()) {
    if (crd.kind == kind) return &crd;
  }
  return nullptr;
}

std::vector<Json> jsonPathValues(const Json& document, const std::string& path) {
  std::vector<Json> values = {document};
  std::size_t at = 0;
  while (at < path.size() && !values.empty()) step(values, path, at);
  return values;
}

Json columnCell(const Object& object, const PrinterColumn& column) {
  const auto values = jsonPathValues(toJson(object), column.jsonPath);
  if (values.empty()) return nullptr;
  if (values.size() == 1) return values.front();
  std::string joined;
  for (const auto& value : values) {
    joined +=
        (joined.empty() ? "" : ",") + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return joined;
}

}  // namespace decnet::api
