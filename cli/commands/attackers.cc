// decnet get attackers and decnet describe attacker ADDRESS: the correlator's and profiler's
// view of who attacked, from /api/v1/attackers.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/printers.h"

namespace decnet::cli {
namespace {

std::string joined(const api::Json& list, const std::string& separator = ", ") {
  std::string out;
  for (const auto& item : list) {
    out +=
        (out.empty() ? "" : separator) + (item.is_string() ? item.get<std::string>() : item.dump());
  }
  return out.empty() ? "<none>" : out;
}

api::Json fetch(const Globals& globals, const std::string& path) {
  auto client = connect(globals);
  auto document = client->getDocument(path);
  if (!document) {
    std::cerr << "Error from server (" << errcName(document.error().code)
              << "): " << document.error().message << "\n";
    throw CLI::RuntimeError(kExitError);
  }
  return *document;
}

}  // namespace

bool isAttackerKind(const std::string& kind) {
  return kind == "attackers" || kind == "attacker" || kind == "att";
}

void printAttackers(const Globals& globals, const std::string& output) {
  std::vector<api::Json> attackers;
  std::string cursor;
  do {
    api::Json page = fetch(
        globals, "/api/v1/attackers?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (auto& item : page["items"]) attackers.push_back(std::move(item));
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
  } while (!cursor.empty());
  if (output == "json") {
    std::cout << api::Json{{"items", attackers}}.dump(2) << "\n";
    return;
  }
  if (attackers.empty()) {
    std::cerr << "No attackers found\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"ADDRESS", "FIRST SEEN", "LAST SEEN", "EVENTS",
                                              "DECKIES", "SERVICES", "BEHAVIOUR", "SCORE"}};
  for (const auto& a : attackers) {
    rows.push_back({a.value("ip", ""), a.value("first_seen", ""), a.value("last_seen", ""),
                    std::to_string(a.value("event_count", 0)),
                    std::to_string(a.value("deckies", api::Json::array()).size()),
                    joined(a.value("services", api::Json::array()), ","),
                    a.value("behaviour", "unknown"), std::to_string(a.value("threat_score", 0))});
  }
  printTable(std::cout, rows);
}

void describeAttacker(const Globals& globals, const std::string& address) {
  api::Json page = fetch(globals, "/api/v1/attackers?ip=" + address);
  if (page["items"].empty()) {
    std::cerr << "Error from server (NotFound): no attacker with address " << address << "\n";
    throw CLI::RuntimeError(kExitError);
  }
  const std::string id = page["items"][0].value("id", "");
  const api::Json a = fetch(globals, "/api/v1/attackers/" + id);
  std::cout << "Address:      " << a.value("ip", "") << "\n";
  std::cout << "ID:           " << id << "\n";
  std::cout << "First seen:   " << a.value("first_seen", "") << "\n";
  std::cout << "Last seen:    " << a.value("last_seen", "") << "\n";
  std::cout << "Events:       " << a.value("event_count", 0) << " in "
            << a.value("session_count", 0) << " sessions\n";
  std::cout << "Services:     " << joined(a["services"]) << "\n";
  std::cout << "Traversal:    ";
  std::string path;
  for (const auto& hop : a["traversal"]) {
    path += (path.empty() ? "" : " -> ") + hop.value("decky", "") + " (" +
            hop.value("service", "") + ")";
  }
  std::cout << (path.empty() ? "<none>" : path) << "\n";
  std::cout << "Behaviour:    " << a.value("behaviour", "unknown")
            << (a.value("profiled", false) ? "" : " (not profiled yet)") << "\n";
  std::cout << "Threat score: " << a.value("threat_score", 0) << "/100\n";
  std::cout << "Kill chain:   " << joined(a["kill_chain"]) << "\n";
  std::cout << "Tools:        " << joined(a["tools"]) << "\n";
  std::cout << "Clients:      " << joined(a["clients"]) << "\n";
  std::cout << "OS guess:     " << a.value("os_guess", "unknown") << "\n";
  std::cout << "Credentials:";
  if (a["credentials"].empty()) std::cout << "  <none>";
  std::cout << "\n";
  if (!a["credentials"].empty()) {
    std::vector<std::vector<std::string>> rows{
        {"  DECKY", "SERVICE", "PRINCIPAL", "SECRET", "OUTCOME", "ATTEMPTS", "REUSED"}};
    for (const auto& c : a["credentials"]) {
      rows.push_back({"  " + c.value("decky", ""), c.value("service", ""), c.value("principal", ""),
                      c.value("secret", ""), c.value("outcome", ""),
                      std::to_string(c.value("attempts", 0)),
                      c.value("reused", false) ? "yes" : "no"});
    }
    printTable(std::cout, rows);
  }
  std::cout << "Commands:";
  if (a["commands"].empty()) std::cout << "     <none>";
  std::cout << "\n";
  for (const auto& command : a["commands"]) std::cout << "  " << command.get<std::string>() << "\n";
  std::cout << "Sessions:\n";
  std::vector<std::vector<std::string>> rows{
      {"  STARTED", "DECKY", "SERVICE", "EVENTS", "STATE", "COMMANDS"}};
  for (const auto& s : a["sessions"]) {
    rows.push_back(
        {"  " + s.value("started", ""), s.value("decky", ""), s.value("service", ""),
         std::to_string(s.value("event_count", 0)),
         s.value("closed", false) ? "closed (" + s.value("close_reason", "") + ")" : "open",
         std::to_string(s.value("commands", api::Json::array()).size())});
  }
  printTable(std::cout, rows);
}

}  // namespace decnet::cli
