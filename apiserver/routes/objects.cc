#include "apiserver/routes/objects.h"

#include <algorithm>
#include <atomic>

#include "api/codec/base64.h"
#include "api/codec/yaml_codec.h"
#include "api/types/clock.h"
#include "api/validation/validate.h"
#include "apiserver/error_status.h"
#include "apiserver/routes/field_manager.h"
#include "apiserver/routes/tables.h"

namespace decnet::apiserver {
namespace {

using api::Json;

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

// A cached object as it is: its JSON was made once, when it was stored.
HttpResponse cachedResponse(const CachedObjectPtr& entry) {
  HttpResponse response;
  response.bodyParts.push_back(std::shared_ptr<const std::string>(entry, &entry->json));
  return response;
}

// The List document in pieces, the items' cached JSON shared rather than copied. `metadata`
// holds the list metadata after resourceVersion (",\"continue\":...") or nothing.
HttpResponse listResponse(const api::KindInfo& kind, const CachedList& list,
                          const std::string& metadata) {
  static const auto kComma = std::make_shared<const std::string>(",");
  HttpResponse response;
  response.bodyParts.reserve(list.items.size() * 2 + 2);
  response.bodyParts.push_back(std::make_shared<const std::string>(
      "{\"apiVersion\":\"" + std::string(api::kApiVersion) + "\",\"kind\":\"" + kind.kind +
      "List\",\"metadata\":{\"resourceVersion\":\"" + std::to_string(list.revision) + "\"" +
      metadata + "},\"items\":["));
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) response.bodyParts.push_back(kComma);
    response.bodyParts.push_back(
        std::shared_ptr<const std::string>(list.items[i], &list.items[i]->json));
  }
  response.bodyParts.push_back(std::make_shared<const std::string>("]}"));
  return response;
}

std::vector<api::Object> objectsOf(const CachedList& list) {
  std::vector<api::Object> objects;
  objects.reserve(list.items.size());
  for (const auto& entry : list.items) objects.push_back(entry->object);
  return objects;
}

// The body as a JSON document, bounded in depth (the transport bounds its size: 413 past
// 4 MiB); JSON or YAML by Content-Type.
Result<Json> readDocument(const HttpRequest& request, bool yamlAllowed) {
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

// The problems fromJson found, as a 422's causes.
Error invalidObject(const api::KindInfo& kind, const std::vector<api::ParseIssue>& issues) {
  std::vector<FieldError> fields;
  for (const auto& issue : issues) fields.push_back({issue.path, issue.detail});
  return Error{Errc::kInvalid, kind.kind + " is invalid", std::move(fields)};
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
  if (!object) return tl::unexpected(invalidObject(kind, issues));
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

constexpr const char* kApplyPatchType = "application/apply-patch+yaml";

bool isPatchType(const std::string& type) {
  return type == "application/merge-patch+json" || type == "application/json-patch+json" ||
         type == "application/strategic-merge-patch+json" || type == kApplyPatchType;
}

tl::unexpected<Error> unsupportedPatch(const std::string& type) {
  return fail(Errc::kUnsupportedMediaType,
              "PATCH takes application/merge-patch+json, application/json-patch+json, "
              "application/strategic-merge-patch+json or application/apply-patch+yaml, not " +
                  (type.empty() ? std::string("no Content-Type") : type));
}

// Who made a write, for managedFields: the fieldManager parameter, else the program name in the
// User-Agent, as kube-apiserver derives it ("kubectl-edit/v1.32.0 (linux/amd64)" -> kubectl-edit).
FieldManagerWrite writerOf(const HttpRequest& request) {
  std::string manager = request.param("fieldManager");
  if (manager.empty()) {
    manager = request.header("user-agent");
    manager = manager.substr(0, manager.find('/'));
  }
  return {manager.empty() ? "unknown" : manager, api::kApiVersion,
          api::formatTime(api::systemClock().now())};
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
  return unsupportedPatch(type);
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

// Where a paged list goes on: the list's revision and the last name served.
struct ContinueToken {
  std::int64_t revision = 0;
  std::string after;
};

std::string encodeContinue(const ContinueToken& token) {
  return api::base64UrlEncode(Json{{"rv", token.revision}, {"start", token.after}}.dump());
}

Result<ContinueToken> decodeContinue(const std::string& text) {
  auto bytes = api::base64Decode(text);  // continue tokens travel in query strings
  Json document = bytes ? Json::parse(*bytes, nullptr, false) : Json();
  if (!document.is_object() || !document.contains("rv") || !document["rv"].is_number_integer() ||
      !document.contains("start") || !document["start"].is_string()) {
    return fail(Errc::kTerminal, "the continue parameter is not a token this server gave");
  }
  return ContinueToken{document["rv"].get<std::int64_t>(), document["start"].get<std::string>()};
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
      auto result = cache_.get({path.kind.kind, path.name});
      if (!result) return errorResponse(result.error(), singular, path.name);
      return cachedResponse(*result);
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

Result<std::string> ObjectRoutes::page(const HttpRequest& request, const ResourcePath& path,
                                       CachedList& list) {
  const std::string limitText = request.param("limit");
  const std::string continueText = request.param("continue");
  if (limitText.empty() && continueText.empty()) return std::string();
  std::size_t limit = 0;
  if (!limitText.empty()) {
    try {
      std::size_t used = 0;
      const long long parsed = std::stoll(limitText, &used);
      if (used != limitText.size() || parsed < 0) throw std::invalid_argument(limitText);
      limit = static_cast<std::size_t>(parsed);
    } catch (...) {
      return fail(Errc::kTerminal, "limit must be a non-negative number");
    }
  }
  ContinueToken from{list.revision, ""};
  if (!continueText.empty()) {
    auto token = decodeContinue(continueText);
    if (!token) return tl::unexpected(token.error());
    // The list this token continues is gone from the change log: start again, as kubectl does
    // on a 410.
    std::atomic<bool> stopNow{true};
    auto check = backend_.watch(
        path.kind.kind, token->revision, [](const api::WatchEvent&) { return false; }, stopNow);
    if (!check && check.error().code == Errc::kGone) {
      return fail(Errc::kGone,
                  "The provided continue parameter is too old to display a consistent list "
                  "result. You can start a new list without the continue parameter.");
    }
    from = *token;
  }
  // Items are sorted by name: a page is the next `limit` names after the last one served.
  auto begin = std::upper_bound(list.items.begin(), list.items.end(), from.after,
                                [](const std::string& name, const CachedObjectPtr& entry) {
                                  return name < entry->object.metadata.name;
                                });
  if (from.after.empty()) begin = list.items.begin();
  auto end = limit == 0 || static_cast<std::size_t>(list.items.end() - begin) <= limit
                 ? list.items.end()
                 : begin + static_cast<std::ptrdiff_t>(limit);
  const auto remaining = list.items.end() - end;
  std::vector<CachedObjectPtr> pageItems(begin, end);
  list.items = std::move(pageItems);
  list.revision = from.revision;
  if (remaining <= 0) return std::string();
  return ",\"continue\":" +
         Json(encodeContinue({from.revision, list.items.back()->object.metadata.name})).dump() +
         ",\"remainingItemCount\":" + std::to_string(remaining);
}

HttpResponse ObjectRoutes::serveCollection(const HttpRequest& request, const ResourcePath& path,
                                           const api::WriteOptions& write) {
  const std::string& singular = path.kind.singular;
  if (request.method == "GET") {
    auto result = cache_.list(path.kind.kind,
                              {request.param("labelSelector"), request.param("fieldSelector")});
    if (!result) return errorResponse(result.error(), singular);
    // The page's metadata says where to go on and how much is left (as kube-apiserver says).
    auto more = page(request, path, *result);
    if (!more) return errorResponse(more.error(), singular);
    if (!wantsTable(request)) return listResponse(path.kind, *result, *more);
    Json table = tableFor(path.kind, objectsOf(*result), std::to_string(result->revision),
                          request.param("includeObject"));
    if (!more->empty()) {
      const Json extra = Json::parse("{" + more->substr(1) + "}");
      for (const auto& [key, value] : extra.items()) table["metadata"][key] = value;
    }
    return jsonResponse(table);
  }
  if (request.method == "POST") {
    auto object = readObject(request, path.kind, "");
    if (!object) return errorResponse(object.error(), singular);
    recordOwners(request, nullptr, *object);
    auto result = backend_.create(*object, write);
    if (!result) return writeFailure(request, result.error(), path.kind, object->metadata.name);
    return objectResponse(*result, 201, warningsFor(*object));
  }
  return errorResponse(Error{Errc::kMethodNotAllowed, "collections support GET and POST", {}});
}

HttpResponse ObjectRoutes::serveObject(const HttpRequest& request, const ResourcePath& path,
                                       const api::WriteOptions& write) {
  const std::string& singular = path.kind.singular;
  if (request.method == "GET") {
    auto result = cache_.get({path.kind.kind, path.name});
    if (!result) return errorResponse(result.error(), singular, path.name);
    if (wantsTable(request)) {
      return jsonResponse(tableFor(path.kind, {(*result)->object},
                                   std::to_string((*result)->object.metadata.resourceVersion),
                                   request.param("includeObject")));
    }
    return cachedResponse(*result);
  }
  if (request.method == "PUT") {
    auto object = readObject(request, path.kind, path.name);
    if (!object) return errorResponse(object.error(), singular, path.name);
    auto live = backend_.get({path.kind.kind, path.name});
    if (!live) return errorResponse(live.error(), singular, path.name);
    recordOwners(request, api::toJson(*live), *object);
    auto result = backend_.update(*object, write);
    if (!result) return writeFailure(request, result.error(), path.kind, path.name);
    return objectResponse(*result, 200, warningsFor(*object));
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
  if (!isPatchType(type)) {
    return errorResponse(unsupportedPatch(type).value(), singular, path.name);
  }
  if (type == kApplyPatchType) return serverSideApply(request, path, write);
  auto document = readDocument(request, false);
  if (!document) return errorResponse(document.error(), singular, path.name);
  // Like kube-apiserver, a patch that lost a race with another write is applied again to the
  // newer object; the patch itself carries no resourceVersion unless the client put one in.
  for (int attempt = 0;; ++attempt) {
    auto live = backend_.get({path.kind.kind, path.name});
    if (!live) return errorResponse(live.error(), singular, path.name);
    const Json liveJson = api::toJson(*live);
    auto patched = applyPatch(type, liveJson, *document);
    if (!patched) return errorResponse(patched.error(), singular, path.name);
    std::vector<api::ParseIssue> issues;
    auto object = api::fromJson(recordUpdate(liveJson, *patched, writerOf(request)), issues);
    if (!object) return errorResponse(invalidObject(path.kind, issues), singular, path.name);
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
    return objectResponse(*result, 200, warningsFor(*object));
  }
}

std::vector<std::string> ObjectRoutes::warningsFor(const api::Object& object) {
  std::vector<std::string> warnings = api::admissionWarnings(object);
  if (object.kind != "Fleet" && object.kind != "Decky") return warnings;
  auto nodes = cache_.list("Node", {});
  if (!nodes) return warnings;
  api::ObjectRefs refs;
  for (const auto& node : nodes->items) refs.push_back(&node->object);
  for (auto& warning : api::placementWarnings(object, refs)) warnings.push_back(std::move(warning));
  return warnings;
}

void ObjectRoutes::recordOwners(const HttpRequest& request, const Json& before,
                                api::Object& object) {
  Json after = recordUpdate(before, api::toJson(object), writerOf(request));
  const Json* owners =
      after["metadata"].contains("managedFields") ? &after["metadata"]["managedFields"] : nullptr;
  // An empty list (not null) tells the store to drop what it had.
  object.metadata.managedFields = owners != nullptr ? *owners : Json::array();
}

HttpResponse ObjectRoutes::serverSideApply(const HttpRequest& request, const ResourcePath& path,
                                           const api::WriteOptions& write) {
  const std::string& singular = path.kind.singular;
  if (request.param("fieldManager").empty()) {
    return errorResponse(
        Error{Errc::kTerminal, "PATCH with application/apply-patch+yaml requires fieldManager", {}},
        singular, path.name);
  }
  auto config = readDocument(request, true);
  if (!config) return errorResponse(config.error(), singular, path.name);
  if (!config->is_object() || config->value("kind", "") != path.kind.kind) {
    return errorResponse(
        Error{
            Errc::kTerminal, "the apply configuration must be a " + path.kind.kind + " object", {}},
        singular, path.name);
  }
  const Json* name = config->contains("metadata") && (*config)["metadata"].is_object()
                         ? &(*config)["metadata"]
                         : nullptr;
  if (name == nullptr || name->value("name", "") != path.name) {
    return errorResponse(
        Error{Errc::kTerminal,
              "the name in the apply configuration does not match the URL (\"" + path.name + "\")",
              {}},
        singular, path.name);
  }
  const bool force = request.param("force") == "true";
  // Another write between the read and ours is a conflict on resourceVersion: apply again to
  // the newer object, as kube-apiserver does.
  for (int attempt = 0;; ++attempt) {
    auto live = backend_.get({path.kind.kind, path.name});
    if (!live && live.error().code != Errc::kNotFound) {
      return errorResponse(live.error(), singular, path.name);
    }
    const Json liveJson = live ? api::toJson(*live) : Json();
    auto applied = applyConfiguration(liveJson, *config, writerOf(request), force);
    if (!applied) return errorResponse(applied.error(), singular, path.name);
    std::vector<api::ParseIssue> issues;
    auto object = api::fromJson(*applied, issues);
    if (!object) return errorResponse(invalidObject(path.kind, issues), singular, path.name);
    if (object->metadata.managedFields.is_null()) object->metadata.managedFields = Json::array();
    auto result = live ? backend_.update(*object, write) : backend_.create(*object, write);
    const bool raced = !result && (result.error().code == Errc::kConflict ||
                                   result.error().code == Errc::kAlreadyExists);
    if (raced && attempt < 4) continue;
    if (!result) return writeFailure(request, result.error(), path.kind, path.name);
    return objectResponse(*result, live ? 200 : 201, warningsFor(*object));
  }
}

}  // namespace decnet::apiserver
