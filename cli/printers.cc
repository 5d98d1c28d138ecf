#include "cli/printers.h"

#include <algorithm>

#include "api/schema/crd_catalog.h"
#include "api/types/clock.h"
#include "api/types/conditions.h"

namespace decnet::cli {
namespace {

std::string str(const api::Json& parent, const char* key) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string orDash(std::string text) { return text.empty() ? "<none>" : text; }

}  // namespace

std::string age(const std::string& timestamp) { return api::humanAge(timestamp); }

std::vector<std::string> tableHeader(const api::KindInfo& kind, bool wide) {
  if (const auto* crd = api::findCrd(kind.kind)) {
    std::vector<std::string> header = {"NAME"};
    for (const auto& column : crd->columns) {
      if (column.priority > 0 && !wide) continue;
      std::string name = column.name;
      std::transform(name.begin(), name.end(), name.begin(), ::toupper);
      header.push_back(name);
    }
    return header;
  }
  return {"LAST SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"};
}

std::vector<std::string> tableRow(const api::Object& o, bool wide) {
  // The CRD's printer columns, as kube-apiserver fills them for kubectl: one definition.
  if (const auto* crd = api::findCrd(o.kind)) {
    std::vector<std::string> row = {o.metadata.name};
    for (const auto& column : crd->columns) {
      if (column.priority > 0 && !wide) continue;
      const api::Json cell = api::columnCell(o, column);
      std::string text = cell.is_null()     ? ""
                         : cell.is_string() ? cell.get<std::string>()
                                            : cell.dump();
      if (column.type == "date" && !text.empty()) text = age(text);
      // A decky on its way out says so, as kubectl does for pods.
      if (o.kind == "Decky" && column.name == "Phase") {
        if (o.deleting()) text = "Terminating";
        if (text.empty()) text = "Pending";
      }
      row.push_back(orDash(text));
    }
    return row;
  }
  const auto& spec = o.spec;
  const auto involved = spec.value("involvedObject", api::Json::object());
  std::string kind = str(involved, "kind");
  std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
  return {age(str(spec, "lastTimestamp")),    str(spec, "type"),  str(spec, "reason"),
          kind + "/" + str(involved, "name"), str(spec, "count"), str(spec, "message")};
}

void printTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                std::vector<std::size_t>* minimum) {
  std::vector<std::size_t> widths = minimum != nullptr ? *minimum : std::vector<std::size_t>{};
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 3, ' ');
    }
    out << line << "\n";
  }
  if (minimum != nullptr) *minimum = widths;
}

}  // namespace decnet::cli
