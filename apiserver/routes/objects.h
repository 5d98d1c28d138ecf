#pragma once
// The object routes under /apis/decnet.io/v1alpha1/<plural>[/<name>[/status|mutate]]: get,
// list, create, update, patch, delete and the status and mutate subresources. Watches are
// recognised here and streamed by the transport.
#include <cstdint>
#include <optional>
#include <string>

#include "api/client/client.h"
#include "api/types/kinds.h"
#include "apiserver/http_exchange.h"
#include "apiserver/watch_cache.h"

namespace decnet::apiserver {

struct ResourcePath {
  api::KindInfo kind;
  std::string name;         // "" for the collection
  std::string subresource;  // "", "status", "mutate"
};

// The resource a path names; nullopt when the path is not under the group-version or names
// no known plural.
std::optional<ResourcePath> parseResourcePath(const std::string& path);

struct WatchRequest {
  std::string kind;
  std::int64_t revision = -1;  // -1: from now
};

// The watch a request asks for (GET on a collection with watch=true|1); nullopt when it is
// not a watch; kTerminal when its resourceVersion is not a number.
Result<std::optional<WatchRequest>> watchRequested(const HttpRequest& request,
                                                   const ResourcePath& path);

class ObjectRoutes {
 public:
  // Reads come from `cache`, writes go to `backend`.
  ObjectRoutes(api::Client& backend, WatchCache& cache) : backend_(backend), cache_(cache) {}
  // Serves every method on `path` except watches. Thread-safe; blocks on the backend.
  HttpResponse serve(const HttpRequest& request, const ResourcePath& path);

 private:
  HttpResponse serveCollection(const HttpRequest& request, const ResourcePath& path,
                               const api::WriteOptions& write);
  HttpResponse serveObject(const HttpRequest& request, const ResourcePath& path,
                           const api::WriteOptions& write);
  HttpResponse patch(const HttpRequest& request, const ResourcePath& path,
                     const api::WriteOptions& write);
  // PATCH application/apply-patch+yaml: server-side apply, creating the object when absent.
  HttpResponse serverSideApply(const HttpRequest& request, const ResourcePath& path,
                               const api::WriteOptions& write);
  // Admission's warnings for `object`, and one when no Ready node has its parent interface.
  std::vector<std::string> warningsFor(const api::Object& object);
  // `object` with the managedFields its writer's update gives it over `before` (null: create).
  void recordOwners(const HttpRequest& request, const api::Json& before, api::Object& object);
  // Cuts `list` to the page `limit` and `continue` ask for; returns the page's extra list
  // metadata (continue, remainingItemCount) as JSON text, "" when the request is not paged.
  // kGone when the continue token's list was compacted away.
  Result<std::string> page(const HttpRequest& request, const ResourcePath& path, CachedList& list);

  api::Client& backend_;
  WatchCache& cache_;
};

}  // namespace decnet::apiserver
