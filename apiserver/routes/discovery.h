#pragma once
// Health, version and API discovery: /healthz, /livez, /readyz, /version, /apis and
// /apis/decnet.io/v1alpha1 (what kubectl reads to learn the resources).
#include <functional>
#include <optional>

#include "apiserver/http_exchange.h"

namespace decnet::apiserver {

// Answers `request` when it is a discovery or health path; nullopt otherwise. `ready` is the
// /readyz check (empty: always ready). Thread-safe.
std::optional<HttpResponse> serveDiscovery(const HttpRequest& request,
                                           const std::function<bool()>& ready);

}  // namespace decnet::apiserver
