#include "apiserver/routes/field_manager.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace decnet::apiserver {
namespace {

using api::Json;
using Path = std::vector<std::string>;  // {"metadata", "labels", "app"}
using FieldSet = std::set<Path>;        // sorted, so a path comes right before its descendants

// Deeper values count as one field: only hostile input nests this far, and every walk recurses.
constexpr std::size_t kMaxDepth = 64;
const std::string kApply = "Apply";
const std::string kUpdate = "Update";

struct Manager {
  std::string name;
  std::string operation;
  std::string apiVersion;
  std::string time;  // "" when the entry had none
  FieldSet fields;
};

struct Changes {
  FieldSet changed;  // added or given another value
  FieldSet removed;
};

bool isTracked(const Path& path) {
  if (path.empty() || path[0] == "apiVersion" || path[0] == "kind" || path[0] == "status") {
    return false;
  }
  return path[0] != "metadata" ||
         (path.size() > 1 && (path[1] == "labels" || path[1] == "annotations"));
}

// The subtrees ownership covers: every top-level field but the excluded ones, and metadata's
// labels and annotations (the rest of metadata belongs to the server).
std::vector<std::pair<Path, const Json*>> trackedRoots(const Json& object) {
  std::vector<std::pair<Path, const Json*>> roots;
  if (!object.is_object()) return roots;
  for (const auto& [key, value] : object.items()) {
    if (key != "metadata") {
      if (isTracked({key})) roots.push_back({{key}, &value});
      continue;
    }
    if (!value.is_object()) continue;
    for (const char* map : {"annotations", "labels"}) {
      if (auto it = value.find(map); it != value.end()) roots.push_back({{key, map}, &*it});
    }
  }
  return roots;
}

bool isLeaf(const Json& value, const Path& path) {
  return !value.is_object() || value.empty() || path.size() >= kMaxDepth;
}

void collectLeaves(const Json& value, Path& path, FieldSet& out) {
  if (isLeaf(value, path)) {
    out.insert(path);
    return;
  }
  for (const auto& [key, child] : value.items()) {
    path.push_back(key);
    collectLeaves(child, path, out);
    path.pop_back();
  }
}

FieldSet trackedLeaves(const Json& object) {
  FieldSet leaves;
  for (auto [path, value] : trackedRoots(object)) collectLeaves(*value, path, leaves);
  return leaves;
}

// Deep equality without recursion, so nesting depth cannot exhaust the stack.
bool sameValue(const Json& a, const Json& b) {
  std::vector<std::pair<const Json*, const Json*>> pending{{&a, &b}};
  while (!pending.empty()) {
    auto [x, y] = pending.back();
    pending.pop_back();
    if (x->is_object() && y->is_object()) {
      if (x->size() != y->size()) return false;
      for (const auto& [key, child] : x->items()) {
        auto it = y->find(key);
        if (it == y->end()) return false;
        pending.push_back({&child, &*it});
      }
    } else if (x->is_array() && y->is_array()) {
      if (x->size() != y->size()) return false;
      for (std::size_t i = 0; i < x->size(); ++i) pending.push_back({&(*x)[i], &(*y)[i]});
    } else if (x->is_structured() || y->is_structured() || *x != *y) {
      return false;
    }
  }
  return true;
}

// Objects are compared key by key; two empty objects, lists and scalars are single fields.
void diffValues(const Json* before, const Json* after, Path& path, Changes& out) {
  if (!before || !after) {
    if (before) collectLeaves(*before, path, out.removed);
    if (after) collectLeaves(*after, path, out.changed);
    return;
  }
  const bool walk = before->is_object() && after->is_object() && path.size() < kMaxDepth &&
                    !(before->empty() && after->empty());
  if (walk) {
    auto visit = [&](const std::string& key, const Json* was, const Json* is) {
      path.push_back(key);
      diffValues(was, is, path, out);
      path.pop_back();
    };
    for (const auto& [key, child] : before->items()) {
      auto it = after->find(key);
      visit(key, &child, it == after->end() ? nullptr : &*it);
    }
    for (const auto& [key, child] : after->items()) {
      if (!before->contains(key)) visit(key, nullptr, &child);
    }
    return;
  }
  if (sameValue(*before, *after)) return;
  if (isLeaf(*before, path) && isLeaf(*after, path)) {
    out.changed.insert(path);
    return;
  }
  // A value that changed shape: its old fields are gone and its new ones are new.
  collectLeaves(*before, path, out.removed);
  collectLeaves(*after, path, out.changed);
}

Changes diffObjects(const Json& before, const Json& after) {
  std::map<Path, std::pair<const Json*, const Json*>> roots;
  for (const auto& [path, value] : trackedRoots(before)) roots[path].first = value;
  for (const auto& [path, value] : trackedRoots(after)) roots[path].second = value;
  Changes changes;
  for (const auto& [root, values] : roots) {
    Path path = root;
    diffValues(values.first, values.second, path, changes);
  }
  return changes;
}

void decodeFields(const Json& node, Path& path, FieldSet& out) {
  for (const auto& [key, child] : node.items()) {
    if (key == ".") {
      if (!path.empty()) out.insert(path);
      continue;
    }
    // List item keys ("k:", "v:", "i:") do not occur with atomic lists; they are skipped.
    if (!child.is_object() || key.size() < 2 || key.compare(0, 2, "f:") != 0) continue;
    path.push_back(key.substr(2));
    if (child.empty() || path.size() >= kMaxDepth) {
      out.insert(path);
    } else {
      decodeFields(child, path, out);
    }
    path.pop_back();
  }
}

Json encodeFields(const FieldSet& fields) {
  Json root = Json::object();
  for (const Path& path : fields) {
    Json* node = &root;
    for (std::size_t i = 0; i < path.size(); ++i) {
      auto [it, inserted] = node->emplace("f:" + path[i], Json::object());
      node = &*it;
      // An owned field that also has owned children keeps its own ownership under ".", as
      // FieldsV1 spells it (the set is sorted, so the field came first and is still empty).
      if (!inserted && node->empty() && i + 1 < path.size()) (*node)["."] = Json::object();
    }
  }
  return root;
}

bool readText(const Json& entry, const char* key, std::string& out) {
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

std::optional<Manager> decodeEntry(const Json& entry) {
  if (!entry.is_object()) return std::nullopt;
  Manager manager;
  std::string fieldsType = "FieldsV1";
  if (!readText(entry, "manager", manager.name) ||
      !readText(entry, "operation", manager.operation) ||
      !readText(entry, "apiVersion", manager.apiVersion) ||
      !readText(entry, "time", manager.time) || !readText(entry, "fieldsType", fieldsType)) {
    return std::nullopt;
  }
  if (manager.name.empty() || (manager.operation != kApply && manager.operation != kUpdate) ||
      fieldsType != "FieldsV1") {
    return std::nullopt;
  }
  if (auto fields = entry.find("fieldsV1"); fields != entry.end() && !fields->is_null()) {
    if (!fields->is_object()) return std::nullopt;
    Path path;
    decodeFields(*fields, path, manager.fields);
  }
  return manager;
}

// The entry of (manager, operation), appended from `added` when there is none.
std::size_t findOrAdd(std::vector<Manager>& managers, Manager added) {
  for (std::size_t i = 0; i < managers.size(); ++i) {
    const Manager& known = managers[i];
    if (known.name == added.name && known.operation == added.operation) return i;
  }
  managers.push_back(std::move(added));
  return managers.size() - 1;
}

// Well-formed entries in their order; a repeated (manager, operation) joins the first one.
std::vector<Manager> decodeManagers(const Json* entries) {
  std::vector<Manager> managers;
  if (!entries || !entries->is_array()) return managers;
  for (const Json& entry : *entries) {
    if (auto manager = decodeEntry(entry)) {
      FieldSet fields = manager->fields;
      managers[findOrAdd(managers, std::move(*manager))].fields.merge(fields);
    }
  }
  return managers;
}

Json encodeManagers(const std::vector<Manager>& managers) {
  Json entries = Json::array();
  for (const Manager& manager : managers) {
    if (manager.fields.empty()) continue;
    Json entry = {{"manager", manager.name},
                  {"operation", manager.operation},
                  {"fieldsType", "FieldsV1"},
                  {"fieldsV1", encodeFields(manager.fields)}};
    if (!manager.apiVersion.empty()) entry["apiVersion"] = manager.apiVersion;
    if (!manager.time.empty()) entry["time"] = manager.time;
    entries.push_back(std::move(entry));
  }
  return entries;
}

const Json* managedFieldsOf(const Json& object) {
  if (!object.is_object()) return nullptr;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  auto entries = metadata->find("managedFields");
  return entries == metadata->end() || entries->is_null() ? nullptr : &*entries;
}

// kube-apiserver omits an empty managedFields; `object` is an object.
void storeManagedFields(Json& object, Json entries) {
  auto metadata = object.find("metadata");
  if (entries.empty()) {
    if (metadata != object.end() && metadata->is_object()) metadata->erase("managedFields");
    return;
  }
  Json& slot = object["metadata"];
  if (!slot.is_object()) slot = Json::object();
  slot["managedFields"] = std::move(entries);
}

void subtract(FieldSet& fields, const FieldSet& gone) {
  for (const Path& path : gone) fields.erase(path);
}

// Config's values over live's: objects merge key by key, anything else (lists too) is replaced.
void mergeInto(Json& target, const Json& config, std::size_t depth) {
  if (!target.is_object() || !config.is_object() || depth >= kMaxDepth) {
    target = config;
    return;
  }
  for (const auto& [key, value] : config.items()) mergeInto(target[key], value, depth + 1);
}

Json& slotAt(Json& root, const Path& path) {
  Json* node = &root;
  for (const std::string& key : path) {
    if (!node->is_object()) *node = Json::object();
    node = &(*node)[key];
  }
  return *node;
}

void eraseAt(Json& root, const Path& path) {
  Json* node = &root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    if (!node->is_object()) return;
    auto it = node->find(path[i]);
    if (it == node->end()) return;
    node = &*it;
  }
  if (node->is_object()) node->erase(path.back());
}

bool hasDescendantOrSelf(const FieldSet& fields, const Path& path) {
  auto it = fields.lower_bound(path);
  return it != fields.end() && it->size() >= path.size() &&
         std::equal(path.begin(), path.end(), it->begin());
}

// Drops what this manager applied last time and no longer sets, unless the new config or another
// manager still owns it or a field below it.
void pruneDropped(Json& object, const FieldSet& previous, const FieldSet& applied,
                  const std::vector<Manager>& managers, std::size_t self) {
  FieldSet others;
  for (std::size_t i = 0; i < managers.size(); ++i) {
    if (i != self) others.insert(managers[i].fields.begin(), managers[i].fields.end());
  }
  for (const Path& path : previous) {
    if (isTracked(path) && !hasDescendantOrSelf(applied, path) &&
        !hasDescendantOrSelf(others, path)) {
      eraseAt(object, path);
    }
  }
}

std::string quoted(const std::string& text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// kube-apiserver's printManager: an Update owner names its apiVersion, an Apply owner does not.
std::string describeManager(const Manager& manager) {
  std::string text = quoted(manager.name);
  if (manager.operation == kUpdate) text += " using " + manager.apiVersion;
  return text;
}

// Sorts as kube-apiserver's encoded manager identifier ({"manager":..,"operation":..,..}) does.
std::string managerOrder(const Manager& manager) {
  return quoted(manager.name) + quoted(manager.operation) + manager.apiVersion;
}

std::string dottedPath(const Path& path) {
  std::string text;
  for (const std::string& key : path) text += "." + key;
  return text;
}

// By managerOrder: how kube-apiserver prints the manager, and the contested paths.
using Conflicts = std::map<std::string, std::pair<std::string, std::vector<Path>>>;

Error conflictError(const Conflicts& owners) {
  Error error{Errc::kConflict, "", {}};
  std::string lines;
  for (const auto& [id, owner] : owners) {
    const auto& [who, paths] = owner;
    lines += (lines.empty() ? "" : "\n") + std::string("conflicts with ") + who + ":";
    for (const Path& path : paths) {
      lines += "\n- " + dottedPath(path);
      error.fields.push_back({dottedPath(path), "conflict with " + who});
    }
  }
  if (error.fields.size() == 1) {
    error.message =
        "Apply failed with 1 conflict: " + error.fields[0].detail + ": " + error.fields[0].path;
  } else {
    error.message =
        "Apply failed with " + std::to_string(error.fields.size()) + " conflicts: " + lines;
  }
  return error;
}

Result<Json> applyChecked(const Json& live, const Json& config, const FieldManagerWrite& write,
                          bool force) {
  if (!config.is_object())
    return fail(Errc::kTerminal, "the apply configuration must be an object");
  if (managedFieldsOf(config)) return fail(Errc::kTerminal, "metadata.managedFields must be nil");
  const bool exists = live.is_object();
  std::vector<Manager> managers = decodeManagers(exists ? managedFieldsOf(live) : nullptr);
  const std::size_t count = managers.size();
  const std::size_t self =
      findOrAdd(managers, {write.manager, kApply, write.apiVersion, write.time, {}});
  const bool known = self < count;
  const FieldSet applied = trackedLeaves(config);

  Json result = exists ? live : config;
  if (exists) {
    for (const auto& [path, value] : trackedRoots(config)) {
      mergeInto(slotAt(result, path), *value, path.size());
    }
    pruneDropped(result, managers[self].fields, applied, managers, self);
  }
  Changes changes = diffObjects(exists ? live : Json(), result);
  FieldSet touched = std::move(changes.changed);
  touched.insert(changes.removed.begin(), changes.removed.end());

  Conflicts conflicts;
  for (std::size_t i = 0; i < managers.size(); ++i) {
    if (i == self) continue;
    for (const Path& path : managers[i].fields) {
      if (!touched.contains(path)) continue;
      auto& owner = conflicts[managerOrder(managers[i])];
      owner.first = describeManager(managers[i]);
      owner.second.push_back(path);
    }
  }
  if (!conflicts.empty() && !force) return tl::unexpected(conflictError(conflicts));

  for (std::size_t i = 0; i < managers.size(); ++i) {
    if (i != self) subtract(managers[i].fields, touched);
  }
  Manager& applier = managers[self];
  applier.fields = applied;
  applier.apiVersion = write.apiVersion;
  // As kube-apiserver: the time moves only when the apply changed the object.
  if (!known || !touched.empty()) applier.time = write.time;
  storeManagedFields(result, encodeManagers(managers));
  return result;
}

}  // namespace

Json fieldsOf(const Json& config) { return encodeFields(trackedLeaves(config)); }

Result<Json> applyConfiguration(const Json& live, const Json& config,
                                const FieldManagerWrite& write, bool force) {
  try {
    return applyChecked(live, config, write, force);
  } catch (const std::exception& e) {
    return fail(Errc::kInternal, std::string("server-side apply failed: ") + e.what());
  }
}

Json recordUpdate(const Json& before, Json after, const FieldManagerWrite& write) {
  if (!after.is_object()) return after;
  std::vector<Manager> managers;
  const Json* sent = managedFieldsOf(after);
  const bool reset = sent && sent->is_array() &&
                     (sent->empty() || (sent->size() == 1 && *sent->begin() == Json::object()));
  if (!reset) {
    managers = decodeManagers(sent);
    if (managers.empty()) managers = decodeManagers(managedFieldsOf(before));
  }
  Changes changes = diffObjects(before, after);
  for (Manager& manager : managers) {
    subtract(manager.fields, changes.removed);
    subtract(manager.fields, changes.changed);
  }
  if (!changes.changed.empty()) {
    Manager& updater =
        managers[findOrAdd(managers, {write.manager, kUpdate, write.apiVersion, write.time, {}})];
    updater.fields.insert(changes.changed.begin(), changes.changed.end());
    updater.apiVersion = write.apiVersion;
    updater.time = write.time;
  }
  storeManagedFields(after, encodeManagers(managers));
  return after;
}

}  // namespace decnet::apiserver
