#include "apiserver/routes/objects.h"

#include "api/codec/yaml_codec.h"
#include "api/validation/validate.h"
#include "apiserver/error_status.h"
#include "apiserver/routes/tables.h"

namespace decnet::apiserver {
namespace {

using api::Json;

// kube-apiserver's own limit is 3 MiB; a fleet manifest is a few KiB.
constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;
// Deeper documents are rejected before parsing: the parser and every later copy recurse.
constexpr int kMaxNesting = 64;
const std::string kApiPrefix = "/apis/decnet.io/v1alpha1/";

bool nestingWithin(const std::string& text, int limit) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
      continue;
    }
    if (c == '"')
      quoted = true;
    else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// The media type without parameters, lower-cased: "application/json".
std::string mediaType(const HttpRequest& request) {
  std::string type = request.header("content-type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

// RFC 7234 warn-text: a quoted string, as kube-apiserver sends admission warnings (code 299).
std::string warningHeader(const std::vector<std::string>& warnings) {
  std::string header;
  for (const auto& warning : warnings) {
    std::string quoted;
    for (char c : warning) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += (c == '\r' || c == '\n') ? ' ' : c;
    }
    header += (header.empty() ? "" : ", ") + std::string("299 - \"") + quoted + "\"";
  }
  return header;
}

HttpResponse objectResponse(const api::Object& object, int status,
                            const std::vector<std::string>& warnings = {}) {
  HttpResponse response = jsonResponse(api::toJson(object), status);
  if (!warnings.empty()) response.headers.emplace_back("Warning", warningHeader(warnings));
  return response;
}

Json listBody(const api::KindInfo& kind, const api::ObjectList& list) {
  Json items = Json::array();
  for (const auto& object : list.items) items.push_back(api::toJson(object));
  return {{"apiVersion", api::kApiVersion},
          {"kind", kind.kind + "List"},
          {"metadata", {{"resourceVersion", std::to_string(list.revision)}}},
          {"items", items}};
}

// The body as a JSON document: bounded in size and depth; JSON or YAML by Content-Type.
Result<Json> readDocument(const HttpRequest& request, bool yamlAllowed) {
  if (request.body.size() > kMaxBodyBytes) {
    return fail(Errc::kTooLarge, "the request body is larger than " +
                                     std::to_string(kMaxBodyBytes / (1024 * 1024)) + " MiB");
  }
  const std::string type = mediaType(request);
  const bool yaml = type == "application/yaml" || type == "application/apply-patch+yaml";
  if (yaml && yamlAllowed) {
    auto documents = api::parseYamlDocuments(request.body, "request body");
    if (!documents) return fail(Errc::kTerminal, documents.error().message);
    if (documents->size() != 1) {
      return fail(Errc::kTerminal, "the request body must hold exactly one YAML document");
    }
    return documents->front();
  }
  if (!nestingWithin(request.body, kMaxNesting)) {
    return fail(Errc::kTerminal,
                "request body nests deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  Json document = Json::parse(request.body, nullptr, false);
  if (document.is_discarded()) return fail(Errc::kTerminal, "request body is not valid JSON");
  return document;
}

// A whole object from a POST or PUT body, checked against the URL.
Result<api::Object> readObject(const HttpRequest& request, const api::KindInfo& kind,
                               const std::string& name) {
  const std::string type = mediaType(request);
  if (!type.empty() && type != "application/json" && type != "application/yaml") {
    return fail(Errc::kUnsupportedMediaType, "the body of a " + request.method +
                                                 " must be application/json or "
                                                 "application/yaml, not " +
                                                 type);
  }
  auto document = readDocument(request, true);
  if (!document) return tl::unexpected(document.error());
  std::vector<api::ParseIssue> issues;
  auto object = api::fromJson(*document, issues);
  if (!object) {
    std::vector<FieldError> fields;
    for (auto& issue : issues) fields.push_back({issue.path, issue.detail});
    return failInvalid(kind.kind + " is invalid", std::move(fields));
  }
  if (object->kind != kind.kind) {
    return fail(Errc::kTerminal, "the body's kind \"" + object->kind +
                                     "\" does not match the URL (" + kind.plural + ")");
  }
  if (!name.empty() && object->metadata.name != name) {
    return fail(Errc::kTerminal, "the name in the body (\"" + object->metadata.name +
                                     "\") does not match the URL (\"" + name + "\")");
  }
  return *object;
}

// The live object with `patch` applied, as the API server applies each patch type.
Result<Json> applyPatch(const std::string& type, const Json& live, const Json& patch) {
  if (type == "application/merge-patch+json" || type == "application/strategic-merge-patch+json") {
    // Custom resources have no patch strategies: a strategic merge is a JSON merge patch,
    // as kube-apiserver treats it for them (lists are replaced whole).
    if (!patch.is_object()) return fail(Errc::kTerminal, "a merge patch must be a JSON object");
    Json patched = live;
    patched.merge_patch(patch);
    return patched;
  }
  if (type == "application/json-patch+json") {
    if (!patch.is_array()) {
      return fail(Errc::kTerminal, "a JSON patch must be an array of operations");
    }
    try {
      return live.patch(patch);
    } catch (const std::exception& e) {
      return fail(Errc::kInvalid, std::string("the JSON patch does not apply: ") + e.what());
    }
  }
  return fail(Errc::kUnsupportedMediaType,
              "PATCH takes application/merge-patch+json, application/json-patch+json or "
              "application/strategic-merge-patch+json, not " +
                  (type.empty() ? std::string("no Content-Type") : type));
}

// A write admission refused. With fieldValidation=Strict (kubectl's default) unknown fields are
// reported as kube-apiserver's strict decoder reports them: 400 BadRequest naming each path.
// Other problems, and every problem for clients that do not ask, stay 422 Invalid with causes.
HttpResponse writeFailure(const HttpRequest& request, const Error& error, const api::KindInfo& kind,
                          const std::string& name) {
  if (error.code == Errc::kInvalid && request.param("fieldValidation") == "Strict") {
    std::string unknown;
    for (const auto& field : error.fields) {
      if (field.detail.rfind("unknown field", 0) != 0) continue;
      unknown +=
          (unknown.empty() ? "" : ", ") + std::string("unknown field \"") + field.path + "\"";
    }
    if (!unknown.empty()) {
      return errorResponse(Error{Errc::kTerminal,
                                 kind.kind + " in version \"v1alpha1\" cannot be handled as a " +
                                     kind.kind + ": strict decoding error: " + unknown,
                                 {}},
                           kind.singular, name);
    }
  }
  return errorResponse(error, kind.singular, name);
}

}  // namespace

std::optional<ResourcePath> parseResourcePath(const std::string& path) {
  if (path.rfind(kApiPrefix, 0) != 0) return std::nullopt;
  std::vector<std::string> parts;
  std::size_t start = kApiPrefix.size();
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  auto kind = api::findKind(parts[0]);
  if (!kind || kind->plural != parts[0]) return std::nullopt;
  ResourcePath resource{*kind, parts.size() > 1 ? parts[1] : "", parts.size() > 2 ? parts[2] : ""};
  return resource;
}

Result<std::optional<WatchRequest>> watchRequested(const HttpRequest& request,
                                                   const ResourcePath& path) {
  const std::string watch = request.param("watch");
  if (request.method != "GET" || !path.name.empty() || (watch != "true" && watch != "1")) {
    return std::optional<WatchRequest>{};
  }
  WatchRequest result{path.kind.kind, -1};
  const std::string version = request.param("resourceVersion");
  // "" and "0" both mean "from now" (kubectl sends 0 after a list it did not make).
  if (!version.empty() && version != "0") {
    try {
      std::size_t used = 0;
      result.revision = std::stoll(version, &used);
      if (used != version.size()) throw std::invalid_argument(version);
    } catch (...) {
      return fail(Errc::kTerminal, "resourceVersion must be a number");
    }
  }
  return std::optional<WatchRequest>{result};
}

HttpResponse ObjectRoutes::serve(const HttpRequest& request, const ResourcePath& path) {
  api::WriteOptions write;
  if (auto dry = request.param("dryRun"); !dry.empty()) {
    if (dry != "All") return errorResponse(Error{Errc::kTerminal, "dryRun must be \"All\"", {}});
    write.dryRun = true;
  }
  const std::string& singular = path.kind.singular;
  if (path.subresource == "mutate") {
    if (request.method != "POST" || path.kind.kind != "Decky") {
      return errorResponse(
          Error{Errc::kMethodNotAllowed, "mutate is POST on deckies/NAME/mutate", {}});
    }
    auto result = backend_.requestMutation(path.name);
    if (!result) return errorResponse(result.error(), singular, path.name);
    return objectResponse(*result, 202);
  }
  if (path.subresource == "status") {
    if (request.method == "GET") {
      auto result = backend_.get({path.kind.kind, path.name});
      if (!result) return errorResponse(result.error(), singular, path.name);
      return objectResponse(*result, 200);
    }
    if (request.method != "PUT") {
      return errorResponse(Error{Errc::kMethodNotAllowed, "status supports GET and PUT", {}});
    }
    auto object = readObject(request, path.kind, path.name);
    if (!object) return errorResponse(object.error(), singular, path.name);
    auto result = backend_.updateStatus(*object, write);
    if (!result) return errorResponse(result.error(), singular, path.name);
    return objectResponse(*result, 200);
  }
  if (!path.subresource.empty()) {
    return errorResponse(Error{Errc::kNotFound, "unknown subresource " + path.subresource, {}});
  }
  return path.name.empty() ? serveCollection(request, path, write)
                           : serveObject(request, path, write);
}

HttpResponse ObjectRoutes::serveCollection(const HttpRequest& request, const ResourcePath& path,
                                           const api::WriteOptions& write) {
  const std::string& singular = path.kind.singular;
  if (request.method == "GET") {
    auto result = backend_.list(path.kind.kind,
                                {request.param("labelSelector"), request.param("fieldSelector")});
    if (!result) return errorResponse(result.error(), singular);
    if (wantsTable(request)) {
      return jsonResponse(tableFor(path.kind, result->items, std::to_string(result->revision),
                                   request.param("includeObject")));
    }
    return jsonResponse(listBody(path.kind, *result));
  }
  if (request.method == "POST") {
    auto object = readObject(request, path.kind, "");
    if (!object) return errorResponse(object.error(), singular);
    auto result = backend_.create(*object, write);
    if (!result) return writeFailure(request, result.error(), path.kind, object->metadata.name);
    return objectResponse(*result, 201, api::admissionWarnings(*object));
  }
  return errorResponse(Error{Errc::kMethodNotAllowed, "collections support GET and POST", {}});
}

HttpResponse ObjectRoutes::serveObject(const HttpRequest& request, const ResourcePath& path,
                                       const api::WriteOptions& write) {
  const std::string& singular = path.kind.singular;
  if (request.method == "GET") {
    auto result = backend_.get({path.kind.kind, path.name});
    if (!result) return errorResponse(result.error(), singular, path.name);
    if (wantsTable(request)) {
      return jsonResponse(tableFor(path.kind, {*result},
                                   std::to_string(result->metadata.resourceVersion),
                                   request.param("includeObject")));
    }
    return objectResponse(*result, 200);
  }
  if (request.method == "PUT") {
    auto object = readObject(request, path.kind, path.name);
    if (!object) return errorResponse(object.error(), singular, path.name);
    auto result = backend_.update(*object, write);
    if (!result) return writeFailure(request, result.error(), path.kind, path.name);
    return objectResponse(*result, 200, api::admissionWarnings(*object));
  }
  if (request.method == "PATCH") return patch(request, path, write);
  if (request.method == "DELETE") {
    auto result = backend_.remove({path.kind.kind, path.name}, write);
    if (!result) return errorResponse(result.error(), singular, path.name);
    // 202 while finalizers hold it, 200 once gone (Kubernetes' convention).
    return objectResponse(*result, result->deleting() && !write.dryRun ? 202 : 200);
  }
  return errorResponse(
      Error{Errc::kMethodNotAllowed, "objects support GET, PUT, PATCH and DELETE", {}});
}

HttpResponse ObjectRoutes::patch(const HttpRequest& request, const ResourcePath& path,
                                 const api::WriteOptions& write) {
  const std::string& singular = path.kind.singular;
  const std::string type = mediaType(request);
  // The type is checked before the body is read: a wrong type is a 415, not a parse error.
  if (auto checked = applyPatch(type, Json::object(), Json::object());
      !checked && checked.error().code == Errc::kUnsupportedMediaType) {
    return errorResponse(checked.error(), singular, path.name);
  }
  auto document = readDocument(request, false);
  if (!document) return errorResponse(document.error(), singular, path.name);
  // Like kube-apiserver, a patch that lost a race with another write is applied again to the
  // newer object; the patch itself carries no resourceVersion unless the client put one in.
  for (int attempt = 0;; ++attempt) {
    auto live = backend_.get({path.kind.kind, path.name});
    if (!live) return errorResponse(live.error(), singular, path.name);
    auto patched = applyPatch(type, api::toJson(*live), *document);
    if (!patched) return errorResponse(patched.error(), singular, path.name);
    std::vector<api::ParseIssue> issues;
    auto object = api::fromJson(*patched, issues);
    if (!object) {
      std::vector<FieldError> fields;
      for (auto& issue : issues) fields.push_back({issue.path, issue.detail});
      return errorResponse(Error{Errc::kInvalid, path.kind.kind + " is invalid", fields}, singular,
                           path.name);
    }
    if (object->kind != path.kind.kind || object->metadata.name != path.name) {
      return errorResponse(
          Error{Errc::kInvalid, "a patch may not change kind or metadata.name", {}}, singular,
          path.name);
    }
    auto result = backend_.update(*object, write);
    if (!result && result.error().code == Errc::kConflict && attempt < 4 &&
        object->metadata.resourceVersion == live->metadata.resourceVersion) {
      continue;
    }
    if (!result) return writeFailure(request, result.error(), path.kind, path.name);
    return objectResponse(*result, 200, api::admissionWarnings(*object));
  }
}

}  // namespace decnet::apiserver
