#include "apiserver/routes/tables.h"

#include "api/schema/crd_catalog.h"
#include "api/types/clock.h"

namespace decnet::apiserver {
namespace {

using api::Json;

// Kinds without a CRD (events) get what kube-apiserver gives custom resources without
// columns: Name and Age.
std::vector<api::PrinterColumn> columnsFor(const api::KindInfo& kind) {
  if (const auto* crd = api::findCrd(kind.kind); crd != nullptr && !crd->columns.empty()) {
    return crd->columns;
  }
  return {{"Age", "date", ".metadata.creationTimestamp", "Time since creation.", 0}};
}

Json cellFor(const api::Object& object, const api::PrinterColumn& column) {
  Json cell = api::columnCell(object, column);
  // As kube-apiserver does: dates become ages; other types keep their JSON type.
  if (column.type == "date" && cell.is_string()) return api::humanAge(cell.get<std::string>());
  return cell;
}

}  // namespace

bool wantsTable(const HttpRequest& request) {
  const std::string accept = request.header("accept");
  const auto first = accept.substr(0, accept.find(','));
  return first.find("as=Table") != std::string::npos &&
         first.find("g=meta.k8s.io") != std::string::npos;
}

Json tableFor(const api::KindInfo& kind, const std::vector<api::Object>& objects,
              const std::string& resourceVersion, const std::string& includeObject,
              bool withColumns) {
  const auto columns = columnsFor(kind);
  Json table = {{"kind", "Table"},
                {"apiVersion", "meta.k8s.io/v1"},
                {"metadata", {{"resourceVersion", resourceVersion}}}};
  if (withColumns) {
    Json definitions = Json::array();
    definitions.push_back({{"name", "Name"},
                           {"type", "string"},
                           {"format", "name"},
                           {"description", "Name must be unique within a namespace."},
                           {"priority", 0}});
    for (const auto& column : columns) {
      definitions.push_back({{"name", column.name},
                             {"type", column.type == "date" ? "string" : column.type},
                             {"format", column.type == "date" ? "date" : ""},
                             {"description", column.description},
                             {"priority", column.priority}});
    }
    table["columnDefinitions"] = definitions;
  }
  Json rows = Json::array();
  for (const auto& object : objects) {
    Json cells = Json::array({object.metadata.name});
    for (const auto& column : columns) cells.push_back(cellFor(object, column));
    Json row = {{"cells", cells}};
    if (includeObject == "Object") {
      row["object"] = api::toJson(object);
    } else if (includeObject != "None") {
      Json full = api::toJson(object);
      row["object"] = {{"kind", "PartialObjectMetadata"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", full["metadata"]}};
    }
    rows.push_back(row);
  }
  table["rows"] = rows;
  return table;
}

}  // namespace decnet::apiserver
