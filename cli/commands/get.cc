// decnet get KIND [NAME...] [-o wide|yaml|json|name] [-l SELECTOR] [--field-selector] [-w]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <iostream>

#include "api/codec/yaml_codec.h"
#include "api/types/kinds.h"
#include "api/types/selector.h"
#include "cli/context.h"
#include "cli/manifests.h"
#include "cli/printers.h"

namespace decnet::cli {
namespace {

// `single`: one object asked for by name, printed bare; otherwise a List, even when empty
// (scripts parse it), as kubectl prints them.
void printObjects(const api::KindInfo& kind, const std::vector<api::Object>& objects,
                  const std::string& output, bool header, bool single,
                  std::vector<std::size_t>* widths = nullptr) {
  if (output == "json" || output == "yaml") {
    api::Json doc;
    if (single && objects.size() == 1) {
      doc = api::toJson(objects.front());
    } else {
      doc = {{"apiVersion", api::kApiVersion}, {"kind", "List"}, {"items", api::Json::array()}};
      for (const auto& o : objects) doc["items"].push_back(api::toJson(o));
    }
    std::cout << (output == "json" ? doc.dump(2) + "\n" : api::toYaml(doc));
    return;
  }
  if (output == "name") {
    for (const auto& o : objects) std::cout << displayName(o) << "\n";
    return;
  }
  const bool wide = output == "wide";
  std::vector<std::vector<std::string>> rows;
  if (header) rows.push_back(tableHeader(kind, wide));
  for (const auto& o : objects) rows.push_back(tableRow(o, wide));
  printTable(std::cout, rows, widths);
}

}  // namespace

void addGetCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::string kind;
    std::vector<std::string> names;
    std::string output;
    std::string selector;
    std::string fieldSelector;
    bool watch = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("get", "List objects or show one");
  cmd->footer(
      "Kinds: fleets (fl), deckies (dk), nodes (no), events (ev), and attackers (att), which\n"
      "the correlator builds from the decoys' events.\n\n"
      "Examples:\n  decnet get fleets\n  decnet get deckies -o wide -l decnet.io/fleet=corp\n"
      "  decnet get decky corp-01 -o yaml\n  decnet get deckies -w");
  cmd->add_option("kind", options->kind, "fleets | deckies | nodes | events | attackers")
      ->required();
  cmd->add_option("names", options->names, "Object names (all when omitted)");
  cmd->add_option("-o,--output", options->output, "wide | yaml | json | name")
      ->check(CLI::IsMember({"", "wide", "yaml", "json", "name"}));
  cmd->add_option("-l,--selector", options->selector, "Label selector (site=hq,tier!=db)");
  cmd->add_option("--field-selector", options->fieldSelector, "Field selector (spec.node=local)");
  cmd->add_flag("-w,--watch", options->watch, "After listing, print changes as they happen");
  cmd->callback([options, &globals] {
    if (isAttackerKind(options->kind)) return printAttackers(globals, options->output);
    auto kind = api::findKind(options->kind);
    if (!kind) {
      std::cerr << "error: the server doesn't have a resource type \"" << options->kind << "\"\n";
      throw CLI::RuntimeError(kExitError);
    }
    auto client = connect(globals);
    std::vector<api::Object> objects;
    std::int64_t revision = 0;
    if (!options->names.empty()) {
      for (const auto& name : options->names) {
        auto object = client->get({kind->kind, name});
        if (!object) {
          std::cerr << "Error from server (" << errcName(object.error().code)
                    << "): " << object.error().message << "\n";
          throw CLI::RuntimeError(kExitError);
        }
        objects.push_back(*object);
      }
    } else {
      auto list = client->list(kind->kind, {options->selector, options->fieldSelector});
      if (!list) {
        std::cerr << "error: " << describe(list.error()) << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      objects = std::move(list->items);
      revision = list->revision;
      if (kind->kind == "Event") {
        // Oldest first, newest at the bottom where the eye lands (the store sorts by name).
        std::stable_sort(
            objects.begin(), objects.end(), [](const api::Object& a, const api::Object& b) {
              return a.spec.value("lastTimestamp", "") < b.spec.value("lastTimestamp", "");
            });
      }
      if (objects.empty() && !options->watch &&
          (options->output.empty() || options->output == "wide")) {
        std::cerr << "No resources found\n";
        return;
      }
    }
    const bool structured = options->output == "json" || options->output == "yaml";
    // Watch rows keep the columns of what was printed first (the header at least).
    std::vector<std::size_t> widths;
    bool headerShown = !objects.empty();
    if (!headerShown && options->watch) {
      // Nothing listed to size the columns by: give each room for a typical value (names,
      // addresses, hostnames), so the rows that arrive stay under their headers.
      widths.assign(tableHeader(*kind, options->output == "wide").size(), 14);
    }
    if (!objects.empty() || (structured && !options->watch)) {
      printObjects(*kind, objects, options->output, true, options->names.size() == 1, &widths);
    }
    if (!options->watch) return;
    std::cout.flush();
    const std::set<std::string> names(options->names.begin(), options->names.end());
    auto labels = api::LabelSelector::parse(options->selector);
    std::atomic<bool> stop{false};
    while (true) {
      auto result = client->watch(
          kind->kind, revision,
          [&](const api::WatchEvent& event) {
            revision = event.revision;
            if (event.type == api::WatchEvent::Type::kBookmark) return true;
            if (!names.empty() && names.count(event.object.metadata.name) == 0) return true;
            if (labels && !labels->matches(event.object.metadata.labels)) return true;
            api::Object shown = event.object;
            if (event.type == api::WatchEvent::Type::kDeleted) {
              // Marked: a decky's phase says so, other kinds carry it after the name.
              if (shown.kind == "Decky") {
                shown.status["phase"] = "Deleted";
                shown.metadata.deletionTimestamp.clear();
              } else if (options->output.empty() || options->output == "wide") {
                shown.metadata.name += " (deleted)";
              }
            }
            printObjects(*kind, {shown}, options->output, !headerShown, true, &widths);
            headerShown = true;
            std::cout.flush();
            return true;
          },
          stop);
      if (!result) {
        if (result.error().code == Errc::kGone) {
          auto list = client->list(kind->kind, {options->selector, options->fieldSelector});
          if (list) revision = list->revision;
          continue;
        }
        std::cerr << "error: " << describe(result.error()) << "\n";
        throw CLI::RuntimeError(kExitError);
      }
    }
  });
}

}  // namespace decnet::cli
