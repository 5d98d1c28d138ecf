#include "apiserver/auth/authorizer.h"

#include <gtest/gtest.h>

namespace decnet::apiserver::auth {
namespace {

HttpRequest request(const std::string& method, const std::string& path,
                    const std::string& body = "") {
  HttpRequest out;
  out.method = method;
  out.path = path;
  out.body = body;
  return out;
}

// Whether `who` may `method` `path`, with `stored` as the stored object.
bool allowed(const Identity& who, const std::string& method, const std::string& path,
             const std::string& body = "", const api::Object* stored = nullptr) {
  return authorize(who, request(method, path, body), parseResourcePath(path), stored).has_value();
}

const Identity kAdmin{"root", kRoleAdmin, "", "", 0, false};
const Identity kViewer{"alice", kRoleViewer, "", "", 0, false};
const Identity kNode{"system:node:sensor-1", kRoleNode, "sensor-1", "", 0, false};
constexpr const char* kGroup = "/apis/decnet.io/v1alpha1/";

api::Object deckyOn(const std::string& node) {
  api::Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "web-01";
  decky.spec = {{"node", node}, {"ip", "10.77.0.10"}};
  return decky;
}

TEST(Authorizer, AdminsDoEverythingViewersReadOnly) {
  const std::string fleets = std::string(kGroup) + "fleets";
  EXPECT_TRUE(allowed(kAdmin, "POST", fleets));
  EXPECT_TRUE(allowed(kAdmin, "DELETE", fleets + "/corp"));
  EXPECT_TRUE(allowed(kViewer, "GET", fleets));
  EXPECT_TRUE(allowed(kViewer, "GET", "/api/v1/events"));
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    auto refused = authorize(kViewer, request(method, fleets + "/corp"),
                             parseResourcePath(fleets + "/corp"), nullptr);
    ASSERT_FALSE(refused) << method;
    EXPECT_EQ(refused.error().code, Errc::kForbidden);
    EXPECT_NE(refused.error().message.find("viewer"), std::string::npos);
  }
  EXPECT_TRUE(allowed(kViewer, "POST", "/api/v1/auth/password")) << "their own password";
  EXPECT_TRUE(allowed(kViewer, "POST", "/api/v1/auth/logout"));
}

TEST(Authorizer, ALoginThatMustChangeItsPasswordMayDoOnlyThat) {
  Identity pending = kAdmin;
  pending.mustChangePassword = true;
  EXPECT_FALSE(allowed(pending, "GET", std::string(kGroup) + "fleets"));
  EXPECT_TRUE(allowed(pending, "POST", "/api/v1/auth/password"));
}

TEST(Authorizer, NodesWriteOnlyTheirOwnNodeAndTheirDeckiesStatus) {
  const std::string nodes = std::string(kGroup) + "nodes";
  const std::string deckies = std::string(kGroup) + "deckies";
  EXPECT_TRUE(allowed(kNode, "GET", deckies));
  EXPECT_TRUE(allowed(kNode, "PUT", nodes + "/sensor-1/status"));
  EXPECT_TRUE(allowed(kNode, "POST", nodes, R"({"metadata":{"name":"sensor-1"}})"));
  EXPECT_FALSE(allowed(kNode, "POST", nodes, R"({"metadata":{"name":"sensor-2"}})"));
  EXPECT_FALSE(allowed(kNode, "PUT", nodes + "/sensor-2/status")) << "another node";
  EXPECT_FALSE(allowed(kNode, "DELETE", nodes + "/sensor-1"));
  EXPECT_FALSE(allowed(kNode, "POST", std::string(kGroup) + "fleets"));
  EXPECT_FALSE(allowed(kNode, "GET", "/api/v1/events")) << "telemetry is not a node's";

  const api::Object mine = deckyOn("sensor-1"), theirs = deckyOn("sensor-2");
  EXPECT_TRUE(allowed(kNode, "PUT", deckies + "/web-01/status", "{}", &mine));
  EXPECT_FALSE(allowed(kNode, "PUT", deckies + "/web-01/status", "{}", &theirs));
  EXPECT_FALSE(allowed(kNode, "PUT", deckies + "/web-01/status", "{}", nullptr));
  // Finalizers: the same spec with other metadata is fine; another spec is not.
  api::Json body = {{"metadata", {{"name", "web-01"}, {"finalizers", {"decnet.io/teardown"}}}},
                    {"spec", mine.spec}};
  EXPECT_TRUE(allowed(kNode, "PUT", deckies + "/web-01", body.dump(), &mine));
  body["spec"]["ip"] = "10.77.0.99";
  EXPECT_FALSE(allowed(kNode, "PUT", deckies + "/web-01", body.dump(), &mine));
  EXPECT_FALSE(allowed(kNode, "DELETE", deckies + "/web-01", "", &mine));
  EXPECT_TRUE(allowed(kNode, "POST", std::string(kGroup) + "events"));
}

}  // namespace
}  // namespace decnet::apiserver::auth
