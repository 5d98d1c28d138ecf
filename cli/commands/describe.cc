// decnet describe KIND NAME: spec, status, conditions and recent events of one object.
#include <CLI/CLI.hpp>
#include <iostream>

#include "api/codec/yaml_codec.h"
#include "api/types/kinds.h"
#include "cli/context.h"
#include "cli/printers.h"

namespace decnet::cli {
namespace {

void printMap(const char* title, const std::map<std::string, std::string>& values) {
  std::cout << title;
  if (values.empty()) std::cout << "<none>\n";
  bool first = true;
  for (const auto& [k, v] : values) {
    if (!first) std::cout << std::string(13, ' ');
    std::cout << k << "=" << (v.size() > 80 ? v.substr(0, 77) + "..." : v) << "\n";
    first = false;
  }
}

void printIndented(const api::Json& value) {
  std::string yaml = api::toYaml(value);
  std::size_t start = 0;
  while (start < yaml.size()) {
    auto end = yaml.find('\n', start);
    std::cout << "  " << yaml.substr(start, end - start) << "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

}  // namespace

void addDescribeCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::string kind;
    std::string name;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("describe", "Show one object in detail, with its events");
  cmd->footer(
      "Shows metadata, spec, status with every condition, and the events recorded for this\n"
      "object (this uid: not those of an earlier object of the same name), oldest first.\n\n"
      "Examples:\n  decnet describe fleet quickstart\n  decnet describe decky/quickstart-01\n"
      "  decnet describe node local\n  decnet describe attacker 10.77.0.250");
  cmd->add_option("kind", options->kind, "fleet | decky | node | attacker | KIND/NAME")->required();
  cmd->add_option("name", options->name, "Object name");
  cmd->callback([options, &globals] {
    std::string kindName = options->kind, name = options->name;
    if (auto slash = kindName.find('/'); slash != std::string::npos) {
      name = kindName.substr(slash + 1);
      kindName = kindName.substr(0, slash);
    }
    if (isAttackerKind(kindName) && !name.empty()) return describeAttacker(globals, name);
    auto kind = api::findKind(kindName);
    if (!kind || name.empty()) {
      std::cerr << "error: usage: decnet describe KIND NAME\n";
      throw CLI::RuntimeError(kExitUsage);
    }
    auto client = connect(globals);
    auto object = client->get({kind->kind, name});
    if (!object) {
      std::cerr << "Error from server (" << errcName(object.error().code)
                << "): " << object.error().message << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    const auto& meta = object->metadata;
    std::cout << "Name:        " << meta.name << "\n";
    std::cout << "Kind:        " << object->kind << "\n";
    printMap("Labels:      ", meta.labels);
    std::map<std::string, std::string> annotations = meta.annotations;
    annotations.erase("decnet.io/last-applied");
    printMap("Annotations: ", annotations);
    std::cout << "UID:         " << meta.uid << "\n";
    std::cout << "Generation:  " << meta.generation << "\n";
    std::cout << "Created:     " << meta.creationTimestamp << " (" << age(meta.creationTimestamp)
              << " ago)\n";
    if (!meta.deletionTimestamp.empty())
      std::cout << "Deleting:    since " << meta.deletionTimestamp << "\n";
    if (const auto* owner = object->controllerOwner()) {
      std::cout << "Controlled By: " << owner->kind << "/" << owner->name << "\n";
    }
    if (!meta.finalizers.empty()) {
      std::cout << "Finalizers:  ";
      for (const auto& f : meta.finalizers) std::cout << f << " ";
      std::cout << "\n";
    }
    std::cout << "Spec:\n";
    printIndented(object->spec);
    api::Json status = object->status;
    api::Json conditions = status.value("conditions", api::Json::array());
    status.erase("conditions");
    if (!status.empty()) {
      std::cout << "Status:\n";
      printIndented(status);
    }
    if (!conditions.empty()) {
      std::cout << "Conditions:\n";
      std::vector<std::vector<std::string>> rows = {
          {"  Type", "Status", "Reason", "Age", "Message"}};
      for (const auto& c : conditions) {
        rows.push_back({"  " + c.value("type", ""), c.value("status", ""), c.value("reason", ""),
                        age(c.value("lastTransitionTime", "")), c.value("message", "")});
      }
      printTable(std::cout, rows);
    }
    std::cout << "Events:";
    // By uid too: events of an earlier object with this name are not this object's.
    std::string selector = "involvedObject.name=" + name + ",involvedObject.kind=" + object->kind;
    if (!object->metadata.uid.empty()) selector += ",involvedObject.uid=" + object->metadata.uid;
    auto events = client->list("Event", {"", selector});
    if (!events || events->items.empty()) {
      std::cout << " <none>\n";
      return;
    }
    std::cout << "\n";
    auto items = events->items;
    std::sort(items.begin(), items.end(), [](const api::Object& a, const api::Object& b) {
      return a.spec.value("lastTimestamp", "") < b.spec.value("lastTimestamp", "");
    });
    if (items.size() > 20) items.erase(items.begin(), items.end() - 20);
    std::vector<std::vector<std::string>> rows = {{"  Type", "Reason", "Age", "Count", "Message"}};
    for (const auto& e : items) {
      rows.push_back({"  " + e.spec.value("type", ""), e.spec.value("reason", ""),
                      age(e.spec.value("lastTimestamp", "")),
                      std::to_string(e.spec.value("count", 1)), e.spec.value("message", "")});
    }
    printTable(std::cout, rows);
  });
}

}  // namespace decnet::cli
