#include "controller/runtime/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace decnet::controller {
namespace {

using namespace std::chrono_literals;
const api::ObjectKey kA{"Fleet", "a"};
const api::ObjectKey kB{"Fleet", "b"};

TEST(BackoffPolicyTest, DoublesFromFiveMillisecondsAndCapsAtFiveMinutes) {
  BackoffPolicy policy;
  EXPECT_EQ(policy.delay(0), 5ms);
  EXPECT_EQ(policy.delay(1), 10ms);
  EXPECT_EQ(policy.delay(2), 20ms);
  EXPECT_EQ(policy.delay(10), 5120ms);
  EXPECT_EQ(policy.delay(16), 300000ms);    // 5 ms * 2^16 = 327 s > cap
  EXPECT_EQ(policy.delay(1000), 300000ms);  // no overflow far past the cap
}

TEST(WorkQueueTest, DeduplicatesWaitingKeys) {
  WorkQueue queue;
  queue.add(kA);
  queue.add(kA);
  queue.add(kB);
  EXPECT_EQ(queue.length(), 2u);
  EXPECT_EQ(queue.get(), kA);
  EXPECT_EQ(queue.get(), kB);
}

TEST(WorkQueueTest, KeyAddedWhileProcessingIsHandedOutAgainAfterDone) {
  WorkQueue queue;
  queue.add(kA);
  auto key = queue.get();
  ASSERT_EQ(key, kA);
  queue.add(kA);  // changed while a worker holds it
  EXPECT_EQ(queue.length(), 0u) << "must not be handed to a second worker concurrently";
  queue.done(kA);
  EXPECT_EQ(queue.length(), 1u);
  EXPECT_EQ(queue.get(), kA);
}

TEST(WorkQueueTest, RateLimitedRetriesBackOffPerKeyAndForgetResets) {
  WorkQueue queue(BackoffPolicy{20ms, 1000ms});
  EXPECT_EQ(queue.failures(kA), 0);
  queue.addRateLimited(kA);  // 20 ms
  queue.addRateLimited(kB);
  queue.addRateLimited(kB);  // b: second failure but already pending at 20ms; earlier wins
  EXPECT_EQ(queue.failures(kA), 1);
  EXPECT_EQ(queue.failures(kB), 2);
  const auto start = Clock::now();
  EXPECT_EQ(queue.length(), 0u);
  auto first = queue.get();
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 19ms);
  EXPECT_TRUE(first == kA || first == kB);
  queue.forget(kA);
  EXPECT_EQ(queue.failures(kA), 0);
}

TEST(WorkQueueTest, AddAfterDelaysAndEarlierDelayWins) {
  WorkQueue queue;
  queue.addAfter(kA, 10s);
  queue.addAfter(kA, 30ms);
  const auto start = Clock::now();
  EXPECT_EQ(queue.get(), kA);
  EXPECT_LT(Clock::now() - start, 5s);
}

TEST(WorkQueueTest, ShutDownWakesBlockedWorkers) {
  WorkQueue queue;
  std::optional<api::ObjectKey> got = kA;
  std::thread worker([&] { got = queue.get(); });
  std::this_thread::sleep_for(20ms);
  queue.shutDown();
  worker.join();
  EXPECT_FALSE(got.has_value());
  queue.add(kB);
  EXPECT_EQ(queue.length(), 0u);
}

TEST(WorkQueueTest, ReportsClientGosSeries) {
  metrics::Registry registry(false);
  WorkQueue queue({}, WorkQueueMetrics::registerFor(registry, "fleet"));
  queue.registerProgress(registry, "fleet");
  const auto has = [&](const std::string& line) {
    const std::string text = registry.expose();
    return text.find(line) != std::string::npos;
  };
  queue.add(kA);
  queue.add(kA);  // already waiting: not another add
  queue.add(kB);
  EXPECT_TRUE(has("workqueue_depth{name=\"fleet\"} 2"));
  EXPECT_TRUE(has("workqueue_adds_total{name=\"fleet\"} 2"));
  auto key = queue.get();
  ASSERT_TRUE(key);
  EXPECT_TRUE(has("workqueue_depth{name=\"fleet\"} 1"));
  EXPECT_TRUE(has("workqueue_queue_duration_seconds_count{name=\"fleet\"} 1"));
  std::this_thread::sleep_for(20ms);
  const auto [sum, longest] = queue.unfinishedWork();
  EXPECT_GE(longest, 0.02);
  EXPECT_GE(sum, longest);
  EXPECT_FALSE(has("workqueue_longest_running_processor_seconds{name=\"fleet\"} 0\n"));
  queue.addRateLimited(*key);
  queue.done(*key);
  EXPECT_TRUE(has("workqueue_retries_total{name=\"fleet\"} 1"));
  EXPECT_TRUE(has("workqueue_work_duration_seconds_count{name=\"fleet\"} 1"));
  EXPECT_TRUE(has("workqueue_longest_running_processor_seconds{name=\"fleet\"} 0\n"));
}

}  // namespace
}  // namespace decnet::controller
