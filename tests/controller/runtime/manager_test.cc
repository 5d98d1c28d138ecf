#include "controller/runtime/manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "controller/store/object_store.h"

namespace decnet::controller {
namespace {

using namespace std::chrono_literals;

// Counts reconciles per key and fails the first `failFirst` passes of each.
class CountingReconciler final : public Reconciler {
 public:
  explicit CountingReconciler(int failFirst, Errc code = Errc::kUnavailable)
      : failFirst_(failFirst), code_(code) {}
  std::string_view name() const override { return "counting"; }
  std::string_view kind() const override { return "Node"; }
  Result<Outcome> reconcile(const Request& request) override {
    std::lock_guard lock(mutex_);
    int n = ++calls_[request.key.name];
    if (n <= failFirst_) return fail(code_, "not yet");
    return Outcome{};
  }
  int calls(const std::string& name) {
    std::lock_guard lock(mutex_);
    return calls_[name];
  }

 private:
  int failFirst_;
  Errc code_;
  std::mutex mutex_;
  std::map<std::string, int> calls_;
};

std::shared_ptr<store::ObjectStore> memoryStore() {
  auto repository = store::openRepository("sqlite::memory:");
  EXPECT_TRUE(repository.has_value());
  auto opened = store::ObjectStore::open(std::move(*repository));
  EXPECT_TRUE(opened.has_value());
  return *opened;
}

api::Object node(const std::string& name) {
  api::Object o;
  o.kind = "Node";
  o.metadata.name = name;
  return o;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

TEST(ManagerTest, ReconcilesExistingAndNewObjectsAndRetriesTransientErrors) {
  auto store = memoryStore();
  ASSERT_TRUE(store->create(node("before"), {}));
  auto reconciler = std::make_unique<CountingReconciler>(2);
  auto* counting = reconciler.get();
  Manager manager(*store, ManagerOptions{1, std::chrono::minutes(5), BackoffPolicy{1ms, 50ms}});
  manager.add(std::move(reconciler));
  manager.start();
  ASSERT_TRUE(store->create(node("after"), {}));
  // Two failures then success: three passes each, with backoff between them.
  EXPECT_TRUE(
      eventually([&] { return counting->calls("before") >= 3 && counting->calls("after") >= 3; }));
  manager.stop();
  EXPECT_EQ(manager.stats("counting").errors.load(), 4u);
}

TEST(ManagerTest, TerminalErrorsAreNotRetried) {
  auto store = memoryStore();
  ASSERT_TRUE(store->create(node("bad"), {}));
  auto reconciler = std::make_unique<CountingReconciler>(100, Errc::kTerminal);
  auto* counting = reconciler.get();
  Manager manager(*store, ManagerOptions{1, std::chrono::minutes(5), BackoffPolicy{1ms, 5ms}});
  manager.add(std::move(reconciler));
  manager.start();
  EXPECT_TRUE(eventually([&] { return counting->calls("bad") >= 1; }));
  std::this_thread::sleep_for(100ms);
  manager.stop();
  EXPECT_EQ(counting->calls("bad"), 1);
}

// Counts passes of each Node, woken also by writes of the Nodes labelled child-of=NAME.
class ParentReconciler final : public Reconciler {
 public:
  explicit ParentReconciler(std::chrono::milliseconds updateDelay) : updateDelay_(updateDelay) {}
  std::string_view name() const override { return "parent"; }
  std::string_view kind() const override { return "Node"; }
  std::vector<WatchSpec> watches() const override {
    WatchSpec children{"Node", [](const api::Object& child) -> std::vector<api::ObjectKey> {
                         auto parent = child.metadata.labels.find("child-of");
                         if (parent == child.metadata.labels.end()) return {};
                         return {{"Node", parent->second}};
                       }};
    children.updateDelay = updateDelay_;
    return {children};
  }
  Result<Outcome> reconcile(const Request& request) override {
    if (request.key.name == "parent") ++parentPasses_;
    if (request.key.name == "other") ++otherPasses_;
    return Outcome{};
  }
  int parentPasses() const { return parentPasses_.load(); }
  int otherPasses() const { return otherPasses_.load(); }

 private:
  const std::chrono::milliseconds updateDelay_;
  std::atomic<int> parentPasses_{0};
  std::atomic<int> otherPasses_{0};
};

TEST(ManagerTest, ABurstOfChildWritesWakesTheParentOnceAfterTheDelay) {
  auto store = memoryStore();
  ASSERT_TRUE(store->create(node("parent"), {}));
  ASSERT_TRUE(store->create(node("other"), {}));
  api::Object child = node("child");
  child.metadata.labels["child-of"] = "parent";
  ASSERT_TRUE(store->create(child, {}));
  auto reconciler = std::make_unique<ParentReconciler>(1500ms);
  auto* parent = reconciler.get();
  Manager manager(*store, ManagerOptions{1, std::chrono::minutes(5), BackoffPolicy{1ms, 5ms}});
  manager.add(std::move(reconciler));
  manager.start();
  ASSERT_TRUE(eventually([&] { return parent->parentPasses() >= 1; }));
  std::this_thread::sleep_for(200ms);
  int settled = parent->parentPasses();
  // Status writes and other updates alike (a scheduler's binding, an agent's finalizer).
  for (int i = 0; i < 20; ++i) {
    auto current = store->get({"Node", "child"});
    ASSERT_TRUE(current);
    if (i % 2 == 0) {
      current->status = {{"write", i}};
      ASSERT_TRUE(store->updateStatus(*current, {}));
    } else {
      current->metadata.labels["tier"] = "web" + std::to_string(i);
      ASSERT_TRUE(store->update(*current, {}));
    }
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(parent->parentPasses(), settled) << "a child's update waits for the delay";
  EXPECT_TRUE(eventually([&] { return parent->parentPasses() > settled; }, 3000ms));
  std::this_thread::sleep_for(1600ms);
  EXPECT_EQ(parent->parentPasses(), settled + 1) << "twenty writes, one pass";

  // A child moved to another parent wakes both at once.
  settled = parent->parentPasses();
  const int otherSettled = parent->otherPasses();
  auto moving = store->get({"Node", "child"});
  ASSERT_TRUE(moving);
  moving->metadata.labels["child-of"] = "other";
  ASSERT_TRUE(store->update(*moving, {}));
  EXPECT_TRUE(eventually([&] { return parent->parentPasses() > settled; }, 1000ms));
  EXPECT_TRUE(eventually([&] { return parent->otherPasses() > otherSettled; }, 1000ms));

  // A child added or deleted wakes its parent at once.
  settled = parent->parentPasses();
  api::Object second = node("second");
  second.metadata.labels["child-of"] = "parent";
  ASSERT_TRUE(store->create(second, {}));
  EXPECT_TRUE(eventually([&] { return parent->parentPasses() > settled; }, 1000ms));
  settled = parent->parentPasses();
  ASSERT_TRUE(store->remove({"Node", "second"}, {}));
  EXPECT_TRUE(eventually([&] { return parent->parentPasses() > settled; }, 1000ms));
  manager.stop();
}

TEST(ManagerTest, StopIsGracefulAndIdempotent) {
  auto store = memoryStore();
  Manager manager(*store);
  manager.add(std::make_unique<CountingReconciler>(0));
  manager.start();
  const auto start = std::chrono::steady_clock::now();
  manager.stop();
  manager.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

// Reconciles Nodes, woken by its own kind only for adds (wakesOnOwnChange).
class AddsOnlyReconciler final : public Reconciler {
 public:
  std::string_view name() const override { return "adds-only"; }
  std::string_view kind() const override { return "Node"; }
  bool wakesOnOwnChange(const api::Object* old, const api::Object* now) const override {
    return old == nullptr && now != nullptr;
  }
  Result<Outcome> reconcile(const Request&) override {
    ++passes;
    return Outcome{};
  }
  std::atomic<int> passes{0};
};

TEST(ManagerTest, OwnChangesWakeOnlyWhatTheReconcilerAccepts) {
  auto store = memoryStore();
  auto reconciler = std::make_unique<AddsOnlyReconciler>();
  auto* addsOnly = reconciler.get();
  Manager manager(*store, ManagerOptions{1, std::chrono::minutes(5), BackoffPolicy{1ms, 5ms}});
  manager.add(std::move(reconciler));
  manager.start();
  ASSERT_TRUE(store->create(node("a"), {}));
  ASSERT_TRUE(eventually([&] { return addsOnly->passes == 1; }));
  auto current = store->get({"Node", "a"});
  ASSERT_TRUE(current);
  current->status = {{"written", true}};
  ASSERT_TRUE(store->updateStatus(*current, {}));
  ASSERT_TRUE(store->create(node("b"), {}));
  ASSERT_TRUE(eventually([&] { return addsOnly->passes == 2; })) << "the add of b";
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(addsOnly->passes, 2) << "the status write of a woke nothing";
  manager.stop();
}

}  // namespace
}  // namespace decnet::controller
