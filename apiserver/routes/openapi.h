#pragma once
// OpenAPI documents generated from the CRD schemas (crds/*.yaml, compiled in): /openapi/v3
// (the root, then one document per group-version, as kubectl fetches them) and /openapi/v2
// (JSON). kubectl reads them to validate on the server (fieldValidation=Strict) and to
// explain fields.
#include <optional>

#include "apiserver/http_exchange.h"

namespace decnet::apiserver {

// Answers `request` when its path is an OpenAPI document; nullopt otherwise. Thread-safe.
std::optional<HttpResponse> serveOpenApi(const HttpRequest& request);

}  // namespace decnet::apiserver
