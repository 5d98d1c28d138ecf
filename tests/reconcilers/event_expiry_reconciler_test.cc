#include "reconcilers/event_expiry_reconciler.h"

#include <gtest/gtest.h>

#include "tests/support/fake_client.h"

namespace decnet::reconcilers {
namespace {

using testing::FakeClient;
using testing::FakeClock;

api::Object eventLastSeen(const std::string& name, api::TimePoint last) {
  api::Object event;
  event.kind = "Event";
  event.metadata.name = name;
  event.spec = {{"reason", "DeckyReady"}, {"count", 3}, {"lastTimestamp", api::formatTime(last)}};
  return event;
}

TEST(EventExpiryReconcilerTest, AnEventGoesOneTtlAfterItLastOccurred) {
  FakeClient client;
  FakeClock clock;
  EventExpiryReconciler expiry(client, std::chrono::hours(1), clock);
  ASSERT_TRUE(client.create(eventLastSeen("fresh", clock.now() - std::chrono::minutes(20)), {}));
  ASSERT_TRUE(client.create(eventLastSeen("stale", clock.now() - std::chrono::minutes(61)), {}));

  auto fresh = expiry.reconcile({{"Event", "fresh"}});
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(client.get({"Event", "fresh"}));
  // Requeued for when it expires (40 min from now), not polled.
  EXPECT_GE(fresh->requeue_after, std::chrono::minutes(40));
  EXPECT_LE(fresh->requeue_after, std::chrono::minutes(41));

  ASSERT_TRUE(expiry.reconcile({{"Event", "stale"}}));
  EXPECT_FALSE(client.get({"Event", "stale"}));

  clock.advance(std::chrono::minutes(41));
  ASSERT_TRUE(expiry.reconcile({{"Event", "fresh"}}));
  EXPECT_FALSE(client.get({"Event", "fresh"}));
  EXPECT_TRUE(expiry.reconcile({{"Event", "fresh"}})) << "an Event already gone is no error";
}

}  // namespace
}  // namespace decnet::reconcilers
