// decnet catalog services|archetypes|distros|os: the built-in catalog.
#include "api/catalog/catalog.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/context.h"
#include "cli/printers.h"

namespace decnet::cli {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep = ",") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string styleName(api::catalog::HostnameStyle style) {
  switch (style) {
    case api::catalog::HostnameStyle::kGeneric:
      return "generic (SRV-WORD-nn)";
    case api::catalog::HostnameStyle::kRhel:
      return "rhel (wordnn.localdomain)";
    case api::catalog::HostnameStyle::kMinimal:
      return "minimal (word-nn)";
    case api::catalog::HostnameStyle::kRolling:
      return "rolling (word-word)";
  }
  return "";
}

}  // namespace

void addCatalogCommand(CLI::App& app, Globals&) {
  auto what = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("catalog", "Print the built-in catalog (no server needed)");
  cmd->add_option("what", *what, "services | archetypes | distros | os")
      ->required()
      ->check(CLI::IsMember({"services", "archetypes", "distros", "os"}));
  cmd->callback([what] {
    namespace catalog = api::catalog;
    std::vector<std::vector<std::string>> rows;
    if (*what == "services") {
      rows.push_back({"SERVICE", "PORTS", "PROTO", "PERSONA KEYS", "EVENTS"});
      for (const auto& s : catalog::services()) {
        std::vector<std::string> ports;
        for (int p : s.ports) ports.push_back(std::to_string(p));
        rows.push_back({s.slug, join(ports), s.protocol, join(s.personaKeys), join(s.events)});
      }
    } else if (*what == "archetypes") {
      rows.push_back({"ARCHETYPE", "SERVICES", "OS", "DISTROS"});
      for (const auto& a : catalog::archetypes()) {
        rows.push_back({a.slug, join(a.services), a.osFamily, join(a.preferredDistros)});
      }
    } else if (*what == "distros") {
      rows.push_back({"DISTRO", "NAME", "HOSTNAMES"});
      for (const auto& d : catalog::distros())
        rows.push_back({d.slug, d.displayName, styleName(d.style)});
    } else {
      rows.push_back({"OS", "MAC OUIS", "SYSCTLS"});
      for (const auto& o : catalog::osFamilies()) {
        std::vector<std::string> sysctls;
        for (const auto& [k, v] : o.sysctls) sysctls.push_back(k + "=" + v);
        rows.push_back({o.slug, join(o.macOuis), join(sysctls, " ")});
      }
    }
    printTable(std::cout, rows);
  });
}

}  // namespace decnet::cli
