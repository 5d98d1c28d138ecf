#include "apiserver/routes/openapi.h"

#include "api/schema/crd_catalog.h"
#include "api/types/hash.h"
#include "api/types/kinds.h"
#include "apiserver/error_status.h"

namespace decnet::apiserver {
namespace {

using api::Json;

constexpr const char* kGroupVersionPath = "apis/decnet.io/v1alpha1";
constexpr const char* kObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

std::string schemaName(const std::string& kind) { return "io.decnet.v1alpha1." + kind; }

Json gvk(const std::string& kind) {
  return {{"group", api::kGroup}, {"version", "v1alpha1"}, {"kind", kind}};
}

// The metadata fields a decnet object has, documented as kube-apiserver documents them.
Json objectMetaSchema() {
  const auto text = [](const char* description) {
    return Json{{"type", "string"}, {"description", description}};
  };
  const Json stringMap = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  Json labels = stringMap, annotations = stringMap;
  labels["description"] = "Map of string keys and values that can be used to select objects.";
  annotations["description"] = "Unstructured key value map stored with the object.";
  return {{"type", "object"},
          {"description", "Standard object metadata."},
          {"properties",
           {{"name", text("Name, unique among objects of its kind (cluster-scoped).")},
            {"uid", text("Unique in time and space; set by the server.")},
            {"resourceVersion", text("Opaque version for optimistic concurrency and watches.")},
            {"generation",
             {{"type", "integer"},
              {"format", "int64"},
              {"description", "Bumped on every change of the spec."}}},
            {"creationTimestamp", text("When the object was created (RFC 3339).")},
            {"deletionTimestamp", text("When deletion was requested (RFC 3339).")},
            {"labels", labels},
            {"annotations", annotations},
            {"finalizers", {{"type", "array"}, {"items", {{"type", "string"}}}}},
            {"ownerReferences", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}};
}

// The CRD's schema with metadata typed, tagged with its kind.
Json kindSchema(const api::CrdInfo& crd, const std::string& refPrefix) {
  Json schema = crd.schema;
  if (schema.contains("properties") && schema["properties"].contains("metadata")) {
    schema["properties"]["metadata"] = {{"$ref", refPrefix + kObjectMeta}};
  }
  schema["x-kubernetes-group-version-kind"] = Json::array({gvk(crd.kind)});
  return schema;
}

Json listSchema(const api::CrdInfo& crd, const std::string& refPrefix) {
  return {
      {"type", "object"},
      {"description", crd.listKind + " is a list of " + crd.kind + "."},
      {"required", {"items"}},
      {"properties",
       {{"apiVersion", {{"type", "string"}}},
        {"kind", {{"type", "string"}}},
        {"metadata", {{"type", "object"}}},
        {"items", {{"type", "array"}, {"items", {{"$ref", refPrefix + schemaName(crd.kind)}}}}}}},
      {"x-kubernetes-group-version-kind", Json::array({gvk(crd.listKind)})}};
}

Json queryParameter(const std::string& name, const std::string& description) {
  return {{"name", name},
          {"in", "query"},
          {"description", description},
          {"schema", {{"type", "string"}}},
          {"uniqueItems", true}};
}

// The parameters kubectl looks for before it leaves validation to the server.
Json writeParameters() {
  return Json::array(
      {queryParameter("dryRun", "When present (All), the write is admitted but not persisted."),
       queryParameter("fieldManager", "Name of the actor making the change."),
       queryParameter("fieldValidation",
                      "Ignore, Warn or Strict: how to treat fields the schema does not know. "
                      "decnet always rejects them; Strict reports them as a decoding error.")});
}

Json operation(const std::string& kind, const std::string& action, const std::string& verb,
               const Json& responseSchema, bool writes) {
  Json op = {{"operationId", verb + "DecnetIoV1alpha1" + kind},
             {"x-kubernetes-action", action},
             {"x-kubernetes-group-version-kind", gvk(kind)},
             {"responses",
              {{"200",
                {{"description", "OK"},
                 {"content", {{"application/json", {{"schema", responseSchema}}}}}}}}}};
  if (writes) op["parameters"] = writeParameters();
  return op;
}

Json groupVersionDocument() {
  const std::string ref = "#/components/schemas/";
  Json paths = Json::object(), schemas = Json::object();
  schemas[kObjectMeta] = objectMetaSchema();
  for (const auto& crd : api::crdCatalog()) {
    schemas[schemaName(crd.kind)] = kindSchema(crd, ref);
    schemas[schemaName(crd.listKind)] = listSchema(crd, ref);
    const Json one = {{"$ref", ref + schemaName(crd.kind)}};
    const Json list = {{"$ref", ref + schemaName(crd.listKind)}};
    const std::string base = "/apis/decnet.io/v1alpha1/" + crd.plural;
    Json patch = operation(crd.kind, "patch", "patch", one, true);
    patch["requestBody"] = {
        {"content",
         {{"application/merge-patch+json", {{"schema", {{"type", "object"}}}}},
          {"application/json-patch+json", {{"schema", {{"type", "array"}}}}},
          {"application/strategic-merge-patch+json", {{"schema", {{"type", "object"}}}}}}}};
    Json create = operation(crd.kind, "post", "create", one, true);
    create["requestBody"] = {{"content", {{"application/json", {{"schema", one}}}}}};
    Json replace = operation(crd.kind, "put", "replace", one, true);
    replace["requestBody"] = create["requestBody"];
    const Json name = {
        {"name", "name"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
    paths[base] = {{"get", operation(crd.kind, "list", "list", list, false)}, {"post", create}};
    paths[base + "/{name}"] = {{"parameters", Json::array({name})},
                               {"get", operation(crd.kind, "get", "read", one, false)},
                               {"put", replace},
                               {"patch", patch},
                               {"delete", operation(crd.kind, "delete", "delete", one, true)}};
    Json status = operation(crd.kind, "put", "replaceStatus", one, true);
    status["requestBody"] = create["requestBody"];
    paths[base + "/{name}/status"] = {{"parameters", Json::array({name})},
                                      {"get", operation(crd.kind, "get", "readStatus", one, false)},
                                      {"put", status}};
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "decnet"}, {"version", "v1alpha1"}}},
          {"paths", paths},
          {"components", {{"schemas", schemas}}}};
}

Json swaggerDocument() {
  const std::string ref = "#/definitions/";
  Json definitions = Json::object();
  definitions[kObjectMeta] = objectMetaSchema();
  for (const auto& crd : api::crdCatalog()) {
    definitions[schemaName(crd.kind)] = kindSchema(crd, ref);
    definitions[schemaName(crd.listKind)] = listSchema(crd, ref);
  }
  return {{"swagger", "2.0"},
          {"info", {{"title", "decnet"}, {"version", "v1alpha1"}}},
          {"paths", Json::object()},
          {"definitions", definitions}};
}

// Built once: the CRDs are compiled in.
const std::string& groupVersionText() {
  static const std::string text = groupVersionDocument().dump();
  return text;
}

}  // namespace

std::optional<HttpResponse> serveOpenApi(const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/openapi/v3" || path == "/openapi/v3/") {
    // kubectl fetches each group-version by this URL; the hash changes with the document.
    const std::string url = std::string("/openapi/v3/") + kGroupVersionPath +
                            "?hash=" + stableHashHex(groupVersionText());
    return jsonResponse({{"paths", {{kGroupVersionPath, {{"serverRelativeURL", url}}}}}});
  }
  if (path == std::string("/openapi/v3/") + kGroupVersionPath) {
    HttpResponse response;
    response.body = groupVersionText();
    return response;
  }
  if (path.rfind("/openapi/v3/", 0) == 0) {
    return errorResponse(Error{Errc::kNotFound, "no OpenAPI document for " + path, {}});
  }
  if (path == "/openapi/v2") {
    // JSON only: kubectl's protobuf-only request gets 406 and falls back as it does for
    // servers without v2.
    const std::string accept = request.header("accept");
    if (!accept.empty() && accept.find("json") == std::string::npos &&
        accept.find("*/*") == std::string::npos) {
      HttpResponse refused = errorResponse(
          Error{Errc::kUnsupportedMediaType, "/openapi/v2 is served as application/json", {}});
      refused.status = 406;
      return refused;
    }
    static const std::string text = swaggerDocument().dump();
    HttpResponse response;
    response.body = text;
    return response;
  }
  return std::nullopt;
}

}  // namespace decnet::apiserver
