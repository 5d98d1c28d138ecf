#include "apiserver/auth/authorizer.h"

namespace decnet::apiserver::auth {
namespace {

// Paths any identity may use on itself, even one that must change its password first.
bool selfServicePath(const std::string& path) {
  return path == "/api/v1/auth/password" || path == "/api/v1/auth/logout" ||
         path == "/api/v1/auth/whoami";
}

tl::unexpected<Error> forbidden(const Identity& who, const HttpRequest& request,
                                const std::string& why) {
  return fail(Errc::kForbidden,
              who.name + " cannot " + request.method + " " + request.path + ": " + why);
}

Result<void> authorizeNode(const Identity& who, const HttpRequest& request,
                           const std::optional<ResourcePath>& resource, const api::Object* stored) {
  if (!resource) {
    if (request.path == "/api/v1/auth/renew") return {};
    return forbidden(who, request, "a node reads and writes only objects");
  }
  const std::string& kind = resource->kind.kind;
  if (isReadMethod(request.method)) {
    if (kind == "Fleet" || kind == "Decky" || kind == "Node" || kind == "Event") return {};
    return forbidden(who, request, "a node does not read " + resource->kind.plural);
  }
  if (kind == "Event" && request.method != "DELETE") return {};  // its agent's Events
  if (kind == "Node") {
    if (resource->name == who.node && request.method != "DELETE") return {};
    if (resource->name.empty() && request.method == "POST") {
      // Creating its own Node: the body's name is checked here, as the path carries none.
      auto body = api::Json::parse(request.body, nullptr, false);
      if (body.is_object() && body.contains("metadata") && body["metadata"].is_object() &&
          body["metadata"].value("name", "") == who.node) {
        return {};
      }
    }
    return forbidden(who, request, "a node may write only its own Node (" + who.node + ")");
  }
  if (kind == "Decky" && !resource->name.empty() && stored != nullptr &&
      stored->spec.value("node", "") == who.node) {
    if (resource->subresource == "status") return {};
    if (resource->subresource.empty() && (request.method == "PUT" || request.method == "PATCH")) {
      // Only the finalizers: the spec and labels the controller set stay as they are.
      auto body = api::Json::parse(request.body, nullptr, false);
      if (request.method == "PUT" && body.is_object() &&
          body.value("spec", api::Json::object()) == stored->spec) {
        return {};
      }
      return forbidden(who, request, "a node may change only the finalizers and status of a decky");
    }
  }
  return forbidden(who, request,
                   "a node may write only its own Node and the status of deckies scheduled to it");
}

}  // namespace

bool isReadMethod(const std::string& method) { return method == "GET" || method == "HEAD"; }

Result<void> authorize(const Identity& who, const HttpRequest& request,
                       const std::optional<ResourcePath>& resource, const api::Object* stored) {
  if (selfServicePath(request.path)) return {};
  if (who.mustChangePassword) {
    return forbidden(who, request,
                     "the password must be changed first (decnet login asks for a new one)");
  }
  if (who.role == kRoleAdmin) return {};
  if (who.role == kRoleViewer) {
    if (isReadMethod(request.method)) return {};
    return forbidden(who, request, "the viewer role reads and watches only");
  }
  if (who.role == kRoleNode) return authorizeNode(who, request, resource, stored);
  return forbidden(who, request, "unknown role \"" + who.role + "\"");
}

}  // namespace decnet::apiserver::auth
