#pragma once
// The CustomResourceDefinitions of crds/*.yaml, compiled in and parsed once: each kind's
// OpenAPI v3 schema and printer columns. The API server's OpenAPI documents and Tables and the
// CLI's tables come from here, so `decnet get` and `kubectl get` show the same columns.
#include <string>
#include <string_view>
#include <vector>

#include "api/types/object.h"

namespace decnet::api {

struct PrinterColumn {
  std::string name;         // "Replicas"
  std::string type;         // integer, number, string, boolean, date
  std::string jsonPath;     // ".status.replicas"
  std::string description;  // one line
  int priority = 0;         // 0: always shown; 1: -o wide only
};

struct CrdInfo {
  std::string kind, plural, singular, listKind;
  Json schema;  // openAPIV3Schema of the served version
  std::vector<PrinterColumn> columns;
};

// Every CRD file's text (generated from crds/*.yaml at build time).
const std::vector<std::string_view>& crdDocuments();
// The parsed CRDs; empty entries never. Thread-safe (parsed on first use).
const std::vector<CrdInfo>& crdCatalog();
// The CRD of `kind` ("Fleet"), nullptr for kinds without one (events).
const CrdInfo* findCrd(const std::string& kind);

// The values a kubectl-style JSONPath (".spec.a.b", ".items[0]", ".list[*].name",
// ".conditions[?(@.type==\"Ready\")].status") selects in `document`; empty when none.
std::vector<Json> jsonPathValues(const Json& document, const std::string& path);
// The column's cell for `object` as kube-apiserver fills Tables: the single value, several
// joined by ",", null when nothing matched.
Json columnCell(const Object& object, const PrinterColumn& column);

}  // namespace decnet::api
