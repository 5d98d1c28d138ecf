// The watch cache over a real ObjectStore (in-memory SQLite): reads see every write made before
// them, and subscriptions get each change once, in order, from where they asked.
#include "apiserver/watch_cache.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "controller/store/object_store.h"

namespace decnet::apiserver {
namespace {

api::Object fleet(const std::string& name, int replicas, const std::string& site = "hq") {
  api::Object o;
  o.kind = "Fleet";
  o.metadata.name = name;
  o.metadata.labels = {{"site", site}};
  o.spec = {{"network", {{"interface", "decnet-lab0"}, {"subnet", "10.77.0.0/24"}}},
            {"replicas", replicas},
            {"template", {{"archetype", "linux-server"}}}};
  return o;
}

class WatchCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto repository = store::openRepository("sqlite::memory:");
    ASSERT_TRUE(repository);
    store_ = *store::ObjectStore::open(std::move(*repository));
  }
  void TearDown() override {
    if (cache_) cache_->stop();
  }
  void startCache(std::size_t history = 100) {
    cache_ = std::make_unique<WatchCache>(*store_, history);
    ASSERT_TRUE(cache_->start());
  }

  std::shared_ptr<store::ObjectStore> store_;
  std::unique_ptr<WatchCache> cache_;
};

TEST_F(WatchCacheTest, ReadsSeeEveryEarlierWriteWithItsJson) {
  ASSERT_TRUE(store_->create(fleet("before", 1), {}));
  startCache();
  // Written after the cache started: a read right after the write still has it.
  auto created = store_->create(fleet("after", 2, "dc"), {});
  ASSERT_TRUE(created);
  auto got = cache_->get({"Fleet", "after"});
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)->object.metadata.resourceVersion, created->metadata.resourceVersion);
  EXPECT_EQ(api::Json::parse((*got)->json), api::toJson(*created));

  auto all = cache_->list("Fleet", {});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0]->object.metadata.name, "after");  // sorted by name
  EXPECT_EQ(all->revision, store_->revision());
  auto dc = cache_->list("Fleet", {"site=dc", ""});
  ASSERT_TRUE(dc);
  ASSERT_EQ(dc->items.size(), 1u);
  EXPECT_EQ(dc->items[0]->object.metadata.name, "after");
  EXPECT_FALSE(cache_->list("Fleet", {"site in (", ""})) << "a bad selector is an error";

  ASSERT_TRUE(store_->remove({"Fleet", "before"}, {}));
  auto gone = cache_->get({"Fleet", "before"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kNotFound);
}

TEST_F(WatchCacheTest, SubscriptionsReplayThenFollowEachChangeOnce) {
  startCache();
  auto first = store_->create(fleet("a", 1), {});
  ASSERT_TRUE(first);
  ASSERT_TRUE(store_->create(fleet("b", 1), {}));
  api::Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "d1";
  decky.spec = {
      {"network", {{"subnet", "10.77.0.0/24"}}}, {"ip", "10.77.0.5"}, {"archetype", "deaddeck"}};
  ASSERT_TRUE(store_->create(decky, {}));  // another kind: not for a Fleet subscriber

  std::mutex mutex;
  std::vector<std::string> seen;
  auto id =
      cache_->subscribe("Fleet", first->metadata.resourceVersion, [&](const CachedEvent& event) {
        if (event.object == nullptr) return true;  // bookmark
        std::lock_guard lock(mutex);
        seen.push_back(std::string(api::watchEventTypeName(event.type)) + ":" +
                       event.object->object.metadata.name);
        EXPECT_EQ(event.line->back(), '\n');
        return true;
      });
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(store_->remove({"Fleet", "a"}, {}));
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(mutex);
      if (seen.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  cache_->unsubscribe(*id);
  ASSERT_TRUE(store_->create(fleet("c", 1), {}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED:b", "DELETED:a"}));
}

TEST_F(WatchCacheTest, AStartOlderThanTheHistoryIsGone) {
  startCache(2);
  auto first = store_->create(fleet("a", 1), {});
  ASSERT_TRUE(first);
  for (int replicas : {2, 3, 4}) {
    api::Object changed = *store_->get({"Fleet", "a"});
    changed.spec["replicas"] = replicas;
    ASSERT_TRUE(store_->update(changed, {}));
  }
  ASSERT_TRUE(cache_->get({"Fleet", "a"}));  // caught up
  auto old = cache_->subscribe("Fleet", first->metadata.resourceVersion,
                               [](const CachedEvent&) { return true; });
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, Errc::kGone);
  EXPECT_FALSE(cache_->checkStart(first->metadata.resourceVersion));
  EXPECT_TRUE(cache_->checkStart(store_->revision() - 1));
  EXPECT_TRUE(cache_->checkStart(-1));
}

}  // namespace
}  // namespace decnet::apiserver
