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
  explicit ObjectRoutes(api::Client& backend) : backend_(backend) {}
  // Serves every method on `path` except watches. Thread-safe; blocks on the backend.
  HttpResponse serve(const HttpRequest& request, const ResourcePath& path);

 private:
  HttpResponse serveCollection(const HttpRequest& request, const ResourcePath& path,
                               const api::WriteOptions& write);
  HttpResponse serveObject(const HttpRequest& request, const ResourcePath& path,
                           const api::WriteOptions& write);
  HttpResponse patch(const HttpRequest& request, const ResourcePath& path,
                     const api::WriteOptions& write);
  // Cuts `list` to the page `limit` and `continue` ask for; returns the page's extra list
  // metadata (continue, remainingItemCount) as JSON text, "" when the request is not paged.
  // kGone when the continue token's list was compacted away.
  Result<std::string> page(const HttpRequest& request, const ResourcePath& path,
                           api::ObjectList& list);

  api::Client& backend_;
};

}  // namespace decnet::apiserver
