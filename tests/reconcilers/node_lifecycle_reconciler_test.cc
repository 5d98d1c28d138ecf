#include "reconcilers/node_lifecycle_reconciler.h"

#include <gtest/gtest.h>

#include "api/types/conditions.h"
#include "tests/support/fake_client.h"

namespace decnet::reconcilers {
namespace {

using namespace std::chrono_literals;
using testing::FakeClient;
using testing::FakeClock;

TEST(NodeLifecycleReconcilerTest, MarksSilentNodesAndTheirDeckiesUnknown) {
  FakeClient client;
  FakeClock clock;
  controller::EventRecorder events(client, "test", clock);
  NodeLifecycleReconciler lifecycle(client, events, 40s, 30s, clock);

  api::Object node;
  node.kind = "Node";
  node.metadata.name = "n1";
  auto created = client.create(node, {});
  ASSERT_TRUE(created);
  created->status["heartbeatTime"] = api::formatTime(clock.now());
  api::setCondition(created->status, {"Ready", "True", "AgentReady", "", "", 1},
                    api::formatTime(clock.now()));
  ASSERT_TRUE(client.updateStatus(*created, {}));
  for (const char* name : {"mine", "other"}) {
    api::Object decky;
    decky.kind = "Decky";
    decky.metadata.name = name;
    decky.spec = {{"node", std::string(name) == "mine" ? "n1" : "n2"}};
    auto d = client.create(decky, {});
    ASSERT_TRUE(d);
    api::setCondition(d->status, {"Ready", "True", "DeckyReady", "", "", 1}, "t");
    ASSERT_TRUE(client.updateStatus(*d, {}));
  }

  client.clearActions();
  clock.advance(30s);
  auto fresh = lifecycle.reconcile({{"Node", "n1"}});
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(client.actions.empty());
  EXPECT_GT(fresh->requeue_after, 9s);
  EXPECT_LE(fresh->requeue_after, 10s + 1ms) << "checks again when the grace period ends";

  clock.advance(11s);
  ASSERT_TRUE(lifecycle.reconcile({{"Node", "n1"}}));
  auto ready = api::findCondition(client.get({"Node", "n1"})->status, "Ready");
  EXPECT_EQ(ready->status, "Unknown");
  EXPECT_EQ(ready->reason, "NodeStatusUnknown");
  EXPECT_EQ(api::findCondition(client.get({"Decky", "mine"})->status, "Ready")->status, "Unknown");
  EXPECT_EQ(api::findCondition(client.get({"Decky", "other"})->status, "Ready")->status, "True");

  // Still silent 30 s later: its deckies are moved off it (the scheduler places them again);
  // the other node's deckies stay.
  clock.advance(20s);
  auto waiting = lifecycle.reconcile({{"Node", "n1"}});
  ASSERT_TRUE(waiting);
  EXPECT_EQ(client.get({"Decky", "mine"})->spec.value("node", ""), "n1") << "not yet";
  EXPECT_GT(waiting->requeue_after, 9s);
  EXPECT_LE(waiting->requeue_after, 10s + 1ms);
  clock.advance(10s);
  ASSERT_TRUE(lifecycle.reconcile({{"Node", "n1"}}));
  EXPECT_FALSE(client.get({"Decky", "mine"})->spec.contains("node"));
  EXPECT_EQ(client.get({"Decky", "other"})->spec.value("node", ""), "n2");
}

}  // namespace
}  // namespace decnet::reconcilers
