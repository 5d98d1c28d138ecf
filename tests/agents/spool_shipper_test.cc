// The agent's spool shipper against the real collector (loopback, a SQLite file): every stamped
// line arrives once, across a collector that stops and comes back and lines appended meanwhile.
#include "agents/spool_shipper.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "pipeline/collector/collector.h"
#include "tests/support/process.h"

namespace decnet::agents {
namespace {

std::string stamped(int sequence) {
  return "<134>1 2026-12-02T08:00:00.000001+00:00 corp-lan-01 ssh - auth_attempt "
         "[relay@55555 src_ip=\"10.77.0.250\" principal=\"root\"][meta sequenceId=\"" +
         std::to_string(sequence) + "\"]";
}

class SpoolShipperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-ship-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    port_ = decnet::testing::freePort();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void append(int from, int to) {
    std::ofstream spool(dir_ + "/local.log", std::ios::app);
    for (int i = from; i <= to; ++i) spool << stamped(i) << "\n";
  }

  std::unique_ptr<pipeline::Collector> startCollector(pipeline::TelemetryStore& store) {
    pipeline::CollectorOptions options;
    options.listen = "127.0.0.1:" + std::to_string(port_);
    auto collector = std::make_unique<pipeline::Collector>(store, options);
    EXPECT_TRUE(collector->start());
    return collector;
  }

  // Waits (10 s at most) until the store holds `count` events.
  std::int64_t waitFor(pipeline::TelemetryStore& store, std::int64_t count) {
    for (int i = 0; i < 200 && *store.eventCount() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return *store.eventCount();
  }

  std::string dir_;
  int port_ = 0;
};

TEST_F(SpoolShipperTest, EveryLineOnceAcrossACollectorRestart) {
  auto store = pipeline::openTelemetryStore("sqlite://" + dir_ + "/telemetry.db");
  ASSERT_TRUE(store);
  append(1, 50);
  SpoolShipper shipper({dir_ + "/local.log", "sensor-1", "127.0.0.1:" + std::to_string(port_),
                        std::chrono::milliseconds(50), std::chrono::milliseconds(500)});
  shipper.start();  // the collector is not up yet: the shipper keeps trying
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto collector = startCollector(**store);
  EXPECT_EQ(waitFor(**store, 50), 50);
  for (int i = 0; i < 100 && shipper.acknowledged() < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(shipper.acknowledged(), 50);

  collector->stop();  // the collector goes away; lines keep coming
  collector.reset();
  append(51, 80);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  collector = startCollector(**store);
  EXPECT_EQ(waitFor(**store, 80), 80);
  append(81, 100);
  EXPECT_EQ(waitFor(**store, 100), 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(*store.value()->eventCount(), 100) << "nothing doubled";
  EXPECT_EQ(*store.value()->committedSequence("sensor-1"), 100);
  EXPECT_GE(shipper.connections(), 2u);
  // The second connection resent nothing the collector had (it learnt the committed position).
  EXPECT_EQ(shipper.linesSent(), 100u);
  shipper.stop();
  collector->stop();
}

TEST(SequenceIdOfTest, ReadsTheMetaElement) {
  EXPECT_EQ(sequenceIdOf(stamped(42)), 42);
  EXPECT_EQ(sequenceIdOf("<134>1 - h a - m - no meta"), -1);
  EXPECT_EQ(sequenceIdOf("x [meta sequenceId=\"12x\"]"), -1);
  EXPECT_EQ(sequenceIdOf("x [meta sequenceId=\""), -1);
}

}  // namespace
}  // namespace decnet::agents
