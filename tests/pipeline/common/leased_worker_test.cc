// Two copies of a worker over one database, as `decnet up` with DECNET_EMBED_PROFILER=1 next to
// a standalone `decnet profile`: one works, the other stands by, and the work is done exactly
// once, also when the holder stops and the standby takes over.
#include "pipeline/common/leased_worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "pipeline/correlator/correlator.h"

namespace decnet::pipeline {
namespace {

class LeasedWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("decnet-lease-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    dsn_ = (dir_ / "telemetry.db").string();
    events_ = std::move(*openTelemetryStore(dsn_));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `count` events from one attacker, with ascending sequence ids after `from`.
  void store(int from, int count) {
    std::vector<CollectedEvent> batch;
    for (int i = from; i < from + count; ++i) {
      CollectedEvent e;
      e.node = "local";
      e.sequenceId = i;
      e.time = "2026-12-02T08:00:00Z";
      e.decky = "corp-0" + std::to_string(i % 3);
      e.service = "http";
      e.eventType = "request";
      e.attackerIp = "10.77.0.250";
      e.fieldsJson = "{}";
      batch.push_back(e);
    }
    ASSERT_TRUE(events_->commit(batch, {}));
  }

  std::filesystem::path dir_;
  std::string dsn_;
  std::unique_ptr<TelemetryStore> events_;
};

TEST_F(LeasedWorkerTest, TwoCopiesCountEveryEventOnceThroughAHandOver) {
  // Each copy has its own connections, as two processes would.
  auto analysisA = std::move(*openAnalysisStore(dsn_));
  auto analysisB = std::move(*openAnalysisStore(dsn_));
  auto eventsB = std::move(*openTelemetryStore(dsn_));
  Correlator correlatorA(*events_, *analysisA, {std::chrono::seconds(300), 50});
  Correlator correlatorB(*eventsB, *analysisB, {std::chrono::seconds(300), 50});
  const auto ttl = std::chrono::milliseconds(600);
  LeasedWorker a(*analysisA, {"correlator", "copy-a", ttl, std::chrono::milliseconds(20)},
                 [&](const std::string& holder) { return correlatorA.step(holder); });
  LeasedWorker b(*analysisB, {"correlator", "copy-b", ttl, std::chrono::milliseconds(20)},
                 [&](const std::string& holder) { return correlatorB.step(holder); });
  a.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  b.start();
  int stored = 0;
  for (int round = 0; round < 10; ++round) {
    store(stored + 1, 100);
    stored += 100;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(a.leader());
  EXPECT_FALSE(b.leader());
  EXPECT_EQ(b.handled(), 0u) << "the standby did work while the leader held the lease";

  a.stop();  // gives the lease up: the standby takes over within a third of the lease's life
  store(stored + 1, 500);
  stored += 500;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         *analysisB->cursor("correlator") < *events_->latestEventId()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  b.stop();
  EXPECT_GT(b.handled(), 0u);
  EXPECT_EQ(a.handled() + b.handled(), static_cast<std::size_t>(stored));
  auto attackers = analysisB->attackers({});
  ASSERT_EQ(attackers->size(), 1u);
  EXPECT_EQ(attackers->front().eventCount, stored) << "no event doubled or skipped";
}

TEST_F(LeasedWorkerTest, ADrainRefusesWhileAnotherCopyWorks) {
  store(1, 10);
  auto analysis = std::move(*openAnalysisStore(dsn_));
  Correlator correlator(*events_, *analysis);
  ASSERT_TRUE(*analysis->acquireLease("correlator", "daemon", std::chrono::seconds(10)));
  LeasedWorker once(*analysis, {"correlator", "one-off"},
                    [&](const std::string& holder) { return correlator.step(holder); });
  auto refused = once.drain();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kConflict);
  EXPECT_NE(refused.error().message.find("daemon"), std::string::npos);
  ASSERT_TRUE(analysis->releaseLease("correlator", "daemon"));
  auto drained = once.drain();
  ASSERT_TRUE(drained) << drained.error().message;
  EXPECT_EQ(*drained, 10u);
  EXPECT_EQ(*analysis->leaseHolder("correlator"), "") << "a one-off pass gives the lease back";
}

}  // namespace
}  // namespace decnet::pipeline
