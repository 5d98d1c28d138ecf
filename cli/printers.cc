#include "cli/printers.h"

#include <algorithm>

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

std::string conditionStatus(const api::Json& status, const std::string& type) {
  auto c = api::findCondition(status, type);
  if (!c) return "Unknown";
  if (c->status == "True") return type;
  return "Not" + type;
}

}  // namespace

std::string age(const std::string& timestamp) {
  auto then = api::parseTime(timestamp);
  if (!then) return "<unknown>";
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *then)
          .count();
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m";
  if (seconds < 172800) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

std::vector<std::string> tableHeader(const api::KindInfo& kind, bool wide) {
  if (kind.kind == "Fleet") {
    std::vector<std::string> h = {"NAME", "REPLICAS", "READY", "SUBNET", "AGE"};
    if (wide) h.insert(h.end(), {"ARCHETYPE", "INTERFACE", "CONDITIONS"});
    return h;
  }
  if (kind.kind == "Decky") {
    std::vector<std::string> h = {"NAME", "NODE", "IP", "HOSTNAME", "OS", "PHASE", "AGE"};
    if (wide) h.insert(h.end(), {"MAC", "DISTRO", "SERVICES", "GEN"});
    return h;
  }
  if (kind.kind == "Node") return {"NAME", "STATUS", "DECKIES", "HEARTBEAT", "AGE"};
  return {"LAST SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"};
}

std::vector<std::string> tableRow(const api::Object& o, bool wide) {
  const auto& spec = o.spec;
  const auto& status = o.status;
  if (o.kind == "Fleet") {
    const auto network = spec.value("network", api::Json::object());
    std::vector<std::string> row = {o.metadata.name, std::to_string(status.value("replicas", 0)),
                                    std::to_string(status.value("readyReplicas", 0)) + "/" +
                                        std::to_string(status.value("replicas", 0)),
                                    str(network, "subnet"), age(o.metadata.creationTimestamp)};
    if (wide) {
      std::string conditions;
      for (const auto& c : status.value("conditions", api::Json::array())) {
        if (c.value("status", "") == "True")
          conditions += (conditions.empty() ? "" : ",") + c.value("type", "");
      }
      row.insert(row.end(), {orDash(str(spec.value("template", api::Json::object()), "archetype")),
                             orDash(str(network, "interface")), orDash(conditions)});
    }
    return row;
  }
  if (o.kind == "Decky") {
    std::string phase = str(status, "phase");
    if (o.deleting()) phase = "Terminating";
    std::vector<std::string> row = {o.metadata.name,
                                    orDash(str(spec, "node")),
                                    str(spec, "ip"),
                                    str(spec, "hostname"),
                                    str(spec, "osFamily"),
                                    phase.empty() ? "Pending" : phase,
                                    age(o.metadata.creationTimestamp)};
    if (wide) {
      std::string services;
      for (const auto& s : spec.value("services", api::Json::array())) {
        services += (services.empty() ? "" : ",") + s.value("name", "");
      }
      row.insert(row.end(), {str(spec, "mac"), str(spec, "distro"), services,
                             std::to_string(spec.value("identityGeneration", 0))});
    }
    return row;
  }
  if (o.kind == "Node") {
    return {o.metadata.name, conditionStatus(status, "Ready"), str(status, "deckies"),
            age(str(status, "heartbeatTime")), age(o.metadata.creationTimestamp)};
  }
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
