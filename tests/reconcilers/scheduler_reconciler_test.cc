#include "reconcilers/scheduler_reconciler.h"

#include <gtest/gtest.h>

#include "api/types/conditions.h"
#include "tests/support/fake_client.h"

namespace decnet::reconcilers {
namespace {

using api::Json;
using testing::FakeClient;

class SchedulerReconcilerTest : public ::testing::Test {
 protected:
  SchedulerReconcilerTest() : events_(client_, "test"), scheduler_(client_, events_) {}

  void addNode(const std::string& name, bool ready, std::map<std::string, std::string> labels = {},
               std::vector<std::string> interfaces = {}) {
    api::Object node;
    node.kind = "Node";
    node.metadata.name = name;
    node.metadata.labels = labels;
    auto created = client_.create(node, {});
    ASSERT_TRUE(created);
    api::setCondition(created->status, {"Ready", ready ? "True" : "False", "x", "", "", 1}, "t");
    if (!interfaces.empty()) created->status["interfaces"] = interfaces;
    ASSERT_TRUE(client_.updateStatus(*created, {}));
  }

  void addDecky(const std::string& name, Json selector = Json::object(),
                const std::string& parent = "") {
    api::Object decky;
    decky.kind = "Decky";
    decky.metadata.name = name;
    decky.spec = {{"ip", "10.77.0.5"}, {"nodeSelector", selector}};
    if (!parent.empty()) decky.spec["network"] = {{"interface", parent}};
    ASSERT_TRUE(client_.create(decky, {}));
  }

  std::string nodeOf(const std::string& decky) {
    return client_.get({"Decky", decky})->spec.value("node", "");
  }

  FakeClient client_;
  controller::EventRecorder events_;
  SchedulerReconciler scheduler_;
};

TEST_F(SchedulerReconcilerTest, PendingDeckiesWakeOnNodeChangesThatCanPlaceThemNotOnHeartbeats) {
  addNode("n1", true, {}, {"lab0"});
  addDecky("pending");
  const auto watches = scheduler_.watches();
  ASSERT_EQ(watches.size(), 1u);
  const auto& nodes = watches[0];
  ASSERT_TRUE(nodes.wakesOn);
  const api::Object before = *client_.get({"Node", "n1"});
  api::Object heartbeat = before;
  heartbeat.status["heartbeatTime"] = "2026-12-03T09:00:10Z";
  EXPECT_FALSE(nodes.wakesOn(&before, &heartbeat)) << "a heartbeat places nothing";
  api::Object lost = before;
  api::setCondition(lost.status, {"Ready", "Unknown", "NodeStatusUnknown", "", "", 1}, "t2");
  EXPECT_TRUE(nodes.wakesOn(&before, &lost));
  api::Object relabelled = before;
  relabelled.metadata.labels["zone"] = "dmz";
  EXPECT_TRUE(nodes.wakesOn(&before, &relabelled));
  api::Object newInterface = before;
  newInterface.status["interfaces"] = Json::array({"lab0", "lab1"});
  EXPECT_TRUE(nodes.wakesOn(&before, &newInterface));
  EXPECT_TRUE(nodes.wakesOn(nullptr, &before)) << "a new node";
  EXPECT_FALSE(nodes.wakesOn(&before, nullptr)) << "a deleted node places nothing";
  const auto keys = nodes.map(before);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].name, "pending");
}

TEST_F(SchedulerReconcilerTest, WithoutReadyNodesTheScheduledConditionSaysWhy) {
  addNode("down", false);
  addDecky("d1");
  auto outcome = scheduler_.reconcile({{"Decky", "d1"}});
  ASSERT_TRUE(outcome);
  EXPECT_GT(outcome->requeue_after.count(), 0);
  auto status = client_.get({"Decky", "d1"})->status;
  auto scheduled = api::findCondition(status, "Scheduled");
  ASSERT_TRUE(scheduled);
  EXPECT_EQ(scheduled->status, "False");
  EXPECT_EQ(scheduled->reason, "Unschedulable");
  EXPECT_NE(scheduled->message.find("1 not ready"), std::string::npos) << scheduled->message;
  EXPECT_EQ(nodeOf("d1"), "");
}

TEST_F(SchedulerReconcilerTest, SpreadsDeckiesEvenlyOverReadyNodes) {
  addNode("a", true);
  addNode("b", true);
  addNode("c", false);
  for (int i = 0; i < 6; ++i) {
    addDecky("d" + std::to_string(i));
    ASSERT_TRUE(scheduler_.reconcile({{"Decky", "d" + std::to_string(i)}}));
  }
  std::map<std::string, int> perNode;
  for (int i = 0; i < 6; ++i) perNode[nodeOf("d" + std::to_string(i))]++;
  EXPECT_EQ(perNode["a"], 3);
  EXPECT_EQ(perNode["b"], 3);
  EXPECT_EQ(perNode.count("c"), 0u);
  EXPECT_EQ(api::findCondition(client_.get({"Decky", "d0"})->status, "Scheduled")->status, "True");
}

TEST_F(SchedulerReconcilerTest, RepairsAScheduledConditionLostToAConflict) {
  addNode("a", true);
  addDecky("d1");
  auto d = *client_.get({"Decky", "d1"});
  d.spec["node"] = "a";  // placed, but the status write after it never landed
  ASSERT_TRUE(client_.update(d, {}));
  ASSERT_TRUE(scheduler_.reconcile({{"Decky", "d1"}}));
  auto scheduled = api::findCondition(client_.get({"Decky", "d1"})->status, "Scheduled");
  ASSERT_TRUE(scheduled);
  EXPECT_EQ(scheduled->status, "True");
  EXPECT_EQ(nodeOf("d1"), "a");
}

TEST_F(SchedulerReconcilerTest, HonoursTheNodeSelector) {
  addNode("hq-1", true, {{"site", "hq"}});
  addNode("branch-1", true, {{"site", "branch"}});
  addDecky("d1", {{"site", "branch"}});
  addDecky("d2", {{"site", "mars"}});
  ASSERT_TRUE(scheduler_.reconcile({{"Decky", "d1"}}));
  ASSERT_TRUE(scheduler_.reconcile({{"Decky", "d2"}}));
  EXPECT_EQ(nodeOf("d1"), "branch-1");
  EXPECT_EQ(nodeOf("d2"), "");
  auto scheduled = api::findCondition(client_.get({"Decky", "d2"})->status, "Scheduled");
  EXPECT_NE(scheduled->message.find("2 not matching nodeSelector"), std::string::npos);
}

// A decky goes only where its parent interface is; with none, it stays Unschedulable and says
// which interface is missing.
TEST_F(SchedulerReconcilerTest, PlacesADeckyOnlyWhereItsParentInterfaceIs) {
  addNode("a", true, {}, {"eth0"});
  addNode("b", true, {}, {"eth0", "decnet-lab0"});
  addDecky("d1", Json::object(), "decnet-lab0");
  addDecky("d2", Json::object(), "decnet-lab9");
  ASSERT_TRUE(scheduler_.reconcile({{"Decky", "d1"}}));
  ASSERT_TRUE(scheduler_.reconcile({{"Decky", "d2"}}));
  EXPECT_EQ(nodeOf("d1"), "b");
  EXPECT_EQ(nodeOf("d2"), "");
  auto scheduled = api::findCondition(client_.get({"Decky", "d2"})->status, "Scheduled");
  ASSERT_TRUE(scheduled);
  EXPECT_EQ(scheduled->reason, "Unschedulable");
  EXPECT_NE(scheduled->message.find("2 without interface decnet-lab9"), std::string::npos)
      << scheduled->message;
}

TEST_F(SchedulerReconcilerTest, WakesOnlyForDeckiesItMayPlaceOrMustRepair) {
  api::Object pending;
  pending.kind = "Decky";
  pending.metadata.name = "corp-01";
  EXPECT_TRUE(scheduler_.wakesOnOwnChange(nullptr, &pending));
  api::Object placed = pending;
  placed.spec["node"] = "n1";
  EXPECT_TRUE(scheduler_.wakesOnOwnChange(&pending, &placed)) << "Scheduled not written yet";
  api::Object reported = placed;
  api::setCondition(reported.status, {"Scheduled", "True", "Scheduled", "", "", 1}, "t");
  EXPECT_FALSE(scheduler_.wakesOnOwnChange(&placed, &reported));
  api::Object running = reported;
  running.status["phase"] = "Running";
  EXPECT_FALSE(scheduler_.wakesOnOwnChange(&reported, &running)) << "an agent's status write";
  EXPECT_FALSE(scheduler_.wakesOnOwnChange(&running, &running)) << "a resync of a placed decky";
  api::Object unbound = running;
  unbound.spec["node"] = "";
  EXPECT_TRUE(scheduler_.wakesOnOwnChange(&running, &unbound)) << "its node was lost";
  EXPECT_FALSE(scheduler_.wakesOnOwnChange(&pending, nullptr)) << "deleted";
}

}  // namespace
}  // namespace decnet::reconcilers
