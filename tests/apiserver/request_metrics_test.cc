// The labels of kube-apiserver's request series, as its dashboards expect them, and what one
// request adds to a registry.
#include "apiserver/request_metrics.h"

#include <gtest/gtest.h>

namespace decnet::apiserver {
namespace {

HttpRequest request(const std::string& method, const std::string& path,
                    std::map<std::string, std::string> query = {},
                    std::map<std::string, std::string> headers = {}) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.query = std::move(query);
  r.headers = std::move(headers);
  return r;
}

TEST(RequestLabels, VerbsAsKubeApiserverNamesThem) {
  const std::string fleets = "/apis/decnet.io/v1alpha1/fleets";
  EXPECT_EQ(requestLabels(request("GET", fleets)).verb, "LIST");
  EXPECT_EQ(requestLabels(request("GET", fleets)).resource, "fleets");
  EXPECT_EQ(requestLabels(request("GET", fleets + "/corp")).verb, "GET");
  const auto watch = requestLabels(request("GET", fleets, {{"watch", "true"}}));
  EXPECT_EQ(watch.verb, "WATCH");
  EXPECT_TRUE(watch.longRunning);
  EXPECT_EQ(requestLabels(request("POST", fleets)).verb, "POST");
  EXPECT_EQ(requestLabels(request("PATCH", fleets + "/corp", {},
                                  {{"content-type", "application/apply-patch+yaml"}}))
                .verb,
            "APPLY");
  EXPECT_EQ(requestLabels(request("PATCH", fleets + "/corp", {},
                                  {{"content-type", "application/merge-patch+json"}}))
                .verb,
            "PATCH");
  EXPECT_EQ(requestLabels(request("DELETE", fleets + "/corp")).verb, "DELETE");
}

TEST(RequestLabels, DecnetRoutesAndPathsWithoutAResource) {
  EXPECT_EQ(requestLabels(request("GET", "/api/v1/attackers")).resource, "attackers");
  EXPECT_EQ(requestLabels(request("GET", "/api/v1/attackers")).verb, "LIST");
  EXPECT_EQ(requestLabels(request("GET", "/api/v1/attackers/12")).verb, "GET");
  EXPECT_TRUE(requestLabels(request("GET", "/api/v1/stream")).longRunning);
  EXPECT_EQ(requestLabels(request("GET", "/healthz")).resource, "");
  EXPECT_EQ(requestLabels(request("GET", "/metrics")).verb, "GET");
}

TEST(RequestMetrics, OneRequestIsCountedWithItsCodeAndTimed) {
  metrics::Registry registry(false);
  RequestMetrics recorded(&registry);
  recorded.record(request("GET", "/apis/decnet.io/v1alpha1/deckies"), 200,
                  std::chrono::milliseconds(20));
  recorded.record(request("GET", "/apis/decnet.io/v1alpha1/deckies/x"), 404,
                  std::chrono::milliseconds(1));
  recorded.watchers("Fleet", 1);
  const std::string text = registry.expose();
  EXPECT_NE(text.find("apiserver_request_total{code=\"200\",resource=\"deckies\",verb=\"LIST\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("apiserver_request_total{code=\"404\",resource=\"deckies\",verb=\"GET\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("apiserver_request_duration_seconds_bucket{resource=\"deckies\",verb=\"LIST\","
                "le=\"0.025\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("apiserver_registered_watchers{kind=\"Fleet\"} 1"), std::string::npos)
      << text;
  RequestMetrics none(nullptr);  // no registry: nothing happens
  none.record(request("GET", "/healthz"), 200, std::chrono::milliseconds(1));
}

}  // namespace
}  // namespace decnet::apiserver
