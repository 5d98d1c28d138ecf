#include "cli/manifests.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

#include "api/codec/yaml_codec.h"
#include "api/types/kinds.h"
#include "api/validation/validate.h"

namespace decnet::cli {
namespace fs = std::filesystem;

namespace {

Result<std::string> readSource(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::kInvalid, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool isManifestFile(const fs::path& path) {
  const auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

}  // namespace

std::string displayName(const api::Object& object) {
  auto info = api::findKind(object.kind);
  return (info ? info->singular : object.kind) + ".decnet.io/" + object.metadata.name;
}

Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths, bool recursive) {
  std::vector<std::string> files;
  std::vector<FieldError> problems;
  for (const auto& path : paths) {
    std::error_code ec;
    if (path != "-" && fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      if (recursive) {
        for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
          if (entry.is_regular_file() && isManifestFile(entry.path()))
            found.push_back(entry.path());
        }
      } else {
        for (const auto& entry : fs::directory_iterator(path, ec)) {
          if (entry.is_regular_file() && isManifestFile(entry.path()))
            found.push_back(entry.path());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (path != "-" && !fs::exists(path, ec)) {
      problems.push_back({path, "no such file or directory"});
    } else {
      files.push_back(path);
    }
  }

  std::vector<Manifest> manifests;
  for (const auto& file : files) {
    auto text = readSource(file);
    if (!text) {
      problems.push_back({file, text.error().message});
      continue;
    }
    const std::string label = file == "-" ? "<stdin>" : file;
    auto documents = api::parseYamlDocuments(*text, label);
    if (!documents) {
      problems.push_back({label, documents.error().message});
      continue;
    }
    int index = 0;
    for (const auto& document : *documents) {
      ++index;
      const std::string source = label + "#" + std::to_string(index);
      // A List of objects (as `get -o yaml` prints) is unpacked.
      std::vector<api::Json> items;
      if (document.is_object() && document.contains("items") && document["items"].is_array() &&
          document.value("kind", "").ends_with("List")) {
        for (const auto& item : document["items"]) items.push_back(item);
      } else {
        items.push_back(document);
      }
      for (const auto& item : items) {
        std::vector<api::ParseIssue> issues;
        auto object = api::fromJson(item, issues);
        if (!object) {
          for (auto& issue : issues) problems.push_back({source + ": " + issue.path, issue.detail});
          continue;
        }
        // Server-owned fields from an exported object must not make it look changed.
        object->metadata.uid.clear();
        object->metadata.resourceVersion = 0;
        object->metadata.generation = 0;
        object->metadata.creationTimestamp.clear();
        object->metadata.deletionTimestamp.clear();
        object->status = api::Json::object();
        for (auto& error : api::validateObject(*object)) {
          problems.push_back(
              {source + " (" + displayName(*object) + "): " + error.path, error.detail});
        }
        manifests.push_back({std::move(*object), source});
      }
    }
  }

  // The set must be consistent in itself: no repeated object, no address used twice.
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<api::Object> fleets, deckies;
  for (const auto& m : manifests) {
    if (!seen.insert({m.object.kind, m.object.metadata.name}).second) {
      problems.push_back({m.source, displayName(m.object) + " appears more than once"});
    }
    if (m.object.kind == "Fleet") fleets.push_back(m.object);
    if (m.object.kind == "Decky") deckies.push_back(m.object);
  }
  if (problems.empty()) {
    for (const auto& m : manifests) {
      if (m.object.kind != "Fleet" && m.object.kind != "Decky") continue;
      for (auto& error : api::validateAgainst(m.object, fleets, deckies)) {
        problems.push_back(
            {m.source + " (" + displayName(m.object) + "): " + error.path, error.detail});
      }
    }
  }
  if (!problems.empty()) {
    const std::string summary =
        std::to_string(problems.size()) + " problem(s) found; nothing was applied";
    return failInvalid(summary, std::move(problems));
  }
  if (manifests.empty()) return fail(Errc::kInvalid, "no objects found in the given files");
  return manifests;
}

}  // namespace decnet::cli
