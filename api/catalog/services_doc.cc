#include "api/catalog/services_doc.h"

#include <algorithm>
#include <cctype>

#include "api/catalog/catalog.h"

namespace decnet::api::catalog {
namespace {

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// Table cells: a pipe would end the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string code(const std::string& text) { return "`" + text + "`"; }

std::string valuesOf(const PersonaKey& key) {
  switch (key.type) {
    case PersonaType::kInteger:
      return "integer " + std::to_string(key.min) + ".." + std::to_string(key.max);
    case PersonaType::kChoice: {
      std::vector<std::string> quoted;
      for (const auto& value : key.allowed) quoted.push_back(code(value));
      return "one of " + join(quoted);
    }
    case PersonaType::kBoolean:
      return "`true` or `false`";
    case PersonaType::kUsers:
      return "`user:password,user:password`";
    case PersonaType::kPorts:
      return "ports `8080,8443`";
    case PersonaType::kHeaders:
      return "`Name: value; Name2: value2` or a map";
    case PersonaType::kText:
      return "text";
  }
  return "text";
}

void appendService(std::string& out, const ServiceDescriptor& service) {
  std::vector<std::string> ports;
  for (int port : service.ports) ports.push_back(std::to_string(port));
  std::string summary = service.summary;
  if (!summary.empty())
    summary[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(summary[0])));
  out += "## " + service.slug + "\n\n" + summary + ".\n\n";
  out += "- Ports: " + (ports.empty() ? std::string("given by the user") : join(ports)) + " (" +
         join(service.transports, " and ") + ")\n";
  out += std::string("- Emulated: ") +
         (service.emulated ? "yes" : "not yet (a decky keeps serving its other services)") + "\n\n";
  if (!service.persona.empty()) {
    out += "| persona key | values | default | meaning |\n|---|---|---|---|\n";
    for (const auto& key : service.persona) {
      out += "| " + code(key.name) + " | " + cell(valuesOf(key)) + " | " +
             (key.defaultValue.empty() ? std::string("—") : cell(code(key.defaultValue))) + " | " +
             cell(key.doc) + " |\n";
    }
    out += "\n";
  }
  const bool stream = std::find(service.transports.begin(), service.transports.end(), "tcp") !=
                      service.transports.end();
  if (!service.events.empty()) {
    out += "| event (MSGID) | when | fields |\n|---|---|---|\n";
    if (stream) {
      out += "| `connect` | a connection is accepted | — |\n";
      out += "| `disconnect` | it ends | `duration_ms`, `bytes_in`, `bytes_out` |\n";
    }
    for (const auto& event : service.events) {
      std::vector<std::string> fields;
      for (const auto& field : event.fields)
        fields.push_back(code(field.name) + " (" + field.doc + ")");
      out += "| " + code(event.type) + " | " + cell(event.doc) + " | " +
             cell(fields.empty() ? std::string("—") : join(fields, "; ")) + " |\n";
    }
    out += "\n";
  }
}

}  // namespace

std::string servicesMarkdown() {
  std::string out =
      "# Services\n\n"
      "<!-- Generated from decoy/services/*/descriptor.cc by `decnet catalog services -o "
      "markdown`; a test fails when this file and the descriptors disagree. -->\n\n"
      "Every service a decky can run, with its default ports, its persona keys (set them under "
      "`persona:` of a service in a Fleet or Decky; every key is optional) and the events it "
      "emits. Event lines are RFC 5424 (see [events.md](events.md)); every connection-scoped "
      "event carries `src_ip`, `src_port` and `dst_port` before the fields listed here. "
      "Credentials always come as `principal`, `secret` (printable; other bytes as `?`), "
      "`secret_b64` (the exact bytes) and `outcome` (`failed` or `success`).\n\n"
      "Defaults marked — come from the decky itself: its hostname, and its distro (or Windows "
      "version), whose stock banners every service shows (`decnet catalog distros`). An "
      "explicit persona key always wins.\n\n"
      "| service | ports | emulated |\n|---|---|---|\n";
  for (const auto* service : serviceDescriptors()) {
    std::vector<std::string> ports;
    for (int port : service->ports) ports.push_back(std::to_string(port));
    out += "| [" + service->slug + "](#" + service->slug + ") | " +
           (ports.empty() ? std::string("user") : join(ports)) + "/" +
           join(service->transports, "+") + " | " + (service->emulated ? "yes" : "not yet") +
           " |\n";
  }
  out += "\n";
  for (const auto* service : serviceDescriptors()) appendService(out, *service);
  return out;
}

}  // namespace decnet::api::catalog
