#include "api/types/object.h"

#include <algorithm>

namespace decnet::api {
namespace {

// Kinds whose payload sits at the top level of the wire object instead of under spec/status.
bool isFlatKind(const std::string& kind) { return kind == "Event"; }

Json metaToJson(const ObjectMeta& meta) {
  Json out = Json::object();
  out["name"] = meta.name;
  if (!meta.uid.empty()) out["uid"] = meta.uid;
  if (meta.resourceVersion > 0) out["resourceVersion"] = std::to_string(meta.resourceVersion);
  if (meta.generation > 0) out["generation"] = meta.generation;
  if (!meta.labels.empty()) out["labels"] = meta.labels;
  if (!meta.annotations.empty()) out["annotations"] = meta.annotations;
  if (!meta.ownerReferences.empty()) {
    Json refs = Json::array();
    for (const auto& ref : meta.ownerReferences) {
      refs.push_back({{"apiVersion", ref.apiVersion},
                      {"kind", ref.kind},
                      {"name", ref.name},
                      {"uid", ref.uid},
                      {"controller", ref.controller}});
    }
    out["ownerReferences"] = refs;
  }
  if (!meta.finalizers.empty()) out["finalizers"] = meta.finalizers;
  if (!meta.creationTimestamp.empty()) out["creationTimestamp"] = meta.creationTimestamp;
  if (!meta.deletionTimestamp.empty()) out["deletionTimestamp"] = meta.deletionTimestamp;
  if (meta.managedFields.is_array() && !meta.managedFields.empty()) {
    out["managedFields"] = meta.managedFields;
  }
  return out;
}

// Reads a map<string,string>; non-string values are reported, not coerced.
void readStringMap(const Json& in, const std::string& path, std::map<std::string, std::string>& out,
                   std::vector<ParseIssue>& issues) {
  if (in.is_null()) return;
  if (!in.is_object()) {
    issues.push_back({path, "must be a map of strings"});
    return;
  }
  for (const auto& [key, value] : in.items()) {
    if (!value.is_string()) {
      issues.push_back({path + "." + key, "must be a string"});
      continue;
    }
    out[key] = value.get<std::string>();
  }
}

std::string readString(const Json& parent, const char* key, const std::string& path,
                       std::vector<ParseIssue>& issues) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return {};
  if (!it->is_string()) {
    issues.push_back({path + "." + key, "must be a string"});
    return {};
  }
  return it->get<std::string>();
}

ObjectMeta metaFromJson(const Json& in, std::vector<ParseIssue>& issues) {
  ObjectMeta meta;
  const std::string path = "metadata";
  meta.name = readString(in, "name", path, issues);
  meta.uid = readString(in, "uid", path, issues);
  if (auto it = in.find("resourceVersion"); it != in.end() && !it->is_null()) {
    if (it->is_string() && !it->get<std::string>().empty()) {
      try {
        meta.resourceVersion = std::stoll(it->get<std::string>());
      } catch (...) {
        issues.push_back({path + ".resourceVersion", "must be a decimal revision"});
      }
    } else if (it->is_number_integer()) {
      meta.resourceVersion = it->get<std::int64_t>();
    }
  }
  if (auto it = in.find("generation"); it != in.end() && it->is_number_integer()) {
    meta.generation = it->get<std::int64_t>();
  }
  if (auto it = in.find("labels"); it != in.end())
    readStringMap(*it, path + ".labels", meta.labels, issues);
  if (auto it = in.find("annotations"); it != in.end()) {
    readStringMap(*it, path + ".annotations", meta.annotations, issues);
  }
  if (auto it = in.find("ownerReferences"); it != in.end() && it->is_array()) {
    for (const auto& ref : *it) {
      if (!ref.is_object()) continue;
      OwnerReference owner;
      owner.apiVersion = ref.value("apiVersion", std::string(kApiVersion));
      owner.kind = ref.value("kind", "");
      owner.name = ref.value("name", "");
      owner.uid = ref.value("uid", "");
      owner.controller = ref.value("controller", false);
      meta.ownerReferences.push_back(owner);
    }
  }
  if (auto it = in.find("managedFields"); it != in.end() && it->is_array()) {
    meta.managedFields = *it;
  }
  if (auto it = in.find("finalizers"); it != in.end() && it->is_array()) {
    for (const auto& f : *it) {
      if (f.is_string()) meta.finalizers.push_back(f.get<std::string>());
    }
  }
  meta.creationTimestamp = readString(in, "creationTimestamp", path, issues);
  meta.deletionTimestamp = readString(in, "deletionTimestamp", path, issues);
  return meta;
}

}  // namespace

const OwnerReference* Object::controllerOwner() const {
  for (const auto& ref : metadata.ownerReferences) {
    if (ref.controller) return &ref;
  }
  return nullptr;
}

bool Object::hasFinalizer(const std::string& name) const {
  return std::find(metadata.finalizers.begin(), metadata.finalizers.end(), name) !=
         metadata.finalizers.end();
}

Json toJson(const Object& object) {
  Json out = Json::object();
  out["apiVersion"] = object.apiVersion;
  out["kind"] = object.kind;
  out["metadata"] = metaToJson(object.metadata);
  if (isFlatKind(object.kind)) {
    if (object.spec.is_object()) {
      for (const auto& [key, value] : object.spec.items()) out[key] = value;
    }
    return out;
  }
  out["spec"] = object.spec.is_null() ? Json::object() : object.spec;
  if (!object.status.is_null() && !object.status.empty()) out["status"] = object.status;
  return out;
}

std::optional<Object> fromJson(const Json& document, std::vector<ParseIssue>& issues) {
  if (!document.is_object()) {
    issues.push_back({"", "document must be a map"});
    return std::nullopt;
  }
  Object object;
  const std::size_t before = issues.size();
  object.apiVersion = readString(document, "apiVersion", "", issues);
  object.kind = readString(document, "kind", "", issues);
  if (object.apiVersion.empty()) issues.push_back({"apiVersion", "required"});
  if (object.kind.empty()) issues.push_back({"kind", "required"});
  auto meta = document.find("metadata");
  if (meta == document.end() || !meta->is_object()) {
    issues.push_back({"metadata", "required map"});
  } else {
    object.metadata = metaFromJson(*meta, issues);
  }
  if (isFlatKind(object.kind)) {
    object.spec = Json::object();
    for (const auto& [key, value] : document.items()) {
      if (key != "apiVersion" && key != "kind" && key != "metadata") object.spec[key] = value;
    }
  } else {
    if (auto spec = document.find("spec"); spec != document.end() && !spec->is_null()) {
      if (!spec->is_object()) {
        issues.push_back({"spec", "must be a map"});
      } else {
        object.spec = *spec;
      }
    }
    if (auto status = document.find("status"); status != document.end() && !status->is_null()) {
      if (!status->is_object()) {
        issues.push_back({"status", "must be a map"});
      } else {
        object.status = *status;
      }
    }
  }
  if (issues.size() != before) return std::nullopt;
  return object;
}

}  // namespace decnet::api
