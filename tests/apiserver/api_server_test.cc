// The REST API through the real server on loopback: the REST client for behaviour, curl for
// the raw HTTP status codes and Status bodies.
#include "apiserver/api_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "api/rest/rest_client.h"
#include "controller/store/object_store.h"
#include "pipeline/correlator/correlator.h"
#include "tests/support/process.h"

namespace decnet::api {
namespace {

using testing::freePort;
using testing::run;

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto repository = store::openRepository("sqlite::memory:");
    ASSERT_TRUE(repository);
    store_ = *store::ObjectStore::open(std::move(*repository));
    apiserver::ApiServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(freePort());
    options.watchBookmarkEvery = std::chrono::seconds(1);
    server_ = std::make_unique<apiserver::ApiServer>(*store_, options);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    client_ = makeRestClient(server_->url());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  Object fleet(const std::string& name, int replicas = 2) {
    Object o;
    o.kind = "Fleet";
    o.metadata.name = name;
    o.metadata.labels = {{"site", "hq"}};
    o.spec = {{"network", {{"interface", "decnet-lab0"}, {"subnet", "10.77.0.0/24"}}},
              {"replicas", replicas},
              {"template", {{"archetype", "linux-server"}}}};
    return o;
  }

  // "CODE BODY" from curl.
  std::pair<int, Json> curl(const std::string& args) {
    auto r = run("curl -s -w '\\n%{http_code}' " + args);
    auto cut = r.output.rfind('\n');
    int code = std::stoi(r.output.substr(cut + 1));
    return {code, Json::parse(r.output.substr(0, cut), nullptr, false)};
  }

  std::shared_ptr<store::ObjectStore> store_;
  std::unique_ptr<apiserver::ApiServer> server_;
  ClientPtr client_;
};

TEST_F(ApiServerTest, HealthReadinessAndVersion) {
  EXPECT_EQ(run("curl -sf " + server_->url() + "/healthz").output, "ok");
  EXPECT_EQ(run("curl -sf " + server_->url() + "/readyz").output, "ok");
  auto [code, body] = curl(server_->url() + "/version");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body["apiVersion"], "decnet.io/v1alpha1");
}

TEST_F(ApiServerTest, CrudWithLabelSelectorsAndStatusSubresource) {
  auto created = client_->create(fleet("a"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->metadata.generation, 1);
  Object other = fleet("b");
  other.metadata.labels = {{"site", "branch"}};
  other.spec["network"]["interface"] = "decnet-lab1";
  ASSERT_TRUE(client_->create(other));

  auto all = client_->list("Fleet");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 2u);
  auto hq = client_->list("fleets", {"site=hq", ""});
  ASSERT_TRUE(hq);
  ASSERT_EQ(hq->items.size(), 1u);
  EXPECT_EQ(hq->items[0].metadata.name, "a");
  auto byField = client_->list("Fleet", {"", "spec.network.interface=decnet-lab1"});
  ASSERT_TRUE(byField);
  ASSERT_EQ(byField->items.size(), 1u);
  EXPECT_EQ(byField->items[0].metadata.name, "b");

  Object changed = *created;
  changed.spec["replicas"] = 5;
  auto updated = client_->update(changed);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->metadata.generation, 2);

  Object withStatus = *updated;
  withStatus.status = {{"replicas", 5}};
  withStatus.spec["replicas"] = 99;  // ignored by the status subresource
  auto statusWritten = client_->updateStatus(withStatus);
  ASSERT_TRUE(statusWritten);
  EXPECT_EQ(statusWritten->status["replicas"], 5);
  EXPECT_EQ(statusWritten->spec["replicas"], 5);
  EXPECT_EQ(statusWritten->metadata.generation, 2);

  ASSERT_TRUE(client_->remove({"Fleet", "a"}));
  auto gone = client_->get({"Fleet", "a"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kNotFound);
}

TEST_F(ApiServerTest, StaleWritesGet409AndDuplicatesToo) {
  auto created = client_->create(fleet("a"));
  ASSERT_TRUE(created);
  Object first = *created, second = *created;
  first.spec["replicas"] = 3;
  second.spec["replicas"] = 4;
  ASSERT_TRUE(client_->update(first));
  auto stale = client_->update(second);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  auto duplicate = client_->create(fleet("a"));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, Errc::kAlreadyExists);

  auto [code, body] =
      curl("-X POST -H 'Content-Type: application/json' -d '" + toJson(fleet("a")).dump() + "' " +
           server_->url() + "/apis/decnet.io/v1alpha1/fleets");
  EXPECT_EQ(code, 409);
  EXPECT_EQ(body["kind"], "Status");
  EXPECT_EQ(body["reason"], "AlreadyExists");
}

TEST_F(ApiServerTest, InvalidObjectsGet422WithFieldCauses) {
  Object bad = fleet("bad");
  bad.spec["template"]["services"] = Json::array({{{"name", "shh"}}});
  bad.spec["replicas"] = -1;
  auto [code, body] = curl("-X POST -H 'Content-Type: application/json' -d '" + toJson(bad).dump() +
                           "' " + server_->url() + "/apis/decnet.io/v1alpha1/fleets");
  EXPECT_EQ(code, 422);
  EXPECT_EQ(body["reason"], "Invalid");
  EXPECT_EQ(body["code"], 422);
  std::set<std::string> fields;
  for (const auto& cause : body["details"]["causes"])
    fields.insert(cause["field"].get<std::string>());
  EXPECT_TRUE(fields.count("spec.replicas")) << body.dump();
  EXPECT_TRUE(fields.count("spec.template.services[0]")) << body.dump();
  auto viaClient = client_->create(bad);
  ASSERT_FALSE(viaClient);
  EXPECT_EQ(viaClient.error().code, Errc::kInvalid);
  EXPECT_EQ(viaClient.error().fields.size(), fields.size());

  auto [missing, notFound] = curl(server_->url() + "/apis/decnet.io/v1alpha1/fleets/nope");
  EXPECT_EQ(missing, 404);
  EXPECT_EQ(notFound["reason"], "NotFound");
  auto [garbage, garbageBody] = curl("-X POST -H 'Content-Type: application/json' -d 'not json' " +
                                     server_->url() + "/apis/decnet.io/v1alpha1/fleets");
  EXPECT_EQ(garbage, 400);
  EXPECT_EQ(garbageBody["reason"], "BadRequest");
}

// kube-apiserver's codes and reasons for requests that can never succeed as sent.
TEST_F(ApiServerTest, BadRequestsGetKubeApiserverStatuses) {
  const std::string fleets = server_->url() + "/apis/decnet.io/v1alpha1/fleets";
  auto [form, formBody] = curl("-X POST -d 'a=b' " + fleets);  // curl's default: a web form
  EXPECT_EQ(form, 415);
  EXPECT_EQ(formBody["reason"], "UnsupportedMediaType");
  EXPECT_EQ(formBody["code"], 415);

  const std::string big = "/tmp/decnet-big-body-" + std::to_string(::getpid()) + ".json";
  run("head -c 5000000 /dev/zero | tr '\\0' ' ' > " + big);
  auto [large, largeBody] =
      curl("-X POST -H 'Content-Type: application/json' --data-binary @" + big + " " + fleets);
  EXPECT_EQ(large, 413);
  EXPECT_EQ(largeBody["reason"], "RequestEntityTooLarge");
  // Chunked, so no Content-Length announces it: still bounded.
  auto [chunked, chunkedBody] = curl(
      "-X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' "
      "--data-binary @" +
      big + " " + fleets);
  EXPECT_EQ(chunked, 413);
  run("rm -f " + big);

  auto [method, methodBody] = curl("-X DELETE " + fleets);
  EXPECT_EQ(method, 405);
  EXPECT_EQ(methodBody["reason"], "MethodNotAllowed");
}

// Every patch type kubectl sends: JSON merge, JSON patch, and strategic merge (a merge patch
// for custom resources, lists replaced whole).
TEST_F(ApiServerTest, PatchTypes) {
  ASSERT_TRUE(client_->create(fleet("p", 2)));
  const std::string url = server_->url() + "/apis/decnet.io/v1alpha1/fleets/p";
  auto [merged, mergedBody] = curl(
      "-X PATCH -H 'Content-Type: application/merge-patch+json' -d "
      "'{\"spec\":{\"replicas\":3},\"metadata\":{\"labels\":{\"site\":null,\"tier\":\"dmz\"}}}' " +
      url);
  EXPECT_EQ(merged, 200) << mergedBody.dump();
  EXPECT_EQ(mergedBody["spec"]["replicas"], 3);
  EXPECT_EQ(mergedBody["metadata"]["labels"], Json({{"tier", "dmz"}}));
  EXPECT_EQ(mergedBody["metadata"]["generation"], 2);

  auto [patched, patchedBody] = curl(
      "-X PATCH -H 'Content-Type: application/json-patch+json' -d "
      "'[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":3},"
      "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]' " +
      url);
  EXPECT_EQ(patched, 200) << patchedBody.dump();
  EXPECT_EQ(patchedBody["spec"]["replicas"], 4);
  auto [failedTest, failedTestBody] = curl(
      "-X PATCH -H 'Content-Type: application/json-patch+json' -d "
      "'[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":99}]' " +
      url);
  EXPECT_EQ(failedTest, 422) << failedTestBody.dump();

  auto [strategic, strategicBody] = curl(
      "-X PATCH -H 'Content-Type: application/strategic-merge-patch+json' -d "
      "'{\"spec\":{\"template\":{\"services\":[{\"name\":\"ssh\"}]}}}' " +
      url);
  EXPECT_EQ(strategic, 200) << strategicBody.dump();
  EXPECT_EQ(strategicBody["spec"]["template"]["services"].size(), 1u);
  EXPECT_EQ(strategicBody["spec"]["template"]["archetype"], "linux-server");

  // A patch that breaks the schema is refused with the field, and nothing changes.
  auto [invalid, invalidBody] = curl(
      "-X PATCH -H 'Content-Type: application/merge-patch+json' -d "
      "'{\"spec\":{\"replicas\":-1}}' " +
      url);
  EXPECT_EQ(invalid, 422) << invalidBody.dump();
  EXPECT_EQ(client_->get({"Fleet", "p"})->spec["replicas"], 4);
  auto [unknown, unknownBody] = curl("-X PATCH -H 'Content-Type: text/plain' -d 'x' " + url);
  EXPECT_EQ(unknown, 415);
  auto [missing, missingBody] =
      curl("-X PATCH -H 'Content-Type: application/merge-patch+json' -d '{}' " + server_->url() +
           "/apis/decnet.io/v1alpha1/fleets/nope");
  EXPECT_EQ(missing, 404);
}

// OpenAPI from the CRDs: the v3 root points at the group-version document (with a hash), which
// has each kind's schema tagged with its group-version-kind and PATCH operations that take
// fieldValidation (what kubectl checks before it leaves validation to the server).
TEST_F(ApiServerTest, OpenApiDocumentsComeFromTheCrds) {
  auto [rootCode, root] = curl(server_->url() + "/openapi/v3");
  ASSERT_EQ(rootCode, 200);
  const std::string url = root["paths"]["apis/decnet.io/v1alpha1"]["serverRelativeURL"];
  EXPECT_EQ(url.rfind("/openapi/v3/apis/decnet.io/v1alpha1?hash=", 0), 0u) << url;
  auto [code, doc] = curl("'" + server_->url() + url + "'");
  ASSERT_EQ(code, 200);
  const Json& fleet = doc["components"]["schemas"]["io.decnet.v1alpha1.Fleet"];
  EXPECT_EQ(fleet["x-kubernetes-group-version-kind"][0]["kind"], "Fleet");
  EXPECT_TRUE(fleet["properties"]["spec"]["properties"].contains("network"));
  const Json& patch = doc["paths"]["/apis/decnet.io/v1alpha1/deckies/{name}"]["patch"];
  EXPECT_EQ(patch["x-kubernetes-group-version-kind"]["kind"], "Decky");
  bool fieldValidation = false;
  for (const auto& p : patch["parameters"]) fieldValidation |= p["name"] == "fieldValidation";
  EXPECT_TRUE(fieldValidation);
  auto [v2Code, v2] = curl(server_->url() + "/openapi/v2");
  EXPECT_EQ(v2Code, 200);
  EXPECT_TRUE(v2["definitions"].contains("io.decnet.v1alpha1.Node"));
  auto [protobuf, ignored] =
      curl("-H 'Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf' " +
           server_->url() + "/openapi/v2");
  EXPECT_EQ(protobuf, 406);
}

// limit/continue as kubectl pages (chunks of 500): pages in name order, a token to go on and the
// count left; a token whose list was compacted away is a 410.
TEST_F(ApiServerTest, ListsPageWithLimitAndContinue) {
  for (int i = 0; i < 5; ++i) {
    Object f = fleet("page-" + std::to_string(i));
    f.spec["network"]["interface"] = "decnet-lab" + std::to_string(i);
    ASSERT_TRUE(client_->create(f));
  }
  const std::string fleets = server_->url() + "/apis/decnet.io/v1alpha1/fleets";
  std::vector<std::string> names;
  std::string token;
  std::string firstRevision;
  for (int pageNumber = 0; pageNumber < 4; ++pageNumber) {
    auto [code, body] =
        curl("'" + fleets + "?limit=2" + (token.empty() ? "" : "&continue=" + token) + "'");
    ASSERT_EQ(code, 200) << body.dump();
    for (const auto& item : body["items"]) names.push_back(item["metadata"]["name"]);
    if (firstRevision.empty()) firstRevision = body["metadata"]["resourceVersion"];
    EXPECT_EQ(body["metadata"]["resourceVersion"], firstRevision) << "one list, one revision";
    if (!body["metadata"].contains("continue")) break;
    EXPECT_EQ(body["metadata"]["remainingItemCount"], 5 - static_cast<int>(names.size()));
    token = body["metadata"]["continue"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"page-0", "page-1", "page-2", "page-3", "page-4"}));

  auto [first, firstBody] = curl("'" + fleets + "?limit=2'");
  const std::string stale = firstBody["metadata"]["continue"];
  Object changed = *client_->get({"Fleet", "page-0"});
  changed.spec["replicas"] = 3;
  ASSERT_TRUE(client_->update(changed));
  ASSERT_TRUE(store_->compact(0));
  auto [gone, goneBody] = curl("'" + fleets + "?limit=2&continue=" + stale + "'");
  EXPECT_EQ(gone, 410) << goneBody.dump();
  EXPECT_EQ(goneBody["reason"], "Expired");
  auto [bad, badBody] = curl("'" + fleets + "?limit=2&continue=garbage!'");
  EXPECT_EQ(bad, 400);
}

// Many clients at once on keep-alive connections: every request is answered (a listener whose
// workers block on request bodies that never come stalls here).
TEST_F(ApiServerTest, ConcurrentKeepAliveClientsAreAllServed) {
  ASSERT_TRUE(client_->create(fleet("busy")));
  if (run("command -v wrk").exitCode != 0) GTEST_SKIP() << "wrk is not installed";
  auto result = run("wrk -t2 -c64 -d2s --timeout 2s " + server_->url() +
                    "/apis/decnet.io/v1alpha1/fleets/busy 2>&1");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto at = result.output.find("Requests/sec:");
  ASSERT_NE(at, std::string::npos) << result.output;
  EXPECT_GT(std::atof(result.output.c_str() + at + 13), 500.0) << result.output;
  EXPECT_EQ(result.output.find("timeout"), std::string::npos) << result.output;
}

TEST_F(ApiServerTest, DryRunWritesNothing) {
  auto [code, body] =
      curl("-X POST -H 'Content-Type: application/json' -d '" + toJson(fleet("dry")).dump() +
           "' '" + server_->url() + "/apis/decnet.io/v1alpha1/fleets?dryRun=All'");
  EXPECT_EQ(code, 201);
  EXPECT_EQ(body["metadata"]["name"], "dry");
  EXPECT_FALSE(client_->get({"Fleet", "dry"}));
  ASSERT_TRUE(client_->create(fleet("real")));
  auto removed = client_->remove({"Fleet", "real"}, {true});
  ASSERT_TRUE(removed);
  EXPECT_TRUE(client_->get({"Fleet", "real"})) << "a dry-run delete keeps the object";
}

// --dry-run=server of a fleet whose parent interface no Ready node has: accepted, with a Warning
// that names the interface (kubectl and decnet print it).
TEST_F(ApiServerTest, DryRunWarnsOfAParentInterfaceNoReadyNodeHas) {
  Object node;
  node.kind = "Node";
  node.metadata.name = "local";
  auto created = store_->create(node, {});
  ASSERT_TRUE(created);
  created->status = {{"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})},
                     {"interfaces", Json::array({"eth0", "decnet-lab0"})}};
  ASSERT_TRUE(store_->updateStatus(*created, {}));
  Object lab9 = fleet("lab9");
  lab9.spec["network"]["interface"] = "decnet-lab9";
  const std::string url = "'" + server_->url() + "/apis/decnet.io/v1alpha1/fleets?dryRun=All'";
  auto headers = run("curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' -d '" +
                     toJson(lab9).dump() + "' " + url);
  EXPECT_NE(headers.output.find("201"), std::string::npos) << headers.output;
  EXPECT_NE(headers.output.find("Warning: 299 - \"spec.network.interface: no Ready node has "
                                "interface \\\"decnet-lab9\\\""),
            std::string::npos)
      << headers.output;
  auto fine = run("curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' -d '" +
                  toJson(fleet("lab0")).dump() + "' " + url);
  EXPECT_EQ(fine.output.find("Warning:"), std::string::npos) << fine.output;
}

TEST_F(ApiServerTest, WatchStreamsChangesAndResumesFromAResourceVersion) {
  auto created = client_->create(fleet("w"));
  ASSERT_TRUE(created);
  const auto resumeFrom = created->metadata.resourceVersion;
  Object changed = *created;
  changed.spec["replicas"] = 7;
  ASSERT_TRUE(client_->update(changed));
  ASSERT_TRUE(client_->remove({"Fleet", "w"}));

  // Resume after the create: we must see exactly the later two changes, in order.
  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  auto watched = client_->watch(
      "Fleet", resumeFrom,
      [&](const WatchEvent& e) {
        if (e.type == WatchEvent::Type::kBookmark) return true;
        seen.push_back(std::string(watchEventTypeName(e.type)) + ":" +
                       std::to_string(e.object.spec.value("replicas", 0)));
        return seen.size() < 2;
      },
      stop);
  ASSERT_TRUE(watched) << watched.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"MODIFIED:7", "DELETED:7"}));

  // A live watch sees a write made after it started.
  std::string live;
  std::thread watcher([&] {
    auto ok = client_->watch(
        "Fleet", store_->revision(),
        [&](const WatchEvent& e) {
          if (e.type == WatchEvent::Type::kBookmark) return true;
          live = e.object.metadata.name;
          return false;
        },
        stop);
    EXPECT_TRUE(ok);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(client_->create(fleet("later")));
  watcher.join();
  EXPECT_EQ(live, "later");
}

// The watch cache keeps the newest `watchHistory` changes; a watch from before them is 410, as
// kube-apiserver answers a resourceVersion older than its watch cache.
TEST_F(ApiServerTest, WatchFromBeforeTheCachedHistoryGets410) {
  server_->stop();
  apiserver::ApiServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(freePort());
  options.watchHistory = 2;
  server_ = std::make_unique<apiserver::ApiServer>(*store_, options);
  ASSERT_TRUE(server_->start());
  client_ = makeRestClient(server_->url());
  auto created = client_->create(fleet("c"));
  ASSERT_TRUE(created);
  for (int replicas : {3, 4, 5}) {
    Object changed = *client_->get({"Fleet", "c"});
    changed.spec["replicas"] = replicas;
    ASSERT_TRUE(client_->update(changed));
  }
  auto [code, body] =
      curl("'" + server_->url() + "/apis/decnet.io/v1alpha1/fleets?watch=true&resourceVersion=1'");
  EXPECT_EQ(code, 410);
  EXPECT_EQ(body["reason"], "Expired");
  std::atomic<bool> stop{false};
  auto watched = client_->watch(
      "Fleet", 1, [](const WatchEvent&) { return false; }, stop);
  ASSERT_FALSE(watched);
  EXPECT_EQ(watched.error().code, Errc::kGone);
}

// One client address may hold maxWatchesPerClient watches; the next is 429 with Retry-After,
// and closing one makes room again.
TEST_F(ApiServerTest, OpenWatchesPerClientAreCapped) {
  server_->stop();
  apiserver::ApiServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(freePort());
  options.maxWatchesPerClient = 2;
  server_ = std::make_unique<apiserver::ApiServer>(*store_, options);
  ASSERT_TRUE(server_->start());
  const std::string watch = "'" + server_->url() + "/apis/decnet.io/v1alpha1/fleets?watch=true'";
  // Two watches held open on raw connections.
  std::vector<int> held;
  const std::string request =
      "GET /apis/decnet.io/v1alpha1/fleets?watch=true HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 2; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(options.listen.substr(10))));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    held.push_back(fd);
  }
  int code = 0;
  Json body;
  for (int attempt = 0; attempt < 50 && code != 429; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::tie(code, body) = curl("-m 1 " + watch);
  }
  EXPECT_EQ(code, 429);
  EXPECT_EQ(body["reason"], "TooManyRequests");
  EXPECT_NE(run("curl -s -D - -o /dev/null -m 1 " + watch).output.find("Retry-After: 1"),
            std::string::npos);
  for (int fd : held) ::close(fd);
  for (int attempt = 0; attempt < 50 && code == 429; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::tie(code, body) = curl("-m 1 " + watch);
  }
  EXPECT_NE(code, 429) << "a closed watch frees its place";
}

// curl asks "Expect: 100-continue" before a body over 1 KiB: answered at once, not after
// curl's 1 s wait.
TEST_F(ApiServerTest, LargeBodiesAreNotHeldBackByExpectContinue) {
  Object big = fleet("big");
  big.metadata.annotations["note"] = std::string(4000, 'x');
  const std::string file = "/tmp/decnet-expect-" + std::to_string(::getpid()) + ".json";
  run("printf '%s' '" + toJson(big).dump() + "' > " + file);
  const auto started = std::chrono::steady_clock::now();
  auto [code, body] = curl("-X POST -H 'Content-Type: application/json' --data-binary @" + file +
                           " " + server_->url() + "/apis/decnet.io/v1alpha1/fleets");
  const auto took = std::chrono::steady_clock::now() - started;
  run("rm -f " + file);
  EXPECT_EQ(code, 201) << body.dump();
  EXPECT_LT(took, std::chrono::milliseconds(900));
}

// /api/v1/events serves the collector's store: filters, the cursor, and 503 without a store.
TEST_F(ApiServerTest, TelemetryEventsAreFilteredAndPaged) {
  auto [none, noneBody] = curl("'" + server_->url() + "/api/v1/events'");
  EXPECT_EQ(none, 503) << noneBody.dump();
  server_->stop();
  auto telemetry = pipeline::openTelemetryStore("sqlite::memory:");
  ASSERT_TRUE(telemetry);
  std::vector<pipeline::CollectedEvent> events;
  for (int i = 1; i <= 5; ++i) {
    events.push_back({0, "local", i, "2026-12-02T08:00:0" + std::to_string(i) + "Z",
                      i % 2 ? "corp-01" : "corp-02", i == 5 ? "ssh" : "http",
                      i == 5 ? "auth_attempt" : "request", "10.77.0." + std::to_string(i),
                      "{\"path\":\"/p" + std::to_string(i) + "\"}", "", 134});
  }
  ASSERT_TRUE((*telemetry)->commit(events, {}));
  apiserver::ApiServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(freePort());
  options.telemetry = std::move(*telemetry);
  server_ = std::make_unique<apiserver::ApiServer>(*store_, options);
  ASSERT_TRUE(server_->start());
  const std::string url = "'" + server_->url() + "/api/v1/events";

  auto [code, all] = curl(url + "'");
  EXPECT_EQ(code, 200);
  ASSERT_EQ(all["items"].size(), 5u);
  EXPECT_EQ(all["items"][0]["fields"]["path"], "/p1");
  EXPECT_EQ(all["items"][0]["sequence_id"], 1);
  EXPECT_EQ(all["items"][4]["event_type"], "auth_attempt");
  auto [c1, odd] = curl(url + "?decky=corp-01&service=http'");
  ASSERT_EQ(odd["items"].size(), 2u);  // 1 and 3 (5 is ssh)
  auto [c2, byAddress] = curl(url + "?attacker=10.77.0.4'");
  ASSERT_EQ(byAddress["items"].size(), 1u);
  auto [c3, text] = curl(url + "?q=/p2'");
  ASSERT_EQ(text["items"].size(), 1u);
  auto [c4, late] = curl(url + "?since=2026-12-02T08:00:04Z'");
  EXPECT_EQ(late["items"].size(), 2u);

  auto [c5, first] = curl(url + "?limit=2'");
  ASSERT_EQ(first["items"].size(), 2u);
  const std::string cursor = first["next_cursor"];
  auto [c6, second] = curl(url + "?limit=2&cursor=" + cursor + "'");
  ASSERT_EQ(second["items"].size(), 2u);
  EXPECT_EQ(second["items"][0]["fields"]["path"], "/p3");
  auto [c7, badLimit] = curl(url + "?limit=0'");
  EXPECT_EQ(c7, 400);
}

TEST_F(ApiServerTest, AttackersSessionsCredentialsStatsAndHistogram) {
  auto [none, noneBody] = curl("'" + server_->url() + "/api/v1/attackers'");
  EXPECT_EQ(none, 503) << noneBody.dump();
  server_->stop();
  const std::string dsn = "/tmp/decnet-api-analysis-" + std::to_string(getpid()) + ".db";
  std::filesystem::remove(dsn);
  // Runs last, even after a failed assertion: the server (which shares the stores) goes first,
  // so the database is closed before it and its -wal and -shm files are removed.
  struct RemoveDatabase {
    std::function<void()> closeServer;
    std::string path;
    ~RemoveDatabase() {
      closeServer();
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    }
  } removeDatabase{[this] { server_.reset(); }, dsn};
  std::shared_ptr<pipeline::TelemetryStore> telemetry =
      std::move(*pipeline::openTelemetryStore(dsn));
  std::shared_ptr<pipeline::AnalysisStore> analysis = std::move(*pipeline::openAnalysisStore(dsn));
  std::vector<pipeline::CollectedEvent> events;
  for (int i = 1; i <= 6; ++i) {
    events.push_back({0, "local", i, "2026-12-02T08:0" + std::to_string(i) + ":00Z",
                      "corp-0" + std::to_string(i % 3 + 1), "ssh", "auth_attempt", "10.77.0.250",
                      R"({"principal":"root","secret":"toor","outcome":"failed"})", "", 134});
  }
  ASSERT_TRUE(telemetry->commit(events, {}));
  ASSERT_TRUE(*analysis->acquireLease("correlator", "test", std::chrono::seconds(10)));
  pipeline::Correlator correlator(*telemetry, *analysis);
  ASSERT_EQ(*correlator.step("test"), 6u);
  apiserver::ApiServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(freePort());
  options.telemetry = telemetry;
  options.analysis = analysis;
  server_ = std::make_unique<apiserver::ApiServer>(*store_, options);
  ASSERT_TRUE(server_->start());
  const std::string url = "'" + server_->url() + "/api/v1/";

  auto [code, list] = curl(url + "attackers?ip=10.77.0.250'");
  ASSERT_EQ(code, 200) << list.dump();
  ASSERT_EQ(list["items"].size(), 1u);
  const Json& listed = list["items"][0];
  EXPECT_EQ(listed["event_count"], 6);
  EXPECT_EQ(listed["deckies"], Json({"corp-02", "corp-03", "corp-01"}));
  EXPECT_EQ(listed["profiled"], false);
  EXPECT_TRUE(curl(url + "attackers?ip=10.9.9.9'").second["items"].empty());

  auto [detailCode, detail] = curl(url + "attackers/" + listed["id"].get<std::string>() + "'");
  ASSERT_EQ(detailCode, 200) << detail.dump();
  EXPECT_EQ(detail["traversal"].size(), 6u);
  EXPECT_EQ(detail["sessions"].size(), 3u);
  ASSERT_EQ(detail["credentials"].size(), 3u);
  EXPECT_EQ(detail["credentials"][0]["principal"], "root");
  EXPECT_EQ(detail["credentials"][0]["reused"], true);
  EXPECT_EQ(curl(url + "attackers/999'").first, 404);
  EXPECT_EQ(curl(url + "attackers/x'").first, 404);

  auto [sessionsCode, sessions] = curl(url + "sessions?decky=corp-01'");
  ASSERT_EQ(sessions["items"].size(), 1u);
  EXPECT_EQ(sessions["items"][0]["event_count"], 2);
  auto [credentialsCode, credentials] = curl(url + "credentials?limit=2'");
  ASSERT_EQ(credentials["items"].size(), 2u);
  ASSERT_TRUE(credentials["next_cursor"].is_string());
  auto [statsCode, stats] = curl(url + "stats'");
  EXPECT_EQ(stats["total_events"], 6);
  EXPECT_EQ(stats["attackers"], 1);
  EXPECT_EQ(stats["sessions"], 3);
  EXPECT_EQ(stats["credentials"], 3);
  EXPECT_EQ(stats["events_per_service"]["ssh"], 6);

  auto [histogramCode, histogram] = curl(url + "events/histogram?bucket=2m'");
  ASSERT_EQ(histogramCode, 200) << histogram.dump();
  EXPECT_EQ(histogram["bucket_seconds"], 120);
  ASSERT_EQ(histogram["buckets"].size(), 4u);  // 08:00 (1), 08:02 (2, 3), 08:04 (4, 5), 08:06
  EXPECT_EQ(histogram["buckets"][0], Json({{"start", "2026-12-02T08:00:00Z"}, {"count", 1}}));
  EXPECT_EQ(histogram["buckets"][1]["count"], 2);
  EXPECT_EQ(curl(url + "events/histogram?bucket=soon'").first, 400);
  server_->stop();
}

TEST_F(ApiServerTest, EventStreamSendsNewEventsAndResumesFromLastEventId) {
  server_->stop();
  std::shared_ptr<pipeline::TelemetryStore> telemetry =
      std::move(*pipeline::openTelemetryStore("sqlite::memory:"));
  const auto commit = [&](int from, int to) {
    std::vector<pipeline::CollectedEvent> events;
    for (int i = from; i <= to; ++i) {
      events.push_back({0, "local", i, "2026-12-02T08:00:00Z", "corp-01", "http", "request",
                        "10.77.0.250", "{\"path\":\"/p" + std::to_string(i) + "\"}", "", 134});
    }
    ASSERT_TRUE(telemetry->commit(events, {}));
  };
  commit(1, 3);
  apiserver::ApiServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(freePort());
  options.telemetry = telemetry;
  options.eventStreamPoll = std::chrono::milliseconds(20);
  server_ = std::make_unique<apiserver::ApiServer>(*store_, options);
  ASSERT_TRUE(server_->start());
  const std::string url = server_->url() + "/api/v1/stream";

  // A new client gets only what comes after it connected, live.
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    commit(4, 5);
  });
  auto live = run("curl -sN --max-time 2 -D - '" + url + "'");
  later.join();
  std::string headers = live.output.substr(0, live.output.find("\r\n\r\n"));
  for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(headers.find("content-type: text/event-stream"), std::string::npos) << headers;
  EXPECT_EQ(live.output.find("id: 3\n"), std::string::npos) << live.output;
  EXPECT_NE(live.output.find("id: 4\ndata: {"), std::string::npos) << live.output;
  EXPECT_NE(live.output.find("id: 5\ndata: "), std::string::npos) << live.output;
  EXPECT_NE(live.output.find("\"path\":\"/p5\""), std::string::npos) << live.output;

  // A reconnect with Last-Event-ID gets what it missed first, then live events: no gap.
  std::thread more([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    commit(6, 6);
  });
  auto resumed = run("curl -sN --max-time 2 -H 'Last-Event-ID: 2' '" + url + "'");
  more.join();
  std::vector<std::string> ids;
  for (std::size_t at = resumed.output.find("id: "); at != std::string::npos;
       at = resumed.output.find("id: ", at + 1)) {
    ids.push_back(resumed.output.substr(at + 4, resumed.output.find('\n', at) - at - 4));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"3", "4", "5", "6"})) << resumed.output;
  auto filtered = run("curl -sN --max-time 1 -H 'Last-Event-ID: 0' '" + url + "?decky=corp-02'");
  EXPECT_EQ(filtered.output.find("id: "), std::string::npos) << filtered.output;
  EXPECT_EQ(curl("-H 'Last-Event-ID: x' '" + url + "'").first, 400);
}

TEST_F(ApiServerTest, MutateSubresourceSetsTheRequest) {
  Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "d1";
  decky.spec = {
      {"network", {{"subnet", "10.77.0.0/24"}}}, {"ip", "10.77.0.5"}, {"archetype", "deaddeck"}};
  ASSERT_TRUE(client_->create(decky));
  auto requested = client_->requestMutation("d1");
  ASSERT_TRUE(requested) << requested.error().message;
  EXPECT_EQ(requested->metadata.annotations.count(kMutateRequestAnnotation), 1u);
}

}  // namespace
}  // namespace decnet::api
