// Authentication, authorization, rate limiting and audit through the real server on loopback:
// curl for raw statuses, the REST client for what the CLI sees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "api/rest/rest_client.h"
#include "apiserver/api_server.h"
#include "controller/store/object_store.h"
#include "tests/support/process.h"

namespace decnet::apiserver {
namespace {

using decnet::testing::freePort;
using decnet::testing::run;

constexpr const char* kFleets = "/apis/decnet.io/v1alpha1/fleets";

class ApiAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-auth-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    auto users = auth::UserStore::open(dir_ + "/auth.db");
    ASSERT_TRUE(users);
    users_ = std::move(*users);
    signer_ = std::make_shared<auth::TokenSigner>(std::string(32, 'k'));
    ASSERT_TRUE(users_->addUser("root", "admin", "root-password", false));
    ASSERT_TRUE(users_->addUser("alice", "viewer", "alice-password", false));
    auto repository = store::openRepository("sqlite::memory:");
    ASSERT_TRUE(repository);
    store_ = *store::ObjectStore::open(std::move(*repository));
    ApiServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(freePort());
    options.auth = ApiAuthOptions{users_, signer_, nullptr, dir_ + "/audit.log", true, {}};
    server_ = std::make_unique<ApiServer>(*store_, options);
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    if (server_) server_->stop();
    run("rm -rf " + dir_);
  }

  // The status code of curl ARGS against PATH, and the body.
  std::pair<int, api::Json> curl(const std::string& path, const std::string& args = "") {
    auto r = run("curl -s -w '\\n%{http_code}' " + args + " " + server_->url() + path);
    auto cut = r.output.rfind('\n');
    return {std::stoi(r.output.substr(cut + 1)),
            api::Json::parse(r.output.substr(0, cut), nullptr, false)};
  }
  std::string bearer(const std::string& token) {
    return "-H 'Authorization: Bearer " + token + "'";
  }
  std::pair<int, api::Json> login(const std::string& user, const std::string& password) {
    return curl("/api/v1/auth/login",
                "-X POST -H 'Content-Type: application/json' -d '" +
                    api::Json{{"username", user}, {"password", password}}.dump() + "'");
  }
  std::string tokenOf(const std::string& user, const std::string& password) {
    auto [code, body] = login(user, password);
    EXPECT_EQ(code, 200) << body.dump();
    return body.value("access_token", "");
  }
  api::ClientPtr clientAs(const std::string& token) {
    return api::makeRestClient(server_->url(), {token, ""});
  }
  std::string auditLog() {
    std::ifstream in(dir_ + "/audit.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  api::Object fleet(const std::string& name) {
    api::Object o;
    o.kind = "Fleet";
    o.metadata.name = name;
    o.spec = {{"network", {{"interface", "decnet-lab0"}, {"subnet", "10.77.0.0/24"}}},
              {"replicas", 1},
              {"template", {{"archetype", "linux-server"}}}};
    return o;
  }

  std::string dir_;
  std::shared_ptr<auth::UserStore> users_;
  std::shared_ptr<auth::TokenSigner> signer_;
  std::shared_ptr<store::ObjectStore> store_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ApiAuthTest, AnonymousRequestsGet401ExceptHealthAndVersion) {
  auto [code, body] = curl(kFleets);
  EXPECT_EQ(code, 401);
  EXPECT_EQ(body["reason"], "Unauthorized");
  EXPECT_NE(run("curl -si " + server_->url() + kFleets).output.find("WWW-Authenticate: Bearer"),
            std::string::npos);
  EXPECT_EQ(curl("/apis/decnet.io/v1alpha1/fleets", "-X POST -d '{}'").first, 401);
  EXPECT_EQ(curl("/api/v1/events").first, 401);
  EXPECT_EQ(curl("/healthz").first, 200);
  EXPECT_EQ(curl("/readyz").first, 200);
  EXPECT_EQ(curl("/version").first, 200);
  EXPECT_EQ(curl(kFleets, bearer("not.a.token")).first, 401);
  auto anonymous = api::makeRestClient(server_->url())->list("Fleet");
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code, Errc::kUnauthorized);
  EXPECT_EQ(anonymous.error().message.rfind("Unauthorized (401): ", 0), 0u)
      << anonymous.error().message;
}

TEST_F(ApiAuthTest, MetricsAreOpenByDefaultAndProtectedWhenConfigured) {
  metrics::Registry registry;
  for (const bool open : {true, false}) {
    auto repository = store::openRepository("sqlite::memory:");
    ASSERT_TRUE(repository);
    auto store = *store::ObjectStore::open(std::move(*repository));
    ApiServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(freePort());
    options.metrics = &registry;
    options.auth = ApiAuthOptions{users_, signer_, nullptr, "", open, {}};
    ApiServer server(*store, options);
    ASSERT_TRUE(server.start());
    auto status = [&](const std::string& args) {
      return run("curl -s -o /dev/null -w '%{http_code}' " + args + " " + server.url() + "/metrics")
          .output;
    };
    EXPECT_EQ(status(""), open ? "200" : "401") << (open ? "open" : "protected");
    EXPECT_EQ(status(bearer(tokenOf("alice", "alice-password"))), "200") << "any role may read it";
    server.stop();
  }
}

TEST_F(ApiAuthTest, LoginAnswersABearerTokenAndAWrongPassword401) {
  auto [code, body] = login("root", "root-password");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body["token_type"], "bearer");
  EXPECT_EQ(body["must_change_password"], false);
  EXPECT_GT(body["expires_in"].get<int>(), 0);
  EXPECT_EQ(curl(kFleets, bearer(body["access_token"])).first, 200);
  EXPECT_EQ(login("root", "wrong").first, 401);
  EXPECT_EQ(login("nobody", "root-password").first, 401);
  EXPECT_EQ(curl("/api/v1/auth/login", "-X POST -d 'junk'").first, 400);
}

TEST_F(ApiAuthTest, AViewerReadsButItsWritesGet403) {
  auto viewer = clientAs(tokenOf("alice", "alice-password"));
  EXPECT_TRUE(viewer->list("Fleet"));
  auto created = viewer->create(fleet("corp"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, Errc::kForbidden);
  EXPECT_EQ(created.error().message.rfind("Forbidden (403): ", 0), 0u) << created.error().message;
  auto admin = clientAs(tokenOf("root", "root-password"));
  ASSERT_TRUE(admin->create(fleet("corp")));
  EXPECT_EQ(viewer->get({"Fleet", "corp"})->metadata.name, "corp");
  EXPECT_EQ(viewer->remove({"Fleet", "corp"}).error().code, Errc::kForbidden);
  auto [whoCode, who] = curl("/api/v1/auth/whoami", bearer(tokenOf("alice", "alice-password")));
  EXPECT_EQ(whoCode, 200);
  EXPECT_EQ(who["role"], "viewer");
}

TEST_F(ApiAuthTest, ExpiredRevokedAndSupersededTokensAreRefused) {
  EXPECT_EQ(curl(kFleets, bearer(signer_->issue("root", "admin", std::chrono::seconds(0)))).first,
            401)
      << "expired";
  EXPECT_EQ(curl(kFleets, bearer(auth::TokenSigner(std::string(32, 'x'))
                                     .issue("root", "admin", std::chrono::hours(1))))
                .first,
            401)
      << "signed with another key";
  const std::string token = tokenOf("root", "root-password");
  EXPECT_EQ(curl("/api/v1/auth/logout", "-X POST " + bearer(token)).first, 200);
  auto [revoked, why] = curl(kFleets, bearer(token));
  EXPECT_EQ(revoked, 401);
  EXPECT_NE(why.value("message", "").find("revoked"), std::string::npos);
  const std::string before = signer_->issue("alice", "viewer", std::chrono::hours(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // tokens count in seconds
  ASSERT_TRUE(users_->setPassword("alice", "alice-new-password", false));
  EXPECT_EQ(curl(kFleets, bearer(before)).first, 401) << "predates the password change";
  ASSERT_TRUE(users_->removeUser("alice"));
  EXPECT_EQ(curl(kFleets, bearer(signer_->issue("alice", "viewer", std::chrono::hours(1)))).first,
            401)
      << "a removed user";
}

TEST_F(ApiAuthTest, TenFailedLoginsAMinuteThen429) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(login("root", "guess-" + std::to_string(i)).first, 401);
  auto [code, body] = login("root", "root-password");
  EXPECT_EQ(code, 429) << "even the right password, until the window passes";
  EXPECT_NE(run("curl -si -X POST -d '{\"username\":\"root\",\"password\":\"x\"}' " +
                server_->url() + "/api/v1/auth/login")
                .output.find("Retry-After: "),
            std::string::npos);
  EXPECT_NE(auditLog().find("verb=\"login\" object=\"auth/login\" code=\"429\""),
            std::string::npos);
}

TEST_F(ApiAuthTest, EveryWriteLeavesAnAuditLineWithWhoWhatAndResult) {
  auto admin = clientAs(tokenOf("root", "root-password"));
  ASSERT_TRUE(admin->create(fleet("corp")));
  ASSERT_TRUE(admin->remove({"Fleet", "corp"}));
  EXPECT_FALSE(clientAs(tokenOf("alice", "alice-password"))->create(fleet("x")));
  curl(kFleets, "-X POST -d '{}'");
  const std::string log = auditLog();
  EXPECT_NE(log.find("decnet.audit - create [audit@55555 user=\"root\" verb=\"create\" "
                     "object=\"fleets\" code=\"201\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("user=\"root\" verb=\"delete\" object=\"fleets/corp\" code=\"200\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("user=\"alice\" verb=\"create\" object=\"fleets\" code=\"403\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("user=\"system:anonymous\" verb=\"create\" object=\"fleets\" code=\"401\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("user=\"root\" verb=\"login\""), std::string::npos);
  EXPECT_EQ(log.find("root-password"), std::string::npos) << "no secret in the audit trail";
  EXPECT_EQ(log.find("verb=\"get\""), std::string::npos) << "reads are not audited";
}

TEST_F(ApiAuthTest, AFirstLoginMustChangeItsPasswordBeforeAnythingElse) {
  ASSERT_TRUE(users_->addUser("bob", "admin", "first-password", true));
  auto [code, body] = login("bob", "first-password");
  ASSERT_EQ(code, 200);
  EXPECT_EQ(body["must_change_password"], true);
  const std::string first = body["access_token"];
  EXPECT_EQ(curl(kFleets, bearer(first)).first, 403);
  auto change = [&](const std::string& current, const std::string& fresh) {
    return curl("/api/v1/auth/password",
                "-X POST " + bearer(first) + " -d '" +
                    api::Json{{"current_password", current}, {"new_password", fresh}}.dump() + "'");
  };
  EXPECT_EQ(change("wrong", "bob-second-password").first, 401);
  EXPECT_EQ(change("first-password", "short").first, 422);
  auto [changed, fresh] = change("first-password", "bob-second-password");
  ASSERT_EQ(changed, 200) << fresh.dump();
  EXPECT_EQ(curl(kFleets, bearer(fresh["access_token"])).first, 200);
  EXPECT_EQ(login("bob", "bob-second-password").second["must_change_password"], false);
}

TEST_F(ApiAuthTest, NodesJoinWithABootstrapTokenAndWriteOnlyTheirOwn) {
  auto bootstrap = users_->createBootstrapToken(std::chrono::hours(1), "test");
  ASSERT_TRUE(bootstrap);
  auto join = [&](const std::string& node, const std::string& token) {
    return curl("/api/v1/auth/node",
                "-X POST -d '" + api::Json{{"node", node}, {"token", token}}.dump() + "'");
  };
  EXPECT_EQ(join("sensor-1", "abcdef.0123456789abcdef").first, 401);
  auto [code, body] = join("sensor-1", *bootstrap);
  ASSERT_EQ(code, 200) << body.dump();
  auto node = clientAs(body["access_token"]);
  api::Object self;
  self.kind = "Node";
  self.metadata.name = "sensor-1";
  auto created = node->create(self);
  ASSERT_TRUE(created) << created.error().message;
  created->status = {{"phase", "Ready"}};
  EXPECT_TRUE(node->updateStatus(*created));
  api::Object other = self;
  other.metadata.name = "sensor-2";
  EXPECT_EQ(node->create(other).error().code, Errc::kForbidden);
  EXPECT_EQ(node->create(fleet("corp")).error().code, Errc::kForbidden);
  EXPECT_TRUE(node->list("Decky"));
  auto [whoCode, who] = curl("/api/v1/auth/whoami", bearer(body["access_token"]));
  EXPECT_EQ(who["node"], "sensor-1");
  EXPECT_NE(auditLog().find("user=\"system:node:sensor-1\" verb=\"join\""), std::string::npos);
}

}  // namespace
}  // namespace decnet::apiserver

namespace decnet::apiserver {
namespace {

// The API over TLS with decnet's CA: nodes identify by client certificate (mutual TLS).
class ApiTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-tls-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    auto ca = auth::CertificateAuthority::loadOrCreate(dir_ + "/pki");
    ASSERT_TRUE(ca);
    ca_ = std::make_shared<auth::CertificateAuthority>(std::move(*ca));
    auto users = auth::UserStore::open(dir_ + "/auth.db");
    ASSERT_TRUE(users);
    users_ = std::move(*users);
    auto repository = store::openRepository("sqlite::memory:");
    ASSERT_TRUE(repository);
    store_ = *store::ObjectStore::open(std::move(*repository));
    auto server = ca_->issueServer({"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(server);
    ApiServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(freePort());
    options.auth = ApiAuthOptions{
        users_, std::make_shared<auth::TokenSigner>(std::string(32, 'k')), ca_, "", true, {}};
    options.tls = TlsServerConfig{server->certificatePem, server->keyPem, ca_->certificatePem()};
    server_ = std::make_unique<ApiServer>(*store_, options);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
  }
  void TearDown() override {
    if (server_) server_->stop();
    run("rm -rf " + dir_);
  }
  // Files for a client certificate of `node` signed by `ca`.
  std::string nodeCertificate(const std::string& node, const auth::CertificateAuthority& ca) {
    auto request = auth::makeKeyAndRequest("ignored");
    auto certificate = ca.signNode(request->requestPem, node, std::chrono::hours(1));
    std::ofstream(dir_ + "/" + node + ".crt") << *certificate;
    std::ofstream(dir_ + "/" + node + ".key") << request->keyPem;
    return " --cert " + dir_ + "/" + node + ".crt --key " + dir_ + "/" + node + ".key";
  }
  // The status code of curl over TLS, trusting the CA.
  int curl(const std::string& args, const std::string& path) {
    auto r = run("curl -s -o /dev/null -w '%{http_code}' --cacert " + dir_ + "/pki/ca.crt " + args +
                 " " + server_->url() + path);
    return std::atoi(r.output.c_str());
  }

  std::string dir_;
  std::shared_ptr<auth::CertificateAuthority> ca_;
  std::shared_ptr<auth::UserStore> users_;
  std::shared_ptr<store::ObjectStore> store_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ApiTlsTest, NodesIdentifyByCertificateAndWriteOnlyTheirOwnNode) {
  EXPECT_EQ(server_->url().rfind("https://", 0), 0u);
  const std::string nodes = "/apis/decnet.io/v1alpha1/nodes";
  const std::string create = "-X POST -H 'Content-Type: application/json' -d '" +
                             api::Json{{"apiVersion", "decnet.io/v1alpha1"},
                                       {"kind", "Node"},
                                       {"metadata", {{"name", "sensor-1"}}}}
                                 .dump() +
                             "'";
  EXPECT_EQ(curl(create, nodes), 401) << "no client certificate, no token";
  const std::string sensor1 = nodeCertificate("sensor-1", *ca_);
  EXPECT_EQ(curl(sensor1 + " " + create, nodes), 201);
  EXPECT_EQ(curl(sensor1, nodes), 200) << "reads";
  EXPECT_EQ(curl(nodeCertificate("sensor-2", *ca_) + " -X DELETE", nodes + "/sensor-1"), 403)
      << "another node's certificate";
  EXPECT_EQ(curl(sensor1 + " -X POST -d '{}'", "/apis/decnet.io/v1alpha1/fleets"), 403);
  // A certificate from another CA does not get past the handshake.
  auto foreign = auth::CertificateAuthority::loadOrCreate(dir_ + "/other-pki");
  ASSERT_TRUE(foreign);
  std::ofstream(dir_ + "/unused") << "";
  const std::string impostor = nodeCertificate("sensor-3", *foreign);
  EXPECT_EQ(curl(impostor, nodes), 0) << "the handshake fails: no HTTP status at all";
  EXPECT_NE(run("curl -s -o /dev/null http://" + server_->url().substr(8) + "/healthz").exitCode, 0)
      << "no plain HTTP on the TLS port";
}

TEST_F(ApiTlsTest, AWrongCaHashStopsTheJoinBeforeAnythingIsSent) {
  auto token = users_->createBootstrapToken(std::chrono::hours(1), "");
  ASSERT_TRUE(token);
  const std::string agent = testing::decnetBinary() + " agent --node edge-1 --data-dir " + dir_ +
                            "/agent --controller " + server_->url() + " --token " + *token;
  auto wrong = run(agent + " --ca-hash sha256:" + std::string(64, '0'));
  EXPECT_NE(wrong.exitCode, 0);
  EXPECT_NE(wrong.output.find("not joining"), std::string::npos) << wrong.output;
  EXPECT_NE(wrong.output.find(ca_->hash()), std::string::npos) << "names the hash it found";
  auto missing = run(agent);
  EXPECT_NE(missing.exitCode, 0);
  EXPECT_NE(missing.output.find("--ca-hash"), std::string::npos) << missing.output;
  EXPECT_EQ(run("ls " + dir_ + "/agent/node.conf").exitCode, 2) << "nothing was kept";
  EXPECT_EQ(curl("", "/api/v1/auth/ca"), 200) << "the CA itself is public";
}

}  // namespace
}  // namespace decnet::apiserver
