#include "controller/store/object_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace decnet::store {
namespace {

using api::Json;

std::shared_ptr<ObjectStore> memoryStore() {
  auto repository = openRepository("sqlite::memory:");
  EXPECT_TRUE(repository.has_value());
  auto opened = ObjectStore::open(std::move(*repository));
  EXPECT_TRUE(opened.has_value());
  return *opened;
}

api::Object fleet(const std::string& name, const std::string& subnet = "10.77.0.0/24",
                  Json deckies = Json::array()) {
  api::Object o;
  o.kind = "Fleet";
  o.metadata.name = name;
  o.spec = {{"network", {{"interface", "decnet-lab0"}, {"subnet", subnet}}},
            {"replicas", 2},
            {"template", {{"archetype", "linux-server"}}}};
  if (!deckies.empty()) o.spec["deckies"] = deckies;
  return o;
}

TEST(ObjectStoreTest, CreateRejectsInvalidObjectsWithFieldPathsAndWritesNothing) {
  auto store = memoryStore();
  api::Object bad = fleet("corp");
  bad.spec["template"]["services"] = Json::array({{{"name", "shh"}}});
  auto created = store->create(bad, {});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, Errc::kInvalid);
  ASSERT_FALSE(created.error().fields.empty());
  EXPECT_EQ(created.error().fields[0].path, "spec.template.services[0]");
  EXPECT_EQ(store->revision(), 0);
}

TEST(ObjectStoreTest, DryRunAdmitsButWritesNothing) {
  auto store = memoryStore();
  auto created = store->create(fleet("corp"), {true});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(store->revision(), 0);
  EXPECT_FALSE(store->get({"Fleet", "corp"}));
}

TEST(ObjectStoreTest, ServerFieldsAreAssignedAndIdenticalUpdateIsANoOp) {
  auto store = memoryStore();
  auto created = store->create(fleet("corp"), {});
  ASSERT_TRUE(created);
  EXPECT_FALSE(created->metadata.uid.empty());
  EXPECT_EQ(created->metadata.generation, 1);
  auto same = store->update(*created, {});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->metadata.resourceVersion, created->metadata.resourceVersion);
  api::Object changed = *created;
  changed.spec["replicas"] = 3;
  auto updated = store->update(changed, {});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->metadata.generation, 2);
  auto stale = store->update(changed, {});  // carries the old resourceVersion
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::kConflict);
}

TEST(ObjectStoreTest, RejectsAnAddressAnotherFleetAlreadyUsesOnTheSameInterface) {
  auto store = memoryStore();
  ASSERT_TRUE(store->create(
      fleet("a", "10.77.0.0/24", Json::array({{{"name", "db"}, {"ip", "10.77.0.20"}}})), {}));
  auto clash = store->create(
      fleet("b", "10.77.0.0/24", Json::array({{{"name", "web"}, {"ip", "10.77.0.20"}}})), {});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, Errc::kInvalid);
  ASSERT_FALSE(clash.error().fields.empty());
  EXPECT_EQ(clash.error().fields[0].path, "spec.deckies[0].ip");
}

api::Object decky(const std::string& name, const std::string& ip,
                  const std::string& iface = "decnet-lab0") {
  api::Object d;
  d.kind = "Decky";
  d.metadata.name = name;
  d.spec = {{"network", {{"interface", iface}, {"subnet", "10.77.0.0/24"}}},
            {"ip", ip},
            {"archetype", "linux-server"}};
  return d;
}

TEST(ObjectStoreTest, ADeckyAddressIsFreedByAMoveOrADeleteAndKeptPerInterface) {
  auto store = memoryStore();
  ASSERT_TRUE(store->create(decky("a", "10.77.0.5"), {}));
  auto clash = store->create(decky("b", "10.77.0.5"), {});
  ASSERT_FALSE(clash);
  ASSERT_FALSE(clash.error().fields.empty());
  EXPECT_EQ(clash.error().fields[0].path, "spec.ip");
  EXPECT_NE(clash.error().fields[0].detail.find("decky a"), std::string::npos)
      << clash.error().fields[0].detail;
  // The same address on another parent interface is another LAN.
  EXPECT_TRUE(store->create(decky("other-lan", "10.77.0.5", "decnet-lab1"), {}));
  // Re-writing a decky with its own address is no clash with itself.
  auto a = store->get({"Decky", "a"});
  ASSERT_TRUE(a);
  a->metadata.labels["tier"] = "web";
  ASSERT_TRUE(store->update(*a, {}));
  // Moving a to .6 frees .5 and takes .6.
  a = store->get({"Decky", "a"});
  a->spec["ip"] = "10.77.0.6";
  ASSERT_TRUE(store->update(*a, {}));
  EXPECT_TRUE(store->create(decky("b", "10.77.0.5"), {}));
  EXPECT_FALSE(store->create(decky("c", "10.77.0.6"), {}));
  // Deleting a frees .6.
  ASSERT_TRUE(store->remove({"Decky", "a"}, {}));
  EXPECT_TRUE(store->create(decky("c", "10.77.0.6"), {}));
}

TEST(ObjectStoreTest, AReopenedStoreKnowsItsDeckiesAddressesAndWatchersReadOlderChanges) {
  char path[] = "/tmp/decnet-store-test-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string url = std::string("sqlite://") + path;
  std::int64_t from = 0;
  {
    auto repository = openRepository(url);
    ASSERT_TRUE(repository);
    auto store = *ObjectStore::open(std::move(*repository));
    from = store->revision();
    ASSERT_TRUE(store->create(decky("a", "10.77.0.5"), {}));
    ASSERT_TRUE(store->create(decky("b", "10.77.0.7"), {}));
  }
  auto repository = openRepository(url);
  ASSERT_TRUE(repository);
  auto store = *ObjectStore::open(std::move(*repository));
  EXPECT_FALSE(store->create(decky("c", "10.77.0.5"), {})) << "the index is rebuilt on open";
  // The first changes were written by the earlier store: they come from the repository, the
  // next one from memory, in one ordered stream.
  ASSERT_TRUE(store->create(decky("c", "10.77.0.9"), {}));
  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  ASSERT_TRUE(store->watch(
      "Decky", from,
      [&](const api::WatchEvent& e) {
        if (e.type == api::WatchEvent::Type::kBookmark) return true;
        seen.push_back(e.object.metadata.name + "@" + std::to_string(e.revision));
        return seen.size() < 3;
      },
      stop));
  EXPECT_EQ(seen, (std::vector<std::string>{"a@" + std::to_string(from + 1),
                                            "b@" + std::to_string(from + 2),
                                            "c@" + std::to_string(from + 3)}));
  std::remove(path);
  std::remove((std::string(path) + "-wal").c_str());
  std::remove((std::string(path) + "-shm").c_str());
}

TEST(ObjectStoreTest, DeleteWaitsForFinalizers) {
  auto store = memoryStore();
  api::Object n;
  n.kind = "Node";
  n.metadata.name = "n1";
  n.metadata.finalizers = {"decnet.io/teardown"};
  ASSERT_TRUE(store->create(n, {}));
  auto marked = store->remove({"Node", "n1"}, {});
  ASSERT_TRUE(marked);
  EXPECT_TRUE(marked->deleting());
  auto still = store->get({"Node", "n1"});
  ASSERT_TRUE(still);
  EXPECT_TRUE(still->deleting());
  api::Object more = *still;
  more.metadata.finalizers.push_back("example.com/late");
  auto refused = store->update(more, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInvalid) << "no new finalizers on a dying object";
  still->metadata.finalizers.clear();
  ASSERT_TRUE(store->update(*still, {}));
  auto gone = store->get({"Node", "n1"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kNotFound);
}

TEST(ObjectStoreTest, WatchDeliversChangesInOrderAndCompactionExpiresOldRevisions) {
  auto store = memoryStore();
  api::Object first;  // revision 0 means "from now", so start the history with another object
  first.kind = "Node";
  first.metadata.name = "n0";
  ASSERT_TRUE(store->create(first, {}));
  auto created = store->create(fleet("corp"), {});
  ASSERT_TRUE(created);
  const auto from = created->metadata.resourceVersion;
  api::Object changed = *created;
  changed.spec["replicas"] = 4;
  ASSERT_TRUE(store->update(changed, {}));
  ASSERT_TRUE(store->remove({"Fleet", "corp"}, {}));
  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  auto watched = store->watch(
      "Fleet", from - 1,
      [&](const api::WatchEvent& e) {
        if (e.type == api::WatchEvent::Type::kBookmark) return true;
        seen.push_back(api::watchEventTypeName(e.type));
        return seen.size() < 3;
      },
      stop);
  ASSERT_TRUE(watched);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));

  ASSERT_TRUE(store->compact(0));  // keep nothing
  std::atomic<bool> stopNow{true};
  auto expired = store->watch(
      "Fleet", from, [](const api::WatchEvent&) { return false; }, stopNow);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::kGone);
}

TEST(ObjectStoreTest, BlockedWatchWakesOnAWrite) {
  auto store = memoryStore();
  std::atomic<bool> stop{false};
  std::string seen;
  std::thread watcher([&] {
    auto ok = store->watch(
        "Fleet", store->revision(),
        [&](const api::WatchEvent& e) {
          if (e.type == api::WatchEvent::Type::kBookmark) return true;
          seen = e.object.metadata.name;
          return false;
        },
        stop);
    EXPECT_TRUE(ok);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(store->create(fleet("late"), {}));
  watcher.join();
  EXPECT_EQ(seen, "late");
}

TEST(ObjectStoreTest, RequestMutationSetsTheAnnotation) {
  auto store = memoryStore();
  api::Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "d1";
  decky.spec = {
      {"network", {{"subnet", "10.77.0.0/24"}}}, {"ip", "10.77.0.5"}, {"archetype", "deaddeck"}};
  ASSERT_TRUE(store->create(decky, {}));
  auto requested = store->requestMutation("d1");
  ASSERT_TRUE(requested) << requested.error().message;
  EXPECT_EQ(requested->metadata.annotations.count(api::kMutateRequestAnnotation), 1u);
  EXPECT_FALSE(store->requestMutation("nope"));
}

}  // namespace
}  // namespace decnet::store
