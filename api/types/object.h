#pragma once
// The generic API object: typed metadata, untyped spec and status documents (like Kubernetes'
// unstructured objects). Typed views of a spec live beside the code that needs them.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace decnet::api {

using Json = nlohmann::json;

inline constexpr const char* kApiVersion = "decnet.io/v1alpha1";
inline constexpr const char* kGroup = "decnet.io";

// Cluster-scoped: a kind and a name identify an object.
struct ObjectKey {
  std::string kind;  // "Fleet"
  std::string name;
  auto operator<=>(const ObjectKey&) const = default;
  std::string str() const { return kind + "/" + name; }
};

struct OwnerReference {
  std::string apiVersion = kApiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = true;
  bool operator==(const OwnerReference&) const = default;
};

struct ObjectMeta {
  std::string name;
  std::string uid;
  std::int64_t resourceVersion = 0;  // 0: unset
  std::int64_t generation = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> ownerReferences;
  std::vector<std::string> finalizers;
  std::string creationTimestamp;  // RFC 3339
  std::string deletionTimestamp;  // empty: not being deleted
  // metadata.managedFields as sent (server-side apply's field owners, FieldsV1); null: none.
  // The API server maintains it; the store keeps the stored one when a write leaves it null.
  Json managedFields;
};

struct Object {
  std::string apiVersion = kApiVersion;
  std::string kind;
  ObjectMeta metadata;
  Json spec = Json::object();
  Json status = Json::object();

  ObjectKey key() const { return {kind, metadata.name}; }
  bool deleting() const { return !metadata.deletionTimestamp.empty(); }
  const OwnerReference* controllerOwner() const;
  bool hasFinalizer(const std::string& name) const;
};

// Object <-> JSON in the wire shape. Event objects keep their fields at the top level.
Json toJson(const Object& object);
// Fails with kInvalid (with field paths) when the document is not an object shape.
struct ParseIssue {
  std::string path;
  std::string detail;
};
std::optional<Object> fromJson(const Json& document, std::vector<ParseIssue>& issues);

}  // namespace decnet::api
