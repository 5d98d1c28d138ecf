// decnet catalog services|archetypes|distros|os: the built-in catalog.
#include "api/catalog/catalog.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "api/catalog/services_doc.h"
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
  auto format = std::make_shared<std::string>("table");
  auto* cmd = app.add_subcommand("catalog", "Print the built-in catalog (no server needed)");
  cmd->add_option("what", *what, "services | archetypes | distros | os")
      ->required()
      ->check(CLI::IsMember({"services", "archetypes", "distros", "os"}));
  cmd->add_option("-o,--output", *format,
                  "table, or markdown (services only: the page docs/services.md holds, with "
                  "every persona key's values and every event's fields)")
      ->check(CLI::IsMember({"table", "markdown"}))
      ->capture_default_str();
  cmd->footer(
      "Examples:\n  decnet catalog services\n  decnet catalog archetypes\n"
      "  decnet catalog distros        # stock banners per distro and Windows version\n"
      "  decnet catalog services -o markdown > docs/services.md");
  cmd->callback([what, format] {
    namespace catalog = api::catalog;
    if (*format == "markdown") {
      if (*what != "services") {
        std::cerr << "error: -o markdown is only for services\n";
        throw CLI::RuntimeError(kExitUsage);
      }
      std::cout << catalog::servicesMarkdown();
      return;
    }
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
      rows.push_back({"DISTRO", "NAME", "OS", "HOSTNAMES", "SSH", "HTTP SERVER"});
      for (const auto& d : catalog::distros()) {
        rows.push_back({d.slug, d.displayName, d.osFamily,
                        d.osFamily == "windows" ? "windows" : styleName(d.style), d.sshVersion,
                        d.httpServer});
      }
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
