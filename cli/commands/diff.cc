// decnet diff -f FILE: what apply would change, as a unified diff. Exit 0: no change,
// 1: changes, >1: error (like kubectl diff and diff(1)).
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/codec/yaml_codec.h"
#include "cli/apply_logic.h"
#include "cli/context.h"

namespace decnet::cli {
namespace {

// What a diff shows of an object: the fields a user manages, without bookkeeping.
std::string render(const api::Object* object) {
  if (object == nullptr) return "";
  api::Object copy = *object;
  copy.metadata.annotations.erase(kLastAppliedAnnotation);
  api::Json json = api::toJson(copy);
  json.erase("status");
  auto& meta = json["metadata"];
  for (const char* key : {"uid", "resourceVersion", "generation", "creationTimestamp"})
    meta.erase(key);
  return api::toYaml(json);
}

}  // namespace

void addDiffCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::vector<std::string> files;
    bool recursive = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("diff", "Show what apply would change (exit 1 when it would)");
  cmd->footer(
      "A unified diff of the live objects against what the server would store after apply\n"
      "(a server-side dry run). Exit 0: no changes; 1: changes; >1: an error.\n\nExamples:\n"
      "  decnet diff -f fleet.yaml\n  decnet diff -R -f fleets/ && echo up to date");
  cmd->add_option("-f,--filename", options->files, "File, directory or - for stdin")->required();
  cmd->add_flag("-R,--recursive", options->recursive, "Descend into directories");
  cmd->callback([options, &globals] {
    auto manifests = loadManifests(options->files, options->recursive);
    if (!manifests) {
      std::cerr << "error: " << describe(manifests.error()) << "\n";
      throw CLI::RuntimeError(2);
    }
    auto client = connect(globals);
    namespace fs = std::filesystem;
    char pattern[] = "/tmp/decnet-diff-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      std::cerr << "error: cannot create a temporary directory\n";
      throw CLI::RuntimeError(2);
    }
    const fs::path dir(pattern);
    int code = 0;
    for (const auto& m : *manifests) {
      auto current = client->get(m.object.key());
      if (!current && current.error().code != Errc::kNotFound) {
        std::cerr << "error: " << describe(current.error()) << "\n";
        fs::remove_all(dir);
        throw CLI::RuntimeError(2);
      }
      const api::Object* live = current ? &*current : nullptr;
      const api::Object merged = mergeForApply(live, m.object);
      const std::string name = displayName(m.object);
      std::ofstream(dir / "live") << render(live);
      std::ofstream(dir / "merged") << render(&merged);
      std::cout.flush();
      // diff(1) does the rendering, as kubectl diff does.
      const std::string command = "diff -u -N --label 'live/" + name + "' --label 'merged/" + name +
                                  "' " + (dir / "live").string() + " " + (dir / "merged").string();
      const int status = std::system(command.c_str());
      const int one = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
      code = std::max(code, one);
    }
    fs::remove_all(dir);
    if (code != 0) throw CLI::RuntimeError(code > 1 ? 2 : 1);
  });
}

}  // namespace decnet::cli
