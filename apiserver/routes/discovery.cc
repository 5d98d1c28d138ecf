#include "apiserver/routes/discovery.h"

#include "api/types/kinds.h"
#include "apiserver/error_status.h"

namespace decnet::apiserver {
namespace {

using api::Json;

HttpResponse text(int status, const std::string& body) {
  HttpResponse response;
  response.status = status;
  response.contentType = "text/plain";
  response.body = body;
  return response;
}

Json groupVersion() { return {{"groupVersion", api::kApiVersion}, {"version", "v1alpha1"}}; }

}  // namespace

std::optional<HttpResponse> serveDiscovery(const HttpRequest& request,
                                           const std::function<bool()>& ready) {
  const std::string& path = request.path;
  if (path == "/healthz" || path == "/livez") return text(200, "ok");
  if (path == "/readyz") {
    const bool isReady = !ready || ready();
    return text(isReady ? 200 : 503, isReady ? "ok" : "not ready");
  }
  if (path == "/version") {
    return jsonResponse({{"gitVersion", std::string("v") + DECNET_VERSION},
                         {"apiVersion", api::kApiVersion},
                         {"platform", "linux/amd64"}});
  }
  if (path == "/apis" || path == "/apis/") {
    Json group = {{"name", api::kGroup},
                  {"versions", Json::array({groupVersion()})},
                  {"preferredVersion", groupVersion()}};
    return jsonResponse(
        {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", Json::array({group})}});
  }
  if (path == "/apis/decnet.io/v1alpha1" || path == "/apis/decnet.io/v1alpha1/") {
    Json resources = Json::array();
    for (const auto& k : api::kinds()) {
      resources.push_back(
          {{"name", k.plural},
           {"singularName", k.singular},
           {"kind", k.kind},
           {"namespaced", false},
           {"shortNames", k.shortNames},
           {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}});
    }
    return jsonResponse({{"kind", "APIResourceList"},
                         {"apiVersion", "v1"},
                         {"groupVersion", api::kApiVersion},
                         {"resources", resources}});
  }
  return std::nullopt;
}

}  // namespace decnet::apiserver
