#pragma once
// Authorization, in the manner of Kubernetes' RBAC and Node authorizer:
//   admin  - everything;
//   viewer - reads and watches, and its own password and logout;
//   node   - reads fleets, deckies and nodes; writes only its own Node, and the status and
//            finalizers of deckies scheduled to it; writes Events.
#include <optional>
#include <string>

#include "api/types/object.h"
#include "api/types/result.h"
#include "apiserver/auth/identity.h"
#include "apiserver/http_exchange.h"
#include "apiserver/routes/objects.h"

namespace decnet::apiserver::auth {

// Whether `who` may make `request`; kForbidden with the reason when not. `resource` is the
// object path the request names (nullopt for other paths) and `stored` the object as stored now
// (null when absent or not an object path). Pure; thread-safe.
Result<void> authorize(const Identity& who, const HttpRequest& request,
                       const std::optional<ResourcePath>& resource, const api::Object* stored);

// Whether `method` only reads (GET, HEAD).
bool isReadMethod(const std::string& method);

}  // namespace decnet::apiserver::auth
