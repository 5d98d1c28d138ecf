#include "reconcilers/gc_reconciler.h"

#include <gtest/gtest.h>

#include "tests/support/fake_client.h"

namespace decnet::reconcilers {
namespace {

using testing::FakeClient;

TEST(GarbageCollectorReconcilerTest, DeletesDeckiesWhoseFleetIsGoneOrReplaced) {
  FakeClient client;
  controller::EventRecorder events(client, "test");
  GarbageCollectorReconciler gc(client, events);
  api::Object fleet;
  fleet.kind = "Fleet";
  fleet.metadata.name = "corp";
  auto created = client.create(fleet, {});
  ASSERT_TRUE(created);
  api::Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "corp-01";
  decky.metadata.ownerReferences.push_back(
      {api::kApiVersion, "Fleet", "corp", created->metadata.uid, true});
  ASSERT_TRUE(client.create(decky, {}));
  api::Object orphanOfOld = decky;
  orphanOfOld.metadata.name = "corp-02";
  orphanOfOld.metadata.ownerReferences[0].uid = "uid-of-an-older-corp";
  orphanOfOld.metadata.finalizers = {api::kTeardownFinalizer};
  ASSERT_TRUE(client.create(orphanOfOld, {}));

  ASSERT_TRUE(gc.reconcile({{"Decky", "corp-01"}}));
  EXPECT_TRUE(client.get({"Decky", "corp-01"})) << "its owner exists";
  ASSERT_TRUE(gc.reconcile({{"Decky", "corp-02"}}));
  auto marked = client.get({"Decky", "corp-02"});
  ASSERT_TRUE(marked) << "the finalizer holds it";
  EXPECT_TRUE(marked->deleting());

  ASSERT_TRUE(client.remove({"Fleet", "corp"}, {}));
  ASSERT_TRUE(gc.reconcile({{"Decky", "corp-01"}}));
  EXPECT_FALSE(client.get({"Decky", "corp-01"}));
}

TEST(GarbageCollectorReconcilerTest, WakesForNewDeckiesAndChangedOwnersOnly) {
  FakeClient client;
  controller::EventRecorder events(client, "test");
  GarbageCollectorReconciler gc(client, events);
  api::Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "corp-01";
  decky.metadata.uid = "u1";
  decky.metadata.ownerReferences.push_back({api::kApiVersion, "Fleet", "corp", "f1", true});
  EXPECT_TRUE(gc.wakesOnOwnChange(nullptr, &decky));
  EXPECT_TRUE(gc.wakesOnOwnChange(&decky, &decky)) << "the periodic resync";
  api::Object reported = decky;
  reported.status["phase"] = "Running";
  reported.metadata.finalizers = {api::kTeardownFinalizer};
  reported.spec["node"] = "n1";
  EXPECT_FALSE(gc.wakesOnOwnChange(&decky, &reported));
  api::Object adopted = reported;
  adopted.metadata.ownerReferences[0].uid = "f2";
  EXPECT_TRUE(gc.wakesOnOwnChange(&reported, &adopted));
  EXPECT_FALSE(gc.wakesOnOwnChange(&decky, nullptr));
}

}  // namespace
}  // namespace decnet::reconcilers
