#include "reconcilers/mutation_reconciler.h"

#include <gtest/gtest.h>

#include "reconcilers/fleet_reconciler.h"
#include "tests/support/fake_client.h"

namespace decnet::reconcilers {
namespace {

using api::Json;
using namespace std::chrono_literals;
using testing::FakeClient;
using testing::FakeClock;

class MutationReconcilerTest : public ::testing::Test {
 protected:
  MutationReconcilerTest()
      : events_(client_, "test", clock_),
        fleets_(client_, events_, clock_),
        mutation_(client_, events_, clock_) {}

  void createFleet(Json mutation) {
    api::Object fleet;
    fleet.kind = "Fleet";
    fleet.metadata.name = "corp";
    fleet.metadata.creationTimestamp = api::formatTime(clock_.now());
    fleet.spec = {{"network",
                   {{"interface", "decnet-lab0"},
                    {"subnet", "10.77.0.0/24"},
                    {"ipRange", "10.77.0.10-10.77.0.20"}}},
                  {"replicas", 2},
                  {"template", {{"archetype", "database-server"}}}};
    if (!mutation.is_null()) fleet.spec["mutation"] = mutation;
    ASSERT_TRUE(client_.create(fleet, {}));
    ASSERT_TRUE(fleets_.reconcile({{"Fleet", "corp"}}));
    // Deckies were created "now" by the fake's wall clock; pin them to the fake clock.
    auto listed = client_.list("Decky", {});
    for (auto& d : listed->items) {
      d.status["lastMutationTime"] = api::formatTime(clock_.now());
      ASSERT_TRUE(client_.updateStatus(d, {}));
    }
  }

  Result<controller::Outcome> reconcile(const std::string& name = "corp-01") {
    return mutation_.reconcile({{"Decky", name}});
  }

  FakeClient client_;
  FakeClock clock_;
  controller::EventRecorder events_;
  FleetReconciler fleets_;
  MutationReconciler mutation_;
};

TEST_F(MutationReconcilerTest, NotDueMeansNoWriteAndARequeueAtTheDueTime) {
  createFleet({{"interval", "6h"}, {"rotate", {"hostname"}}, {"jitter", "10m"}});
  client_.clearActions();
  auto outcome = reconcile();
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(client_.actions.empty());
  EXPECT_GE(outcome->requeue_after, 6h);
  EXPECT_LE(outcome->requeue_after, 6h + 10min + 1s);
}

TEST_F(MutationReconcilerTest, DueDeckyGetsItsNextIdentityInItsSpec) {
  createFleet({{"interval", "1h"}, {"rotate", {"hostname", "services"}}});
  const auto before = *client_.get({"Decky", "corp-01"});
  clock_.advance(2h);
  client_.clearActions();
  auto outcome = reconcile();
  ASSERT_TRUE(outcome) << outcome.error().message;
  const auto after = *client_.get({"Decky", "corp-01"});
  EXPECT_NE(after.spec["hostname"], before.spec["hostname"]);
  EXPECT_NE(after.spec["services"], before.spec["services"]);
  EXPECT_EQ(after.spec["identityGeneration"], 2);
  EXPECT_EQ(after.metadata.generation, before.metadata.generation + 1);
  EXPECT_EQ(after.spec["ip"], before.spec["ip"]) << "ip rotates only with mac";
  EXPECT_EQ(after.status["lastMutationTime"], api::formatTime(clock_.now()));
  EXPECT_EQ(outcome->requeue_after, 1h);
  bool mutatedEvent = false;
  const auto events = client_.list("Event", {});
  for (const auto& e : events->items) {
    if (e.spec["reason"] == "Mutated") {
      mutatedEvent = true;
      EXPECT_NE(
          e.spec["message"].get<std::string>().find(before.spec["hostname"].get<std::string>()),
          std::string::npos)
          << "the event names the old value";
    }
  }
  EXPECT_TRUE(mutatedEvent);
  // The fleet controller does not undo it.
  client_.clearActions();
  ASSERT_TRUE(fleets_.reconcile({{"Fleet", "corp"}}));
  EXPECT_TRUE(client_.actionsOn("Decky").empty());
}

TEST_F(MutationReconcilerTest, RequestedMutationHappensNowAndClearsTheRequest) {
  createFleet(nullptr);
  ASSERT_TRUE(client_.requestMutation("corp-02"));
  const auto before = *client_.get({"Decky", "corp-02"});
  ASSERT_TRUE(reconcile("corp-02"));
  const auto after = *client_.get({"Decky", "corp-02"});
  EXPECT_NE(after.spec["hostname"], before.spec["hostname"]);
  EXPECT_EQ(after.metadata.annotations.count(api::kMutateRequestAnnotation), 0u);
  client_.clearActions();
  ASSERT_TRUE(reconcile("corp-02"));
  EXPECT_TRUE(client_.actions.empty()) << "no policy and no request: nothing more happens";
}

// A hostname the user set on a named decky is pinned: mutation keeps it, and a later template
// change (which restamps the decky) does not turn it into something else either.
TEST_F(MutationReconcilerTest, UserSetHostnameIsPinned) {
  createFleet(nullptr);
  auto fleet = *client_.get({"Fleet", "corp"});
  fleet.spec["deckies"] = Json::array({{{"name", "bastion"}, {"hostname", "BASTION01"}}});
  ASSERT_TRUE(client_.update(fleet, {}));
  ASSERT_TRUE(fleets_.reconcile({{"Fleet", "corp"}}));
  ASSERT_EQ(client_.get({"Decky", "corp-bastion"})->spec["hostname"], "BASTION01");

  ASSERT_TRUE(client_.requestMutation("corp-bastion"));
  ASSERT_TRUE(reconcile("corp-bastion"));
  auto mutated = *client_.get({"Decky", "corp-bastion"});
  EXPECT_EQ(mutated.spec["hostname"], "BASTION01");
  EXPECT_EQ(mutated.spec["identityGeneration"], 2) << "the request was still answered";

  // An unpinned decky's mutated hostname survives a template change too.
  ASSERT_TRUE(client_.requestMutation("corp-01"));
  ASSERT_TRUE(reconcile("corp-01"));
  const std::string mutatedName = client_.get({"Decky", "corp-01"})->spec["hostname"];
  fleet = *client_.get({"Fleet", "corp"});
  fleet.spec["template"]["services"] =
      Json::array({{{"name", "http"}, {"persona", {{"server_header", "nginx/1.24.0"}}}}});
  ASSERT_TRUE(client_.update(fleet, {}));
  ASSERT_TRUE(fleets_.reconcile({{"Fleet", "corp"}}));
  EXPECT_EQ(client_.get({"Decky", "corp-01"})->spec["hostname"], mutatedName);
  EXPECT_EQ(client_.get({"Decky", "corp-bastion"})->spec["hostname"], "BASTION01");
}

TEST_F(MutationReconcilerTest, MacRotationMovesTheAddressToo) {
  createFleet({{"interval", "1h"}, {"rotate", {"mac"}}});
  const auto before = *client_.get({"Decky", "corp-01"});
  clock_.advance(2h);
  ASSERT_TRUE(reconcile());
  const auto after = *client_.get({"Decky", "corp-01"});
  EXPECT_NE(after.spec["mac"], before.spec["mac"]);
  EXPECT_NE(after.spec["ip"], before.spec["ip"]);
  EXPECT_NE(after.spec["ip"], client_.get({"Decky", "corp-02"})->spec["ip"]);
}

TEST_F(MutationReconcilerTest, StatusWritesDoNotWakeIt) {
  api::Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "corp-01";
  decky.metadata.uid = "u1";
  decky.metadata.generation = 1;
  EXPECT_TRUE(mutation_.wakesOnOwnChange(nullptr, &decky));
  EXPECT_TRUE(mutation_.wakesOnOwnChange(&decky, &decky)) << "the periodic resync";
  api::Object reported = decky;
  reported.status["phase"] = "Running";
  EXPECT_FALSE(mutation_.wakesOnOwnChange(&decky, &reported));
  api::Object requested = reported;
  requested.metadata.annotations[std::string(api::kMutateRequestAnnotation)] = "now";
  EXPECT_TRUE(mutation_.wakesOnOwnChange(&reported, &requested));
  api::Object respecified = reported;
  respecified.metadata.generation = 2;
  EXPECT_TRUE(mutation_.wakesOnOwnChange(&reported, &respecified));
}

}  // namespace
}  // namespace decnet::reconcilers
